"""Every output file lies inside --out, whatever the variable names (issue 10, finding 2).

Before the fix, figure file names were built from codebook variable names: a variable
called ``../../escaped`` wrote PNG/SVG files two folders above the output folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from serostudy._demo import demo_dir
from serostudy._paths import OutputFolder, slug
from serostudy.exceptions import SerostudyError


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _study_with_variable(tmp_path: Path, name: str) -> Path:
    """The demo study with its ``bmi`` column renamed ``name`` and drawn as a box plot."""
    study = tmp_path / "a" / "b" / "study"
    shutil.copytree(demo_dir(), study)
    csv = study / "participants.csv"
    head, rest = csv.read_text(encoding="utf-8").split("\n", 1)
    csv.write_text(head.replace(",bmi,", f",{name},") + "\n" + rest, encoding="utf-8")
    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))

    def swap(x):
        if isinstance(x, dict):
            return {(name if k == "bmi" else k): swap(v) for k, v in x.items()}
        if isinstance(x, list):
            return [swap(v) for v in x]
        return name if x == "bmi" else x

    cfg = swap(cfg)
    cfg["analyses"]["figures"]["by_group"] = name
    cfg.pop("audit", None)
    (study / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return study


@pytest.mark.parametrize("evil", ["../../escaped", "ABS"])
def test_variable_named_like_a_path_writes_only_inside_out(tmp_path, evil):
    from serostudy._pipeline import run_study

    if evil == "ABS":
        evil = str(tmp_path / "abs_escaped")
    study = _study_with_variable(tmp_path, evil)
    before = _files(tmp_path)
    out = study / "out"
    run = run_study(study / "study.yaml", out_dir=out)
    new = _files(tmp_path) - before
    outside = sorted(str(p) for p in new if not p.resolve().is_relative_to(out.resolve()))
    assert outside == []
    figs = [p.name for p in run.files if p.suffix == ".png"]
    assert slug(f"{evil}_by_group") + ".png" in figs
    assert all(p.parent.resolve() == out.resolve() for p in run.files)


@pytest.mark.parametrize("name", ["../../escaped", "/abs/name", "..", ".", "", "a\x00b", "a/b\\c", "CON",
                                  "nul.txt", ".hidden", "x" * 400, "größe µ", "名前", "a:b*c?d|e<f>g\"h",
                                  "\n\t", "~root", "-rf"])
def test_slug_is_one_plain_file_name(name):
    s = slug(name)
    assert s and len(s.encode("utf-8")) <= 120
    assert "/" not in s and "\\" not in s and "\x00" not in s and ":" not in s
    assert s not in (".", "..") and not s.startswith((".", "-", "~"))
    assert s.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}


def test_colliding_names_get_distinct_files(tmp_path):
    (tmp_path / "out").mkdir()
    out = OutputFolder(tmp_path / "out")
    a = out.stem("b12/pmol", (".png", ".svg"))
    b = out.stem("b12:pmol", (".png", ".svg"))
    c = out.stem("B12_PMOL", (".png",))  # differs only in case: one file on macOS/Windows
    assert len({a.lower(), b.lower(), c.lower()}) == 3
    paths = [out.path(a + ".png"), out.path(b + ".png"), out.path(c + ".png")]
    for i, p in enumerate(paths):
        p.write_text(str(i))
    assert [p.read_text() for p in paths] == ["0", "1", "2"]


def test_reserved_file_names_are_not_taken_by_tables(tmp_path):
    out = OutputFolder(tmp_path / "out", reserved=("results.json", "records.csv"))
    assert out.stem("records", (".csv",)) != "records"
    assert out.stem("results", (".csv",)) == "results"


@pytest.mark.parametrize("bad", ["../x.png", "/etc/x", "a/b.png", "..", ""])
def test_path_outside_or_nested_is_refused(tmp_path, bad):
    out = OutputFolder(tmp_path / "out")
    with pytest.raises(SerostudyError, match="output folder"):
        out.path(bad)


def test_symlink_in_out_pointing_outside_is_refused(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    os.symlink(tmp_path / "elsewhere.png", root / "fig.png")
    out = OutputFolder(root)
    with pytest.raises(SerostudyError, match="output folder"):
        out.path("fig.png")
