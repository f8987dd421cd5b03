"""Frequency weights (issue 9, build item 5) against R: glm(weights=), glm.nb(weights=),
polr(weights=) and the same fits on the data with each row repeated w times.

Reference: tests/reference/models/make_inference.R -> inference.json["weights"].
Weights are 0..3, with at least one row weighted 0.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import DataError
from serostudy.models import fit_glm, fit_model, fit_ordinal

from .conftest import REF_DIR, r_name


@pytest.fixture(scope="module")
def wref() -> dict:
    return json.loads((REF_DIR / "inference.json").read_text())["weights"]


def _load(name: str) -> pd.DataFrame:
    d = pd.read_csv(REF_DIR / name)
    if "race" in d:
        d["race"] = pd.Categorical(d["race"], categories=["white", "black", "other"])
    return d


def _check(fit, r, rtol_se=1e-6):
    ours = {r_name(t.term): t for t in fit.coefficients}
    assert sorted(ours) == sorted(r["term"])
    assert_allclose([ours[n].estimate for n in r["term"]], r["estimate"], rtol=1e-6, atol=1e-10)
    assert_allclose([ours[n].se for n in r["term"]], r["se"], rtol=rtol_se)
    assert_allclose(fit.loglik, r["loglik"], rtol=1e-8)


@pytest.mark.parametrize("family", ["poisson", "logit", "negbin"])
def test_frequency_weights_match_r_glm_weights_and_expanded_data(wref, family):
    r = wref[family]
    fit = fit_glm(_load(r["data"]), r["formula"], family=family, weights="w")
    assert fit.weights == "w"
    _check(fit, r["weighted"])
    _check(fit, r["expanded"])
    assert fit.df_resid == r["expanded"]["df_residual"]
    if family == "negbin":
        assert_allclose(fit.theta, r["weighted"]["theta"], rtol=1e-6)
        assert_allclose(fit.theta_se, r["weighted"]["se_theta"], rtol=1e-4)  # as test_glm: R evaluates SE.theta one step earlier


def test_gaussian_frequency_weights_give_the_expanded_fit_not_r_precision_weights(wref):
    # On purpose: R's glm/lm weights are precision weights (residual df = rows - p);
    # frequency weights are the expanded data (df = sum(w) - p). Same estimates.
    r = wref["gaussian"]
    fit = fit_glm(_load(r["data"]), r["formula"], family="gaussian", weights="w")
    _check(fit, r["expanded"], rtol_se=1e-9)
    rp = r["weighted_precision"]
    assert_allclose([fit.term(n).estimate for n in [t.term for t in fit.coefficients]],
                    [rp["estimate"][rp["term"].index(r_name(t.term))] for t in fit.coefficients], rtol=1e-9)
    assert fit.df_resid == r["expanded"]["df_residual"]


def test_polr_frequency_weights_match_polr_weights_and_expanded(wref):
    r = wref["polr"]
    fit = fit_ordinal(_load(r["data"]), r["formula"], levels=[0, 1, 2], weights="w")
    for which, rtol_se in (("weighted", 1e-4), ("expanded", 1e-4)):  # polr's Hessian is numerical
        rr = r[which]
        assert_allclose([fit.term(n).estimate for n in rr["coef_names"]], rr["coef"], rtol=1e-6)
        assert_allclose([fit.term(n).se for n in rr["coef_names"]], rr["coef_se"], rtol=rtol_se)
        assert_allclose([t.estimate for t in fit.thresholds], rr["zeta"], rtol=1e-6)
        assert_allclose(fit.loglik, rr["loglik"], rtol=1e-9)


def test_weighted_profile_interval_equals_expanded_profile_interval():
    d = _load("quine_w.csv")
    w = fit_glm(d, "Days ~ Eth + Sex", family="negbin", weights="w", ci_method="profile")
    e = fit_glm(d.loc[d.index.repeat(d["w"])].reset_index(drop=True), "Days ~ Eth + Sex", family="negbin",
                ci_method="profile")
    assert_allclose([t.ci.low for t in w.coefficients], [t.ci.low for t in e.coefficients], rtol=1e-7)
    assert_allclose([t.lr_statistic for t in w.coefficients], [t.lr_statistic for t in e.coefficients], rtol=1e-6)
    assert w.n == e.n == int(d["w"].sum())


@pytest.mark.parametrize(
    "bad, found",
    [(-1, "negative"), (np.nan, "missing"), (np.inf, "finite"), (1.5, "whole number"), ("two", "finite")],
)
@pytest.mark.parametrize("family", ["poisson", "ordinal"])
def test_bad_weight_is_a_data_error_naming_column_and_row(bad, found, family):
    d = pd.DataFrame({"y": [0, 1, 2, 1, 3, 0, 2, 1], "x": [1.0, 2, 3, 4, 5, 6, 7, 8],
                      "w": pd.Series([1, 2, 1, 1, 2, 1, 1, 3], dtype=object)})
    d.loc[3, "w"] = bad
    with pytest.raises(DataError, match=found) as err:
        fit_model(d, "y ~ x", family=family, weights="w")
    assert err.value.column == "w"
    assert err.value.row == 5  # 4th data row; header is row 1
    assert "row 5" in str(err.value) and "'w'" in str(err.value)


def test_weights_column_must_exist():
    d = pd.DataFrame({"y": [0, 1, 2, 1], "x": [1.0, 2, 3, 4]})
    with pytest.raises(DataError, match="not a column"):
        fit_glm(d, "y ~ x", family="poisson", weights="freq")


def test_cli_weights_option_matches_r_glm_nb_weights(capsys, wref):
    from serostudy.cli import main

    r = wref["negbin"]
    code = main(["model", str(REF_DIR / r["data"]), "--formula", r["formula"], "--family", "negbin",
                 "--weights", "w", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["weights"] == "w"
    est = {r_name(t["term"]): t["estimate"] for t in out["terms"]}
    assert_allclose([est[n] for n in r["weighted"]["term"]], r["weighted"]["estimate"], rtol=1e-6)


def test_cli_bad_weight_names_file_row_and_column(capsys, tmp_path):
    from serostudy.cli import main

    f = tmp_path / "d.csv"
    f.write_text("y,x,w\n1,1,1\n2,2,-3\n0,3,1\n3,4,2\n")
    code = main(["model", str(f), "--formula", "y ~ x", "--family", "poisson", "--weights", "w"])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 3" in err and "'w'" in err and "negative" in err
