"""Curve fitting against R (nls + SSfpl, written-out 5PL), conversions, back-calculation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.assay import CurveParameters, fit_curve, fit_curves, inverse, predict
from serostudy.exceptions import AssayError

REF = Path(__file__).parents[1] / "reference" / "assay"
DATA = pd.read_csv(REF / "curves_data.csv")
FITS = pd.read_csv(REF / "fits_reference.csv")
CASES = [tuple(r) for r in FITS[["curve", "model", "weights"]].itertuples(index=False)]


def _expected(row):
    est = np.array([row.bottom, row.top, row.ec50, row.hill])
    se = np.array([row.se_bottom, row.se_top, row.se_ec50, row.se_hill])
    if row.model == "4pl" and est[0] > est[1]:
        # SSfpl reports A as the left asymptote; serostudy's 4PL is canonical (bottom <= top,
        # falling curves have hill < 0): the same curve, asymptotes swapped and hill negated.
        est = est[[1, 0, 2, 3]] * np.array([1, 1, 1, -1])
        se = se[[1, 0, 2, 3]]
    if row.model == "5pl":
        est = np.append(est, row.asymmetry)
        se = np.append(se, row.se_asymmetry)
    return est, se


def test_reference_covers_both_models_all_weights_and_r_version():
    assert set(FITS["model"]) == {"4pl", "5pl"}
    assert set(FITS["weights"]) == {"none", "1/y", "1/y2", "1/var"}
    assert FITS["r_version"].str.startswith("R version").all()
    assert {"DNase_run1", "DNase_run2", "DNase_run3", "sim_rising_4pl", "sim_falling_4pl", "sim_asym_5pl"} <= set(FITS["curve"])


@pytest.mark.parametrize(("curve", "model", "weights"), CASES)
def test_fit_matches_r_nls(curve, model, weights):
    row = next(FITS[(FITS.curve == curve) & (FITS.model == model) & (FITS.weights == weights)].itertuples())
    d = DATA[DATA.curve == curve]
    fit = fit_curve(d.conc.to_numpy(), d.response.to_numpy(), model=model, weights=weights)
    est, se = _expected(row)
    names = ["bottom", "top", "ec50", "hill", "asymmetry"][: len(est)]
    got = np.array([getattr(fit.params, n) for n in names])
    got_se = np.array([getattr(fit.se, n) for n in names])
    # Parameters: rtol 1e-5 (the bar).  R stops at nls's relative-offset criterion
    # (finTol ~1e-7), so agreement is limited by R's convergence, not ours.
    assert_allclose(got, est, rtol=1e-5)
    # Standard errors depend on the Jacobian at the optimum: 5e-5.
    assert_allclose(got_se, se, rtol=5e-5)
    # Residual SD (weighted) and AIC (logLik.nls with the weights term): same optimum.
    assert_allclose(fit.residual_sd, row.sigma, rtol=1e-8)
    assert_allclose(fit.aic, row.aic, rtol=1e-8)
    assert fit.df_residual == row.df_residual


def test_aic_can_compare_4pl_and_5pl_on_asymmetric_data():
    d = DATA[DATA.curve == "sim_asym_5pl"]
    f4 = fit_curve(d.conc, d.response, model="4pl", weights="1/y")
    f5 = fit_curve(d.conc, d.response, model="5pl", weights="1/y")
    assert f5.aic < f4.aic  # the simulated curve is asymmetric (g = 0.45)


def test_falling_curve_is_canonical_with_negative_hill():
    d = DATA[DATA.curve == "sim_falling_4pl"]
    f = fit_curve(d.conc, d.response)
    assert f.params.bottom < f.params.top and f.params.hill < 0 and not f.rising


@pytest.mark.parametrize("p", [
    CurveParameters(0.05, 2.5, 40.0, 1.2),
    CurveParameters(0.1, 2.0, 25.0, -0.9),
    CurveParameters(0.05, 3.0, 60.0, 1.6, 0.45),
    CurveParameters(0.05, 3.0, 60.0, -1.6, 2.5),
])
def test_back_calculation_round_trips(p):
    x = np.geomspace(1, 1000, 25)
    assert_allclose(inverse(p, predict(p, x)), x, rtol=1e-10)


def test_inverse_outside_asymptotes_is_nan_never_extrapolated():
    p = CurveParameters(0.05, 2.5, 40.0, 1.2)
    assert np.isnan(inverse(p, [0.01, 2.6, 0.05, 2.5])).all()


def test_back_calculate_interval_contains_estimate_and_sides():
    d = DATA[DATA.curve == "sim_rising_4pl"]
    f = fit_curve(d.conc, d.response, weights="1/y2")
    bc = f.back_calculate([0.5, 1.5, -1.0, 9.0], n_replicates=2)
    assert np.all(bc.ci_low[:2] < bc.concentration[:2]) and np.all(bc.concentration[:2] < bc.ci_high[:2])
    assert list(bc.side) == ["", "", "below", "above"]
    # more replicates -> narrower interval
    bc4 = f.back_calculate(1.5, n_replicates=4)
    assert bc4.ci_high[0] - bc4.ci_low[0] < bc.ci_high[1] - bc.ci_low[1]


def test_back_calculate_interval_matches_numerical_delta_method():
    d = DATA[DATA.curve == "sim_rising_4pl"]
    f = fit_curve(d.conc, d.response)
    y = 1.2
    th = np.array([f.params.bottom, f.params.top, f.params.ec50, f.params.hill])

    def lx(t, yy=y):
        return math.log(float(inverse(CurveParameters(*t), yy)))

    g = np.array([(lx(th + h) - lx(th - h)) / (2 * h[i]) for i, h in enumerate(np.eye(4) * 1e-6 * np.maximum(abs(th), 1))])
    dy = (lx(th, y + 1e-7) - lx(th, y - 1e-7)) / 2e-7
    var = g @ f.cov @ g + dy**2 * f.residual_sd**2 / 3
    assert_allclose(f.back_calculate(y, n_replicates=3).se_log[0], math.sqrt(var), rtol=1e-5)


def test_conversions_to_drc_ssfpl_prism_are_the_same_curve():
    p = CurveParameters(0.05, 2.5, 40.0, 1.2)
    x = np.geomspace(1, 500, 9)
    drc = p.to_drc()
    y_drc = drc["c"] + (drc["d"] - drc["c"]) / (1 + np.exp(drc["b"] * (np.log(x) - np.log(drc["e"]))))
    ss = p.to_ssfpl()
    y_ss = ss["A"] + (ss["B"] - ss["A"]) / (1 + np.exp((ss["xmid"] - np.log(x)) / ss["scal"]))
    pr = p.to_prism()
    y_pr = pr["Bottom"] + (pr["Top"] - pr["Bottom"]) / (1 + 10 ** ((pr["LogEC50"] - np.log10(x)) * pr["HillSlope"]))
    for y in (y_drc, y_ss, y_pr):
        assert_allclose(y, predict(p, x), rtol=1e-12)
    assert CurveParameters.from_drc(**drc) == p
    assert_allclose(list(CurveParameters.from_ssfpl(**ss).as_dict().values()), list(p.as_dict().values()), rtol=1e-12)


def test_batched_fit_agrees_with_single_fits():
    rng = np.random.default_rng(7)
    x = np.repeat([2, 5, 10, 20, 40, 80, 160, 320.0], 2)
    true = [CurveParameters(0.05, 2.5, rng.uniform(20, 80), rng.uniform(0.8, 1.6)) for _ in range(20)]
    Y = np.stack([predict(p, x) * (1 + 0.03 * rng.standard_normal(x.size)) for p in true])
    b = fit_curves(x, Y)
    assert b.converged.all()
    for i in range(len(true)):
        s = fit_curve(x, Y[i]).params
        assert_allclose([b.bottom[i], b.top[i], b.ec50[i], b.hill[i]], [s.bottom, s.top, s.ec50, s.hill], rtol=1e-7)


def test_zero_standard_is_allowed():
    x = np.array([0, 0, 2, 5, 10, 20, 40, 80, 160, 320.0])
    p = CurveParameters(0.05, 2.5, 40.0, 1.2)
    f = fit_curve(x, predict(p, x) + np.r_[0.001, -0.001, 0.002, -0.002, 0.003, 0, -0.003, 0.001, 0.002, -0.001])
    assert_allclose(f.params.bottom, 0.05, atol=0.01)


@pytest.mark.parametrize(("kw", "msg"), [
    ({"model": "6pl"}, "`model` must be one of"),
    ({"weights": "1/x"}, "`weights` must be one of"),
])
def test_bad_options_raise_value_error(kw, msg):
    with pytest.raises(ValueError, match=msg):
        fit_curve([1, 2, 3, 4, 5, 6], [0.1, 0.2, 0.4, 0.8, 1.2, 1.4], **kw)


def test_too_few_points_and_nonpositive_weights_raise_assay_error():
    with pytest.raises(AssayError, match="at least 5"):
        fit_curve([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(AssayError, match="positive responses"):
        fit_curve([1, 2, 3, 4, 5, 6], [-0.01, 0.2, 0.4, 0.8, 1.2, 1.4], weights="1/y2")
    with pytest.raises(AssayError, match="2 replicates"):
        fit_curve([1, 2, 3, 4, 5, 6], [0.1, 0.2, 0.4, 0.8, 1.2, 1.4], weights="1/var")


@pytest.mark.parametrize("weights", ["none", "1/y2"])
def test_back_calculation_interval_covers_the_truth_about_95_percent(weights):
    # Simulation: 400 standard curves with 8 levels in duplicate and one sample in
    # triplicate at a known concentration; the 95% interval should cover it ~95% of the time.
    rng = np.random.default_rng(2024)
    p = CurveParameters(0.05, 2.5, 40.0, 1.2)
    x = np.repeat([2, 5, 10, 20, 40, 80, 160, 320.0], 2)
    true_x = 25.0
    hits = 0
    n = 400
    for _ in range(n):
        sd = (lambda mu: 0.04 * mu) if weights == "1/y2" else (lambda mu: np.full_like(mu, 0.03))
        mu = predict(p, x)
        y = mu + rng.standard_normal(x.size) * sd(mu)
        mu_s = predict(p, np.full(3, true_x))
        ys = mu_s + rng.standard_normal(3) * sd(mu_s)
        f = fit_curve(x, y, weights=weights)
        bc = f.back_calculate(ys.mean(), n_replicates=3)
        hits += bool(bc.ci_low[0] <= true_x <= bc.ci_high[0])
    assert 0.91 <= hits / n <= 0.985, hits / n


BC = pd.read_csv(REF / "backcalc_reference.csv")


@pytest.mark.parametrize(("curve", "model", "weights"),
                         sorted({tuple(r) for r in BC[["curve", "model", "weights"]].itertuples(index=False)}))
def test_back_calculation_interval_matches_r_delta_method(curve, model, weights):
    # R: symbolic deriv() of the inverse curve, vcov(nls), qt(0.975, df) (fit_reference.R).
    ref = BC[(BC.curve == curve) & (BC.model == model) & (BC.weights == weights)]
    d = DATA[DATA.curve == curve]
    f = fit_curve(d.conc, d.response, model=model, weights=weights)
    bc = f.back_calculate(ref.response.to_numpy(), n_replicates=2)
    assert_allclose(bc.concentration, ref.concentration, rtol=1e-5)
    assert_allclose(bc.se_log, ref.se_log, rtol=1e-4)
    assert_allclose(bc.ci_low, ref.ci_low, rtol=1e-5)
    assert_allclose(bc.ci_high, ref.ci_high, rtol=1e-5)


def test_sides_on_a_falling_curve():
    # competitive assay: a response above the top asymptote means a concentration below the range
    d = DATA[DATA.curve == "sim_falling_4pl"]
    f = fit_curve(d.conc, d.response)
    hi_resp = f.params.top + 0.5
    lo_resp = f.params.bottom - 0.05
    assert list(f.back_calculate([hi_resp, lo_resp]).side) == ["below", "above"]


def test_batched_5pl_agrees_with_single_fits():
    rng = np.random.default_rng(3)
    x = np.repeat([1, 3, 8, 20, 50, 120, 300, 700, 1500.0], 2)
    true = [CurveParameters(0.05, 3.0, rng.uniform(30, 90), rng.uniform(1.2, 2), rng.uniform(0.4, 0.9)) for _ in range(15)]
    Y = np.stack([predict(p, x) * (1 + 0.03 * rng.standard_normal(x.size)) for p in true])
    b = fit_curves(x, Y, model="5pl")
    assert b.converged.all()
    for i in range(len(true)):
        s = fit_curve(x, Y[i], model="5pl").params
        assert_allclose([b.bottom[i], b.top[i], b.ec50[i], b.hill[i], b.asymmetry[i]],
                        [s.bottom, s.top, s.ec50, s.hill, s.asymmetry], rtol=1e-6)
