"""Recomputed test statistics against R (tests/reference/audit/make_reference.R).

Each printed input is given with 12 decimals, so its rounding interval is a point and
the attainable range collapses onto R's value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.audit import check_anova, check_contingency, check_correlation, parse_printed, ttest_p_range
from serostudy.audit._checks import _table_pvalues

REF = Path(__file__).resolve().parents[1] / "reference" / "audit"
ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def exact(x: float):
    return parse_printed(f"{x:.12f}")


@pytest.mark.parametrize("row", pd.read_csv(REF / "ttest.csv").to_dict("records"), ids=lambda r: f"{r['case']}-{r['var_equal']}-{r['alternative']}")
def test_ttest_matches_r(row):
    lo, hi, tlo, thi = ttest_p_range(
        exact(row["m1"]), exact(row["s1"]), int(row["n1"]), exact(row["m2"]), exact(row["s2"]), int(row["n2"]),
        equal_var=bool(row["var_equal"]), alternative=ALT[row["alternative"]],
    )
    assert_allclose([lo, hi], row["p"], rtol=1e-8)
    assert_allclose([tlo, thi], row["statistic"], rtol=1e-8)


def test_anova_matches_r():
    ref = pd.read_csv(REF / "anova.csv")
    r0 = ref.iloc[0]
    means = [exact(float(x)) for x in r0["m"].split(";")]
    sds = [exact(float(x)) for x in r0["s"].split(";")]
    ns = [int(x) for x in r0["n"].split(";")]
    f = check_anova(item="x", means=means, sds=sds, ns=ns, p=parse_printed("0.11", kind="p"))
    classic = next(v for v in f.variants if v.name == "classic F")
    welch = next(v for v in f.variants if v.name == "Welch F")
    assert_allclose([classic.low, classic.high], ref.loc[ref.var_equal, "p"].item(), rtol=1e-8)
    assert_allclose([welch.low, welch.high], ref.loc[~ref.var_equal, "p"].item(), rtol=1e-8)


@pytest.mark.parametrize("row", pd.read_csv(REF / "contingency.csv").to_dict("records"), ids=lambda r: r["case"])
def test_contingency_matches_r(row):
    cells = np.array([int(c) for c in row["cells"].split(";")]).reshape(int(row["nrow"]), -1)
    got = _table_pvalues(cells)
    assert_allclose(got["chi2"], row["p_chi2"], rtol=1e-10)
    if cells.shape == (2, 2):
        assert_allclose(got["chi2_yates"], row["p_chi2_yates"], rtol=1e-10)
    # 2 x c: our exact enumeration; r x c: serostudy's exact Fisher-Freeman-Halton
    # (scipy's r x c default is random resampling, so neither uses it)
    assert_allclose(got["fisher"], row["p_fisher"], rtol=1e-7)


@pytest.mark.parametrize("row", pd.read_csv(REF / "correlation.csv").to_dict("records"), ids=lambda r: f"{r['r']}-{r['n']}-{r['alternative']}")
def test_correlation_matches_r(row):
    from serostudy.audit._checks import _corr_p

    got = _corr_p(np.array([row["r"]]), int(row["n"]), ALT[row["alternative"]])[0]
    assert_allclose(got, row["p"], rtol=1e-9)


def test_seed_correlation_ranges_bracket_r():
    ref = pd.read_csv(REF / "correlation.csv")
    row = ref[(ref.r == -0.284) & (ref.alternative == "two.sided")].iloc[0]
    f = check_correlation(item="x", r=parse_printed("-0.284", kind="r"), n=35, p=parse_printed("0.04", kind="p"))
    assert f.low <= row["p"] <= f.high
    assert f.verdict == "gross"


def test_contingency_from_percentages_contains_r_table():
    # seed sex table given only as percentages of n: the true table is among the candidates
    P = lambda x: parse_printed(x, kind="percent")  # noqa: E731
    f = check_contingency(
        item="x", table=[[None, None], [None, None]], pcts=[[P("34.3"), P("65.7")], [P("37.7"), P("62.3")]],
        group_ns=[35, 53], p=parse_printed("0.74", kind="p"), test_name="chi-square",
    )
    ref = pd.read_csv(REF / "contingency.csv").set_index("case").loc["seed_sex"]
    chi = next(v for v in f.variants if v.name == "Pearson chi-square")
    assert chi.low <= ref["p_chi2"] * (1 + 1e-12) and ref["p_chi2"] <= chi.high * (1 + 1e-12)
    assert f.verdict == "consistent"
