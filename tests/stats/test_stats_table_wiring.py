"""Table 1 / Table 2 wiring of the inference layer on the inputs issue 9 found
(strong effects, zero cells, 3+ groups under the Welch policy, Kendall's tau)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import serostudy


def _records(table, variable, statistic):
    return [r for r in table.records if r.variable == variable and r.statistic == statistic]


def test_table1_strong_effect_keeps_table_and_hedges_g_interval():
    """Issue 9 finding 1: |t| = 9.2 killed the whole table (NaN in the nct root search)."""
    rng = np.random.default_rng(1)
    a = rng.normal(0, 1, 100)
    b = rng.normal(1.3, 1, 100)
    df = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 100, "x": np.r_[a, b]})
    t = serostudy.table1(df, by="g", continuous=["x"])
    (tr,) = _records(t, "x", "t")
    assert abs(tr.estimate) > 8
    (g,) = _records(t, "x", "hedges_g")
    assert g.ci_low < g.estimate < g.ci_high < 0


def _zero_cell_frame(counts):
    """Rows for a 2 x 2 table ``[[a, b], [c, d]]`` (rows = levels yes/no, columns = groups a/b)."""
    (a, b), (c, d) = counts
    g = ["a"] * (a + c) + ["b"] * (b + d)
    y = ["yes"] * a + ["no"] * c + ["yes"] * b + ["no"] * d
    return pd.DataFrame({"g": g, "y": y})


def test_table1_zero_cell_2x2_gives_conditional_mle_not_abort():
    """Issue 9 finding 4: a zero cell beside a chi-squared test raised 'sample odds ratio
    ... undefined' and lost the table.  Now: the conditional MLE with its exact CI, as R
    fisher.test prints (0 with a finite upper bound here), and a footnote saying so."""
    # levels sort as no, yes: table rows [no, yes]; all expected counts >= 5 -> chi2
    df = _zero_cell_frame([[0, 20], [30, 25]])
    for test in ("auto", "chi2"):
        t = serostudy.table1(df, by="g", categorical=["y"], categorical_test=test)
        (rec,) = _records(t, "y", "odds_ratio")
        assert rec.method.startswith("conditional maximum-likelihood")
        assert any("zero cell" in w for w in rec.warnings)
        assert any("zero cell" in f and "Haldane" in f for f in t.footnotes)
        assert rec.ci_low <= rec.estimate <= rec.ci_high


def test_table1_welch_policy_three_groups_runs_welch_anova_not_classic_f():
    """Issue 9 finding 6: the Welch policy with 3+ groups silently ran the classic F
    and called it 'One-way ANOVA'.  Values from R oneway.test(var.equal = FALSE)."""
    y = [1.2, 1.9, 2.4, 0.8, 3.1, 2.2, 5.0, -1.0, 7.5, 0.4, 0.5, 0.9, 0.7]
    g = ["a"] * 4 + ["b"] * 5 + ["c"] * 4
    df = pd.DataFrame({"g": g, "y": y})
    t = serostudy.table1(df, by="g", continuous=["y"])
    (rec,) = _records(t, "y", "F")
    assert rec.method == "Welch's ANOVA"
    assert any("Welch's ANOVA" in f for f in t.footnotes)
    # R: oneway.test(y ~ g, var.equal = FALSE)
    np.testing.assert_allclose(rec.estimate, 4.39042842427388, rtol=1e-9)
    np.testing.assert_allclose(rec.pvalue, 0.0784954540212788, rtol=1e-8)
    t2 = serostudy.table1(df, by="g", continuous=["y"], test="student")
    (rec2,) = _records(t2, "y", "F")
    assert rec2.method == "One-way ANOVA"
    # R: oneway.test(y ~ g, var.equal = TRUE)
    np.testing.assert_allclose(rec2.pvalue, 0.174499400815202, rtol=1e-8)


def test_table2_kendall_tau_beside_pearson_and_spearman():
    """Kendall's tau-b as a Table 2 statistic; values from R cor.test(method = "kendall")."""
    from serostudy._analysis._varspec import VarSpec
    from serostudy._analysis.table1 import GroupSpec
    from serostudy._analysis.table2 import build_table2
    from serostudy._io.config import TestPolicy

    x = [1.2, 3.4, 2.2, 5.1, 4.0, 6.3, 0.7, 2.9]
    y = [2.5, 6.1, 7.3, 5.5, 6.8, 9.0, 1.1, 3.3]
    df = pd.DataFrame({"g": ["a"] * 8, "x": x, "y": y})
    t = build_table2(df, group="a", groups=GroupSpec("g", ("a",), {}), exposure=VarSpec(name="x", label="x", kind="continuous"),
                     variables=[VarSpec(name="y", label="y", kind="continuous")], methods=("pearson", "spearman", "kendall"),
                     policy=TestPolicy())
    (rec,) = _records(t, "y", "kendall_tau")
    # R: cor.test(x, y, method = "kendall"): tau = 0.5714286, p-value = 0.06101 (exact)
    np.testing.assert_allclose(rec.estimate, 0.571428571428571, rtol=1e-12)
    np.testing.assert_allclose(rec.pvalue, 0.0610119047619048, rtol=1e-9)
    assert rec.ci_low is None and rec.ci_high is None
    assert any("Kendall" in h for h in t.panels[0].header)
    assert any("Kendall" in f for f in t.footnotes)


def test_table1_cramers_v_interval_contains_estimate_on_weak_large_table():
    """Issue 9 finding 5: 'V = 0.02 (0.00 to 0.00)'.  The bias-corrected V is 0 there."""
    counts = [[50, 51, 50, 49], [50, 49, 50, 51], [50, 50, 50, 50]]  # rows = levels, columns = groups
    g, y = [], []
    for i, row in enumerate(counts):
        for j, k in enumerate(row):
            g += [f"g{j}"] * k
            y += [f"l{i}"] * k
    t = serostudy.table1(pd.DataFrame({"g": g, "y": y}), by="g", categorical=["y"], categorical_test="chi2")
    (rec,) = _records(t, "y", "cramers_v")
    assert rec.ci_low <= rec.estimate <= rec.ci_high
    assert rec.method.startswith("Cramér's V (bias-corrected)")
