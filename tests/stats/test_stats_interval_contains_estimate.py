"""Every interval serostudy returns contains its estimate (issue 9 finding 5).

The check lives in :class:`serostudy.stats.Estimate` itself (every result constructor
goes through it); these tests drive the interval-producing functions over many inputs,
including the ones that produced ``V = 1.00 (0.00 to 0.48)`` and ``V = 0.02 (0.00 to
0.00)``, and check that the invariant holds and that a violating Estimate is refused.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from serostudy import stats
from serostudy.exceptions import SerostudyError


def _contains(est) -> bool:
    lo, hi = est.ci
    return lo <= est.estimate <= hi


def test_cramers_v_few_per_level_interval_contains_estimate():
    """A 3 x 30 table with two participants per column (an id-like variable): the
    classical V is 1 but the noncentral-chi-squared interval lies below it (0 to 0.53);
    effectsize prints that interval.  No interval is better than one excluding V."""
    t = np.zeros((3, 30), dtype=int)
    for j in range(30):
        t[j % 3, j] = 2
    for adjust in (True, False):
        v = stats.cramers_v(t, adjust=adjust)
        assert v.ci is None and "lies outside" in v.notes[-1]
    assert stats.cramers_v(t, adjust=False).estimate == 1.0


def test_cramers_v_one_participant_per_level_is_not_estimable_not_an_error():
    t = np.zeros((3, 30), dtype=int)
    for j in range(30):
        t[j % 3, j] = 1
    v = stats.cramers_v(t)
    assert math.isnan(v.estimate) and v.ci is None
    assert "not estimable" in v.notes[-1]


def test_cramers_v_tiny_association_large_table_interval_contains_estimate():
    """chi2 below the 2.5% point of the central chi2: the upper ncp bound is 0, the
    old unadjusted estimate (0.008) lay outside (0.00 to 0.00)."""
    t = [[50, 51, 50, 49], [50, 49, 50, 51], [50, 50, 50, 50]]
    v = stats.cramers_v(t)
    assert _contains(v) and v.estimate == 0.0


def test_cramers_v_unadjusted_drops_an_interval_that_excludes_the_sample_v():
    t = [[50, 51, 50, 49], [50, 49, 50, 51], [50, 50, 50, 50]]
    v = stats.cramers_v(t, adjust=False)
    assert v.ci is None or _contains(v)
    assert v.ci is None and any("outside" in n for n in v.notes)


@pytest.mark.parametrize("seed", range(40))
def test_every_root_searched_interval_contains_its_estimate_on_random_inputs(seed):
    rng = np.random.default_rng(seed)
    r, c = rng.integers(2, 6, size=2)
    n = int(rng.choice([3, 10, 60, 500, 20000]))
    p = rng.dirichlet(np.ones(r * c) * rng.choice([0.2, 1, 50]))
    t = rng.multinomial(n, p).reshape(r, c)
    for adjust in (True, False):
        for alt in ("two-sided", "greater", "less"):
            try:
                v = stats.cramers_v(t, adjust=adjust, alternative=alt)
            except SerostudyError:
                continue  # fewer than 2 non-empty rows/columns: a documented error
            assert v.ci is None or _contains(v)
    t2 = rng.multinomial(n, rng.dirichlet(np.ones(4))).reshape(2, 2)
    for alt in ("two-sided", "greater", "less"):
        o = stats.odds_ratio(t2, alternative=alt)
        if not math.isnan(o.estimate):
            assert _contains(o)
    n1, n2 = (int(v) for v in rng.integers(2, 3000, size=2))
    d = float(rng.choice([0.0, 1e-4, 0.3, -2.0, 15.0]))
    for alt in ("two-sided", "greater", "less"):
        g = stats.hedges_g_from_stats(d, 1.0, n1, 0.0, float(rng.uniform(0.2, 3)), n2, alternative=alt)
        assert _contains(g)
    x = rng.normal(size=n1 % 200 + 5)
    y = float(rng.choice([0.0, 0.5, 5.0, 1e3])) * x + rng.normal(size=x.size)
    for m in ("pearson", "spearman", "kendall"):
        res = stats.correlation(x, y, method=m)
        ci = res.confidence_interval()
        if ci is not None:
            assert ci.low <= res.statistic <= ci.high


def test_estimate_refuses_an_interval_that_excludes_it():
    with pytest.raises(SerostudyError, match="excludes its estimate"):
        stats.Estimate("x", 2.0, stats.ConfidenceInterval(0.0, 1.0))
    # NaN estimates (not estimable) and infinite bounds are fine
    stats.Estimate("x", math.nan, stats.ConfidenceInterval(0.0, math.inf))
    stats.Estimate("x", math.inf, stats.ConfidenceInterval(3.0, math.inf))
