"""Correlation of two continuous variables (Table 2): Pearson, Spearman and Kendall.

The interval is the Fisher z interval ``tanh(atanh(r) +/- z_q / sqrt(n - 3))`` for
both coefficients (for Spearman this is the usual large-sample approximation; R's
``cor.test`` gives no interval for Spearman).  Kendall's tau-b is given without an
interval, as R ``cor.test`` does.  p-values follow R ``cor.test``.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

from serostudy._inference._checks import (
    check_alternative,
    check_confidence_level,
    count_scalar,
    finite_scalar,
    float_vector,
)
from serostudy._inference._results import ConfidenceInterval, Estimate, TestResult
from serostudy._typing import Alternative, CorrelationMethod, check_choice
from serostudy.exceptions import InputError

__all__ = ["correlation", "pearson_from_sums", "correlation_ci", "correlation_pvalue"]

#: R ``cor.test(method = "spearman")`` uses AS 89 up to this n (inclusive) when there
#: are no ties, the t approximation otherwise.
SPEARMAN_EXACT_MAX_N = 1290
_AS89_ENUMERATE_MAX_N = 9

#: R ``cor.test(method = "kendall")`` computes the exact p-value below this n when
#: there are no ties, the normal approximation (with tie correction) otherwise.
KENDALL_EXACT_BELOW_N = 50

#: A coefficient within this distance of +/-1 is taken as exactly +/-1.  A perfect
#: linear (or rank) relation computed in floating point can land a few ulps short of 1
#: (1 - |r| ~ 1.1e-16 is one ulp), and the t statistic r sqrt((n - 2) / (1 - r^2))
#: magnifies that rounding into a spurious p (9.5e-9 instead of 0 with n = 3) and a
#: spurious Fisher z interval.  Eight ulps and below are rounding, not data: the sweep
#: met it on MASS::UScereal, survival::cgd0, statsmodels anes96 and fair.
UNIT_TOLERANCE = 1e-15


def _snap_unit(r: float) -> float:
    """Clip to [-1, 1] and take |r| within :data:`UNIT_TOLERANCE` of 1 as exactly +/-1."""
    r = max(-1.0, min(1.0, r))
    return math.copysign(1.0, r) if 1.0 - abs(r) <= UNIT_TOLERANCE else r


def _check_r(r: float) -> float:
    rv = finite_scalar(r, "r")
    if not -1.0 <= rv <= 1.0:
        raise InputError(f"`r` must lie in [-1, 1], got {r!r}")
    return rv


def correlation_ci(r: float, n: int, *, confidence_level: float = 0.95, alternative: Alternative = "two-sided") -> ConfidenceInterval:
    """Fisher z confidence interval of a correlation coefficient.

    ``tanh(atanh(r) +/- z_q / sqrt(n - 3))``; one-sided alternatives give
    ``[-1, upper]`` or ``[lower, 1]``, as R ``cor.test``.  Needs ``n >= 4``.
    Matches R ``cor.test(method = "pearson")$conf.int`` to rtol 1e-10.

    Examples
    --------
    >>> ci = correlation_ci(-0.284, 35)
    >>> round(ci.low, 4), round(ci.high, 4)
    (-0.5639, 0.0544)
    """
    check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    rv = _check_r(r)
    k = count_scalar(n, "n", minimum=4)
    z = math.atanh(rv) if abs(rv) < 1 else math.copysign(math.inf, rv)
    se = 1 / math.sqrt(k - 3)
    if alternative == "two-sided":
        q = float(sps.norm.isf((1 - level) / 2))
        return ConfidenceInterval(math.tanh(z - q * se), math.tanh(z + q * se), level)
    q = float(sps.norm.isf(1 - level))
    if alternative == "less":
        return ConfidenceInterval(-1.0, math.tanh(z + q * se), level)
    return ConfidenceInterval(math.tanh(z - q * se), 1.0, level)


def _t_from_r(rv: float, k: int) -> float:
    if abs(rv) == 1:
        return math.copysign(math.inf, rv)
    return rv * math.sqrt((k - 2) / (1 - rv * rv))


def correlation_pvalue(r: float, n: int, *, alternative: Alternative = "two-sided") -> float:
    """p-value of a correlation from the t distribution with ``n - 2`` df.

    ``t = r sqrt((n - 2) / (1 - r^2))``, as R ``cor.test(method = "pearson")``
    (and the Spearman large-sample approximation).  Needs ``n >= 3``.

    Examples
    --------
    >>> round(correlation_pvalue(-0.284, 35), 4)
    0.0983
    """
    check_alternative(alternative)
    rv = _check_r(r)
    k = count_scalar(n, "n", minimum=3)
    t = _t_from_r(rv, k)
    df = k - 2
    if alternative == "less":
        return float(sps.t.cdf(t, df))
    if alternative == "greater":
        return float(sps.t.sf(t, df))
    return float(min(1.0, 2 * sps.t.sf(abs(t), df)))


def _result(
    r: float, n: int, *, method: str, name: str, pvalue: float, alternative: str, level: float, notes: list[str], df: float | None
) -> TestResult:
    ci = correlation_ci(r, n, confidence_level=level, alternative=alternative) if n >= 4 else None  # type: ignore[arg-type]
    if ci is None:
        notes.append("n < 4: no Fisher z interval")
    est_name = "Pearson r" if name == "r" else "Spearman rho"
    return TestResult(
        statistic=r,
        pvalue=pvalue,
        method=method,
        statistic_name=name,
        df=df,
        alternative=alternative,  # type: ignore[arg-type]
        estimate=Estimate(est_name, r, ci, method="Fisher z interval, SE 1/sqrt(n - 3)"),
        n=n,
        notes=tuple(notes),
    )


def pearson_from_sums(
    n: int,
    sum_x: float,
    sum_y: float,
    sum_xx: float,
    sum_yy: float,
    sum_xy: float,
    *,
    alternative: Alternative = "two-sided",
    confidence_level: float = 0.95,
) -> TestResult:
    """Pearson correlation test from sums and sums of squares and cross-products.

    For backends that return ``n, sum x, sum y, sum x^2, sum y^2, sum xy`` (DuckDB,
    Spark).  Note the raw-sum formula loses precision when the means are large
    relative to the SDs (catastrophic cancellation); centre the data first if so.

    Examples
    --------
    >>> x = [1.0, 2.0, 3.0, 4.0, 5.0]; y = [2.0, 1.0, 4.0, 3.0, 5.0]
    >>> r = pearson_from_sums(5, sum(x), sum(y), sum(v*v for v in x), sum(v*v for v in y), sum(a*b for a, b in zip(x, y)))
    >>> r.statistic
    0.8
    """
    check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    k = count_scalar(n, "n", minimum=3)
    sx, sy = finite_scalar(sum_x, "sum_x"), finite_scalar(sum_y, "sum_y")
    sxx, syy = finite_scalar(sum_xx, "sum_xx"), finite_scalar(sum_yy, "sum_yy")
    sxy = finite_scalar(sum_xy, "sum_xy")
    cxx = sxx - sx * sx / k
    cyy = syy - sy * sy / k
    cxy = sxy - sx * sy / k
    if not (cxx > 0 and cyy > 0):
        which = "x" if not cxx > 0 else "y"
        raise InputError(f"Pearson correlation undefined: {which} has zero variance")
    r = _snap_unit(cxy / math.sqrt(cxx * cyy))
    p = correlation_pvalue(r, k, alternative=alternative)
    return _result(r, k, method="Pearson correlation", name="r", pvalue=p, alternative=alternative, level=level, notes=[], df=float(k - 2))


@lru_cache(maxsize=16)
def _spearman_s_values(n: int) -> NDArray[np.int64]:
    """All values of S = sum (i - p_i)^2 over the n! permutations (n <= 9)."""
    base = np.arange(n)
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
    return ((perms - base) ** 2).sum(axis=1)


def _prho(n: int, s: float, lower_tail: bool) -> float:
    """AS 89 (Best & Roberts 1975) as in R's ``prho``: P(S >= s), or P(S < s).

    Exact enumeration of all permutations for n <= 9, Edgeworth series above.
    """
    pv = 0.0 if lower_tail else 1.0
    if s <= 0:
        return pv
    n3 = n * (n * n - 1) / 3
    if s > n3:
        return 1 - pv
    if n <= _AS89_ENUMERATE_MAX_N:
        vals = _spearman_s_values(n)
        nfac = vals.size
        ifr = 1 if s == n3 else int(np.sum(s <= vals))
        return (nfac - ifr) / nfac if lower_tail else ifr / nfac
    # Edgeworth series expansion (coefficients of AS 89)
    c = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4)
    yn = float(n)
    b = 1 / yn
    x = (6 * (s - 1) * b / (yn * yn - 1) - 1) * math.sqrt(yn - 1)
    y = x * x
    u = x * b * (
        c[0]
        + b * (c[1] + c[2] * b)
        + y * (-c[3] + b * (c[4] + c[5] * b) - y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y))))
    )
    y = u / math.exp(y / 2)
    tail = float(sps.norm.cdf(x)) if lower_tail else float(sps.norm.sf(x))
    pv = (-y if lower_tail else y) + tail
    return min(1.0, max(0.0, pv))


def _r_round(v: float) -> float:
    return float(np.round(v))  # R round(): IEC 60559, half to even


def _spearman_pvalue(rho: float, n: int, alternative: str, exact: bool) -> float:
    q = (n**3 - n) * (1 - rho) / 6

    def pspearman(qv: float, lower_tail: bool) -> float:
        if exact:
            return _prho(n, _r_round(qv) + 2 * lower_tail, lower_tail)
        den = (n * (n * n - 1)) / 6
        r = 1 - qv / den
        t = _t_from_r(max(-1.0, min(1.0, r)), n)
        return float(sps.t.sf(t, n - 2)) if lower_tail else float(sps.t.cdf(t, n - 2))

    if alternative == "two-sided":
        p = pspearman(q, lower_tail=False) if q > (n**3 - n) / 6 else pspearman(q, lower_tail=True)
        return min(2 * p, 1.0)
    if alternative == "greater":
        return pspearman(q, lower_tail=True)
    return pspearman(q, lower_tail=False)


@lru_cache(maxsize=64)
def _kendall_cdf_table(n: int) -> NDArray[np.float64]:
    """``P(T <= q)`` for q = 0..n(n-1)/2, T the number of concordant pairs of a random
    permutation of n (the Mahonian distribution; R's ``ckendall``), built one element
    at a time: adding element k spreads each count over k consecutive values."""
    dist = np.ones(1)
    for k in range(2, n + 1):
        c = np.concatenate([[0.0], np.cumsum(dist)])
        m = dist.size + k - 1
        hi = np.minimum(np.arange(m) + 1, dist.size)
        lo = np.maximum(np.arange(m) - k + 1, 0)
        dist = (c[hi] - c[lo]) / k  # a probability at each step: no overflow
    # prefix sums of positive terms; the upper tail is taken from the other end
    return np.cumsum(dist)


def _pkendall(q: float, n: int) -> float:
    """R ``pkendall(q, n)``: ``P(T <= q)``."""
    if q < 0:
        return 0.0
    table = _kendall_cdf_table(n)
    if q >= table.size - 1:
        return 1.0
    return float(table[int(q)])


def _kendall(xa: NDArray[np.float64], ya: NDArray[np.float64], alternative: str, notes: list[str]) -> tuple[float, float, str, float]:
    """tau-b, p-value, statistic name and statistic as R ``cor.test(method = "kendall")``."""
    n = int(xa.size)
    tau = float(sps.kendalltau(xa, ya, variant="b").statistic)
    tau = max(-1.0, min(1.0, tau))
    ties = np.unique(xa).size < n or np.unique(ya).size < n
    if n < KENDALL_EXACT_BELOW_N and not ties:
        q = round((tau + 1) * n * (n - 1) / 4)
        if alternative == "two-sided":
            p = 1 - _pkendall(q - 1, n) if q > n * (n - 1) / 4 else _pkendall(q, n)
            p = min(2 * p, 1.0)
        elif alternative == "greater":
            p = 1 - _pkendall(q - 1, n)
        else:
            p = _pkendall(q, n)
        notes.insert(0, f"p-value exact (no ties, n < {KENDALL_EXACT_BELOW_N}; R cor.test rule)")
        return tau, float(p), "T", float(q)

    def tie_counts(a: NDArray[np.float64]) -> NDArray[np.float64]:
        _, cnt = np.unique(a, return_counts=True)
        return cnt[cnt > 1].astype(np.float64)

    tx, ty = tie_counts(xa), tie_counts(ya)
    t0 = n * (n - 1) / 2
    t1 = float(np.sum(tx * (tx - 1))) / 2
    t2 = float(np.sum(ty * (ty - 1))) / 2
    s_stat = tau * math.sqrt((t0 - t1) * (t0 - t2))
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(tx * (tx - 1) * (2 * tx + 5)))
    vu = float(np.sum(ty * (ty - 1) * (2 * ty + 5)))
    v1 = float(np.sum(tx * (tx - 1))) * float(np.sum(ty * (ty - 1)))
    v2 = float(np.sum(tx * (tx - 1) * (tx - 2))) * float(np.sum(ty * (ty - 1) * (ty - 2)))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + (v2 / (9 * n * (n - 1) * (n - 2)) if n > 2 else 0.0)
    z = s_stat / math.sqrt(var_s)
    if alternative == "less":
        p = float(sps.norm.cdf(z))
    elif alternative == "greater":
        p = float(sps.norm.sf(z))
    else:
        p = float(min(1.0, 2 * sps.norm.sf(abs(z))))
    why = "ties present" if ties else f"n >= {KENDALL_EXACT_BELOW_N}"
    notes.insert(0, f"p-value by normal approximation with tie-corrected variance ({why}; R cor.test rule)")
    return tau, p, "z", z


def correlation(
    x: ArrayLike,
    y: ArrayLike,
    *,
    method: CorrelationMethod = "pearson",
    alternative: Alternative = "two-sided",
    confidence_level: float = 0.95,
) -> TestResult:
    """Pearson, Spearman or Kendall correlation test on pairwise-complete observations.

    Parameters
    ----------
    x, y
        Paired observations; pairs with a NaN in either are left out and the notes
        say how many.
    method
        ``"pearson"`` (statistic ``r``; p from t with ``n - 2`` df), ``"spearman"``
        (statistic ``rho``) or ``"kendall"`` (statistic ``tau``, Kendall's tau-b).
    alternative
        ``"greater"``: positive association.

    Returns
    -------
    TestResult
        ``statistic`` the coefficient, ``estimate`` the same with its Fisher z CI
        (SE ``1 / sqrt(n - 3)`` for both methods), ``n`` complete pairs.

    Notes
    -----
    Matches R ``cor.test``.  Pearson: r, t-based p and Fisher z interval, rtol 1e-10.
    Spearman: ``rho`` = Pearson correlation of mid-ranks; as R, the p-value is from
    AS 89 (exact enumeration for n <= 9, Edgeworth series up to n = 1290) when there
    are no ties and n <= 1290, otherwise from the t approximation; the notes say which.
    The Spearman interval is the Fisher z interval computed with R's formula.
    Kendall: tau-b; as R, the p-value is exact (distribution of the number of
    concordant pairs) when n < 50 and there are no ties, otherwise from the normal
    approximation with R's tie-corrected variance of S (no continuity correction);
    no interval (R gives none), ``df`` None.  Matches R 4.2.2 to rtol 1e-9
    (``make_extreme.R``).

    Examples
    --------
    >>> r = correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], method="spearman")
    >>> round(r.statistic, 4), round(r.pvalue, 4)
    (0.8286, 0.0583)
    """
    check_choice("method", method, ("pearson", "spearman", "kendall"))
    check_alternative(alternative)
    level = check_confidence_level(confidence_level)
    xa = float_vector(x, "x")
    ya = float_vector(y, "y")
    if xa.size != ya.size:
        raise InputError(f"`x` and `y` must have the same length, got {xa.size} and {ya.size}")
    ok = ~(np.isnan(xa) | np.isnan(ya))
    notes: list[str] = []
    dropped = int(ok.size - ok.sum())
    if dropped:
        notes.append(f"{dropped} pair(s) with a missing value left out (pairwise-complete)")
    xa, ya = xa[ok], ya[ok]
    n = int(xa.size)
    if n < 3:
        raise InputError(f"correlation test needs at least 3 complete pairs, got {n}")
    for arr, name in ((xa, "x"), (ya, "y")):
        if np.all(arr == arr[0]):
            raise InputError(f"correlation undefined: `{name}` is constant over the {n} complete pairs")
    if method == "pearson":
        xc = xa - xa.mean()
        yc = ya - ya.mean()
        r = _snap_unit(float(np.dot(xc, yc) / math.sqrt(np.dot(xc, xc) * np.dot(yc, yc))))
        p = correlation_pvalue(r, n, alternative=alternative)
        return _result(r, n, method="Pearson correlation", name="r", pvalue=p, alternative=alternative, level=level, notes=notes, df=float(n - 2))
    if method == "kendall":
        tau, p, _, _ = _kendall(xa, ya, alternative, notes)
        return TestResult(
            statistic=tau,
            pvalue=p,
            method="Kendall rank correlation (tau-b)",
            statistic_name="tau",
            df=None,
            alternative=alternative,
            estimate=Estimate("Kendall tau-b", tau, None, method="no interval (as R cor.test)"),
            n=n,
            notes=tuple(notes),
        )
    rx = sps.rankdata(xa)
    ry = sps.rankdata(ya)
    xc = rx - rx.mean()
    yc = ry - ry.mean()
    rho = _snap_unit(float(np.dot(xc, yc) / math.sqrt(np.dot(xc, xc) * np.dot(yc, yc))))
    ties = np.unique(xa).size < n or np.unique(ya).size < n
    exact = n <= SPEARMAN_EXACT_MAX_N and not ties
    if exact:
        how = "exact enumeration" if n <= _AS89_ENUMERATE_MAX_N else "Edgeworth series"
        notes.insert(0, f"p-value by AS 89 ({how}; no ties, n <= {SPEARMAN_EXACT_MAX_N}; R cor.test rule)")
    else:
        why = "ties present" if ties else f"n > {SPEARMAN_EXACT_MAX_N}"
        notes.insert(0, f"p-value by t approximation with n - 2 df ({why}; R cor.test rule)")
    p = _spearman_pvalue(rho, n, alternative, exact)
    return _result(rho, n, method="Spearman rank correlation", name="rho", pvalue=p, alternative=alternative, level=level, notes=notes, df=None if exact else float(n - 2))
