"""Cohort rate intervals under overdispersion (issue 11, finding 4) against R.

Reference: tests/reference/models/make_inference.R -> inference.json["arr"]:
``poisson.test``, ``glm(quasipoisson)`` + ``confint.default``, ``sandwich::vcovHC(type =
"HC0")`` (and the same SE by formula), ``MASS::glm.nb`` intercept-only with offset
log(T): ``confint`` (theta fixed) and a tight root of the profile with theta re-estimated.
"""

from __future__ import annotations

import json

import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError
from serostudy.models import cohort_rate_intervals

from .conftest import REF_DIR


@pytest.fixture(scope="module")
def aref() -> dict:
    return json.loads((REF_DIR / "inference.json").read_text())["arr"]


@pytest.mark.parametrize("case", ["demo34", "poisson40"])
def test_cohort_rate_intervals_match_r(aref, case):
    r = aref[case]
    res = cohort_rate_intervals(r["y"], r["T"])
    assert_allclose(res.rate, r["rate"], rtol=1e-12)
    assert_allclose([res.exact_poisson.low, res.exact_poisson.high], r["exact"], rtol=1e-9)
    assert_allclose(res.dispersion, r["pearson_dispersion"], rtol=1e-9)
    assert_allclose([res.quasi_poisson.low, res.quasi_poisson.high], r["quasi_wald"], rtol=1e-9)
    assert_allclose([res.sandwich.low, res.sandwich.high], r["hc0_wald"], rtol=1e-9)
    assert_allclose(r["hc0_se"], r["hc0_se_formula"], rtol=1e-9)  # the formula is sandwich's HC0
    if "nb_rate" in r:
        assert_allclose(res.negbin_rate, r["nb_rate"], rtol=1e-8)
        assert_allclose(res.negbin_theta, r["nb_theta"], rtol=1e-7)
        assert_allclose([res.negbin_ci.low, res.negbin_ci.high], r["nb_tight_theta_estimated"], rtol=1e-6)
    else:
        assert res.negbin_ci is None  # theta diverges: no overdispersion


def test_cohort_arr_interval_is_quasi_poisson_when_overdispersed(aref):
    # Finding 4: "0.71 (0.60 to 0.84), exact Poisson" while Pearson chi2/df was 3.2-3.8.
    r = aref["demo34"]
    res = cohort_rate_intervals(r["y"], r["T"])
    assert res.dispersion > 1.5
    assert res.choice == "quasi-Poisson" and "chi2/df = 2.83 > 1.5" in res.choice_reason
    assert res.ci == res.quasi_poisson
    assert res.ci.high - res.ci.low > 1.5 * (res.exact_poisson.high - res.exact_poisson.low)
    assert res.ci.low < res.rate < res.ci.high


def test_cohort_arr_interval_stays_exact_without_overdispersion(aref):
    r = aref["poisson40"]
    res = cohort_rate_intervals(r["y"], r["T"])
    assert res.choice == "exact Poisson" and res.ci == res.exact_poisson


def test_no_events_gives_exact_interval_only():
    res = cohort_rate_intervals([0, 0, 0], [1.0, 2.0, 3.0])
    assert res.rate == 0 and res.ci.low == 0 and res.quasi_poisson is None and res.choice == "exact Poisson"


@pytest.mark.parametrize("y, T", [([1, 2], [1.0, 0.0]), ([1, -1], [1.0, 1.0]), ([1.5, 1], [1.0, 1.0]), ([1], [1, 2])])
def test_bad_rate_input_is_an_input_error(y, T):
    with pytest.raises(InputError):
        cohort_rate_intervals(y, T)
