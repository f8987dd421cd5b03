"""Shared fixtures: one demo run per test session (it takes a few seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    from serostudy._demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return run_demo(out)


@pytest.fixture(scope="session")
def demo_results(demo_run):
    return json.loads((demo_run.out_dir / "results.json").read_text(encoding="utf-8"))


CORE_COLUMNS = ["id", "group", "age", "sex", "b12_pmol_l", "bmi", "age_at_onset", "disease_duration",
                "relapses", "follow_up_years", "edss"]


@pytest.fixture(scope="session")
def core_study(tmp_path_factory, demo_run):
    """A plain study (no plates, no clinical files): the demo's analysed participants with
    B12 as a column, and the demo codebook without the optional parts.  For reader,
    config and CLI tests that need an ordinary spreadsheet."""
    import pandas as pd
    import yaml

    from serostudy._demo.build import TEMPLATE

    folder = tmp_path_factory.mktemp("core_study")
    data = pd.read_csv(demo_run.out_dir / "analysis_data.csv")
    data = data[data["analysed"]][CORE_COLUMNS].copy()
    data["b12_pmol_l"] = data["b12_pmol_l"].round(1)
    data.to_csv(folder / "participants.csv", index=False)
    cfg = yaml.safe_load(TEMPLATE.read_text())
    cfg["codebook"]["b12_pmol_l"].pop("derived_by")
    cfg.pop("audit", None)
    (folder / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return folder
