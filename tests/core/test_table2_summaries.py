"""Table 2 summaries: computed over exactly the rows its n counts, in the codebook's form.

Regression tests for issue 11 finding 2: Table 2 printed n = 34 (pairs with the exposure)
beside a mean, SD and range computed over all 35 patients with the variable, and showed
ordinal/skewed variables (EDSS, ARR, duration) as mean +/- SD.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy._analysis._varspec import VarSpec
from serostudy._analysis.table1 import GroupSpec
from serostudy._analysis.table2 import build_table2
from serostudy._io.config import TestPolicy


def _table(y_summary: str = "mean_sd"):
    data = pd.DataFrame({
        "g": ["a"] * 6 + ["b"] * 2,
        "x": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 1.0, 2.0],   # exposure missing in row 4
        "y": [10.0, 12.0, 11.0, 15.0, 100.0, np.nan, 1.0, 2.0],  # y missing in row 5
    })
    exposure = VarSpec(name="x", label="X", kind="continuous")
    y = VarSpec(name="y", label="Y", kind="continuous", summary=y_summary)  # type: ignore[arg-type]
    return build_table2(data, group="a", groups=GroupSpec("g", ("a", "b"), {"a": "A", "b": "B"}),
                        exposure=exposure, variables=[y], methods=("pearson",), policy=TestPolicy())


REF = Path(__file__).resolve().parents[1] / "reference" / "pipeline" / "demo_reference.csv"


def _ref():
    lines = [ln for ln in REF.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {(r["analysis"], r["variable"], r["statistic"], r["group"], r["level"]): float(r["value"])
            for r in csv.DictReader(lines)}


def _recs(t, statistic):
    return [r for r in t.records if r.statistic == statistic and r.variable == "y"]


def test_table2_summary_uses_the_same_rows_as_its_n():
    t = _table()
    complete = np.array([10.0, 12.0, 11.0, 15.0])  # the 4 rows with both x and y
    (mean,) = _recs(t, "mean")
    (sd,) = _recs(t, "sd")
    (mx,) = _recs(t, "max")
    assert mean.n == 4 and sd.n == 4
    assert_allclose([mean.estimate, sd.estimate, mx.estimate], [complete.mean(), complete.std(ddof=1), 15.0])
    row = t.panels[0].rows[0]
    assert row.cells[0] == "4"
    assert "100" not in row.cells[2]  # the patient without an exposure value is not in the range


def test_table2_median_iqr_for_variables_declared_skewed_or_ordinal():
    t = _table("median_iqr")
    complete = np.array([10.0, 12.0, 11.0, 15.0])
    (med,) = _recs(t, "median")
    (q1,) = _recs(t, "q1")
    (q3,) = _recs(t, "q3")
    assert_allclose([med.estimate, q1.estimate, q3.estimate], np.percentile(complete, [50, 25, 75]))
    assert not _recs(t, "mean")
    cell = t.panels[0].rows[0].cells[1]
    assert "[" in cell and "\u00b1" not in cell


@pytest.mark.parametrize("var,form", [("bmi", "mean_sd"), ("age", "mean_sd"), ("age_at_onset", "mean_sd"),
                                      ("edss", "median_iqr"), ("arr", "median_iqr"),
                                      ("disease_duration", "median_iqr")])
def test_demo_table2_summaries_match_r_on_complete_pairs(demo_results, var, form):
    """Against R (tests/reference/pipeline/make_reference.R): summaries over the patients
    with both B12 and the variable, mean/SD or median/quartiles (type 7) as the codebook says."""
    ref = _ref()
    stats = ("mean", "sd", "min", "max") if form == "mean_sd" else ("median", "q1", "q3", "min", "max")
    n_ref = ref[("table2", var, "n_complete", "nmosd", "")]
    for st in stats:
        hits = [r for r in demo_results["records"] if r["analysis"] == "table2" and r["variable"] == var
                and r["statistic"] == st and r.get("group") == "nmosd" and r.get("level") is None]
        assert len(hits) == 1, (var, st, hits)
        assert hits[0]["n"] == n_ref
        assert_allclose(hits[0]["estimate"], ref[("table2", var, f"summary_{st}", "nmosd", "")], rtol=1e-9)
