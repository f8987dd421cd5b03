"""Property tests of ``serostudy.stats`` (issue 9, defence 2): each function returns
a result with p in [0, 1] and every interval containing its estimate, or raises a
serostudy error with a message.  Never another exception."""

from __future__ import annotations

import math
import warnings

import numpy as np
from _props import EXAMPLES, SCALES, check_error, check_interval, check_pvalue
from hypothesis import given, settings
from hypothesis import strategies as st

from serostudy import stats

finite = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
sds = st.one_of(st.just(0.0), st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False))
ns = st.sampled_from([1, 2, 3, 4, 5, 10, 30, 100, 1000, 100_000])
levels = st.floats(0.5, 0.999)


def _call(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kw), None
        except Exception as err:  # noqa: BLE001 - the property is about what is raised
            check_error(err)
            return None, err


def _check_test(res, where):
    check_pvalue(res.pvalue, where)
    est = res.estimate
    if est is not None and est.ci is not None:
        check_interval(est.estimate, est.ci.low, est.ci.high, where)


@settings(max_examples=EXAMPLES["ttest"])
@given(finite, sds, ns, finite, sds, ns, st.booleans(), st.sampled_from(["two-sided", "less", "greater"]), levels)
def test_ttest_from_stats(m1, s1, n1, m2, s2, n2, equal_var, alternative, level):
    res, _ = _call(stats.ttest_from_stats, m1, s1, n1, m2, s2, n2, equal_var=equal_var, alternative=alternative,
                   confidence_level=level)
    if res is not None:
        _check_test(res, "ttest")


@st.composite
def separated_summaries(draw):
    """Two groups whose t statistic runs from 0 to about +/-100 (and beyond)."""
    n1 = draw(st.integers(2, 500))
    n2 = draw(st.integers(2, 500))
    t = draw(st.floats(-150, 150))
    sd = draw(st.sampled_from(SCALES))
    ratio = draw(st.floats(0.2, 5))
    sp = sd * math.sqrt(((n1 - 1) + (n2 - 1) * ratio**2) / (n1 + n2 - 2))
    diff = t * sp * math.sqrt(1 / n1 + 1 / n2)
    return 10.0 * sd + diff, sd, n1, 10.0 * sd, sd * ratio, n2


@settings(max_examples=EXAMPLES["hedges_g"])
@given(separated_summaries(), st.sampled_from(["two-sided", "less", "greater"]))
def test_hedges_g_from_stats_extreme_separation(summ, alternative):
    m1, s1, n1, m2, s2, n2 = summ
    est, _ = _call(stats.hedges_g_from_stats, m1, s1, n1, m2, s2, n2, alternative=alternative)
    if est is not None and est.ci is not None:
        check_interval(est.estimate, est.ci.low, est.ci.high, "hedges_g")


samples = st.lists(st.one_of(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                             st.sampled_from([0.0, 1.0, 1.0, 2.0, float("nan")])), min_size=0, max_size=60)


@settings(max_examples=EXAMPLES["mannwhitney"])
@given(samples, samples, st.sampled_from(["two-sided", "less", "greater"]), st.sampled_from(["auto", "exact", "asymptotic"]))
def test_mannwhitney(x, y, alternative, method):
    res, _ = _call(stats.mannwhitney, x, y, alternative=alternative, method=method)
    if res is not None:
        _check_test(res, "mannwhitney")


@st.composite
def count_tables(draw, *, shape=None):
    r, c = shape or (draw(st.integers(2, 5)), draw(st.integers(2, 8)))
    kind = draw(st.sampled_from(["small", "zeros", "large", "separated"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "small":
        t = rng.integers(0, 6, (r, c))
    elif kind == "zeros":
        t = rng.integers(0, 20, (r, c)) * (rng.random((r, c)) < 0.5)
    elif kind == "large":
        t = rng.integers(0, 3000, (r, c))
    else:
        t = np.zeros((r, c), dtype=int)
        for j in range(c):
            t[j % r, j] = rng.integers(1, 200)
    return t


@settings(max_examples=EXAMPLES["contingency"])
@given(count_tables(), st.sampled_from(["auto", "chi2", "chi2-yates", "fisher"]))
def test_contingency_tests(table, method):
    res, _ = _call(stats.contingency_test, table, method=method, fisher_method="auto", n_resamples=2000)
    if res is not None:
        _check_test(res, f"contingency {method}")


@settings(max_examples=EXAMPLES["odds_ratio"])
@given(count_tables(shape=(2, 2)), st.sampled_from(["conditional", "sample"]), st.booleans(),
       st.sampled_from(["two-sided", "less", "greater"]))
def test_odds_ratio(table, kind, haldane, alternative):
    est, _ = _call(stats.odds_ratio, table, kind=kind, haldane=haldane, alternative=alternative)
    if est is not None and est.ci is not None:
        check_interval(est.estimate, est.ci.low, est.ci.high, f"odds_ratio {kind}")
    res, _ = _call(stats.fisher_test, table, alternative=alternative)
    if res is not None:
        _check_test(res, "fisher 2x2")


@settings(max_examples=EXAMPLES["cramers_v"])
@given(count_tables(), st.booleans(), st.sampled_from(["two-sided", "less", "greater"]))
def test_cramers_v_interval_contains_estimate(table, adjust, alternative):
    est, _ = _call(stats.cramers_v, table, adjust=adjust, alternative=alternative)
    if est is not None:
        assert math.isnan(est.estimate) or 0 <= est.estimate <= 1 + 1e-12
        if est.ci is not None:  # no interval where it would exclude the estimate (issue 9 finding 5)
            check_interval(est.estimate, est.ci.low, est.ci.high, "cramers_v")


@settings(max_examples=EXAMPLES["correlation"])
@given(st.integers(0, 60), st.sampled_from(["normal", "ties", "constant", "perfect", "nan"]),
       st.sampled_from(SCALES), st.integers(0, 2**32 - 1), st.sampled_from(["pearson", "spearman"]),
       st.sampled_from(["two-sided", "less", "greater"]))
def test_correlation(n, mode, scale, seed, method, alternative):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n) * scale
    y = {"normal": rng.normal(size=n), "ties": rng.integers(0, 3, n).astype(float), "constant": np.ones(n),
         "perfect": x / scale if n else x, "nan": np.where(rng.random(n) < 0.5, np.nan, rng.normal(size=n))}[mode] * scale
    res, _ = _call(stats.correlation, x, y, method=method, alternative=alternative)
    if res is not None:
        _check_test(res, f"correlation {method}")
        assert -1 <= res.statistic <= 1


@settings(max_examples=EXAMPLES["summarize"])
@given(st.lists(st.one_of(st.floats(-1e300, 1e300, allow_infinity=False), st.just(float("nan"))), max_size=40))
def test_summarize_continuous(values):
    s, _ = _call(stats.summarize_continuous, values)
    if s is not None and s.n:
        assert s.min <= s.median <= s.max
        assert s.q1 <= s.median <= s.q3
