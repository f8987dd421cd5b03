"""Issue 10, finding 6 (runtime part, Table 1): a constant variable and infinite values.

A variable constant in both groups used to stop the whole run with "t-test undefined"
naming no variable; an ``inf`` in a numeric column reached the analysis and the
message named neither file nor column.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import serostudy
from serostudy.exceptions import InputError


def _df(n: int = 20, k: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    groups = [chr(ord("a") + i) for i in range(k)]
    return pd.DataFrame({
        "group": np.repeat(groups, n // k),
        "age": rng.normal(50, 10, n).round(1),
        "sex": rng.choice(["f", "m"], n),
    })


def _row(t, name):
    return next(r for r in t.panels[0].rows if r.variable == name and r.kind == "variable")


@pytest.mark.parametrize("test", ["welch", "student"])
def test_constant_variable_in_both_groups_is_reported_in_its_row_not_fatal(test):
    df = _df().assign(dose=50.0)
    t = serostudy.table1(df, by="group", continuous=["dose"], test=test)
    assert "no variation" in _row(t, "dose").cells[-1]
    rec = next(r for r in t.records if r.variable == "dose" and r.statistic == "t")
    assert rec.estimate is None and rec.pvalue is None
    assert any("no variation" in w for w in rec.warnings)
    assert any("no variation" in f.lower() and "not computed" in f for f in t.footnotes)
    assert any(c.startswith("dose:") and "no variation" in c for c in t.choices)
    # the other rows are still tested
    assert next(r for r in t.records if r.variable == "age" and r.statistic == "t").pvalue is not None


def test_constant_within_each_group_but_different_between_groups():
    df = _df().assign(dose=lambda d: np.where(d.group == "a", 50.0, 60.0))
    t = serostudy.table1(df, by="group", continuous=["dose"])
    rec = next(r for r in t.records if r.variable == "dose" and r.statistic == "t")
    assert rec.pvalue is None
    assert any("within" in w for w in rec.warnings)


def test_nearly_constant_float_column_is_not_given_a_spurious_t_test():
    """0.1 repeated has a floating-point SD of ~1e-17, not 0: still no variation."""
    df = _df().assign(dose=0.1)
    t = serostudy.table1(df, by="group", continuous=["dose"])
    rec = next(r for r in t.records if r.variable == "dose" and r.statistic == "t")
    assert rec.pvalue is None


def test_constant_nonnormal_variable_gets_no_mann_whitney():
    df = _df().assign(dose=3.0)
    t = serostudy.table1(df, by="group", continuous=["dose"], nonnormal=["dose"])
    rec = next(r for r in t.records if r.variable == "dose" and r.statistic == "U")
    assert rec.pvalue is None and any("no variation" in w for w in rec.warnings)


@pytest.mark.parametrize("nonnormal", [False, True])
def test_constant_variable_with_three_groups(nonnormal):
    df = _df(n=30, k=3).assign(dose=7.0)
    t = serostudy.table1(df, by="group", continuous=["dose"], nonnormal=["dose"] if nonnormal else None)
    stat = "H" if nonnormal else "F"
    rec = next(r for r in t.records if r.variable == "dose" and r.statistic == stat)
    assert rec.pvalue is None and any("no variation" in w for w in rec.warnings)


def test_constant_variable_in_a_study_run_is_not_fatal(core_study, tmp_path):
    """The config pipeline builds Table 1 with the same code: a constant codebook
    variable is reported in its row and the run completes."""
    import json
    import shutil

    import yaml

    folder = tmp_path / "study"
    shutil.copytree(core_study, folder)
    cfg_path = folder / "study.yaml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg["codebook"]["dose"] = {"type": "continuous", "label": "Dose", "unit": "mg"}
    cfg["analyses"]["table1"]["variables"].append("dose")
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    data_path = folder / cfg["data"]["participants"]
    df = pd.read_csv(data_path, dtype=str)
    df["dose"] = "5"
    df.to_csv(data_path, index=False)
    serostudy.run_study(cfg_path, out_dir=tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    rec = next(r for r in doc["records"] if r["analysis"] == "table1" and r["variable"] == "dose"
               and r["statistic"] in ("t", "U"))
    assert rec["pvalue"] is None and any("no variation" in w for w in rec["warnings"])


def test_inf_in_a_data_frame_names_the_column():
    df = _df().assign(crp=lambda d: d.age / 10)
    df.loc[7, "crp"] = -np.inf
    with pytest.raises(InputError) as ei:
        serostudy.table1(df, by="group")
    assert ei.value.column == "crp"
    assert "inf" in str(ei.value)


def test_inf_in_a_data_file_names_file_row_and_column(tmp_path):
    """Through ``serostudy table1``: one message naming the file and column, no traceback
    (the CSV reader may refuse the text itself; either way the message says where)."""
    path = tmp_path / "cohort.csv"
    df = _df().assign(crp=lambda d: (d.age / 10).astype(str))
    df.loc[4, "crp"] = "inf"
    df.to_csv(path, index=False)
    p = subprocess.run([sys.executable, "-m", "serostudy", "table1", str(path), "--by", "group"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "cohort.csv" in p.stderr and "'crp'" in p.stderr
    assert "row 6" in p.stderr  # header is row 1; df row 4 is line 6


def test_float_inf_from_a_spreadsheet_names_file_and_column(tmp_path):
    """A float infinity can come from a Stata file (no text for the CSV reader to refuse)."""
    from serostudy._analysis.api import read_data_frame

    pyreadstat = pytest.importorskip("pyreadstat")  # a core dependency: never skipped in CI
    path = tmp_path / "cohort.sav"
    df = _df().assign(crp=lambda d: d.age / 10)
    df.loc[3, "crp"] = np.inf
    pyreadstat.write_sav(df, str(path))
    data = read_data_frame(str(path))
    if not np.isinf(data["crp"]).any():  # pragma: no cover - the format cannot hold inf
        pytest.fail("SPSS file did not keep the infinity; pick another format for this test")
    with pytest.raises(InputError) as ei:
        serostudy.table1(data, by="group")
    assert ei.value.column == "crp" and "cohort.sav" in str(ei.value)
