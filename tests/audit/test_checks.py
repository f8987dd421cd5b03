"""Checks, from the published descriptions of statcheck, GRIM and GRIMMER, and from
cases where existing tools are known to be wrong."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from serostudy.audit import (
    check_anova,
    check_carlisle,
    check_correlation,
    check_grim,
    check_percent,
    check_printed_statistic,
    check_sd_range,
    check_subgroup,
    check_ttest,
    grim_consistent,
    grimmer_consistent,
    parse_printed,
    sd_bounds,
    ttest_p_range,
)


def P(x: str):
    return parse_printed(x)


def Pp(x: str):
    return parse_printed(x, kind="p")


# ----------------------------------------------------------------- statcheck (Nuijten et al. 2016)


@pytest.mark.parametrize(
    "stat, t, df, df2, p, verdict",
    [
        ("t", "2.20", "28", None, ".04", "consistent"),  # p = .036
        ("t", "-2.20", "28", None, ".04", "consistent"),  # regression: negative t with a correct p
        ("t", "−2.20", "28", None, ".04", "consistent"),  # unicode minus as typeset
        ("t", "2.20", "28", None, ".03", "inconsistent"),
        ("t", "2.20", "28", None, "<.05", "consistent"),
        ("t", "2.20", "28", None, "<.001", "inconsistent"),  # wrong, but significance does not flip
        ("t", "1.20", "28", None, ".03", "gross"),  # p = .24 printed as significant
        ("t", "2.20", "28", None, ".018", "consistent_under_variant"),  # one-sided (half of .036)
        ("F", "3.20", "2", "45", ".05", "consistent"),  # p = .050
        ("chi2", "3.84", "1", None, ".05", "consistent"),
        ("chi2", "6.00", "1", None, ".20", "gross"),  # p = .014
        ("z", "1.96", None, None, ".05", "consistent"),
        ("r", ".35", "28", None, ".06", "consistent"),  # p = .058
    ],
)
def test_statcheck_style(stat, t, df, df2, p, verdict):
    f = check_printed_statistic(
        item="x", statistic_name=stat, statistic=P(t), df=None if df is None else P(df),
        df2=None if df2 is None else P(df2), p=Pp(p),
    )
    assert f.verdict == verdict, f.explanation


# -- issue 9 finding 7: degrees of freedom that are counts are exact, not rounded


@pytest.mark.parametrize(
    "stat, x, df, df2, p",
    [
        ("F", "3.20", "2", "45", ".04"),  # exact p = .0500 to .0504 over 3.195..3.205; df 1.5..2.5 hid it
        ("chi2", "10.80", "1", None, "<.001"),  # exact p = .00101 to .00102; df 0.5..1.5 hid it
        ("t", "2.060", "27", None, ".0494"),  # Student: df 27 is n1 + n2 - 2, p = .0491 to .0492
        ("r", ".400", "23", None, ".0455"),  # r's df is n - 2 (p = .0475 to .0478 at df 23 exactly)
    ],
)
def test_whole_number_df_of_counts_are_exact_not_rounded(stat, x, df, df2, p):
    f = check_printed_statistic(item="x", statistic_name=stat, statistic=P(x), df=P(df),
                                df2=None if df2 is None else P(df2), p=Pp(p))
    assert f.flagged, f.explanation


def test_welch_df_printed_whole_is_taken_as_rounded_only_when_the_test_is_welch():
    kw = dict(item="x", statistic_name="t", statistic=P("2.060"), df=P("27"), p=Pp(".0494"))
    # Welch-Satterthwaite df 26.5..27.5 reproduces p = .0494; a Student df of exactly 27 does not
    assert check_printed_statistic(**kw, test_name="Welch t-test").verdict == "consistent"
    assert check_printed_statistic(**kw, test_name="Student t-test").flagged
    assert check_printed_statistic(**kw).flagged
    # a df printed with decimals is a rounded Welch df whatever the test is called
    f = check_printed_statistic(item="x", statistic_name="t", statistic=P("2.060"), df=P("26.6"), p=Pp(".0494"))
    assert f.verdict == "consistent", f.explanation


def test_welch_anova_numerator_df_is_exact_denominator_may_be_rounded():
    # Welch's F: df1 = k - 1 is a count, df2 a Welch-type df that papers round.
    # F(2, 25) = 3.200: p = .05787 to .05792 at df2 = 25 exactly, .05753 to .05757 at
    # df2 = 25.5 (scipy.stats.f.sf); p = .0575 needs the rounded df2.
    kw = dict(item="x", statistic_name="F", statistic=P("3.200"), df=P("2"), df2=P("25"), p=Pp(".0575"))
    assert check_printed_statistic(**kw, test_name="Welch's ANOVA").verdict == "consistent"
    assert check_printed_statistic(**kw, test_name="one-way ANOVA").flagged
    # and df1 stays exact under Welch: F(2.5, 25) is what p = .040 would need
    f = check_printed_statistic(item="x", statistic_name="F", statistic=P("3.20"), df=P("2"), df2=P("45"),
                                p=Pp(".04"), test_name="Welch's ANOVA")
    assert f.flagged, f.explanation


def test_negative_t_with_correct_p_from_summaries_not_flagged():
    # group 1 lower than group 2: t is negative; the printed two-sided p is right
    f = check_ttest(item="x", m1=P("10.2"), s1=P("3.1"), n1=15, m2=P("13.9"), s2=P("4.4"), n2=14, p=Pp("0.014"))
    assert f.verdict == "consistent", f.explanation


def test_attainable_p_reaches_one_when_difference_interval_contains_zero():
    # means 5.1 and 5.2 with one decimal: difference in [-0.2, 0.0] ... contains 0
    lo, hi, _, _ = ttest_p_range(P("5.1"), P("1.0"), 20, P("5.2"), P("1.0"), 20, equal_var=True)
    assert hi == pytest.approx(1.0, abs=1e-12)
    f = check_ttest(item="x", m1=P("5.15"), s1=P("1.0"), n1=20, m2=P("5.15"), s2=P("1.0"), n2=20, p=Pp("1.00"))
    assert f.verdict == "consistent" and f.high == pytest.approx(1.0)
    # and it does not when the interval excludes 0
    lo, hi, _, _ = ttest_p_range(P("5.1"), P("1.0"), 20, P("5.4"), P("1.0"), 20, equal_var=True)
    assert hi < 1.0


def test_one_sided_accepted_only_in_direction_of_data():
    # data: group 1 < group 2, t = -1.7 or so; two-sided p ~ 0.10, one-sided (less) ~ 0.05
    kw = dict(item="x", m1=P("10.0"), s1=P("3.0"), n1=20, m2=P("11.6"), s2=P("3.0"), n2=20)
    lo2, hi2, _, _ = ttest_p_range(kw["m1"], kw["s1"], 20, kw["m2"], kw["s2"], 20, equal_var=True)
    half = (lo2 + hi2) / 4
    printed_half = Pp(f"{half:.3f}")
    # not stated: one-sided in the data's direction is accepted as a variant
    f = check_ttest(**kw, p=printed_half)
    assert f.verdict == "consistent_under_variant"
    # stated "less" (the data's direction): accepted as the named test
    f = check_ttest(**kw, p=printed_half, alternative="less")
    assert f.verdict == "consistent"
    # stated "greater" (against the data): the one-sided p would be ~0.95, so the small p is wrong
    f = check_ttest(**kw, p=printed_half, alternative="greater")
    assert f.flagged
    # correlation: same rule
    f = check_correlation(item="r", r=parse_printed("-0.284", kind="r"), n=35, p=Pp("0.049"), alternative="greater")
    assert f.flagged
    f = check_correlation(item="r", r=parse_printed("-0.284", kind="r"), n=35, p=Pp("0.049"), alternative="less")
    assert f.verdict == "consistent"
    f = check_correlation(item="r", r=parse_printed("-0.284", kind="r"), n=35, p=Pp("0.049"))
    assert f.verdict == "consistent_under_variant"


def test_welch_named_is_primary():
    kw = dict(item="x", m1=P("10.0"), s1=P("1.0"), n1=5, m2=P("12.0"), s2=P("5.0"), n2=40)
    s_lo, s_hi, *_ = ttest_p_range(kw["m1"], kw["s1"], 5, kw["m2"], kw["s2"], 40, equal_var=True)
    w_lo, w_hi, *_ = ttest_p_range(kw["m1"], kw["s1"], 5, kw["m2"], kw["s2"], 40, equal_var=False)
    assert w_hi < s_lo or s_hi < w_lo  # they differ here
    pw = Pp(f"{(w_lo + w_hi) / 2:.3f}")
    assert check_ttest(**kw, p=pw, test_name="Welch t-test").verdict == "consistent"
    assert check_ttest(**kw, p=pw, test_name="Student's t-test").verdict == "consistent_under_variant"


# ----------------------------------------------------------------- GRIM (Brown & Heathers 2017)


def test_grim_2_13_with_n_8_is_consistent():
    # 17/8 = 2.125 rounds (half up) to 2.13: tools that use float or round-half-even miss it
    assert grim_consistent(P("2.13"), 8) == [17]
    assert grim_consistent(P("2.12"), 8) == [17]  # and half-even gives 2.12: also accepted
    assert check_grim(item="m", mean=P("2.13"), n=8).verdict == "consistent"


def test_grim_float_and_half_even_pitfalls():
    # round() in Python and R is half-even on binary floats: 17/8 -> 2.12, 41/40 -> 1.02
    assert round(17 / 8, 2) == 2.12 and round(41 / 40, 2) == 1.02  # the pitfalls are real
    # but SPSS/Excel print 2.13 and 1.03 (half up on the exact value): both GRIM-consistent
    assert grim_consistent(P("2.13"), 8) == [17]
    assert grim_consistent(P("1.03"), 40) == [41]


@pytest.mark.parametrize(
    "mean, n, items, ok",
    [
        ("5.19", 28, 1, False),  # 145/28 = 5.179, 146/28 = 5.214
        ("5.18", 28, 1, True),
        ("3.49", 20, 1, False),
        ("3.48", 20, 3, True),  # 209/60 = 3.4833: multi-item scale
        ("3.49", 20, 3, False),
        ("4.37", 100, 1, True),  # n >= 100 with two decimals: GRIM has no power
    ],
)
def test_grim_published_rules(mean, n, items, ok):
    assert bool(grim_consistent(P(mean), n, items=items)) is ok


@pytest.mark.parametrize("n", [7, 8, 16, 40])
def test_grim_matches_enumeration(n):
    # independent implementation: every sum k, rounded in decimal with every tie-breaking
    # rule a program may use (the closed rounding interval accepts all of them)
    from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

    printed = set()
    with localcontext() as ctx:
        ctx.prec = 50
        for k in range(0, 10 * n + 1):
            x = Decimal(k) / Decimal(n)
            for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_HALF_DOWN):
                printed.add(str(x.quantize(Decimal("0.01"), rounding=mode)))
    for cents in range(0, 1001):
        txt = f"{cents // 100}.{cents % 100:02d}"
        assert bool(grim_consistent(P(txt), n)) == (txt in printed), txt


def test_grim_granularity_half_steps():
    # EDSS-like data in steps of 0.5: mean of 3 values is a multiple of 1/6
    assert grim_consistent(P("1.17"), 3, granularity=Fraction(1, 2)) == [7]
    assert grim_consistent(P("1.20"), 3, granularity=Fraction(1, 2)) == []


# ----------------------------------------------------------------- GRIMMER (Anaya 2016)


def test_grimmer_parity():
    assert grimmer_consistent(P("3.00"), P("1.58"), 5)  # 1, 2, 3, 4, 5
    assert not grimmer_consistent(P("3.00"), P("1.50"), 5)  # needs sum of squares 54 with sum 15


def test_grimmer_matches_enumeration():
    n = 4
    seen = set()
    for xs in itertools.combinations_with_replacement(range(0, 8), n):
        a = np.array(xs, dtype=float)
        m, s = Fraction(sum(xs), n), a.std(ddof=1)
        seen.add((f"{float(m):.2f}", f"{s:.2f}"))
    for m, s in seen:
        assert grimmer_consistent(P(m), P(s), n), (m, s)
    # every SD grimmer rejects for a GRIM-consistent mean is truly unreachable by 4 integers
    rejected = [
        (m, f"{sd / 100:.2f}") for m in ("3.50", "2.25") for sd in range(0, 400)
        if not grimmer_consistent(P(m), P(f"{sd / 100:.2f}"), n)
    ]
    wide = set()
    for xs in itertools.combinations_with_replacement(range(-6, 15), n):
        a = np.array(xs, dtype=float)
        wide.add((f"{a.mean():.2f}", f"{a.std(ddof=1):.2f}"))
    assert rejected and not (set(rejected) & wide)


# ----------------------------------------------------------------- other checks


def test_sd_range_bounds():
    smin, smax = sd_bounds(0.0, 10.0, 5.0, 10)
    assert smax == pytest.approx(math.sqrt(10 / 9 * 25))
    assert smin == pytest.approx(math.sqrt(50 / 9))
    f = check_sd_range(item="x", mean=P("1.0"), sd=P("4.0"), lo=P("0"), hi=P("3"), n=20)
    assert f.verdict == "inconsistent"
    f = check_sd_range(item="x", mean=P("5.3"), sd=P("4.1"), lo=P("2"), hi=P("19"), n=35)
    assert f.verdict == "consistent"


def test_percent_checks():
    assert check_percent(item="x", pct=P("34.3"), count=12, n=35).verdict == "consistent"
    assert check_percent(item="x", pct=P("94.2"), count=32, n=35, alt_denominator=34).verdict == "inconsistent"
    assert check_percent(item="x", pct=P("91.8"), count=45, n=53, alt_denominator=49).verdict == "consistent_under_variant"
    assert check_percent(item="x", pct=P("33.3"), count=None, n=12).verdict == "consistent"  # 4/12
    assert check_percent(item="x", pct=P("33.4"), count=None, n=12).verdict == "inconsistent"


def test_anova_p_reaches_one_when_means_can_be_equal():
    f = check_anova(item="x", means=[P("5.1"), P("5.2"), P("5.1")], sds=[P("1.0")] * 3, ns=[10, 10, 10], p=Pp("0.95"))
    assert f.high == pytest.approx(1.0) and f.verdict == "consistent"
    f = check_anova(item="x", means=[P("5.1"), P("7.2"), P("5.1")], sds=[P("1.0")] * 3, ns=[10, 10, 10], p=Pp("0.95"))
    assert f.verdict == "gross" or f.flagged


def test_subgroup_pooling():
    # two subgroups of 10: means 4 and 6, SDs 1 -> overall mean 5, SD sqrt((18 + 20) / 19) = 1.414
    fs = check_subgroup(item="s", means=[P("4.0"), P("6.0")], sds=[P("1.0"), P("1.0")], ns=[10, 10],
                        overall_mean=P("5.0"), overall_sd=P("1.41"))
    assert [f.verdict for f in fs] == ["consistent", "consistent"]
    fs = check_subgroup(item="s", means=[P("4.0"), P("6.0")], sds=[P("1.0"), P("1.0")], ns=[10, 10],
                        overall_mean=P("5.3"), overall_sd=P("1.00"))
    assert [f.verdict for f in fs] == ["inconsistent", "inconsistent"]


def test_carlisle_stouffer():
    from scipy import stats

    ps = [0.5, 0.6, 0.4]
    f = check_carlisle(item="b", pvalues=ps, labels=["a", "b", "c"])
    z = sum(stats.norm.ppf(p) for p in ps) / math.sqrt(3)
    assert f.low == pytest.approx(stats.norm.cdf(z)) and f.verdict == "consistent"
    # twenty baseline p-values all near 1: groups far too alike
    f = check_carlisle(item="b", pvalues=[0.97] * 20, labels=[str(i) for i in range(20)])
    assert f.verdict == "inconsistent" and "alike" in f.explanation
    assert check_carlisle(item="b", pvalues=[0.5], labels=["a"]).verdict == "not_checkable"


def test_order_percent_total_and_t_statistic():
    from types import SimpleNamespace

    from serostudy.audit import check_order, check_percent_total, check_t_statistic

    cell = SimpleNamespace(mean=P("5.0"), min=P("1"), q1=P("5"), median=P("3"), q3=P("6"), max=P("9"))
    f = check_order(item="x", cell=cell)
    assert f.verdict == "inconsistent" and "q1 5 > median 3" in f.explanation
    cell = SimpleNamespace(mean=None, min=P("1"), q1=P("4"), median=P("3"), q3=P("6"), max=P("9"))
    assert check_order(item="x", cell=cell).verdict == "consistent"  # 4 and 3 can both be 3.5
    cell = SimpleNamespace(mean=P("12.0"), min=P("1"), q1=None, median=None, q3=None, max=P("9"))
    assert check_order(item="x", cell=cell).verdict == "inconsistent"
    assert check_percent_total(item="x", pcts=[P("33.3"), P("33.3"), P("33.3")], variable=None, group=None).verdict == "consistent"
    assert check_percent_total(item="x", pcts=[P("30.0"), P("60.0")], variable=None, group=None).verdict == "inconsistent"
    # R: t.test(age ~ group, var.equal = TRUE) on the seed summaries gives t = -1.248 (nmosd - control)
    kw = dict(m1=P("42.1"), s1=P("12.1"), n1=35, m2=P("46.1"), s2=P("16.2"), n2=53)
    assert check_t_statistic(item="x", t=P("-1.25"), **kw).verdict == "consistent"
    assert check_t_statistic(item="x", t=P("1.25"), **kw).verdict == "consistent"  # other group order
    assert check_t_statistic(item="x", t=P("2.50"), **kw).verdict == "inconsistent"


def test_statcheck_one_sided_only_in_direction_of_statistic():
    kw = dict(item="x", statistic_name="t", statistic=P("2.20"), df=P("28"), p=Pp(".018"))
    assert check_printed_statistic(**kw, alternative="greater").verdict == "consistent"
    assert check_printed_statistic(**kw, alternative="less").flagged  # t > 0: p(less) = .98


def test_negative_printed_t_keeps_its_whole_rounding_interval():
    # found by the property test once it printed t: t = -0.14 stands for |t| in
    # [0.135, 0.145]; the check used [0.145, 0.145] and flagged an honest t whose
    # attainable |t| from the summaries is 0.1288 to 0.1415
    from serostudy.audit import check_t_statistic

    kw = dict(m1=P("-0.19"), s1=P("2.79"), n1=44, m2=P("0.03"), s2=P("0.30"), n2=3, test_name="Student t-test")
    assert check_t_statistic(item="x", t=P("-0.14"), **kw).verdict == "consistent"
    assert check_t_statistic(item="x", t=P("0.14"), **kw).verdict == "consistent"
    assert check_t_statistic(item="x", t=P("-0.16"), **kw).flagged
