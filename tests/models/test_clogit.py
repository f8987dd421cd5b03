"""Conditional logistic regression against R survival::clogit (method = "exact").

Reference: tests/reference/models/make_clogit.R -> clogit.json (R 4.2.2).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.exceptions import DataError, ModelError
from serostudy.models import fit_clogit

from .conftest import REF_DIR


@pytest.fixture(scope="module")
def cref() -> dict:
    return json.loads((REF_DIR / "clogit.json").read_text())


def _rname(term: str) -> str:
    return term.replace("[T.", "").replace("]", "").replace(" / ", "/")


@pytest.mark.parametrize("case", ["infert", "matched12", "matched_mn"])
def test_clogit_matches_survival_clogit(cref, case):
    r = cref[case]
    d = pd.read_csv(REF_DIR / r["data"])
    fit = fit_clogit(d, r["formula"], r["strata"])
    ours = {_rname(t.term): t for t in fit.coefficients}
    assert sorted(ours) == sorted(r["term"])
    ts = [ours[n] for n in r["term"]]
    assert_allclose([t.estimate for t in ts], r["estimate"], rtol=1e-7)
    assert_allclose([t.se for t in ts], r["se"], rtol=1e-6)
    assert_allclose([t.statistic for t in ts], r["z"], rtol=1e-6)
    assert_allclose([t.pvalue for t in ts], r["pvalue"], rtol=1e-5)
    assert_allclose([t.ci.low for t in ts], r["ci_low"], rtol=1e-6)
    assert_allclose([t.ci.high for t in ts], r["ci_high"], rtol=1e-6)
    assert_allclose(fit.loglik, r["loglik"], rtol=1e-9)
    assert_allclose(fit.lr_test.statistic, r["lr"], rtol=1e-7)
    assert fit.lr_test.df == r["lr_df"]
    assert_allclose(fit.lr_test.pvalue, r["lr_pvalue"], rtol=1e-6)
    assert fit.n == r["n"]
    assert f"{r['nevent']} cases" in fit.method
    assert all(t.exp_name == "odds ratio" for t in ts)


def test_clogit_profile_interval_contains_estimate_and_brackets_wald(cref):
    r = cref["matched12"]
    d = pd.read_csv(REF_DIR / r["data"])
    fit = fit_clogit(d, r["formula"], r["strata"], ci_method="profile")
    for t in fit.coefficients:
        assert t.ci.low < t.estimate < t.ci.high
        assert t.lr_statistic is not None and 0 <= t.lr_pvalue <= 1


def test_clogit_bad_input():
    d = pd.DataFrame({"set": [1, 1, 2, 2, None, 3], "case": [1, 0, 1, 0, 1, 0], "x": [1.0, 2, 3, 1, 2, 3]})
    with pytest.raises(DataError, match="matched set") as e:
        fit_clogit(d, "case ~ x", "set")
    assert e.value.row == 6 and e.value.column == "set"
    with pytest.raises(DataError, match="not a column"):
        fit_clogit(d, "case ~ x", "pair")
    d2 = pd.DataFrame({"set": [1, 1, 2, 2], "case": [1, 0, 2, 0], "x": [1.0, 2, 3, 1]})
    with pytest.raises(ModelError, match="0 or 1"):
        fit_clogit(d2, "case ~ x", "set")
    d3 = pd.DataFrame({"set": [1, 1, 2, 2], "case": [1, 1, 0, 0], "x": [1.0, 2, 3, 1]})
    with pytest.raises(ModelError, match="both a case and a control"):
        fit_clogit(d3, "case ~ x", "set")


def test_matching_variable_is_a_clear_error_not_a_number(cref):
    # infert is matched on age and education: clogit gives NA for them (recorded in
    # clogit.json["infert_age"]); we refuse with a message naming them.
    r = cref["infert_age"]
    assert r["estimate"][2:] == ["NA", "NA", "NA"]
    d = pd.read_csv(REF_DIR / r["data"])
    with pytest.raises(ModelError, match="age.*do\\(es\\) not vary within any matched set"):
        fit_clogit(d, r["formula"], r["strata"])
