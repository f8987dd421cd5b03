"""serostudy.table1 on plain DataFrames: inference, policy, missing values, records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import serostudy
from serostudy.exceptions import InputError


@pytest.fixture
def df():
    rng = np.random.default_rng(1)
    n = 60
    return pd.DataFrame({
        "arm": np.repeat(["treated", "placebo"], n // 2),
        "age": rng.normal(50, 10, n).round(),
        "smoker": rng.integers(0, 2, n),
        "stage": rng.choice(["I", "II", "III"], n),
        "crp": rng.lognormal(1, 1, n),
    })


def test_inference_follows_the_gtsummary_rule(df):
    t = serostudy.table1(df, by="arm")
    assert "smoker: categorical (0/1; numeric columns with at most 10 distinct whole-number values are treated as categorical)" in t.choices
    assert any(c.startswith("stage: categorical") for c in t.choices)
    assert any(c.startswith("crp: continuous") for c in t.choices)


def test_group_order_defaults_to_sorted_and_can_be_set(df):
    t = serostudy.table1(df, by="arm", order=["treated", "placebo"], group_labels={"treated": "Drug"})
    assert t.panels[0].header[1] == "Drug (n = 30)"
    d = next(r for r in t.records if r.variable == "age" and r.statistic == "mean_difference")
    a = df[df.arm == "treated"].age
    b = df[df.arm == "placebo"].age
    assert d.estimate == pytest.approx(a.mean() - b.mean())
    tt = stats.ttest_ind(a, b, equal_var=False)
    rec = next(r for r in t.records if r.variable == "age" and r.statistic == "t")
    assert rec.pvalue == pytest.approx(tt.pvalue, rel=1e-10)


def test_student_policy_and_nonnormal(df):
    t = serostudy.table1(df, by="arm", test="student", nonnormal=["crp"])
    age = next(r for r in t.records if r.variable == "age" and r.statistic == "t")
    assert age.method == "Student two-sample t-test"
    crp = next(r for r in t.records if r.variable == "crp" and r.pvalue is not None)
    assert "Mann" in crp.method or "Wilcoxon" in crp.method
    assert crp.pvalue == pytest.approx(stats.mannwhitneyu(df[df.arm == "placebo"].crp, df[df.arm == "treated"].crp, method="exact").pvalue, rel=1e-6)
    assert any("exact" in n for n in crp.warnings)  # R rule: n < 50 per group, no ties
    assert any("median" in r.label for r in t.panels[0].rows)


def test_missing_values_are_counted_not_dropped(df):
    df.loc[[0, 1, 40], "age"] = np.nan
    df.loc[[5], "stage"] = None
    t = serostudy.table1(df, by="arm")
    miss = {(r.variable, r.group): r.estimate for r in t.records if r.statistic == "missing"}
    assert miss[("age", "treated")] == 2 and miss[("age", "placebo")] == 1 and miss[("age", "overall")] == 3
    assert miss[("stage", "treated")] == 1
    labels = [r.label for r in t.panels[0].rows]
    assert labels.count("Missing") == 2


def test_rows_with_missing_group_are_reported(df):
    df.loc[[3, 4], "arm"] = None
    t = serostudy.table1(df, by="arm")
    assert "2 row(s) with a missing 'arm' left out of the table" in t.choices


def test_small_expected_counts_switch_to_fisher_and_say_so():
    df = pd.DataFrame({"g": ["a"] * 8 + ["b"] * 8, "x": ["y"] * 7 + ["n"] + ["y"] * 2 + ["n"] * 6})
    t = serostudy.table1(df, by="g", categorical=["x"])
    rec = next(r for r in t.records if r.variable == "x" and r.pvalue is not None)
    assert "Fisher" in rec.method and rec.warnings
    assert rec.pvalue == pytest.approx(stats.fisher_exact([[1, 6], [7, 2]]).pvalue, rel=1e-9)


def test_conversions(df, tmp_path):
    t = serostudy.table1(df, by="arm")
    frame = t.to_frame()
    assert frame.columns[0] == "Characteristic" and len(frame) == len(t.panels[0].rows)
    assert "<table>" in t.to_html()
    assert t.to_docx(tmp_path / "t.docx").stat().st_size > 0
    assert "\\toprule" in t.to_latex()
    assert set(t.records_frame().columns) >= {"analysis", "variable", "statistic", "estimate", "pvalue", "method"}


@pytest.mark.parametrize("kw,match", [
    ({"by": "nope"}, "`by` column 'nope' not found"),
    ({"by": "arm", "include": ["age", "bmi"]}, r"column\(s\) \['bmi'\] not found"),
    ({"by": "arm", "test": "ttest"}, r"`test` must be one of \{'welch', 'student'\}, got 'ttest'"),
    ({"by": "arm", "categorical": ["age"], "continuous": ["age"]}, "both categorical and continuous"),
])
def test_bad_arguments(df, kw, match):
    with pytest.raises(InputError, match=match):
        serostudy.table1(df, **kw)
