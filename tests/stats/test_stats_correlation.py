"""Pearson and Spearman correlation against R cor.test (tests/reference/stats/make_reference.R)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats_ref import ALT, case_id, cases, reference, vec
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.stats import correlation, correlation_ci, correlation_pvalue, pearson_from_sums


def _xy(ref):
    v = reference()["cor_vectors"][ref["case"]]
    return vec(v["x"]), vec(v["y"])


@pytest.mark.parametrize("ref", cases("cor"), ids=case_id)
def test_correlation_matches_cor_test(ref):
    x, y = _xy(ref)
    res = correlation(x, y, method=ref["method"], alternative=ALT[ref["alternative"]])
    assert res.n == ref["n"]
    assert res.statistic_name == ("r" if ref["method"] == "pearson" else "rho")
    assert_allclose(res.statistic, ref["estimate"], rtol=1e-10)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-9)
    ci = res.confidence_interval()
    if ref["method"] == "pearson":
        assert_allclose([ci.low, ci.high], [ref["conf_low"], ref["conf_high"]], rtol=1e-10)
        assert res.df == ref["n"] - 2
    # Fisher z interval computed with R's formula (the Spearman CI too)
    assert_allclose([ci.low, ci.high], [ref["fisher_z_low"], ref["fisher_z_high"]], rtol=1e-10)
    if ref["method"] == "spearman":
        note = res.notes[0]
        if ref["ties"] or ref["n"] > 1290:
            assert "t approximation" in note
        elif ref["n"] <= 9:
            assert "AS 89 (exact enumeration" in note
        else:
            assert "AS 89 (Edgeworth series" in note
    if ref["case"].startswith("airquality"):
        assert any("pairwise-complete" in n for n in res.notes)


@pytest.mark.parametrize("ref", [c for c in cases("cor") if c["method"] == "pearson"], ids=case_id)
def test_pearson_from_sums_matches_cor_test(ref):
    x, y = _xy(ref)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    res = pearson_from_sums(
        x.size, x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum(), alternative=ALT[ref["alternative"]], confidence_level=0.95
    )
    assert_allclose(res.statistic, ref["estimate"], rtol=1e-9)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-7)
    assert_allclose(list(res.confidence_interval()), [ref["conf_low"], ref["conf_high"]], rtol=1e-8)


@pytest.mark.parametrize("ref", [c for c in cases("cor") if c["method"] == "pearson"], ids=case_id)
def test_correlation_pvalue_and_ci_helpers_match_r(ref):
    alt = ALT[ref["alternative"]]
    assert_allclose(correlation_pvalue(ref["estimate"], ref["n"], alternative=alt), ref["p_value"], rtol=1e-9)
    ci = correlation_ci(ref["estimate"], ref["n"], alternative=alt)
    assert_allclose([ci.low, ci.high], [ref["conf_low"], ref["conf_high"]], rtol=1e-10)


def test_seed_paper_arr_correlation_p_value_does_not_follow_from_r_and_n():
    # printed: r = -0.284, n = 35, P = 0.04; the t-test of r gives about 0.098
    p = correlation_pvalue(-0.284, 35)
    assert 0.09 < p < 0.11


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([1, 2], [1, 2], "at least 3 complete pairs"),
        ([1, 2, 3, 4], [1, 2, 3], "same length"),
        ([1, 1, 1, 1], [1, 2, 3, 4], "`x` is constant"),
        ([1, 2, math.inf, 4], [1, 2, 3, 4], "finite numbers"),
        ([1, 2, math.nan, 4], [1, 2, 3, math.nan], "at least 3 complete pairs"),
    ],
)
def test_bad_correlation_input(x, y, match):
    with pytest.raises(InputError, match=match):
        correlation(x, y)


def test_bad_helper_input():
    with pytest.raises(InputError, match=r"`r` must lie in \[-1, 1\]"):
        correlation_ci(1.2, 30)
    with pytest.raises(InputError, match="`n` must be at least 4"):
        correlation_ci(0.3, 3)
    with pytest.raises(InputError, match="`n` must be at least 3"):
        correlation_pvalue(0.3, 2)
    with pytest.raises(InputError, match="zero variance"):
        pearson_from_sums(3, 3.0, 6.0, 3.0, 14.0, 6.0)
    with pytest.raises(InputError, match="`alternative` must be one of"):
        correlation([1, 2, 3], [3, 1, 2], alternative="two.sided")
    with pytest.raises(InputError, match="`method` must be one of"):
        correlation([1, 2, 3], [3, 1, 2], method="pearsons")


# ------------------------------------------------------------------- Kendall's tau
def _kendall_cases():
    import json

    from _stats_ref import REF_DIR

    with open(REF_DIR / "extreme.json", encoding="utf-8") as fh:
        return json.load(fh)["kendall"]


@pytest.mark.parametrize("ref", _kendall_cases(), ids=lambda c: f"{c['case']}-{c['alternative']}")
def test_kendall_tau_b_matches_r_cor_test(ref):
    """R cor.test(method = "kendall"): tau-b; exact p (n < 50, no ties) or the
    normal approximation with tie-corrected variance.  rtol 1e-9 (R's ckendall is
    the same recursion; the normal p uses the same formula)."""
    from serostudy.stats import correlation

    res = correlation(vec(ref["x"]), vec(ref["y"]), method="kendall", alternative=ALT[ref["alternative"]])
    assert res.method == "Kendall rank correlation (tau-b)"
    assert res.statistic_name == "tau"
    assert_allclose(res.statistic, ref["estimate"], rtol=1e-12, atol=1e-15)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-9)
    assert ("exact" in res.notes[0]) == (ref["statistic_name"] == "T")
    assert res.confidence_interval() is None


def test_coefficient_a_few_ulps_from_one_is_one():
    """A perfect linear relation computed in floating point can give |r| one ulp short
    of 1; t = r sqrt((n - 2) / (1 - r^2)) magnified that into p = 9.5e-9 instead of 0 with
    n = 3 (the real-data sweep: survival::cgd0, MASS::UScereal).  Within 1e-15 of 1 the
    coefficient is exactly +/-1: p = 0 and the interval [1, 1], as R's when its r is 1."""
    import math

    from serostudy._inference._correlation import UNIT_TOLERANCE, _snap_unit

    assert _snap_unit(1 - 2.220446049250313e-16) == 1.0
    assert _snap_unit(-(1 - 4.440892098500626e-16)) == -1.0
    assert _snap_unit(1 - 2 * UNIT_TOLERANCE) == 1 - 2 * UNIT_TOLERANCE
    assert _snap_unit(1.0000000000000002) == 1.0
    x = [0.1, 0.7, 1.3]
    y = [0.1 * 3.3, 0.7 * 3.3, 1.3 * 3.3]
    res = correlation(x, y)
    assert res.statistic == 1.0 and res.pvalue == 0.0
    res = correlation([0.1, 0.7, 1.3, 2.9, 3.1], [-3.3 * v for v in (0.1, 0.7, 1.3, 2.9, 3.1)])
    assert res.statistic == -1.0 and res.pvalue == 0.0
    ci = res.confidence_interval()
    assert ci.low == ci.high == -1.0
    # a coefficient truly near 1 but beyond the rounding band is kept
    r = correlation([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0 + 1e-6])
    assert r.statistic < 1.0 and 0 < r.pvalue < 1e-6 and math.isfinite(r.pvalue)
