"""Property: statistics computed from real data, rounded as a paper prints them, and
audited, are never flagged inconsistent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from serostudy.audit import audit


def fmt(x: float, d: int) -> str:
    return str(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))


def fmt_p(p: float, d: int) -> str:
    if p < 10 ** (-d):
        return f"<{fmt(10 ** (-d), d)}"
    return fmt(p, d)


@st.composite
def studies(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n1 = draw(st.integers(3, 60))
    n2 = draw(st.integers(3, 60))
    integer = draw(st.booleans())
    d = draw(st.integers(1, 2))  # decimals of means/SDs
    dp = draw(st.integers(2, 3))  # decimals of p
    mu = draw(st.floats(-50, 200))
    sd = draw(st.floats(0.5, 40))
    shift = draw(st.floats(-2, 2)) * sd
    x = rng.normal(mu, sd, n1)
    y = rng.normal(mu + shift, sd * draw(st.floats(0.5, 2.0)), n2)
    if integer:
        x, y = np.round(x), np.round(y)
    if x.std() == 0 or y.std() == 0:
        x[0] += 1
        y[0] += 1
    welch = draw(st.booleans())
    tt = stats.ttest_ind(x, y, equal_var=not welch)
    p_t = tt.pvalue
    # the statistic and df as printed: Student df is the count n1 + n2 - 2 (exact);
    # a Welch df is printed with 1 or 2 decimals, or rounded to a whole number
    df_t = tt.df  # scipy >= 1.11: Welch-Satterthwaite or n1 + n2 - 2
    df_dec = draw(st.integers(0, 2)) if welch else 0
    z = 0.5 * x + rng.normal(0, sd, n1)
    r, p_r = stats.pearsonr(x, z)
    a = draw(st.integers(0, n1))
    b = draw(st.integers(0, n2))
    tab = np.array([[a, n1 - a], [b, n2 - b]])
    yates = draw(st.booleans())
    if (tab.sum(0) > 0).all():
        ct = stats.chi2_contingency(tab, correction=yates)
        p_c, chi2_c = ct.pvalue, ct.statistic
    else:
        p_c = chi2_c = None

    def cell(v):
        return {"mean": fmt(v.mean(), d), "sd": fmt(v.std(ddof=1), d), "min": fmt(v.min(), d), "max": fmt(v.max(), d)}

    # a third group for a one-way ANOVA on w
    n3 = draw(st.integers(3, 40))
    w = [rng.normal(mu + k * shift / 2, sd, nk) for k, nk in enumerate((n1, n2, n3))]
    fo = stats.f_oneway(*w)
    p_f, f_stat = fo.pvalue, fo.statistic
    # subgroups of x within group a, by cat (yes = first a participants)
    parts = {}
    for lvl, xs in (("yes", x[:a]), ("no", x[a:])):
        if xs.size >= 2:
            parts[lvl] = {"mean": fmt(xs.mean(), d), "sd": fmt(xs.std(ddof=1), d)}
        elif xs.size == 1:
            parts[lvl] = {"mean": fmt(xs.mean(), d)}

    summary = {
        "groups": {"a": {"n": str(n1)}, "b": {"n": str(n2)}, "c": {"n": str(n3)}},
        "variables": {
            "x": {
                "summaries": {"a": cell(x), "b": cell(y)},
                "test": {"test": "Welch t-test" if welch else "Student t-test", "p": fmt_p(p_t, dp),
                         "statistic": fmt(tt.statistic, 2), "statistic_name": "t", "df": fmt(df_t, df_dec)},
                **({"granularity": "1"} if integer else {}),
            },
            "z": {"summaries": {"a": {"mean": fmt(z.mean(), d), "sd": fmt(z.std(ddof=1), d)}}},
            "cat": {
                "type": "categorical",
                "levels": ["yes", "no"],
                "counts": {
                    "a": {"yes": {"n": str(a), "pct": fmt(100 * a / n1, 1)}, "no": {"n": str(n1 - a), "pct": fmt(100 * (n1 - a) / n1, 1)}},
                    "b": {"yes": {"n": str(b), "pct": fmt(100 * b / n2, 1)}, "no": {"n": str(n2 - b), "pct": fmt(100 * (n2 - b) / n2, 1)}},
                },
                **({"test": {"test": "chi-square with Yates" if yates else "chi-square", "p": fmt_p(p_c, dp),
                             "statistic": fmt(chi2_c, 2), "statistic_name": "chi2", "df": "1"}}
                   if p_c is not None else {}),
            },
        },
        "correlations": [{"x": "x", "y": "z", "group": "a", "r": fmt(r, 2), "p": fmt_p(p_r, dp)}] if n1 > 3 else [],
        "subgroups": [{"variable": "x", "group": "a", "by": "cat", "parts": parts}] if len(parts) == 2 else [],
    }
    summary["variables"]["w"] = {
        "summaries": {g: {"mean": fmt(v.mean(), d), "sd": fmt(v.std(ddof=1), d)} for g, v in zip("abc", w)},
        "test": {"test": "one-way ANOVA", "p": fmt_p(p_f, dp), "statistic": fmt(f_stat, 2), "statistic_name": "F",
                 "df": "2", "df2": str(n1 + n2 + n3 - 3)},
    }
    return summary


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_audit_of_honest_numbers_is_never_inconsistent(summary):
    rep = audit(summary)
    flagged = [(f.item, f.printed, f.explanation) for f in rep.flagged]
    assert not flagged, flagged
    assert rep.counts()["consistent_under_variant"] == 0, [
        (f.item, f.explanation) for f in rep.findings if f.verdict == "consistent_under_variant"
    ]


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_the_property_test_can_fail(summary):
    # the same honest studies with the t-test p moved far away are flagged
    p = summary["variables"]["x"]["test"]["p"]
    pv = 0.0 if p.startswith("<") else float(p)
    summary["variables"]["x"]["test"]["p"] = "0.95" if pv < 0.5 else "0.001"
    rep = audit(summary)
    f = next(f for f in rep.findings if f.item == "variables.x.test.p")
    assert f.flagged or f.verdict == "consistent_under_variant" or f.high >= 0.94
