"""Column headers a spreadsheet would run as formulas are neutralised in every CSV/XLSX
export, as values already were (issue 10, finding 7)."""

from __future__ import annotations

import csv
import shutil

import pandas as pd

from serostudy._render.export import write_frame_csv

EVIL = "=HYPERLINK(\"http://x\",\"y\")"


def test_frame_csv_neutralises_headers_and_values(tmp_path):
    df = pd.DataFrame({EVIL: ["=1+1", "ok"], "+cmd": ["-2", "@x"], "plain": [1, 2]})
    p = write_frame_csv(df, tmp_path / "t.csv")
    rows = list(csv.reader(p.open(encoding="utf-8")))
    assert rows[0] == ["'" + EVIL, "'+cmd", "plain"]
    assert rows[1] == ["'=1+1", "-2", "1"] and rows[2] == ["ok", "'@x", "2"]


def test_analysis_data_csv_header_from_the_participant_file_is_neutralised(tmp_path):
    from serostudy._demo import demo_dir
    from serostudy._pipeline import run_study

    study = tmp_path / "study"
    shutil.copytree(demo_dir(), study)
    df = pd.read_csv(study / "participants.csv", dtype=str, keep_default_na=False)
    df[EVIL] = "x"
    df.to_csv(study / "participants.csv", index=False)
    import yaml

    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    cfg.pop("audit", None)
    cfg.pop("models", None)
    (study / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    run = run_study(study / "study.yaml", out_dir=tmp_path / "out")
    header = next(csv.reader((run.out_dir / "analysis_data.csv").open(encoding="utf-8")))
    assert "'" + EVIL in header and EVIL not in header
    assert not any(h.startswith(("=", "+", "@")) for h in header)
