"""The command line: fast --help, demo/run/table1, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from serostudy._demo import demo_dir
from serostudy.cli import main


def test_help_imports_no_heavy_library():
    code = ("import sys; from serostudy.cli import build_parser; build_parser(); "
            "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', 'statsmodels') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "serostudy 0.1.0" in capsys.readouterr().out


def test_table1_json_prints_records_and_inferences(capsys, core_study):
    csv = core_study / "participants.csv"
    rc = main(["table1", str(csv), "--by", "group",
               "--include", "age,sex,b12_pmol_l,relapses", "--json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert any(c.startswith("sex: categorical") for c in doc["choices"])
    n_rel = pd.read_csv(csv).relapses.nunique()
    expected = "categorical" if n_rel <= 10 else "continuous"
    assert any(c.startswith(f"relapses: {expected}") for c in doc["choices"]), doc["choices"]
    assert any(c.startswith("age: continuous") for c in doc["choices"])
    rec = [r for r in doc["records"] if r["variable"] == "age" and r["statistic"] == "mean" and r["group"] == "nmosd"]
    assert len(rec) == 1
    assert rec[0]["estimate"] == pytest.approx(pd.read_csv(csv).query("group == 'nmosd'").age.mean())


def test_table1_text_and_files(tmp_path, capsys):
    rc = main(["table1", str(demo_dir() / "participants.csv"), "--by", "group", "--include", "age,sex",
               "--out", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr()
    assert "Age" in out.out or "age" in out.out
    assert "inferred" in out.err
    assert {p.name for p in tmp_path.iterdir()} >= {"table1.csv", "table1.docx", "table1.xlsx", "table1.tex"}


def test_bad_input_is_one_line_error_not_traceback(tmp_path, capsys):
    rc = main(["table1", str(demo_dir() / "participants.csv"), "--by", "cohort"])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("serostudy: error:") and "cohort" in err and "Traceback" not in err


def test_run_with_a_bad_config(tmp_path, capsys):
    p = tmp_path / "study.yaml"
    p.write_text("version: 1\nstudy: {title: x}\n")
    rc = main(["run", str(p), "--out", str(tmp_path / "o")])
    assert rc == 2
    assert "key 'data': required key is missing" in capsys.readouterr().err


def test_demo_inputs_are_copied_and_run(demo_run, tmp_path):
    study = demo_run.out_dir / "study" / "study.yaml"
    rc = main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet"])
    assert rc == 0
    assert (tmp_path / "out" / "results.json").is_file()
    assert json.loads((tmp_path / "out" / "results.json").read_text())["records"]
