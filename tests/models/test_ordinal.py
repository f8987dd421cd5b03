"""Proportional-odds model against MASS::polr (R 4.2.2, MASS 7.3-58.2).

polr's weights are expanded to rows (the likelihood is the same).  The birthwt model
uses lwt in 100 lb, because polr's numerical Hessian is ~0.2% off with lwt in lb (see
make_reference.R); estimates are compared to 1e-6 (the issue asks 1e-4), SEs to 1e-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import ModelError
from serostudy.models import fit_model, fit_ordinal

from .conftest import load, r_name


def _housing(ref):
    h = load("housing.csv")
    h = h.loc[h.index.repeat(h["Freq"])].reset_index(drop=True)
    for col, lv in (("Infl", ["Low", "Medium", "High"]), ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]),
                    ("Cont", ["Low", "High"])):
        h[col] = pd.Categorical(h[col], categories=lv)
    return h


@pytest.mark.parametrize("case", ["housing", "birthwt"])
# polr's default BFGS stops at reltol 1.5e-8 on the log-likelihood, leaving ~1e-4 relative
# error in a weakly determined coefficient (birthwt lwt100); the 1e-4 claim is against the
# fit R ran with reltol 1e-12 ("tight").
@pytest.mark.parametrize("which, rtol_est", [("tight", 1e-6), ("default", 5e-4)])
def test_polr(ref, case, which, rtol_est):
    r = ref["polr"][case]
    data = _housing(ref) if case == "housing" else load("birthwt.csv")
    fit = fit_ordinal(data, r["formula"], levels=r["levels"])
    R = r[which]
    coefs = {r_name(t.term): t for t in fit.coefficients}
    ours = [coefs[n] for n in R["coef_names"]]
    assert_allclose([t.estimate for t in ours], R["coef"], rtol=rtol_est)
    assert_allclose([t.se for t in ours], R["coef_se"], rtol=1e-4)
    assert [t.term for t in fit.thresholds] == R["zeta_names"]
    assert_allclose([t.estimate for t in fit.thresholds], R["zeta"], rtol=rtol_est)
    assert_allclose([t.se for t in fit.thresholds], R["zeta_se"], rtol=1e-4)
    assert_allclose(fit.loglik, R["loglik"], rtol=1e-8)
    assert_allclose(fit.aic, R["aic"], rtol=1e-8)
    assert fit.n == R["nobs"]


def test_sign_convention_is_polr():
    """Higher x -> higher categories gives a positive coefficient (polr), OR > 1."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=300)
    latent = 1.2 * x + rng.logistic(size=300)
    y = np.digitize(latent, [-1, 0.5, 2])
    fit = fit_model(pd.DataFrame({"y": y, "x": x}), "y ~ x", family="ordinal")
    assert fit.term("x").estimate > 0.8
    assert fit.term("x").exp_estimate > 1
    assert [t.term for t in fit.thresholds] == ["0|1", "1|2", "2|3"]


def test_numeric_levels_sort_numerically_and_text_alphabetically_with_a_note():
    d = pd.DataFrame({"edss": [0, 1.5, 10, 2, 1.5, 0, 10, 2, 1.5, 2, 0, 10],
                      "x": [5, 3, 1, 2, 4, 6, 0, 3, 2, 1, 7, 2]})
    fit = fit_ordinal(d, "edss ~ x")
    assert [t.term for t in fit.thresholds] == ["0.0|1.5", "1.5|2.0", "2.0|10.0"]
    d["g"] = d["edss"].map({0: "a", 1.5: "b", 2: "c", 10: "d"})
    fit2 = fit_ordinal(d, "g ~ x")
    assert any("alphabetically" in w for w in fit2.warnings)


def test_value_outside_levels_names_row_and_column():
    d = pd.DataFrame({"s": ["lo", "hi", "mid", "lo", "huge", "mid"], "x": [1, 2, 3, 4, 5, 6]})
    with pytest.raises(ModelError, match=r"row 6, column 's'.*'huge'.*\['lo', 'mid', 'hi'\]"):
        fit_ordinal(d, "s ~ x", levels=["lo", "mid", "hi"])


def test_ordinal_refuses_exposure():
    d = pd.DataFrame({"s": [0, 1, 2, 1], "x": [1, 2, 3, 4], "t": [1, 1, 1, 1]})
    with pytest.raises(ModelError, match="exposure"):
        fit_model(d, "s ~ x", family="ordinal", exposure="t")


# ---- what the property tests found (tests/property/test_property_models.py) ----

def test_constant_covariate_is_a_model_error_naming_it():
    """A constant covariate is collinear with the thresholds (no intercept); it raised a
    bare error from the fit instead of a ModelError."""
    df = pd.DataFrame({"y": np.tile([0.0, 1.0, 2.0], 10), "x": np.ones(30)})
    with pytest.raises(ModelError, match="'x' is constant"):
        fit_ordinal(df, "y ~ x")


def test_separated_covariate_gives_infinite_exp_bound_not_overflow():
    """A near-separating covariate has a Wald bound above 709.78: exp() of it is an
    infinite bound, not an OverflowError."""
    import warnings

    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    df = pd.DataFrame({"y": np.digitize(50 * x + rng.logistic(size=30), [-1, 0, 1]).astype(float), "x": x})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = fit_ordinal(df, "y ~ x")
        except ModelError:
            return  # not identified at all: also a stated error
    t = fit.term("x")
    assert t.exp_ci.low <= t.exp_estimate <= t.exp_ci.high


def test_singular_information_is_a_model_error():
    """A singular or non-finite information matrix (coefficients not identified, or the
    fit overflowed): standard errors from a pseudo-inverse were reported before, and the
    property tests met a missing covariance; now a ModelError."""
    from serostudy.models._ordinal import _covariance

    for info in (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, np.nan], [np.nan, 1.0]]),
                 np.array([[1.0, 0.0], [0.0, 0.0]])):
        with pytest.raises(ModelError, match="singular"):
            _covariance(info, names_of=["x"], p=1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    df = pd.DataFrame({"y": np.digitize(0.5 * x + rng.logistic(size=30), [-1, 0, 1]).astype(float), "x": x * 1e300})
    with pytest.raises(ModelError, match="singular"):
        fit_ordinal(df, "y ~ x")


def test_covariate_in_large_units_is_not_called_singular():
    """The singularity check is scale-free: the same covariate in units 1e8 times smaller
    gives the same z and p."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    df = pd.DataFrame({"y": np.digitize(0.5 * x + rng.logistic(size=30), [-1, 0, 1]).astype(float), "x": x})
    a = fit_ordinal(df, "y ~ x").term("x")
    b = fit_ordinal(df.assign(x=x * 1e8), "y ~ x").term("x")
    assert b.statistic == pytest.approx(a.statistic, rel=1e-6)
    assert b.pvalue == pytest.approx(a.pvalue, rel=1e-6)
