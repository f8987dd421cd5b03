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
