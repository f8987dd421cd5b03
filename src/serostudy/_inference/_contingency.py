"""Tests and effect sizes for contingency tables (categorical rows of Table 1).

A table is a 2-D array of counts: **rows = levels, columns = groups**.  For a 2 x 2
table ``[[a, b], [c, d]]`` the odds ratio is ``a d / (b c)``: the odds of the first
level (vs the second) in group 1 relative to group 2, as R ``fisher.test`` reports it.

All-empty rows (a level nobody has) and columns are left out of every test, and the
result's notes say so; R ``chisq.test`` would return NaN instead.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize
from scipy import stats as sps

from serostudy._inference._checks import (
    check_alternative,
    check_confidence_level,
    count_table,
    drop_empty_margins,
)
from serostudy._inference._fisher import (
    TooManyTables,
    fisher_rxc_exact,
    fisher_rxc_monte_carlo,
)
from serostudy._inference._results import ConfidenceInterval, Estimate, TestResult
from serostudy._typing import Alternative, check_choice
from serostudy.exceptions import InputError

__all__ = ["chi2_test", "fisher_test", "contingency_test", "odds_ratio", "cramers_v"]

FisherMethod = Literal["auto", "exact", "monte-carlo"]
ContingencyMethod = Literal["auto", "chi2", "chi2-yates", "fisher"]
OddsRatioKind = Literal["conditional", "sample"]


def _expected(t: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()


def chi2_test(table: ArrayLike, *, correction: bool = False) -> TestResult:
    """Pearson chi-squared test of independence.

    Parameters
    ----------
    table
        Counts, rows = levels, columns = groups.
    correction
        Yates continuity correction (R ``correct=TRUE``); as in R it is applied only
        to 2 x 2 tables, each ``|O - E|`` reduced by ``min(0.5, |O - E|)``.

    Returns
    -------
    TestResult
        ``statistic`` chi2, ``df = (r-1)(c-1)``, ``pvalue``; notes count the expected
        counts below 5.  NaN statistic and p-value (with a note) when fewer than two
        non-empty rows or columns are left.

    Notes
    -----
    Matches R ``chisq.test(x, correct=)`` to rtol 1e-10 (``tests/reference/stats/``).

    Examples
    --------
    >>> r = chi2_test([[12, 20], [23, 33]])
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (0.1084, 0.7419)
    """
    t, notes = drop_empty_margins(count_table(table))
    r, c = t.shape
    yates = bool(correction) and (r, c) == (2, 2)
    if correction and not yates:
        notes.append("continuity correction applies to 2 x 2 tables only (as R): not applied")
    method = "Pearson chi-squared test" + (" with Yates continuity correction" if yates else "")
    if r < 2 or c < 2:
        notes.append("fewer than 2 non-empty rows or columns: the test is undefined")
        return TestResult(math.nan, math.nan, method, "chi2", None, n=int(t.sum()), notes=tuple(notes))
    e = _expected(t)
    dev = np.abs(t - e)
    if yates:
        dev = dev - np.minimum(0.5, dev)
    stat = float(np.sum(dev**2 / e))
    df = (r - 1) * (c - 1)
    small = int(np.sum(e < 5))
    if small:
        notes.append(
            f"{small} of {e.size} expected counts < 5 (smallest {e.min():.3g}): "
            "the chi-squared approximation may be inaccurate"
        )
    return TestResult(
        statistic=stat,
        pvalue=float(sps.chi2.sf(stat, df)),
        method=method,
        statistic_name="chi2",
        df=float(df),
        n=int(t.sum()),
        notes=tuple(notes),
    )


def _fisher_2x2_pvalue(t: NDArray[np.int64], alternative: str) -> float:
    # X = t[0, 0] ~ hypergeometric(M = N, n = first column total, N = first row total)
    m = int(t[:, 0].sum())
    n = int(t[:, 1].sum())
    k = int(t[0, :].sum())
    x = int(t[0, 0])
    dist = sps.hypergeom(m + n, m, k)
    if alternative == "less":
        return float(min(1.0, dist.cdf(x)))
    if alternative == "greater":
        return float(min(1.0, dist.sf(x - 1)))
    lo, hi = max(0, k - n), min(k, m)
    support = np.arange(lo, hi + 1)
    logd = dist.logpmf(support)
    keep = logd <= dist.logpmf(x) + math.log1p(1e-7)  # R: d <= d_obs * (1 + 1e-7)
    return float(min(1.0, np.exp(logd[keep]).sum()))


def fisher_test(
    table: ArrayLike,
    *,
    alternative: Alternative = "two-sided",
    method: FisherMethod = "auto",
    confidence_level: float = 0.95,
    n_resamples: int = 100_000,
    seed: int = 20250101,
    max_tables: int = 4_000_000,
) -> TestResult:
    """Fisher's exact test (2 x 2) or Fisher-Freeman-Halton exact test (r x c).

    Parameters
    ----------
    table
        Counts, rows = levels, columns = groups.
    alternative
        For 2 x 2 tables: direction of the odds ratio vs 1.  r x c tables accept only
        ``"two-sided"``.
    method
        ``"exact"``: full enumeration; raises :class:`~serostudy.exceptions.InputError`
        if a half of the enumeration needs more than ``max_tables`` partial tables.
        ``"monte-carlo"``: ``n_resamples`` random tables with the observed margins
        (numpy ``Generator`` seeded with ``seed``), as R
        ``fisher.test(simulate.p.value=TRUE)``.  ``"auto"``: exact when feasible,
        otherwise Monte Carlo; the notes say which.
    confidence_level
        Level of the conditional odds-ratio interval (2 x 2 only).

    Returns
    -------
    TestResult
        ``statistic`` NaN (Fisher's test has none), ``pvalue``; for 2 x 2 tables
        ``estimate`` is the conditional MLE odds ratio with its exact CI, like R.

    Notes
    -----
    Two-sided p-values sum the probabilities of the tables no more probable than the
    observed one, with R's tolerances for ties (relative 1e-7 for 2 x 2, FEXACT's
    3.45254e-7 on the log scale for r x c).  Matches R ``fisher.test`` to rtol 1e-9
    on the reference tables (``tests/reference/stats/``).  The r x c enumeration
    meets in the middle (see ``serostudy._inference._fisher``); a 4 x 3 table with
    n = 200 takes under a second.

    Examples
    --------
    >>> r = fisher_test([[1, 2], [32, 45], [1, 2]])
    >>> r.method, round(r.pvalue, 6)
    ('Fisher-Freeman-Halton exact test', 1.0)
    """
    check_alternative(alternative)
    check_choice("method", method, ("auto", "exact", "monte-carlo"))
    level = check_confidence_level(confidence_level)
    t, notes = drop_empty_margins(count_table(table))
    r, c = t.shape
    n = int(t.sum())
    is_2x2 = count_table(table).shape == (2, 2)
    if r < 2 or c < 2:
        notes.append("fewer than 2 non-empty rows or columns: only one table has these margins, p = 1")
        name = "Fisher's exact test" if is_2x2 else "Fisher-Freeman-Halton exact test"
        est = odds_ratio(table, confidence_level=level, alternative=alternative) if is_2x2 else None
        return TestResult(math.nan, 1.0, name, "", None, alternative, est, n, tuple(notes))
    if (r, c) == (2, 2):
        p = _fisher_2x2_pvalue(t, alternative)
        est = odds_ratio(t, kind="conditional", confidence_level=level, alternative=alternative)
        return TestResult(math.nan, p, "Fisher's exact test", "", None, alternative, est, n, tuple(notes))
    if alternative != "two-sided":
        raise InputError(
            f"Fisher-Freeman-Halton test of a {r} x {c} table is two-sided only; "
            f"`alternative` must be 'two-sided', got {alternative!r}"
        )
    p: float | None = None
    if method in ("auto", "exact"):
        try:
            p = fisher_rxc_exact(t, limit=max_tables)
            name = "Fisher-Freeman-Halton exact test"
        except TooManyTables:
            if method == "exact":
                raise InputError(
                    f"exact Fisher-Freeman-Halton test of this {r} x {c} table (n = {n}) needs "
                    f"more than max_tables={max_tables} partial tables; use method='monte-carlo' "
                    "or the chi-squared test"
                ) from None
            notes.append(
                f"exact enumeration too large for this {r} x {c} table (n = {n}): "
                "Monte Carlo p-value used"
            )
    if p is None:
        p = fisher_rxc_monte_carlo(t, n_resamples=n_resamples, seed=seed)
        name = "Fisher-Freeman-Halton test (Monte Carlo p-value)"
        notes.append(f"Monte Carlo p-value from {n_resamples} random tables (seed {seed})")
    return TestResult(math.nan, float(p), name, "", None, "two-sided", None, n, tuple(notes))


def contingency_test(
    table: ArrayLike,
    *,
    method: ContingencyMethod = "auto",
    fisher_method: FisherMethod = "auto",
    n_resamples: int = 100_000,
    seed: int = 20250101,
) -> TestResult:
    """Test of independence for a Table 1 categorical variable, by a stated policy.

    ``"auto"``: Pearson chi-squared without continuity correction when every expected
    count is >= 5, otherwise Fisher's exact test (2 x 2) or the Fisher-Freeman-Halton
    test (r x c).  The notes of the result say what was chosen and why, e.g.
    ``"2 of 6 expected counts < 5: Fisher-Freeman-Halton exact test used"``.
    ``"chi2"``, ``"chi2-yates"`` and ``"fisher"`` force a test.

    Examples
    --------
    >>> r = contingency_test([[1, 2], [32, 45], [1, 2]])
    >>> r.method
    'Fisher-Freeman-Halton exact test'
    >>> r.notes[0]
    '4 of 6 expected counts < 5: Fisher-Freeman-Halton exact test used'
    """
    check_choice("method", method, ("auto", "chi2", "chi2-yates", "fisher"))
    if method == "chi2":
        return chi2_test(table, correction=False)
    if method == "chi2-yates":
        return chi2_test(table, correction=True)
    fisher_kw = dict(method=fisher_method, n_resamples=n_resamples, seed=seed)
    if method == "fisher":
        return fisher_test(table, **fisher_kw)  # type: ignore[arg-type]
    t, _ = drop_empty_margins(count_table(table))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return chi2_test(table)  # NaN statistic and p-value, notes say why
    e = _expected(t)
    small = int(np.sum(e < 5))
    if small == 0:
        res = chi2_test(table, correction=False)
        why = f"all {e.size} expected counts >= 5: Pearson chi-squared test without continuity correction used"
    else:
        res = fisher_test(table, **fisher_kw)  # type: ignore[arg-type]
        why = f"{small} of {e.size} expected counts < 5: {res.method} used"
    return _with_note(res, why, first=True)


def _with_note(res: TestResult, note: str, *, first: bool = False) -> TestResult:
    from dataclasses import replace

    notes = (note, *res.notes) if first else (*res.notes, note)
    return replace(res, notes=notes)


def _as_2x2(table: ArrayLike) -> NDArray[np.int64]:
    t = count_table(table, "table2x2")
    if t.shape != (2, 2):
        raise InputError(f"`table2x2` must be a 2 x 2 table of counts, got shape {t.shape}")
    return t


def odds_ratio(
    table2x2: ArrayLike,
    *,
    kind: OddsRatioKind = "conditional",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    haldane: bool = False,
) -> Estimate:
    """Odds ratio of a 2 x 2 table ``[[a, b], [c, d]]`` with its CI.

    Parameters
    ----------
    table2x2
        Counts, rows = levels, columns = groups; the odds ratio is ``a d / (b c)``.
    kind
        ``"conditional"`` (default): conditional maximum-likelihood estimate and exact
        interval from the noncentral hypergeometric distribution, as R
        ``fisher.test()$estimate`` and ``$conf.int`` (the same equations, solved
        on the log-odds-ratio scale over the support in one vectorised pass each).  Zero cells are fine: the estimate is
        0 or inf and the interval is bounded by 0 or inf.
        ``"sample"``: ``a d / (b c)`` with the Woolf (Wald, log scale) interval
        ``exp(log OR +/- z sqrt(1/a + 1/b + 1/c + 1/d))``.  A zero cell makes it
        undefined: an error, unless ``haldane=True`` adds 0.5 to every cell
        (Haldane-Anscombe), which the method string says.
    alternative
        One-sided intervals as R ``fisher.test`` (conditional) / one-sided Wald.

    Notes
    -----
    R's ``fisher.test`` finds the conditional MLE and its interval with ``uniroot``
    at its default tolerance (~1e-4 on its internal scale), so R's numbers are accurate
    to about 1e-5 relative; we solve to full precision.  Tests compare with
    ``fisher.test`` at rtol 1e-4 and with the same equations solved tightly in R at
    rtol 1e-6 (``tests/reference/stats/``).

    Examples
    --------
    >>> est = odds_ratio([[12, 20], [23, 33]], kind="sample")
    >>> round(est.estimate, 4)
    0.8609
    """
    check_choice("kind", kind, ("conditional", "sample"))
    check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    t = _as_2x2(table2x2)
    notes: list[str] = []
    if kind == "conditional":
        if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
            notes.append("an empty row or column: the odds ratio is undefined (NaN; interval 0 to inf)")
            est, lo, hi = math.nan, 0.0, math.inf
        else:
            if (t == 0).any():
                notes.append("a zero cell: conditional MLE and exact interval remain defined (may be 0 or inf)")
            est, lo, hi = _conditional_or(t, level, alternative)
        return Estimate(
            "odds ratio",
            est,
            ConfidenceInterval(lo, hi, level),
            method="conditional maximum-likelihood odds ratio; exact interval (as R fisher.test)",
            notes=tuple(notes),
        )
    tf = t.astype(np.float64)
    method = "sample odds ratio; Woolf (Wald, log scale) interval"
    if (t == 0).any():
        if not haldane:
            i, j = (int(v) for v in np.argwhere(t == 0)[0])
            raise InputError(
                f"`table2x2` cell [{i}, {j}] is 0: the sample odds ratio and its Woolf interval "
                "are undefined; use kind='conditional' (exact) or haldane=True (adds 0.5 to every cell)"
            )
        tf = tf + 0.5
        method += " with Haldane-Anscombe correction (0.5 added to every cell)"
        notes.append("a zero cell: 0.5 added to every cell (Haldane-Anscombe)")
    a, b, c, d = tf.ravel()
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    if alternative == "two-sided":
        z = float(sps.norm.isf((1 - level) / 2))
        lo, hi = math.exp(log_or - z * se), math.exp(log_or + z * se)
    else:
        z = float(sps.norm.isf(1 - level))
        lo, hi = (0.0, math.exp(log_or + z * se)) if alternative == "less" else (math.exp(log_or - z * se), math.inf)
    return Estimate("odds ratio", math.exp(log_or), ConfidenceInterval(lo, hi, level), method=method, se=se, notes=tuple(notes))


class _NcHypergeom:
    """Fisher's noncentral hypergeometric distribution of ``t[0, 0]`` given the margins,
    on the log scale: ``log P(x; psi) = log C(m, x) + log C(n, k - x) + x log psi - log Z``.

    Every evaluation is one vectorised pass over the support (at most ``n / 2 + 1``
    values), normalised by its maximum, so any log odds ratio is finite and a 2 x 2
    table with n = 1e5 costs milliseconds (scipy's ``odds_ratio`` took minutes).
    """

    def __init__(self, t: NDArray[np.int64]) -> None:
        self.x = int(t[0, 0])
        m, n, k = int(t[:, 0].sum()), int(t[:, 1].sum()), int(t[0, :].sum())
        self.lo, self.hi = max(0, k - n), min(k, m)
        self.support = np.arange(self.lo, self.hi + 1, dtype=np.float64)
        self.logdc = sps.hypergeom.logpmf(self.support, m + n, m, k)

    def probs(self, lor: float) -> NDArray[np.float64]:
        w = self.logdc + lor * self.support
        w = np.exp(w - w.max())
        return w / w.sum()

    def mean(self, lor: float) -> float:
        return float(np.dot(self.support, self.probs(lor)))

    def upper_tail(self, lor: float) -> float:  # P(X >= x)
        return float(self.probs(lor)[self.x - self.lo :].sum())

    def lower_tail(self, lor: float) -> float:  # P(X <= x)
        return float(self.probs(lor)[: self.x - self.lo + 1].sum())


def _solve_increasing(f, start: float) -> float:
    """Root of an increasing function of the log odds ratio, bracketed from ``start``."""
    lo, hi, step = start - 1.0, start + 1.0, 1.0
    while f(lo) > 0:
        lo, step = lo - step, step * 2
    step = 1.0
    while f(hi) < 0:
        hi, step = hi + step, step * 2
    return float(optimize.brentq(f, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=500))


def _conditional_or(t: NDArray[np.int64], level: float, alternative: str) -> tuple[float, float, float]:
    """Conditional MLE of the odds ratio and its exact interval (R ``fisher.test``).

    The MLE solves ``E[X; psi] = x``; the bounds solve ``P(X >= x; psi) = alpha`` and
    ``P(X <= x; psi) = alpha`` (``alpha = (1 - level) / 2`` two-sided, ``1 - level``
    one-sided), on the log scale with Brent's method.  At the ends of the support the
    estimate is 0 or inf and the matching bound is 0 or inf, as in R.
    """
    d = _NcHypergeom(t)
    a, b, c, dd = (float(v) + 0.5 for v in t.ravel())
    start = math.log(a * dd / (b * c))  # Haldane-corrected log OR: only a bracket start
    x = d.x
    if x == d.lo:
        est = 0.0
    elif x == d.hi:
        est = math.inf
    else:
        est = math.exp(_solve_increasing(lambda l: d.mean(l) - x, start))
    alpha = (1 - level) / 2 if alternative == "two-sided" else 1 - level
    low, high = 0.0, math.inf
    if alternative in ("two-sided", "greater") and x > d.lo:
        low = math.exp(_solve_increasing(lambda l: d.upper_tail(l) - alpha, start))
    if alternative in ("two-sided", "less") and x < d.hi:
        high = math.exp(_solve_increasing(lambda l: alpha - d.lower_tail(l), start))
    return est, low, high


def _ncx2_cdf(chi: float, df: int, ncp: float) -> float:
    """``P(X <= chi; df, ncp)``, never NaN.

    scipy's ``ncx2.cdf`` returns NaN (or values outside [0, 1]) far in a tail for
    large ``ncp``; there the value is 0 or 1 to double precision for the purpose of
    bracketing, and the Sankaran/Patnaik-type normal approximation of
    ``(X / (df + ncp))^(1/3)`` stands in.
    """
    if ncp <= 0:
        return float(sps.chi2.cdf(chi, df))
    with np.errstate(all="ignore"):
        p = float(sps.ncx2.cdf(chi, df, ncp))
    if math.isfinite(p) and 0.0 <= p <= 1.0:
        return p
    # Sankaran (1959) cube-root normal approximation
    k, lam = float(df), float(ncp)
    h = 1 - 2 / 3 * (k + lam) * (k + 3 * lam) / (k + 2 * lam) ** 2
    pp = (k + 2 * lam) / (k + lam) ** 2
    m = (h - 1) * (1 - 3 * h) * pp
    z = ((chi / (k + lam)) ** h - (1 + h * pp * (h - 1 - 0.5 * (2 - h) * m))) / (h * math.sqrt(2 * pp) * (1 + 0.5 * m * pp))
    return float(sps.norm.cdf(z))


def _ncx2_ncp(chi: float, df: int, target: float) -> float:
    """ncp >= 0 with ``P(X <= chi; df, ncp) == target``; 0 if no positive root.

    The bracket starts at the normal-approximation root ``chi - df - z sqrt(2 (df +
    2 chi))`` and widens geometrically; the cdf handed to Brent's method never
    returns NaN (:func:`_ncx2_cdf`).
    """

    def f(ncp: float) -> float:
        return _ncx2_cdf(chi, df, ncp) - target

    if f(0.0) <= 0:
        return 0.0
    scale = math.sqrt(2.0 * (df + 2.0 * chi))
    start = max(0.0, chi - df - float(sps.norm.ppf(target)) * scale)
    lo, hi, step = max(0.0, start - scale), start + scale, scale
    while lo > 0 and f(lo) < 0:
        hi, lo, step = lo, max(0.0, lo - step), step * 2
    step = scale
    for _ in range(200):
        if f(hi) <= 0:
            break
        lo, hi, step = hi, hi + step, step * 2
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps, maxiter=500))


def cramers_v(
    table: ArrayLike,
    *,
    confidence_level: float = 0.95,
    adjust: bool = True,
    alternative: Alternative = "two-sided",
) -> Estimate:
    """Cramér's V with a noncentral chi-squared CI, as R ``effectsize::cramers_v``.

    ``V = sqrt(chi2 / (n (min(r, c) - 1)))`` with the uncorrected Pearson chi2.  With
    ``adjust=True`` the bias-corrected version (Bergsma 2013) effectsize uses:
    ``phi^2`` reduced by ``df / (n - 1)`` (floored at 0) and ``r, c`` replaced by
    ``r - (r-1)^2/(n-1)``, ``c - (c-1)^2/(n-1)``.  The CI inverts the noncentral
    chi-squared distribution of chi2 and maps both bounds through the same formula;
    the upper bound is capped at 1.

    The default is the bias-corrected V (``adjust=True``, effectsize's default).  The
    classical V is biased upward by about ``df / n``, so for a weak association in a
    large table (chi2 below the 2.5% point of the central chi2: interval 0 to 0) or a
    variable with few participants per level it can lie outside the noncentral
    chi-squared interval (``V = 0.02 (0.00 to 0.00)``, ``V = 1.00 (0.00 to 0.48)``,
    issue 9).  The bias-corrected V is 0 in the first case and inside its interval;
    wherever an estimate still lies outside (few participants per level), the
    interval is left out (``ci=None``) with a note, never printed beside it.  A
    bias-corrected V with ``min(r~, c~) <= 1`` (about one participant per level) is
    not estimable: NaN with a note.

    Notes
    -----
    effectsize 0.8.3 uses ``alternative = "greater"`` (a one-sided interval
    ``[low, 1]``) by default; we follow the house vocabulary (two-sided 95% interval).
    Pass ``alternative="greater"`` to get effectsize's defaults.  effectsize finds the
    noncentrality bounds with ``optim`` (accurate to ~1e-5); ours are solved with
    Brent's method.  Tests: estimate rtol 1e-10, CI rtol 1e-4 vs effectsize and rtol
    1e-7 vs the same equations solved tightly in R.  Empty rows and columns are left
    out (effectsize refuses them), with a note.

    Examples
    --------
    >>> v = cramers_v([[12, 20], [23, 33]])
    >>> v.estimate, round(v.ci.high, 4)
    (0.0, 0.2097)
    >>> round(cramers_v([[12, 20], [23, 33]], adjust=False).estimate, 4)
    0.0351
    """
    check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    t, notes = drop_empty_margins(count_table(table))
    r, c = t.shape
    n = int(t.sum())
    if r < 2 or c < 2:
        raise InputError(
            f"Cramér's V needs at least 2 non-empty rows and 2 non-empty columns, got {r} x {c}"
        )
    if n < 2:
        raise InputError(f"Cramér's V needs at least 2 observations, got {n}")
    e = _expected(t)
    chi = float(np.sum((t - e) ** 2 / e))
    df = (r - 1) * (c - 1)
    ci_level = level if alternative == "two-sided" else 2 * level - 1
    tail = (1 - ci_level) / 2
    ncp_lo = _ncx2_ncp(chi, df, 1 - tail)
    ncp_hi = _ncx2_ncp(chi, df, tail)

    if adjust:
        k = r - (r - 1) ** 2 / (n - 1)
        l_ = c - (c - 1) ** 2 / (n - 1)
    else:
        k, l_ = float(r), float(c)
    if min(k, l_) <= 1:  # bias-corrected only: about as many levels as participants
        notes.append(
            f"bias-corrected Cramér's V not estimable: a {r} x {c} table with n = {n} leaves no "
            "room for association after the bias correction (about one participant per level)"
        )
        return Estimate("Cramér's V (bias-corrected)", math.nan, None,
                        method="Cramér's V (bias-corrected); not estimable", notes=tuple(notes))
    div = math.sqrt(min(k, l_) - 1)

    def to_v(x: float) -> float:
        phi2 = x / n
        if adjust:
            phi2 = max(0.0, phi2 - df / (n - 1))
        return math.sqrt(phi2) / div

    v = min(to_v(chi), 1.0)
    lo, hi = min(to_v(ncp_lo), 1.0), min(to_v(ncp_hi), 1.0)
    if alternative == "greater":
        hi = 1.0
    elif alternative == "less":
        lo = 0.0
    name = "Cramér's V (bias-corrected)" if adjust else "Cramér's V"
    ci: ConfidenceInterval | None = ConfidenceInterval(lo, hi, level)
    if not lo <= v <= hi:
        # effectsize would print this interval; it excludes its own estimate (issue 9)
        notes.append(
            f"{name} ({v:.4g}) lies outside the noncentral chi-squared interval ({lo:.4g} to {hi:.4g}): "
            f"with df = {df} and n = {n} (few participants per level) the estimate and the interval "
            "disagree, so no interval is given"
            + ("" if adjust else "; the bias-corrected V (adjust=True) usually has one")
        )
        ci = None
    return Estimate(
        name,
        v,
        ci,
        method=name + "; CI by noncentral chi-squared (as R effectsize::cramers_v)",
        notes=tuple(notes),
    )
