"""Contingency-table tests and effect sizes against R (tests/reference/stats/make_reference.R)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from _stats_ref import ALT, case_id, cases, num, table
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.stats import chi2_test, contingency_test, cramers_v, fisher_test, odds_ratio


@pytest.mark.parametrize("ref", cases("chisq"), ids=case_id)
def test_chi2_matches_r(ref):
    res = chi2_test(table(ref["case"]), correction=ref["correct"])
    assert_allclose(res.statistic, ref["statistic"], rtol=1e-10, atol=1e-14)
    assert res.df == ref["df"]
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-10)
    yates_applied = "continuity correction" in ref["method"]
    assert ("Yates" in res.method) == yates_applied


@pytest.mark.parametrize("ref", cases("fisher"), ids=case_id)
def test_fisher_pvalue_matches_r(ref):
    t = table(ref["case"])
    res = fisher_test(t, alternative=ALT[ref["alternative"]])
    # 2 x 2: hypergeometric sums; r x c: our exact enumeration vs R's FEXACT network
    # algorithm -- same tables summed, so only rounding differs
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-9)
    assert res.method == ("Fisher's exact test" if t.shape == (2, 2) else "Fisher-Freeman-Halton exact test")


@pytest.mark.parametrize("ref", [c for c in cases("fisher") if "estimate" in c], ids=case_id)
def test_conditional_odds_ratio_matches_fisher_test(ref):
    est = odds_ratio(table(ref["case"]), kind="conditional", alternative=ALT[ref["alternative"]])
    ours = [est.estimate, est.ci.low, est.ci.high]
    # the same equations solved tightly in R (uniroot tol 1e-13 on the log scale)
    tight = [num(ref["tight_estimate"]), num(ref["tight_conf_low"]), num(ref["tight_conf_high"])]
    assert_allclose(ours, tight, rtol=1e-6)
    # fisher.test's own uniroot runs at its default tol (.Machine$double.eps^0.25 =
    # 1.2e-4), on the odds-ratio scale for values below 1 and on 1/OR above 1 -- so
    # compare on those scales with that absolute tolerance (for OR ~ 600, R's bound is
    # off by ~1%: tea table upper limit 621.9 vs 626.2 exact)
    r = [num(ref["estimate"]), num(ref["conf_low"]), num(ref["conf_high"])]
    for a, b in zip(ours, r):
        if b in (0.0, math.inf):
            assert a == b
        elif b <= 1:
            assert abs(a - b) <= 1.3e-4, (a, b)
        else:
            assert abs(1 / a - 1 / b) <= 1.3e-4, (a, b)


@pytest.mark.parametrize("ref", [c for c in cases("fisher") if c.get("alternative") == "two.sided" and "estimate" in c], ids=case_id)
def test_fisher_2x2_reports_conditional_or(ref):
    res = fisher_test(table(ref["case"]))
    assert_allclose(res.estimate.estimate, num(ref["tight_estimate"]), rtol=1e-6)


@pytest.mark.parametrize(
    "ref", [c for c in cases("fisher") if c.get("sample_or") is not None and c["alternative"] == "two.sided"], ids=case_id
)
def test_sample_odds_ratio_woolf_matches_r_formula(ref):
    est = odds_ratio(table(ref["case"]), kind="sample")
    assert_allclose([est.estimate, est.ci.low, est.ci.high], [ref["sample_or"], ref["woolf_low"], ref["woolf_high"]], rtol=1e-12)


def test_sample_odds_ratio_zero_cell_is_a_clear_error_or_haldane():
    with pytest.raises(InputError, match=r"cell \[0, 0\] is 0.*kind='conditional'.*haldane=True"):
        odds_ratio([[0, 5], [6, 2]], kind="sample")
    est = odds_ratio([[0, 5], [6, 2]], kind="sample", haldane=True)
    assert_allclose(est.estimate, (0.5 * 2.5) / (5.5 * 6.5), rtol=1e-12)
    assert "Haldane" in est.method
    cond = odds_ratio([[0, 5], [6, 2]])
    assert cond.estimate == 0.0 and cond.ci.low == 0.0 and math.isfinite(cond.ci.high)


@pytest.mark.parametrize("ref", cases("cramers_v"), ids=case_id)
def test_cramers_v_matches_effectsize(ref):
    est = cramers_v(table(ref["case"]), adjust=ref["adjust"], alternative=ALT[ref["alternative"]])
    assert_allclose(est.estimate, ref["estimate"], rtol=1e-10, atol=1e-14)
    ours = [est.ci.low, est.ci.high]
    assert_allclose(ours, [ref["tight_conf_low"], ref["tight_conf_high"]], rtol=1e-7, atol=1e-10)
    # effectsize uses optim(abstol = 1e-9) for the noncentrality bounds: ~1e-4 agreement
    # where optim solved its equation; where it did not (sim_5x3_n90: its upper bound has
    # P(X <= chi) far from 0.025), we are right and effectsize is off -- say so
    es_prob = num(ref["effectsize_upper_tail_prob"])
    if not math.isnan(es_prob) and abs(es_prob - ref["target_upper_tail_prob"]) > 1e-3:
        assert ref["case"] == "sim_5x3_n90", "effectsize's optim missed on an unexpected table"
        assert_allclose(ours[0], ref["conf_low"], rtol=1e-4, atol=1e-6)
        return
    assert_allclose(ours, [ref["conf_low"], ref["conf_high"]], rtol=1e-4, atol=1e-6)


def test_contingency_auto_chooses_and_says_why():
    sex = contingency_test([[12, 20], [23, 33]])
    assert sex.method == "Pearson chi-squared test"
    assert sex.notes[0].startswith("all 4 expected counts >= 5")
    b12 = contingency_test([[1, 2], [32, 45], [1, 2]])
    assert b12.method == "Fisher-Freeman-Halton exact test"
    assert b12.notes[0] == "4 of 6 expected counts < 5: Fisher-Freeman-Halton exact test used"
    tea = contingency_test([[3, 1], [1, 3]])
    assert tea.method == "Fisher's exact test" and "expected counts < 5" in tea.notes[0]
    assert contingency_test([[12, 20], [23, 33]], method="chi2-yates").method.endswith("Yates continuity correction")


def test_empty_level_is_left_out_with_a_note():
    res = contingency_test([[1, 2], [32, 45], [0, 0]])
    assert any("empty row(s) 2" in n for n in res.notes)
    assert_allclose(res.pvalue, fisher_test([[1, 2], [32, 45]]).pvalue, rtol=1e-12)


def test_fisher_rxc_typical_table1_sizes_are_fast():
    # 4 x 3 with n = 200 (R: 0.0377843961539807) and 3 x 2 with n = 100
    t0 = time.perf_counter()
    res = fisher_test(table("sim_4x3_n200"))
    fisher_test(table("sim_3x2_n100"))
    elapsed = time.perf_counter() - t0
    assert res.method == "Fisher-Freeman-Halton exact test"
    assert elapsed < 30  # generous: a correctness guard against accidental brute force, not a benchmark


def test_fisher_falls_back_to_seeded_monte_carlo_and_says_so():
    big = np.array([[40, 35, 38, 30], [32, 41, 29, 44], [37, 30, 42, 33], [35, 38, 31, 40]])
    res = fisher_test(big, max_tables=20_000, n_resamples=5_000, seed=3)
    assert "Monte Carlo" in res.method
    assert any("seed 3" in n for n in res.notes)
    again = fisher_test(big, max_tables=20_000, n_resamples=5_000, seed=3)
    assert res.pvalue == again.pvalue  # deterministic given the seed
    chi = chi2_test(big)
    assert abs(res.pvalue - chi.pvalue) < 0.05
    with pytest.raises(InputError, match="method='monte-carlo'"):
        fisher_test(big, method="exact", max_tables=20_000)


def test_fisher_rxc_rejects_one_sided_alternative():
    with pytest.raises(InputError, match="two-sided only"):
        fisher_test([[1, 2], [3, 4], [5, 6]], alternative="less")


@pytest.mark.parametrize(
    "bad, match",
    [
        ([[1, -2], [3, 4]], r"cell \[0, 1\] is -2.0; expected a count >= 0"),
        ([[1, 2.5], [3, 4]], r"cell \[0, 1\] is 2.5; expected a whole number"),
        ([[1, float("nan")], [3, 4]], r"cell \[0, 1\] is nan; expected a finite count"),
        ([[0, 0], [0, 0]], "no observations"),
        ([], "must be 2-D"),
        (np.zeros((0, 2)), "is empty"),
        ([1, 2, 3], "must be 2-D"),
    ],
)
@pytest.mark.parametrize("func", [chi2_test, fisher_test, contingency_test, cramers_v])
def test_bad_tables_raise_clear_value_errors(func, bad, match):
    with pytest.raises(InputError, match=match) as err:
        func(bad)
    assert isinstance(err.value, ValueError)


def test_odds_ratio_needs_2x2():
    with pytest.raises(InputError, match="must be a 2 x 2 table"):
        odds_ratio([[1, 2], [3, 4], [5, 6]])


def test_single_nonempty_row_is_undefined_not_a_crash():
    res = chi2_test([[5, 7], [0, 0]])
    assert math.isnan(res.pvalue) and any("undefined" in n for n in res.notes)
    assert fisher_test([[5, 7], [0, 0]]).pvalue == 1.0
