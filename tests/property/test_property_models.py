"""Property tests of ``serostudy.models.fit_model`` (issue 9, defence 2): every family
on generated frames (separation, constant covariates, ties, huge and tiny scales, few
rows, missing values) returns terms with p in [0, 1] and intervals containing their
estimates, or raises a serostudy error.  Never another exception."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from _props import EXAMPLES, check_error, check_interval, check_pvalue
from hypothesis import given, settings
from hypothesis import strategies as st

from serostudy.models import fit_model


@settings(max_examples=EXAMPLES["models"])
@given(st.sampled_from(["gaussian", "poisson", "negbin", "logit", "ordinal"]), st.integers(3, 60),
       st.sampled_from(["normal", "separated", "constant", "ties", "missing"]),
       st.sampled_from([1e-8, 1.0, 1e8]), st.integers(0, 2**32 - 1))
def test_fit_model(family, n, mode, scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    if mode == "constant":
        x = np.ones(n)
    elif mode == "ties":
        x = rng.integers(0, 2, n).astype(float)
    lin = 0.5 * x if mode != "separated" else 50 * x
    if family == "gaussian":
        y = lin + rng.normal(size=n)
    elif family in ("poisson", "negbin"):
        y = rng.poisson(np.exp(np.clip(lin, -5, 5))).astype(float)
    elif family == "logit":
        y = (lin + rng.logistic(size=n) > 0).astype(float)
    else:
        y = np.digitize(lin + rng.logistic(size=n), [-1, 0, 1]).astype(float)
    x = x * scale
    if mode == "missing":
        x[rng.random(n) < 0.3] = np.nan
    df = pd.DataFrame({"y": y, "x": x, "t": rng.uniform(0.5, 2, n)})
    kw = {"exposure": "t"} if family in ("poisson", "negbin") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = fit_model(df, "y ~ x", family=family, **kw)
        except Exception as err:  # noqa: BLE001 - the property is about what is raised
            check_error(err)
            return
    for term in res.terms:
        check_pvalue(term.pvalue, f"{family} {term.term}")
        check_interval(term.estimate, term.ci.low, term.ci.high, f"{family} {term.term}")
        if term.exp_ci is not None:
            check_interval(term.exp_estimate, term.exp_ci.low, term.exp_ci.high, f"{family} exp {term.term}")
