"""Profile-likelihood intervals and likelihood-ratio tests against R (MASS 7.3-58).

Reference values: tests/reference/models/make_inference.R -> inference.json.

Two references per interval:
* ``tight``: R solving the same signed-root equation with ``uniroot(tol = 1e-13)`` and
  fits at epsilon 1e-13: the interval itself.  We match it to rtol 1e-6 (reached: ~1e-9).
* ``r_confint``: what ``confint()`` prints.  MASS interpolates the signed root on a grid of
  at most 9 points per side with ``spline()``, so it is itself approximate (it differs
  from the tight root by up to 2.7e-4 relative on birthwt's logistic model); we match it
  to rtol 5e-4.  The issue asked for 1e-5 against R's intervals: that holds against the
  tight root, not against R's grid interpolation (which is off by more than that).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import ModelError
from serostudy.models import fit_glm, fit_model, fit_ordinal, lr_test

from .conftest import REF_DIR, load, r_name


@pytest.fixture(scope="module")
def inf() -> dict:
    return json.loads((REF_DIR / "inference.json").read_text())


def _load(name: str) -> pd.DataFrame:
    d = load(name)
    if name == "housing.csv":
        for col, cats in [("Infl", ["Low", "Medium", "High"]), ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]),
                          ("Cont", ["Low", "High"])]:
            d[col] = pd.Categorical(d[col], categories=cats)
    return d


def _cis(fit, ref_ci):
    ours = {r_name(t.term): t for t in fit.coefficients}
    lo = [ours[n].ci.low for n in ref_ci["term"]]
    hi = [ours[n].ci.high for n in ref_ci["term"]]
    return np.array(lo), np.array(hi)


GLM_CASES = ["poisson_quine", "poisson_seatbelts", "logit_birthwt"]


@pytest.mark.parametrize("case", GLM_CASES)
def test_glm_profile_ci_matches_mass_confint(inf, case):
    c = inf["profile"][case]
    fit = fit_glm(_load(c["data"]), c["formula"], family=c["family"], exposure=c.get("exposure"),
                  ci_method="profile")
    assert fit.ci_method == "profile"
    assert all(t.ci_method == "profile" for t in fit.coefficients)
    lo, hi = _cis(fit, c["tight"])
    assert_allclose(lo, c["tight"]["low"], rtol=1e-6)
    assert_allclose(hi, c["tight"]["high"], rtol=1e-6)
    lo, hi = _cis(fit, c["r_confint"])
    assert_allclose(lo, c["r_confint"]["low"], rtol=5e-4)
    assert_allclose(hi, c["r_confint"]["high"], rtol=5e-4)
    for t in fit.coefficients:  # the profile interval contains its estimate; exp_ci = exp(ci)
        assert t.ci.low < t.estimate < t.ci.high
        if t.exp_ci is not None:
            assert_allclose([t.exp_ci.low, t.exp_ci.high], np.exp([t.ci.low, t.ci.high]), rtol=1e-12)


def test_gaussian_profile_is_the_exact_t_interval_not_mass_z_interval(inf):
    # On purpose different from R: MASS::confint.glm compares the signed root of the
    # RSS increase over s^2 with qnorm, which makes a gaussian glm's "profile" interval
    # estimate +- 1.96 SE (the recorded r_confint equals confint.default). The exact
    # interval for a linear model is the t interval, confint.lm; that is ours.
    c = inf["profile"]["gaussian_birthwt"]
    assert_allclose(c["r_confint"]["low"], c["wald_z"]["low"], rtol=1e-9)
    fit = fit_glm(_load(c["data"]), c["formula"], family="gaussian", ci_method="profile")
    lo, hi = _cis(fit, c["confint_lm"])
    assert_allclose(lo, c["confint_lm"]["low"], rtol=1e-9)
    assert_allclose(hi, c["confint_lm"]["high"], rtol=1e-9)


@pytest.mark.parametrize("case", ["negbin_quine", "negbin_seatbelts", "negbin_demo34"])
def test_negbin_profile_ci_theta_fixed_matches_confint_glm_nb(inf, case):
    # confint(<glm.nb>) is MASS::confint.glm: it profiles with theta held at its ML
    # value (the family negative.binomial(theta_hat) is fixed in every glm.fit).
    c = inf["profile"][case]
    fit = fit_glm(_load(c["data"]), c["formula"], family="negbin", exposure=c.get("exposure"),
                  ci_method="profile", profile_theta="fixed")
    lo, hi = _cis(fit, c["tight_theta_fixed"])
    assert_allclose(lo, c["tight_theta_fixed"]["low"], rtol=1e-6)
    assert_allclose(hi, c["tight_theta_fixed"]["high"], rtol=1e-6)
    lo, hi = _cis(fit, c["r_confint_theta_fixed"])
    assert_allclose(lo, c["r_confint_theta_fixed"]["low"], rtol=5e-4)
    assert_allclose(hi, c["r_confint_theta_fixed"]["high"], rtol=5e-4)


@pytest.mark.parametrize("case", ["negbin_quine", "negbin_seatbelts", "negbin_demo34"])
def test_negbin_profile_ci_theta_reestimated_matches_r_glm_nb_profile(inf, case):
    # The default: the profile likelihood proper, theta re-estimated by ML at every
    # value of the coefficient (R: glm.nb refitted with X_j * b in the offset).
    c = inf["profile"][case]
    fit = fit_glm(_load(c["data"]), c["formula"], family="negbin", exposure=c.get("exposure"),
                  ci_method="profile")
    lo, hi = _cis(fit, c["tight_theta_estimated"])
    assert_allclose(lo, c["tight_theta_estimated"]["low"], rtol=1e-6)
    assert_allclose(hi, c["tight_theta_estimated"]["high"], rtol=1e-6)


def test_negbin_theta_reestimated_is_wider_than_theta_fixed_at_n34(inf):
    c = inf["profile"]["negbin_demo34"]
    fixed = np.array(c["tight_theta_fixed"]["high"]) - np.array(c["tight_theta_fixed"]["low"])
    est = np.array(c["tight_theta_estimated"]["high"]) - np.array(c["tight_theta_estimated"]["low"])
    assert np.all(est > fixed)


@pytest.mark.parametrize("case, weights", [("polr_birthwt", None), ("polr_housing_weighted", "Freq")])
def test_polr_profile_ci_matches_confint_polr(inf, case, weights):
    c = inf["profile"][case]
    levels = [0, 1, 2] if "birthwt" in case else ["Low", "Medium", "High"]
    fit = fit_ordinal(_load(c["data"]), c["formula"], levels=levels, weights=weights, ci_method="profile")
    lo, hi = _cis(fit, c["tight"])
    assert_allclose(lo, c["tight"]["low"], rtol=1e-6)
    assert_allclose(hi, c["tight"]["high"], rtol=1e-6)
    lo, hi = _cis(fit, c["r_confint"])
    assert_allclose(lo, c["r_confint"]["low"], rtol=5e-4)
    assert_allclose(hi, c["r_confint"]["high"], rtol=5e-4)
    assert all(t.ci_method == "wald" for t in fit.thresholds)


def _without(formula: str, term: str) -> str:
    lhs, rhs = formula.split("~")
    terms = [t.strip() for t in rhs.split("+") if t.strip() != term]
    return f"{lhs.strip()} ~ {' + '.join(terms) if terms else '1'}"


@pytest.mark.parametrize("case, family", [("poisson_quine", "poisson"), ("logit_birthwt", "logit"),
                                          ("gaussian_birthwt", "gaussian")])
def test_lr_test_matches_drop1_chisq(inf, case, family):
    c = inf["profile"][case]
    r = inf["lrt"][case]
    d = _load(c["data"])
    full = fit_glm(d, c["formula"], family=family)
    for term, df, lr, p in zip(r["term"], r["df"], r["LR"], r["pvalue"]):
        res = lr_test(full, fit_glm(d, _without(c["formula"], term), family=family))
        assert res.df == df
        assert_allclose(res.statistic, lr, rtol=1e-6)
        assert_allclose(res.pvalue, p, rtol=1e-5)


def test_per_coefficient_lr_statistic_matches_drop1_for_one_df_terms(inf):
    c = inf["profile"]["poisson_quine"]
    r = inf["lrt"]["poisson_quine"]
    fit = fit_glm(_load(c["data"]), c["formula"], family="poisson", ci_method="profile")
    ours = {re.sub(r"\[T\..*\]", "", t.term): t for t in fit.coefficients}
    for term, df, lr, p in zip(r["term"], r["df"], r["LR"], r["pvalue"]):
        if df == 1:
            assert_allclose(ours[term].lr_statistic, lr, rtol=1e-6)
            assert_allclose(ours[term].lr_pvalue, p, rtol=1e-5)


@pytest.mark.parametrize("key", ["negbin_demo34", "negbin_quine_eth", "negbin_quine_age"])
def test_negbin_lr_test_matches_anova_negbin(inf, key):
    r = inf["lrt"][key]
    d = _load(r["data"])
    full = fit_glm(d, r["full"], family="negbin", exposure=r.get("exposure"))
    red = fit_glm(d, r["reduced"], family="negbin", exposure=r.get("exposure"))
    res = lr_test(full, red)
    assert_allclose(res.statistic, r["LR"], rtol=1e-5)
    assert_allclose(res.pvalue, r["pvalue"], rtol=1e-5)
    assert res.df == r["df"]


def test_negbin_per_coefficient_lr_reestimates_theta_unlike_drop1(inf):
    # drop1() on a glm.nb fit keeps theta fixed (1.774 for b12); anova() re-estimates
    # it (1.715). Ours re-estimates theta, in both ci_method profile variants.
    r = inf["lrt"]["negbin_demo34"]
    for pt in ("estimated", "fixed"):
        fit = fit_glm(_load("demo34.csv"), r["full"], family="negbin", exposure="years", ci_method="profile",
                      profile_theta=pt)
        assert_allclose(fit.term("b12").lr_statistic, r["LR"], rtol=1e-5)
    assert abs(r["drop1_theta_fixed"]["LR"][0] - r["LR"]) > 0.01


def test_polr_lr_test_matches_anova_polr(inf):
    r = inf["lrt"]["polr_birthwt_age"]
    d = _load(r["data"])
    res = lr_test(fit_ordinal(d, r["full"], levels=[0, 1, 2]), fit_ordinal(d, r["reduced"], levels=[0, 1, 2]))
    assert_allclose(res.statistic, r["LR"], rtol=1e-5)
    assert_allclose(res.pvalue, r["pvalue"], rtol=1e-5)


def test_lr_test_refuses_models_on_different_rows():
    d = _load("quine.csv")
    full = fit_glm(d, "Days ~ Eth + Sex", family="poisson")
    other = fit_glm(d.iloc[:100], "Days ~ Eth", family="poisson")
    with pytest.raises(ModelError, match="different rows"):
        lr_test(full, other)
    with pytest.raises(ModelError, match="families differ"):
        lr_test(full, fit_glm(d, "Days ~ Eth", family="negbin"))


def test_ci_method_vocabulary_is_checked():
    with pytest.raises(ModelError, match="ci_method"):
        fit_model(_load("quine.csv"), "Days ~ Eth", family="poisson", ci_method="likelihood")
