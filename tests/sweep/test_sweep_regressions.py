"""Regression tests for what the real-data sweep and the property tests found in the
Table 1 / Table 2 code (each failed before its fix)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import serostudy


def _rec(t, variable, statistic):
    (r,) = [r for r in t.records if r.variable == variable and r.statistic == statistic]
    return r


def test_table2_constant_variable_keeps_the_table():
    """A constant column (sm_elnino-like: a month with one value in a group) made
    ``correlation`` raise 'x is constant', and the whole Table 2 was lost."""
    df = pd.DataFrame({"g": ["a"] * 6, "b12": [1.0, 2.5, 3.1, 4.7, 5.2, 6.9],
                       "flat": [2.0] * 6, "age": [30.0, 41.5, 35.2, 50.1, 44.4, 39.9]})
    t = serostudy.table2(df, by="g", group="a", exposure="b12")
    flat = _rec(t, "flat", "pearson_r")
    assert flat.estimate is None or math.isnan(flat.estimate)
    assert any("constant" in w for w in flat.warnings)
    assert _rec(t, "age", "pearson_r").estimate == pytest.approx(np.corrcoef(df.b12, df.age)[0, 1], rel=1e-12)
    assert "NA" in t.to_frame().set_index("Variable").loc["flat"].tolist()
    assert any("constant" in f for f in t.footnotes)


def test_table2_fewer_than_three_pairs_keeps_the_table():
    """A variable with fewer than 3 complete pairs in the group (a group of 2, or gaps)
    made ``correlation`` raise and the whole Table 2 was lost."""
    df = pd.DataFrame({"g": ["a"] * 5, "b12": [1.0, 2.0, 3.5, 4.0, 5.5],
                       "sparse": [1.0, np.nan, np.nan, np.nan, 7.5], "age": [3.0, 1.0, 4.0, 1.5, 5.9]})
    t = serostudy.table2(df, by="g", group="a", exposure="b12")
    sparse = _rec(t, "sparse", "spearman_rho")
    assert sparse.estimate is None or math.isnan(sparse.estimate)
    assert sparse.n == 2
    assert any("3 complete pairs" in w for w in sparse.warnings)
    assert _rec(t, "age", "spearman_rho").estimate is not None


def test_ttest_from_stats_huge_values_do_not_overflow():
    """Property tests: means and SDs near 1e300 (a valid float range) raised a bare
    OverflowError from ``sd ** 2``; t, df and p do not depend on the scale."""
    from serostudy.stats import ttest_from_stats

    small = ttest_from_stats(1.0, 2.0, 10, 3.0, 1.5, 12)
    big = ttest_from_stats(1e300, 2e300, 10, 3e300, 1.5e300, 12)
    assert big.statistic == pytest.approx(small.statistic, rel=1e-12)
    assert big.df == pytest.approx(small.df, rel=1e-12)
    assert big.pvalue == pytest.approx(small.pvalue, rel=1e-12)
    assert big.estimate.ci.low == pytest.approx(small.estimate.ci.low * 1e300, rel=1e-12)
    tiny = ttest_from_stats(1e-300, 2e-300, 10, 3e-300, 1.5e-300, 12, equal_var=True)
    assert tiny.statistic == pytest.approx(ttest_from_stats(1.0, 2.0, 10, 3.0, 1.5, 12, equal_var=True).statistic,
                                           rel=1e-12)


def test_hedges_g_huge_sds_do_not_overflow():
    """Property tests: SDs near 1e300 raised a bare OverflowError from ``sd ** 2``."""
    from serostudy.stats import hedges_g_from_stats

    small = hedges_g_from_stats(1.0, 2.0, 10, 3.0, 1.5, 12)
    big = hedges_g_from_stats(1e300, 2e300, 10, 3e300, 1.5e300, 12)
    assert big.estimate == pytest.approx(small.estimate, rel=1e-12)
