"""Every user-provided string reaches report.html escaped."""

from __future__ import annotations

import shutil

import yaml

from serostudy._demo import demo_dir
from serostudy._pipeline import run_study

EVIL = '<script>alert("x")</script>'


def test_user_strings_are_escaped_in_the_report(tmp_path):
    shutil.copytree(demo_dir(), tmp_path, dirs_exist_ok=True)
    cfg = yaml.safe_load((tmp_path / "study.yaml").read_text())
    cfg["study"]["title"] = f"Title {EVIL}"
    cfg["study"]["description"] = f"Desc {EVIL}"
    cfg["groups"]["labels"]["nmosd"] = f"NMOSD {EVIL}"
    cfg["codebook"]["age"]["label"] = f"Age {EVIL}"
    cfg["codebook"]["sex"]["level_labels"]["male"] = f"Men {EVIL}"
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    run = run_study(tmp_path / "study.yaml", out_dir=tmp_path / "out")
    html = (run.out_dir / "report.html").read_text()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "Title &lt;script&gt;" in html and "Age &lt;script&gt;" in html
