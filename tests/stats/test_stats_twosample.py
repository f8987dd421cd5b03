"""Two-sample tests and effect sizes against R (tests/reference/stats/make_reference.R)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats_ref import ALT, case_id, cases, num, pair, table
from numpy.testing import assert_allclose
from scipy import stats as sps

from serostudy.stats import (
    hedges_g_from_stats,
    mannwhitney,
    smd_categorical,
    smd_continuous,
    summarize_continuous,
    ttest_from_stats,
)


# ----------------------------------------------------------------------------- t-test
@pytest.mark.parametrize("ref", cases("ttest"), ids=case_id)
def test_ttest_from_stats_matches_r(ref):
    res = ttest_from_stats(
        ref["mean1"], ref["sd1"], ref["n1"], ref["mean2"], ref["sd2"], ref["n2"],
        equal_var=ref["var_equal"], alternative=ALT[ref["alternative"]],
    )
    assert res.method == ("Student two-sample t-test" if ref["var_equal"] else "Welch two-sample t-test")
    assert res.statistic_name == "t"
    assert_allclose(res.statistic, ref["statistic"], rtol=1e-10)
    assert_allclose(res.df, ref["df"], rtol=1e-10)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-9)
    assert_allclose(res.estimate.estimate, ref["estimate"], rtol=1e-10, atol=1e-12)
    assert_allclose(list(res.confidence_interval()), [num(ref["conf_low"]), num(ref["conf_high"])], rtol=1e-10)
    assert res.n == ref["n1"] + ref["n2"]


def test_ttest_summaries_from_raw_data_match_r():
    # the summaries Table 1 would compute, fed to the t-test, reproduce R on raw data
    ref = next(c for c in cases("ttest") if c["case"] == "sleep" and c["var_equal"] is False and c["alternative"] == "two.sided")
    x, y = pair("sleep")
    s1, s2 = summarize_continuous(x), summarize_continuous(y)
    res = ttest_from_stats(s1.mean, s1.sd, s1.n, s2.mean, s2.sd, s2.n)
    assert_allclose([res.statistic, res.df, res.pvalue], [ref["statistic"], ref["df"], ref["p_value"]], rtol=1e-10)


def test_ttest_seed_paper_age_p_value():
    # published: 42.1 +- 12.1 (35) vs 46.1 +- 16.2 (53), printed P = 0.22
    res = ttest_from_stats(42.1, 12.1, 35, 46.1, 16.2, 53, equal_var=True)
    assert round(res.pvalue, 2) == 0.22


# ------------------------------------------------------------------------ Mann-Whitney
def _wilcox_cases():
    out = []
    for c in cases("wilcox"):
        out.append(pytest.param(c, id=case_id(c)))
    return out


def _mw_method(ref) -> str:
    return {"auto": "auto", True: "exact", False: "asymptotic"}[ref["exact"]]


def _vectors(ref):
    return pair(ref["case"])


@pytest.mark.parametrize("ref", _wilcox_cases())
def test_mannwhitney_matches_r(ref):
    x, y = _vectors(ref)
    res = mannwhitney(x, y, alternative=ALT[ref["alternative"]], method=_mw_method(ref), continuity=ref["correct"])
    r_exact = "exact" in ref["method"]
    assert ("(exact)" in res.method) == r_exact, (res.method, ref["method"], res.notes)
    assert res.statistic_name == "U"
    assert_allclose(res.statistic, ref["statistic"], rtol=1e-12)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-9)
    # the notes say which p-value was used
    assert any(("exact" in n) or ("normal approximation" in n) for n in res.notes)
    ci = res.confidence_interval()
    lo_r, hi_r = num(ref["conf_low"]), num(ref["conf_high"])
    if r_exact:
        # same order statistics of the pairwise differences: identical
        assert_allclose([ci.low, ci.high], [lo_r, hi_r], rtol=1e-12)
        assert_allclose(res.estimate.estimate, ref["estimate"], rtol=1e-12)
        assert_allclose(ci.confidence_level, ref["conf_level"], rtol=1e-9)
    else:
        # R: uniroot(tol = 1e-4) on a step function -> within ~1e-4 of the jump we return
        for ours, theirs in ((ci.low, lo_r), (ci.high, hi_r)):
            if math.isinf(theirs):
                assert ours == theirs
            else:
                assert abs(ours - theirs) <= 2e-4 * max(1.0, abs(theirs)), (ours, theirs)
        # estimate: median of differences (R's own median(diffs)); R's uniroot value
        # lies in the interval where the statistic is 0, i.e. between the middle
        # order statistics of the differences
        assert_allclose(res.estimate.estimate, ref["median_of_differences"], rtol=1e-12)
        d = np.sort(np.subtract.outer(x, y).ravel())
        m = d.size
        lo_mid, hi_mid = d[(m - 1) // 2], d[m // 2]
        if m % 2 == 1:  # single order statistic: R converges onto it within tol
            assert abs(ref["estimate"] - lo_mid) <= 2e-4 * max(1.0, abs(lo_mid))
        else:
            assert lo_mid - 2e-4 <= ref["estimate"] <= hi_mid + 2e-4


def test_mannwhitney_large_path_selects_without_forming_all_differences():
    # sim_gh has 3000 x 2500 = 7.5e6 differences (> the 4e6 in-memory limit), so the
    # counting selection is used; it must equal brute force
    x, y = pair("sim_gh")
    res = mannwhitney(x, y)
    d = np.sort(np.subtract.outer(x, y).ravel())
    assert res.estimate.estimate == pytest.approx(np.median(d), abs=0)
    assert res.confidence_interval().low in d and res.confidence_interval().high in d


def test_mannwhitney_auto_rule_notes():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=20), rng.normal(size=30)
    assert "exact p-value (both groups < 50, no ties" in mannwhitney(x, y).notes[0]
    x2 = rng.normal(size=50)
    assert "a group has 50 or more" in mannwhitney(x2, y).notes[0]
    assert "ties present" in mannwhitney(np.round(x, 0), y).notes[0]
    forced = mannwhitney(np.round(x, 0), y, method="exact")
    assert "not available with ties" in forced.notes[0] and "normal approximation" in forced.method


def test_mannwhitney_scales_to_a_million_rows():
    rng = np.random.default_rng(7)
    x = rng.normal(0.01, 1, 1_000_000)
    y = rng.normal(0.0, 1, 1_000_000)
    res = mannwhitney(x, y)
    ref = sps.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    assert_allclose(res.statistic, ref.statistic, rtol=1e-12)
    assert_allclose(res.pvalue, ref.pvalue, rtol=1e-8)
    lo, hi = res.confidence_interval()
    assert lo < res.estimate.estimate < hi
    assert 0.0 < res.estimate.estimate < 0.02


def test_mannwhitney_missing_values_are_reported_not_silent():
    res = mannwhitney([1.0, 2.0, math.nan, 4.0], [3.0, 5.0, 6.0])
    assert res.n == 6
    assert any("1 missing value(s) in x" in n for n in res.notes)


# -------------------------------------------------------------------------- Hedges' g
@pytest.mark.parametrize("ref", cases("hedges_g"), ids=case_id)
def test_hedges_g_matches_effectsize(ref):
    est = hedges_g_from_stats(
        ref["mean1"], ref["sd1"], ref["n1"], ref["mean2"], ref["sd2"], ref["n2"],
        alternative=ALT[ref["alternative"]],
    )
    assert_allclose(est.estimate, ref["estimate"], rtol=1e-10)
    ours = list(est.ci)
    # tight: the same noncentral-t equation solved by R's uniroot(tol = 1e-13)
    assert_allclose(ours, [num(ref["tight_conf_low"]), num(ref["tight_conf_high"])], rtol=1e-7)
    # effectsize itself solves with optim(abstol = 1e-9): agreement to ~1e-4 only
    assert_allclose(ours, [num(ref["conf_low"]), num(ref["conf_high"])], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------- SMD
@pytest.mark.parametrize("ref", [c for c in cases("smd") if c["kind"] == "continuous"], ids=lambda c: c["case"])
def test_smd_continuous_matches_tableone_formula(ref):
    assert_allclose(smd_continuous(ref["mean1"], ref["sd1"], ref["mean2"], ref["sd2"]), ref["smd"], rtol=1e-12)


@pytest.mark.parametrize("ref", [c for c in cases("smd") if c["kind"] == "categorical"], ids=lambda c: c["case"])
def test_smd_categorical_matches_yang_dalton_in_r(ref):
    t = table(ref["case"])
    assert_allclose(smd_categorical(t[:, 0], t[:, 1]), ref["smd"], rtol=1e-10)


def test_smd_categorical_binary_equals_two_proportion_formula():
    p1, p2 = 12 / 35, 20 / 53
    expected = abs(p1 - p2) / math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    assert_allclose(smd_categorical([12, 23], [20, 33]), expected, rtol=1e-12)


@pytest.mark.parametrize("decimals", [None, 1])
def test_pairwise_difference_selection_equals_brute_force(decimals):
    # the selection path (> 4e6 differences), with and without heavy ties
    from serostudy._inference._twosample import _diff_order_stats

    rng = np.random.default_rng(11)
    x = rng.normal(size=3000)
    y = rng.lognormal(size=2500)
    if decimals is not None:
        x, y = np.round(x, decimals), np.round(y, decimals)
    d = np.sort(np.subtract.outer(x, y).ravel())
    ks = [1, 2, 12345, d.size // 2, d.size // 2 + 1, d.size - 1, d.size]
    assert _diff_order_stats(np.sort(x), np.sort(y), ks) == [d[k - 1] for k in ks]
