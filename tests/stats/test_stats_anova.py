"""One-way ANOVA from group summaries against R ``oneway.test`` (make_extreme.R)."""

from __future__ import annotations

import json

import pytest
from _stats_ref import REF_DIR
from numpy.testing import assert_allclose

from serostudy.exceptions import InputError


def _cases():
    with open(REF_DIR / "extreme.json", encoding="utf-8") as fh:
        return json.load(fh)["anova"]


@pytest.mark.parametrize("ref", _cases(), ids=lambda c: f"{c['case']}-var_equal={c['var_equal']}")
def test_oneway_anova_from_stats_matches_r_oneway_test(ref):
    """Welch's ANOVA (var.equal = FALSE) and the classic F (TRUE): F, both df, p at rtol 1e-9."""
    from serostudy.stats import oneway_anova_from_stats

    res = oneway_anova_from_stats(ref["means"], ref["sds"], ref["ns"], equal_var=ref["var_equal"])
    assert res.method == ("One-way ANOVA" if ref["var_equal"] else "Welch's ANOVA")
    assert res.statistic_name == "F"
    assert_allclose(res.statistic, ref["statistic"], rtol=1e-9)
    assert_allclose(res.df, ref["df1"], rtol=1e-12)
    assert_allclose(res.df_denominator, ref["df2"], rtol=1e-9)
    assert_allclose(res.pvalue, ref["p_value"], rtol=1e-8)
    assert res.n == sum(ref["ns"])


def test_welch_anova_needs_two_values_and_spread_in_every_group():
    from serostudy.stats import oneway_anova_from_stats

    with pytest.raises(InputError, match=r"group 2.*n = 1"):
        oneway_anova_from_stats([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [5, 1, 4])
    with pytest.raises(InputError, match=r"group 3.*standard deviation 0"):
        oneway_anova_from_stats([1.0, 2.0, 3.0], [1.0, 1.0, 0.0], [5, 3, 4])
    with pytest.raises(InputError, match=r"at least 2 groups"):
        oneway_anova_from_stats([1.0], [1.0], [5])
