"""MICE sensitivity analysis compared with R mice on one fixed case (issue 11, build item 5).

Reference: tests/reference/models/make_mice.R -> mice.json: birthwt with age and lwt
missing at random (60 of 189 rows incomplete), lm(bwt ~ age + lwt100 + smoke), R mice
(pmm, m = 100, maxit = 20) pooled by Rubin's rules.

R mice and statsmodels' MICE are different algorithms with different random numbers,
so equality is impossible. The stated tolerance: pooled estimates within 0.35 pooled
SE of R's, pooled SEs within 5%. Why 0.35 SE: the Monte-Carlo SD of the difference is
about 0.11 SE for lwt100 (between-imputation variance B/m, m = 20 here and 100 in R),
and the algorithms differ systematically by up to ~0.2 SE (age: pmm with 20 donors vs 5).
Measured over seeds 1-4: max 0.23 SE, SEs within 2.7%.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from serostudy.exceptions import ModelError
from serostudy.models import mice_sensitivity

from .conftest import REF_DIR


@pytest.fixture(scope="module")
def mref() -> dict:
    return json.loads((REF_DIR / "mice.json").read_text())


@pytest.fixture(scope="module")
def result(mref):
    d = pd.read_csv(REF_DIR / mref["data"])
    return mice_sensitivity(d, mref["formula"], n_imputations=20, n_burnin=5, seed=1)


def test_mice_pooled_estimates_agree_with_r_mice_within_monte_carlo_tolerance(mref, result):
    est = np.array([t.estimate for t in result.terms])
    se = np.array([t.se for t in result.terms])
    r_est, r_se = np.array(mref["estimate"]), np.array(mref["se"])
    assert np.all(np.abs(est - r_est) / r_se < 0.35), (est - r_est) / r_se
    assert np.all(np.abs(se / r_se - 1) < 0.05), se / r_se - 1
    assert result.n == mref["n"] and result.n_complete == mref["n_complete"]


def test_mice_differs_from_complete_case_as_r_does(mref, result):
    # The imputation moves the intercept and age away from the complete-case fit in
    # the same direction in R and here (the point of a sensitivity analysis).
    cc = {t.term: t.estimate for t in result.complete_case.coefficients}
    for i, name in ((0, "Intercept"), (1, "age")):
        r_shift = mref["estimate"][i] - mref["complete_case"]["estimate"][i]
        ours = result.terms[i].estimate - cc[name]
        assert np.sign(ours) == np.sign(r_shift)


def test_mice_is_deterministic_for_a_seed(mref):
    d = pd.read_csv(REF_DIR / mref["data"])
    a = mice_sensitivity(d, mref["formula"], n_imputations=3, n_burnin=2, seed=9)
    b = mice_sensitivity(d, mref["formula"], n_imputations=3, n_burnin=2, seed=9)
    assert a.to_dict() == b.to_dict()


def test_mice_bad_input():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "x": ["a", "b", None, "a", "b"]})
    with pytest.raises(ModelError, match="numeric"):
        mice_sensitivity(d, "y ~ x")
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "x": [1.0, 2, 3, 4, 5]})
    with pytest.raises(ModelError, match="nothing to impute"):
        mice_sensitivity(d, "y ~ x")
