"""Proportional-odds test against R ordinal::nominal_test (issue 11, build item 7).

Reference: tests/reference/models/make_nominal.R -> nominal.json (R 4.2.2, ordinal 2022.11.16).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.models import proportional_odds_test

from .conftest import REF_DIR


@pytest.fixture(scope="module")
def nref() -> dict:
    return json.loads((REF_DIR / "nominal.json").read_text())


@pytest.mark.parametrize("case", ["wine", "birthwt"])
def test_proportional_odds_test_matches_nominal_test(nref, case):
    r = nref[case]
    d = pd.read_csv(REF_DIR / r["data"])
    levels = [int(v) for v in r["levels"]]
    res = proportional_odds_test(d, r["formula"], levels=levels)
    assert [t.term for t in res] == r["term"]
    assert [t.df for t in res] == r["df"]
    assert_allclose([t.loglik_po for t in res], r["loglik_po"], rtol=1e-8)
    assert_allclose([t.loglik for t in res], r["loglik"], rtol=1e-7)
    assert_allclose([t.statistic for t in res], r["LR"], rtol=1e-5)
    assert_allclose([t.pvalue for t in res], r["pvalue"], rtol=1e-5)
    assert all(t.converged for t in res)


def test_frequency_weights_give_the_expanded_test(nref):
    r = nref["wine"]
    d = pd.read_csv(REF_DIR / r["data"])
    d["w"] = (d.index % 3) + 1
    wt = proportional_odds_test(d, r["formula"], weights="w")
    ex = proportional_odds_test(d.loc[d.index.repeat(d["w"])].reset_index(drop=True), r["formula"])
    assert_allclose([t.statistic for t in wt], [t.statistic for t in ex], rtol=1e-7)
