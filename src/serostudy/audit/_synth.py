"""Synthetic individual-level data that reproduce a printed Table 1.

:func:`synthesize` builds one row per participant (``n`` of each printed group) whose
re-computed summaries round to the printed numbers, and reports cell by cell what it
matched and what it could not match because the printed numbers contradict each other.

How
---
1. **Categorical variables**: exactly the printed counts (a count printed only as a
   percentage takes the count that percentage of n gives); participants beyond the
   printed counts get a missing value.
2. **Targets**: each continuous cell aims at its printed mean and SD.  Where a printed
   two-group t-test p is consistent with the summaries, the means and SDs are chosen
   inside their rounding intervals so that the recomputed p rounds to the printed p too;
   a printed correlation r is aimed at the value inside its interval that reproduces the
   printed p (when they agree).
3. **Margins**: sorted normal (or, for ``shape: lognormal``, lognormal) scores are moved
   affinely to the exact target mean and SD; printed minimum and maximum are attained
   by one participant each and the other values are kept inside them (alternating
   clipping and exact rescaling).  Variables printed on a grid (``granularity``, e.g.
   whole years, EDSS half steps) are then put on that grid and adjusted SPRITE-style
   (Heathers et al. 2018): the sum is set to a GRIM-consistent value and pairs of values
   are moved apart or together one grid step at a time until the SD rounds right.
4. **Dependence**: a Gaussian copula with the target correlations orders each margin
   (Iman-Conover: each column takes its values in the rank order of a correlated normal
   draw), then random swaps of two participants' values within one column, which leave
   every margin exactly as it is, bring each correlation (and subgroup means, e.g. B12 by
   sex) into its printed rounding interval.
5. **Re-summary**: every printed cell is recomputed from the data and compared with its
   rounding interval; cells involved in a failed audit check are listed as
   contradicted, with the audit's explanation.

Everything random draws from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from serostudy.audit._checks import Finding, _corr_p, grim_consistent
from serostudy.audit._interval import Printed, to_fraction
from serostudy.audit._run import AuditReport, audit
from serostudy.audit._schema import ContinuousCell, PublishedSummary, load_summary
from serostudy.exceptions import AuditInputError

__all__ = ["CellMatch", "DerivedCategory", "SynthResult", "synthesize", "sprite"]


@dataclass(frozen=True)
class DerivedCategory:
    """A categorical variable cut from a continuous one (e.g. low/normal/high B12).

    Passed to :func:`synthesize` as ``derived={"b12_category": DerivedCategory(...)}``:
    the continuous ``source`` is then generated only for the participants the printed
    counts cover (missing for the rest), with exactly the printed number of values in
    each interval between the cut-offs, and the categorical column is computed from
    those values, so the printed counts are met by the values themselves.

    Attributes
    ----------
    source
        The continuous variable the categories are cut from.
    cuts
        Increasing cut-offs, one fewer than the categorical variable's levels; level
        ``i`` (in the declared order) holds the values between ``cuts[i-1]`` and
        ``cuts[i]``.
    clearance
        Generated values stay at least this far from every cut-off, so the category
        does not depend on the boundary convention (``< 21`` vs ``<= 21``) nor on
        rounding the values to fewer decimals than ``clearance``.

    Examples
    --------
    >>> spec = DerivedCategory("b12_pmol_l", (21.0, 123.0), clearance=0.1)
    >>> spec.level_index(np.array([20.9, 21.1, 123.1])).tolist()
    [0, 1, 2]
    """

    source: str
    cuts: tuple[float, ...]
    clearance: float = 0.0

    def level_index(self, x: np.ndarray) -> np.ndarray:
        """Index of the interval each value falls in (``NaN`` stays ``-1``)."""
        x = np.asarray(x, dtype=float)
        idx = np.searchsorted(np.asarray(self.cuts, dtype=float), x, side="left")
        return np.where(np.isnan(x), -1, idx)


@dataclass(frozen=True, slots=True)
class CellMatch:
    """One printed cell and whether the synthetic data reproduce it.

    Attributes
    ----------
    item
        Where the cell is in the summary file (same paths as the audit findings).
    printed
        The cell as printed.
    achieved
        The same statistic recomputed from the synthetic data (full precision).
    matched
        Whether ``achieved`` rounds to ``printed`` (closed rounding interval).
    contradicted
        True when the audit found this cell inconsistent with other printed numbers.
    reason
        Why an unmatched cell is unmatched.
    """

    item: str
    printed: str
    achieved: float | None
    matched: bool
    contradicted: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        a = self.achieved
        return {
            "item": self.item,
            "printed": self.printed,
            "achieved": None if a is None or not math.isfinite(a) else float(f"{a:.12g}"),
            "matched": self.matched,
            "contradicted": self.contradicted,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SynthResult:
    """Synthetic data and the cell-by-cell report.

    Attributes
    ----------
    data
        One row per participant: ``id``, ``group`` and one column per printed variable
        (variables declared ``same_as`` another are checked against that column).
    cells
        Every printed cell with its recomputed value.
    seed
        The seed used.
    """

    data: pd.DataFrame
    cells: tuple[CellMatch, ...]
    seed: int
    audit: AuditReport | None = field(default=None, repr=False, compare=False)

    @property
    def matched(self) -> tuple[CellMatch, ...]:
        return tuple(c for c in self.cells if c.matched)

    @property
    def unmatched(self) -> tuple[CellMatch, ...]:
        return tuple(c for c in self.cells if not c.matched)

    def report(self) -> pd.DataFrame:
        """The cells as a DataFrame (one row per printed cell)."""
        return pd.DataFrame([c.to_dict() for c in self.cells])


# --------------------------------------------------------------------------- margins


def _shrunk(p: Printed, frac: float = 0.6) -> tuple[float, float]:
    c = p.mid
    return c - frac * (c - p.lo), c + frac * (p.hi - c)


def _rescale(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    s = x.std(ddof=1)
    if s == 0 or not math.isfinite(s):
        return np.full_like(x, mean) if sd == 0 else mean + sd * (np.arange(x.size) - (x.size - 1) / 2) / np.arange(x.size).std(ddof=1)
    return mean + sd * (x - x.mean()) / s


def _continuous_margin(n: int, mean: float, sd: float, lo: float | None, hi: float | None, shape: str,
                       rng: np.random.Generator) -> np.ndarray | None:
    """n values with sample mean ``mean`` and SD ``sd`` exactly, min/max attained if given."""
    z = np.sort(rng.standard_normal(n))
    if shape == "lognormal" and mean > 0:
        sig = math.sqrt(math.log1p((sd / mean) ** 2))
        base = np.exp(sig * z)
        if lo is None:
            lo_bound: float | None = 0.0
            anchor = False
        else:
            lo_bound, anchor = lo, True
    else:
        base = z
        lo_bound, anchor = lo, lo is not None
    if lo is None and hi is None and lo_bound is None:
        return _rescale(base, mean, sd)
    # anchors: one value at the printed min and one at the printed max
    fixed = []
    if anchor and lo is not None:
        fixed.append(lo)
    if hi is not None:
        fixed.append(hi)
    m = n - len(fixed)
    if m <= 1:
        # too few free values for an exact SD: the values are fixed by the mean alone
        # (the caller checks whether the SD then rounds right)
        if m == 1:
            c = n * mean - sum(fixed)
            lb0 = -np.inf if lo_bound is None else lo_bound
            ub0 = np.inf if hi is None else hi
            if not (lb0 <= c <= ub0):
                return None
            return np.sort(np.array([*fixed, c], dtype=float))
        return np.sort(np.array(fixed, dtype=float)) if fixed else None
    S = n * mean - sum(fixed)
    Q = (n - 1) * sd**2 + n * mean**2 - sum(f * f for f in fixed)
    rm = S / m
    rv = (Q - m * rm**2) / (m - 1)
    if rv < 0:
        return None
    rs = math.sqrt(rv)
    inner = base[1:-1] if len(fixed) == 2 else (base[1:] if anchor else base[:-1])
    inner = inner[:m] if inner.size >= m else np.resize(inner, m)
    lb = -np.inf if lo_bound is None else lo_bound
    ub = np.inf if hi is None else hi
    x = _rescale(inner, rm, rs)
    for _ in range(500):
        if x.min() >= lb - 1e-12 and x.max() <= ub + 1e-12:
            break
        x = _rescale(np.clip(x, lb, ub), rm, rs)
    else:
        return None
    x = np.clip(x, lb, ub)
    out = np.concatenate([x, np.array(fixed, dtype=float)])
    return np.sort(out)


def _banded_margin(counts: list[int], cuts: tuple[float, ...], clearance: float, mean: float, sd: float,
                   lo: float | None, hi: float | None, shape: str, rng: np.random.Generator) -> np.ndarray | None:
    """Sorted values, ``counts[i]`` of them in interval ``i`` between the cut-offs, with
    sample mean ``mean`` and SD ``sd`` exactly (least-squares move of a normal or
    lognormal margin, SLSQP); printed min/max, when given, are attained."""
    from scipy import optimize

    n = int(sum(counts))
    if n < 2:
        return None
    x0 = _continuous_margin(n, mean, sd, None, None, shape, rng)
    if x0 is None:
        return None
    x0 = np.sort(x0)
    edges = [-np.inf, *cuts, np.inf]
    lb = np.empty(n)
    ub = np.empty(n)
    k = 0
    for i, c in enumerate(counts):
        lb[k:k + c] = edges[i] + clearance
        ub[k:k + c] = edges[i + 1] - clearance
        k += c
    if shape == "lognormal":
        lb = np.maximum(lb, 0.0)
    if lo is not None:
        lb = np.maximum(lb, lo)
        if lb[0] <= lo <= ub[0]:
            lb[0] = ub[0] = lo
    if hi is not None:
        ub = np.minimum(ub, hi)
        if lb[-1] <= hi <= ub[-1]:
            lb[-1] = ub[-1] = hi
    if np.any(lb > ub):
        return None
    start = np.clip(x0, lb, ub)
    res = optimize.minimize(
        lambda x: float(np.sum((x - x0) ** 2)) / n, start, jac=lambda x: 2 * (x - x0) / n,
        constraints=[{"type": "eq", "fun": lambda x: x.mean() - mean, "jac": lambda x: np.full(n, 1.0 / n)},
                     {"type": "eq", "fun": lambda x: x.std(ddof=1) - sd,
                      "jac": lambda x: (x - x.mean()) / ((n - 1) * max(x.std(ddof=1), 1e-300))}],
        bounds=[(a if np.isfinite(a) else None, b if np.isfinite(b) else None) for a, b in zip(lb, ub)],
        method="SLSQP", options={"maxiter": 1000, "ftol": 1e-14})
    x = np.clip(res.x, lb, ub)
    if abs(x.mean() - mean) > 1e-9 * max(1.0, abs(mean)) or abs(x.std(ddof=1) - sd) > 1e-9 * max(1.0, sd):
        return None
    return x


def sprite(n: int, mean: Printed | float, sd: Printed | float, *, granularity: float = 1.0, lo: float | None = None,
           hi: float | None = None, target_mean: float | None = None, target_sd: float | None = None,
           seed: int | np.random.Generator = 0, start: np.ndarray | None = None, max_steps: int = 20_000) -> np.ndarray | None:
    """SPRITE (Heathers, Anaya, van der Zee & Brown 2018): data on a grid with a printed mean and SD.

    Parameters
    ----------
    n
        Sample size.
    mean, sd
        Printed mean and SD (:class:`Printed`) or plain numbers (matched to 2 decimals).
    granularity
        Grid step of the data (1 for whole numbers, 0.5 for EDSS).
    lo, hi
        Bounds; when given they are also attained (printed minimum and maximum).
    target_mean, target_sd
        Preferred values inside the printed intervals (default: the printed values).
    seed
        Seed or generator for the random moves.
    start
        Optional starting values (e.g. a continuous solution to put on the grid).

    Returns
    -------
    numpy.ndarray or None
        Sorted values whose mean and SD round to the printed ones, or ``None`` when the
        search fails (e.g. the SD is impossible within the bounds).

    Examples
    --------
    >>> x = sprite(20, 3.45, 1.28, lo=1, hi=7, seed=1)
    >>> round(float(x.mean()), 2), round(float(x.std(ddof=1)), 2)
    (3.45, 1.28)
    """
    from serostudy.audit._interval import parse_printed

    P_mean = mean if isinstance(mean, Printed) else parse_printed(f"{mean:.2f}")
    P_sd = sd if isinstance(sd, Printed) else parse_printed(f"{sd:.2f}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    g = Fraction(granularity).limit_denominator(1000)
    ks = grim_consistent(P_mean, n, granularity=g)
    if not ks:
        return None
    tm = P_mean.mid if target_mean is None else target_mean
    K = min(ks, key=lambda k: abs(float(k * g / n) - tm))
    ts = P_sd.mid if target_sd is None else target_sd
    lo_u = None if lo is None else math.ceil(lo / float(g) - 1e-9)
    hi_u = None if hi is None else math.floor(hi / float(g) + 1e-9)
    if start is None:
        start = _continuous_margin(n, float(K * g / n), ts, lo, hi, "normal", rng)
        if start is None:
            start = np.full(n, float(K * g / n))
    u = np.rint(np.asarray(start, dtype=float) / float(g)).astype(np.int64)
    if lo_u is not None:
        u = np.maximum(u, lo_u)
    if hi_u is not None:
        u = np.minimum(u, hi_u)
    u.sort()
    # keep one value at each printed bound
    pinned = set()
    if lo_u is not None:
        u[0] = lo_u
        pinned.add(0)
    if hi_u is not None:
        u[-1] = hi_u
        pinned.add(n - 1)
    free = np.array([i for i in range(n) if i not in pinned])
    # fix the sum
    diff = int(K - u.sum())
    guard = 0
    while diff != 0 and guard < 100 * n:
        guard += 1
        i = int(rng.choice(free))
        step = 1 if diff > 0 else -1
        v = u[i] + step
        if (lo_u is not None and v < lo_u) or (hi_u is not None and v > hi_u):
            continue
        u[i] = v
        diff -= step
    if diff != 0:
        return None
    gf = float(g)
    lo_sd, hi_sd = P_sd.lo, P_sd.hi
    best: np.ndarray | None = None
    best_gap = math.inf
    for _ in range(max_steps):
        s = float(np.std(u * gf, ddof=1))
        if P_sd.contains(Fraction(s)) and abs(s - ts) < best_gap:
            best, best_gap = u.copy(), abs(s - ts)
            if best_gap <= 0.3 * (hi_sd - lo_sd):
                break
        if free.size < 2:
            break
        i, j = rng.choice(free, size=2, replace=False)
        if u[i] > u[j]:
            i, j = j, i
        if s < ts:  # spread out: lower the smaller, raise the larger
            a, b = u[i] - 1, u[j] + 1
        else:  # pull together
            if u[j] - u[i] < 2:
                continue
            a, b = u[i] + 1, u[j] - 1
        if (lo_u is not None and min(a, b) < lo_u) or (hi_u is not None and max(a, b) > hi_u):
            continue
        u[i], u[j] = a, b
    if best is None:
        return None
    return np.sort(best * gf)


def _cell_ok(cell: ContinuousCell, x: np.ndarray) -> bool:
    """Whether mean, SD, min and max of ``x`` round to the printed cell."""
    checks = [(cell.mean, x.mean()), (cell.min, x.min()), (cell.max, x.max())]
    if x.size > 1:
        checks.append((cell.sd, x.std(ddof=1)))
    return all(p is None or p.contains(Fraction(float(v))) for p, v in checks)


# --------------------------------------------------------------------------- dependence


def _nearest_pd(R: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(R)
    w = np.clip(w, 1e-6, None)
    R2 = V @ np.diag(w) @ V.T
    d = np.sqrt(np.diag(R2))
    return R2 / np.outer(d, d)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = math.sqrt(float((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else 0.0


@dataclass
class _Target:
    kind: str  # "r" or "submean" or "subsd"
    cols: tuple[str, ...]
    lo: float
    hi: float
    mask: np.ndarray | None = None


def _swap_search(block: pd.DataFrame, cols: list[str], targets: list[_Target], rng: np.random.Generator,
                 steps: int = 100_000, continuous: frozenset[str] = frozenset(),
                 bands: dict[str, DerivedCategory] | None = None) -> pd.DataFrame:
    """Move values within columns while that lowers the distance to the targets.

    Two kinds of move, both keeping each column's mean and SD exactly: swapping two
    participants' values (any column; keeps the margin itself), and, for columns in
    ``continuous`` (not on a grid), rotating three values about their mean (keeps their
    sum and sum of squares), which allows fine steps; the column's minimum and maximum
    values are never moved and rotated values stay strictly between them.  Each target
    statistic is updated in O(1) per proposal.

    Rows with a missing value in any of ``cols`` are left as they are (the moves run
    over the complete rows, so every column's margin is still kept).  For columns in
    ``bands`` (the source of a :class:`DerivedCategory`), a rotation must leave each
    value in its interval between the cut-offs."""
    if not targets or not cols:
        return block
    idx = {c: k for k, c in enumerate(cols)}
    M = block[cols].to_numpy(dtype=float).copy()
    complete = ~np.isnan(M).any(axis=1)
    if not complete.all():
        M = M[complete]
        targets = [t if t.mask is None else _Target(t.kind, t.cols, t.lo, t.hi, mask=t.mask[complete])
                   for t in targets]
    n = M.shape[0]
    if n < 3:
        return block
    band_of = {idx[c]: b for c, b in (bands or {}).items() if c in idx}
    mean = M.mean(0)
    sd = M.std(0, ddof=1)
    # state per target: running sums
    state: list[list[float]] = []
    for t in targets:
        k = idx[t.cols[0]]
        if t.kind == "r":
            state.append([float((M[:, k] * M[:, idx[t.cols[1]]]).sum())])
        else:
            x = M[t.mask, k]
            state.append([float(x.sum()), float((x * x).sum()), float(x.size)])

    def value(q: int, st: list[float]) -> float:
        t = targets[q]
        if t.kind == "r":
            a, b = idx[t.cols[0]], idx[t.cols[1]]
            den = (n - 1) * sd[a] * sd[b]
            return (st[0] - n * mean[a] * mean[b]) / den if den > 0 else 0.0
        T, Q, m = st
        if t.kind == "submean":
            return T / m
        return math.sqrt(max(Q - T * T / m, 0.0) / (m - 1)) if m > 1 else 0.0

    def dist(q: int, v: float) -> float:
        t = targets[q]
        scale = max(t.hi - t.lo, 1e-9)
        if v < t.lo:
            return ((t.lo - v) / scale) ** 2
        if v > t.hi:
            return ((v - t.hi) / scale) ** 2
        return 0.0

    d = [dist(q, value(q, state[q])) for q in range(len(targets))]
    involved = sorted({idx[c] for t in targets for c in t.cols})
    by_col = {k: [q for q, t in enumerate(targets) if k in (idx[c] for c in t.cols)] for k in involved}
    ii = rng.integers(n, size=(steps, 2))
    cc = rng.integers(len(involved), size=steps)
    total = sum(d)
    rot_cols = {idx[c] for c in continuous if c in idx}
    kk = rng.integers(n, size=(steps, 3))
    ang = rng.normal(0.0, 0.15, size=steps)
    coin = rng.random(steps)
    for step in range(steps):
        if total <= 0.0:
            break
        k = involved[int(cc[step])]
        if k in rot_cols and coin[step] < 0.5:
            total = _rotate(M, k, kk[step], float(ang[step]), targets, idx, by_col, state, d, value, dist, n,
                            band_of.get(k))
            continue
        i, j = int(ii[step, 0]), int(ii[step, 1])
        xi, xj = M[i, k], M[j, k]
        if i == j or xi == xj:
            continue
        qs = by_col[k]
        new_states = []
        new_d = 0.0
        old_d = 0.0
        for q in qs:
            t = targets[q]
            st = list(state[q])
            if t.kind == "r":
                other = idx[t.cols[1]] if idx[t.cols[0]] == k else idx[t.cols[0]]
                st[0] += (xj - xi) * (M[i, other] - M[j, other])
            else:
                mi, mj = bool(t.mask[i]), bool(t.mask[j])  # type: ignore[index]
                if mi != mj:
                    if mi:  # i gets xj
                        st[0] += xj - xi
                        st[1] += xj * xj - xi * xi
                    else:
                        st[0] += xi - xj
                        st[1] += xi * xi - xj * xj
            new_states.append(st)
            new_d += dist(q, value(q, st))
            old_d += d[q]
        if new_d <= old_d:
            M[i, k], M[j, k] = xj, xi
            for q, st in zip(qs, new_states):
                state[q] = st
                d[q] = dist(q, value(q, st))
            total = sum(d)
    out = block.copy()
    for c in cols:
        col = out[c].to_numpy(dtype=float).copy()
        col[complete] = M[:, idx[c]]
        out[c] = col
    return out


def _rotate(M, k, ids, theta, targets, idx, by_col, state, d, value, dist, n,
            band: DerivedCategory | None = None) -> float:
    """Rotate three values of column k about their mean by angle theta (keeps sum and
    sum of squares); accept if the targets' distance does not grow.  Returns the total."""
    i, j, l = (int(x) for x in ids)
    if len({i, j, l}) < 3:
        return sum(d)
    col = M[:, k]
    lo_i, hi_i = int(np.argmin(col)), int(np.argmax(col))
    if {i, j, l} & {lo_i, hi_i}:
        return sum(d)
    old = np.array([col[i], col[j], col[l]])
    m = old.mean()
    v = old - m
    # orthonormal basis of the plane orthogonal to (1, 1, 1)
    e1 = np.array([1.0, -1.0, 0.0]) / math.sqrt(2)
    e2 = np.array([1.0, 1.0, -2.0]) / math.sqrt(6)
    a, b = float(v @ e1), float(v @ e2)
    c, s_ = math.cos(theta), math.sin(theta)
    new = m + (a * c - b * s_) * e1 + (a * s_ + b * c) * e2
    if new.min() <= col[lo_i] or new.max() >= col[hi_i]:
        return sum(d)
    if band is not None:
        if not np.array_equal(band.level_index(new), band.level_index(old)):
            return sum(d)
        if band.cuts and np.min(np.abs(new[:, None] - np.asarray(band.cuts)[None, :])) < band.clearance:
            return sum(d)
    delta = new - old
    rows = (i, j, l)
    qs = by_col[k]
    new_states = []
    new_d = old_d = 0.0
    for q in qs:
        t = targets[q]
        st = list(state[q])
        if t.kind == "r":
            other = idx[t.cols[1]] if idx[t.cols[0]] == k else idx[t.cols[0]]
            st[0] += float(sum(delta[r] * M[rows[r], other] for r in range(3)))
        else:
            for r in range(3):
                if t.mask[rows[r]]:
                    st[0] += float(delta[r])
                    st[1] += float(new[r] ** 2 - old[r] ** 2)
        new_states.append(st)
        new_d += dist(q, value(q, st))
        old_d += d[q]
    if new_d <= old_d:
        for r in range(3):
            M[rows[r], k] = new[r]
        for q, st in zip(qs, new_states):
            state[q] = st
            d[q] = dist(q, value(q, st))
    return sum(d)


# --------------------------------------------------------------------------- targets from tests


def _mean_candidates(cell: ContinuousCell, n: int, gran: Fraction | None, k: int = 7) -> np.ndarray:
    if gran is not None:
        ks = grim_consistent(cell.mean, n, granularity=gran)  # type: ignore[arg-type]
        if ks and len(ks) <= 50:
            return np.array([float(K * gran / n) for K in ks])
    a, b = _shrunk(cell.mean)  # type: ignore[arg-type]
    return np.linspace(a, b, k)


def _ttest_targets(v, c1: ContinuousCell, n1: int, c2: ContinuousCell, n2: int, finding: Finding | None,
                   gran: Fraction | None, rng: np.random.Generator | None = None) -> tuple[float, float, float, float] | None:
    """Means and SDs inside their intervals whose t-test p falls inside the printed p."""
    if finding is None or finding.verdict not in ("consistent", "consistent_under_variant") or v.test is None or v.test.p is None:
        return None
    ok = [x for x in finding.variants if x.matches]
    if not ok:
        return None
    name = ok[0].name
    equal = name.startswith("Student")
    alt = "two-sided" if "two-sided" in name else ("data" if "direction" in name else (v.test.alternative or "two-sided"))
    M1 = _mean_candidates(c1, n1, gran)
    M2 = _mean_candidates(c2, n2, gran)
    S1 = np.linspace(*_shrunk(c1.sd), 7)  # type: ignore[arg-type]
    S2 = np.linspace(*_shrunk(c2.sd), 7)  # type: ignore[arg-type]
    a, b, c, d = np.meshgrid(M1, S1, M2, S2, indexing="ij")
    from serostudy.audit._checks import _p_from_t

    v1, v2 = b**2 / n1, d**2 / n2
    if equal:
        sp2 = ((n1 - 1) * b**2 + (n2 - 1) * d**2) / (n1 + n2 - 2)
        se = np.sqrt(sp2 * (1 / n1 + 1 / n2))
        df = np.full_like(se, n1 + n2 - 2)
    else:
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    p = _p_from_t((a - c) / se, df, alt)
    pc = v.test.p.mid
    plo, phi = _shrunk(v.test.p)
    dist = np.where((p >= plo) & (p <= phi), 0.0, np.minimum(abs(p - plo), abs(p - phi)) + 1)
    dist = dist + 1e-3 * abs(p - pc) + 1e-3 * (abs(a - c1.mean.mid) + abs(c - c2.mean.mid))  # type: ignore[union-attr]
    good = np.flatnonzero((p >= plo) & (p <= phi))
    if rng is not None and good.size:
        i = np.unravel_index(int(good[rng.integers(good.size)]), dist.shape)
    else:
        i = np.unravel_index(int(np.argmin(dist)), dist.shape)
    return float(a[i]), float(b[i]), float(c[i]), float(d[i])


def _r_target(r: Printed, p: Printed | None, n: int, finding: Finding | None) -> tuple[float, float]:
    lo, hi = _shrunk(r, 0.6)
    if p is None or finding is None or finding.verdict not in ("consistent", "consistent_under_variant"):
        return lo, hi
    ok = [x for x in finding.variants if x.matches]
    one = bool(ok) and "one-sided" in ok[0].name
    sign = 1.0 if r.mid >= 0 else -1.0
    # r giving the printed p's interval ends (two-sided or one-sided)
    rs = []
    for pv in _shrunk(p, 0.6):
        q = pv if one else pv / 2
        t = stats.t.isf(min(max(q, 1e-300), 0.5), n - 2)
        rs.append(sign * t / math.sqrt(n - 2 + t * t))
    a, b = min(rs), max(rs)
    a2, b2 = max(a, r.lo), min(b, r.hi)
    if a2 <= b2:
        return a2, b2
    return lo, hi


# --------------------------------------------------------------------------- main


def _gen_margin(v: Any, cell: ContinuousCell, n: int, tm: float, ts: float, rng: np.random.Generator,
                max_tries: int, bands: tuple[list[int], DerivedCategory] | None = None) -> np.ndarray | None:
    """Values for one printed cell: at the targets first, then elsewhere in the intervals.

    With ``bands`` (counts per interval and the cut-offs), the values fall into the
    intervals between the cut-offs in exactly those numbers."""
    lo = None if cell.min is None else cell.min.mid
    hi = None if cell.max is None else cell.max.mid
    for attempt in range(max_tries * 10):
        if attempt >= max_tries:
            # small samples: the midpoints may be jointly impossible; try other values
            # inside the printed rounding intervals
            tm = float(rng.uniform(*_shrunk(cell.mean, 0.95)))  # type: ignore[arg-type]
            ts = float(rng.uniform(*_shrunk(cell.sd, 0.95)))  # type: ignore[arg-type]
            if v.granularity is None:
                lo = None if cell.min is None else float(rng.uniform(*_shrunk(cell.min, 0.95)))
                hi = None if cell.max is None else float(rng.uniform(*_shrunk(cell.max, 0.95)))
        if bands is not None:
            x = _banded_margin(bands[0], bands[1].cuts, bands[1].clearance, tm, ts, lo, hi, v.shape or "normal", rng)
        elif v.granularity is not None:
            x = sprite(n, cell.mean, cell.sd, granularity=float(to_fraction(v.granularity.value)), lo=lo, hi=hi,  # type: ignore[arg-type]
                       target_mean=tm, target_sd=ts, seed=rng)
        else:
            x = _continuous_margin(n, tm, ts, lo, hi, v.shape or "normal", rng)
        if x is not None and _cell_ok(cell, x):
            return x
    return None


def _two_sample_ps(a: np.ndarray, b: np.ndarray) -> tuple[float, ...]:
    """Student and Welch p, two-sided and halved (one-sided in the data's direction)."""
    ps = float(stats.ttest_ind(a, b, equal_var=True).pvalue)
    pw = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    return ps, pw, ps / 2, pw / 2


def _level_counts(v: Any, g: str, n: int) -> list[int] | None:
    """Count per level (declared order) of a categorical variable in group g (None: not printed)."""
    cells = v.counts.get(g)
    if not cells:
        return None
    out = []
    for lvl in v.levels or []:
        c = cells.get(lvl)
        if c is None:
            out.append(0)
            continue
        k = c.n
        if k is None and c.pct is not None:
            k = math.ceil(to_fraction(c.pct.low) * n / 100)
        out.append(int(k or 0))
    return out


def _place_missing(block: pd.DataFrame, cat: str, source: str, g: str, s: PublishedSummary,
                   targets_all: dict[tuple[str, str], tuple[float, float]], finding: Any,
                   rng: np.random.Generator) -> None:
    """Choose who lacks the derived variable's source so that printed subgroup means of
    the source (e.g. B12 by sex) still pool to its overall mean over the measured rows."""
    col = block[cat].to_numpy(dtype=object)
    missing = int(pd.isna(block[cat]).sum())
    if missing == 0 or (source, g) not in targets_all:
        return
    for i, sg in enumerate(s.subgroups):
        if sg.variable != source or sg.group != g or sg.by is None or sg.by not in block:
            continue
        fm = finding(f"subgroups[{i}]", "subgroup_mean")
        if fm is None or fm.verdict != "consistent" or any(pc.mean is None for pc in sg.parts.values()):
            continue
        levels = list(sg.parts)
        by = block[sg.by].to_numpy(dtype=object)
        counts = {lv: int((by == lv).sum()) for lv in levels}
        means = {lv: sg.parts[lv].mean.mid for lv in levels}  # type: ignore[union-attr]
        target = targets_all[(source, g)][0]
        pool = set(range(len(block)))
        chosen: list[int] = []
        for _ in range(missing):
            def gap(lv: str) -> float:
                c = dict(counts)
                c[lv] -= 1
                tot = sum(c.values())
                return abs(sum(c[k] * means[k] for k in levels) / tot - target) if tot else math.inf
            cands = [lv for lv in levels if counts[lv] > 0 and any(by[j] == lv for j in pool)]
            if not cands:
                return
            lv = min(cands, key=gap)
            rows = sorted(j for j in pool if by[j] == lv)
            j = int(rows[int(rng.integers(len(rows)))])
            chosen.append(j)
            pool.discard(j)
            counts[lv] -= 1
        vals = [v for v in col if v is not None and not (isinstance(v, float) and math.isnan(v))]
        new = np.full(len(col), None, dtype=object)
        keep = [j for j in range(len(col)) if j not in set(chosen)]
        order = rng.permutation(len(vals))
        for j, k in zip(keep, order):
            new[j] = vals[int(k)]
        block[cat] = pd.Series(new, dtype="object")
        return


def _check_derived(s: PublishedSummary, derived: dict[str, DerivedCategory]) -> None:
    for name, spec in derived.items():
        where = f"synthesize(derived={{{name!r}: ...}})"
        v = s.variables.get(name)
        if v is None or v.type != "categorical":
            raise AuditInputError(f"{where}: {name!r} is not a categorical variable of the summary")
        src = s.variables.get(spec.source)
        if src is None or src.type != "continuous" or src.same_as is not None:
            raise AuditInputError(f"{where}: source {spec.source!r} is not a continuous variable of the summary "
                                  "(with its own summaries)")
        if src.granularity is not None:
            raise AuditInputError(f"{where}: source {spec.source!r} has a granularity; cut-offs are supported for "
                                  "continuous (off-grid) variables only")
        if len(spec.cuts) != len(v.levels or []) - 1 or any(b <= a for a, b in zip(spec.cuts, spec.cuts[1:])):
            raise AuditInputError(f"{where}: expected {len(v.levels or []) - 1} increasing cut-offs for levels "
                                  f"{v.levels}, found {list(spec.cuts)}")
        if not (spec.clearance >= 0):
            raise AuditInputError(f"{where}: clearance must be >= 0, found {spec.clearance!r}")
        if sum(1 for d in derived.values() if d.source == spec.source) > 1:
            raise AuditInputError(f"{where}: source {spec.source!r} is the source of more than one derived variable")
        for g in src.summaries:
            if _level_counts(v, g, s.group_n(g)) is None:
                raise AuditInputError(f"{where}: no printed counts of {name!r} in group {g!r}, where "
                                      f"{spec.source!r} has a summary")


def synthesize(summary: PublishedSummary | str | Any, *, seed: int, report: AuditReport | None = None,
               max_tries: int = 20, derived: dict[str, DerivedCategory] | None = None) -> SynthResult:
    """Synthetic individual-level data reproducing a printed Table 1.

    Parameters
    ----------
    summary
        A :class:`~serostudy.audit.PublishedSummary` or anything
        :func:`~serostudy.audit.load_summary` reads.
    seed
        Seed of every random draw (``numpy.random.default_rng(seed)``); the same seed
        gives the same data.
    report
        The audit of ``summary`` (computed if not given); it decides which cells are
        contradicted and which printed p-values to aim at.
    max_tries
        Fresh draws (from the same generator) tried per group when a margin or the
        correlation search fails.
    derived
        Categorical variables cut from a continuous one
        (``{"b12_category": DerivedCategory("b12_pmol_l", (21, 123))}``): the source is
        then given only to the participants the printed counts cover, with exactly the
        printed number of values in each interval (while keeping its mean and SD), and
        the categories are computed from the values.

    Returns
    -------
    SynthResult
        ``.data`` (one row per participant) and ``.cells`` (every printed cell, matched
        or not, with reasons).

    Notes
    -----
    Validated by re-summarising: every cell of the seed paper that the audit finds
    consistent rounds back to its printed value (``tests/audit/test_synth.py``).

    Examples
    --------
    >>> from serostudy.audit import load_seed
    >>> res = synthesize(load_seed(), seed=1)
    >>> len(res.data), all(c.matched for c in res.cells if not c.contradicted)
    (88, True)
    """
    s = summary if isinstance(summary, PublishedSummary) else load_summary(summary)
    rep = report if report is not None else audit(s)
    rng = np.random.default_rng(seed)
    by_item: dict[str, list[Finding]] = {}
    for f in rep.findings:
        by_item.setdefault(f.item, []).append(f)

    def finding(item: str, check: str | None = None) -> Finding | None:
        for f in by_item.get(item, []):
            if check is None or f.check == check:
                return f
        return None

    cont = {k: v for k, v in s.variables.items() if v.type == "continuous" and v.same_as is None}
    cats = {k: v for k, v in s.variables.items() if v.type == "categorical"}
    derived = dict(derived or {})
    _check_derived(s, derived)
    src_of = {spec.source: (cat, spec) for cat, spec in derived.items()}

    def n_of(name: str, g: str, cell: ContinuousCell) -> int:
        if cell.n is not None:
            return cell.n
        if name in src_of:
            return int(sum(_level_counts(s.variables[src_of[name][0]], g, s.group_n(g)) or []))
        return s.group_n(g)

    def bands_of(name: str, g: str) -> tuple[list[int], DerivedCategory] | None:
        if name not in src_of:
            return None
        cat, spec = src_of[name]
        return _level_counts(s.variables[cat], g, s.group_n(g)) or [], spec
    # ---- continuous margins for every (variable, group), before the groups' rows
    targets_all: dict[tuple[str, str], tuple[float, float]] = {}
    for name, v in cont.items():
        for g, cell in v.summaries.items():
            if cell.mean is not None and cell.sd is not None:
                targets_all[(name, g)] = (cell.mean.mid, cell.sd.mid)
    # subgroup means that pool consistently: put the overall mean where they pool
    for i, sg in enumerate(s.subgroups):
        if sg.group is None or sg.by is None or (sg.variable, sg.group) not in targets_all:
            continue
        fm = finding(f"subgroups[{i}]", "subgroup_mean")
        overall = cont[sg.variable].summaries[sg.group].mean if sg.variable in cont else None
        if fm is None or fm.verdict != "consistent" or overall is None:
            continue
        part_ns: list[int | None] = []
        for lvl, pc in sg.parts.items():
            lc = s.variables[sg.by].counts.get(sg.group, {}).get(lvl)
            part_ns.append(pc.n or (None if lc is None else lc.n))
        ns = [k for k in part_ns if k is not None]
        means = [pc.mean for pc in sg.parts.values() if pc.mean is not None]
        if len(ns) < len(part_ns) or len(means) < len(sg.parts):
            continue
        pooled = sum(k * m.mid for k, m in zip(ns, means)) / sum(ns)
        lo_m, hi_m = _shrunk(overall, 0.9)
        key = (sg.variable, sg.group)
        sd_target = targets_all[key][1]
        fs = finding(f"subgroups[{i}]", "subgroup_sd")
        overall_sd = cont[sg.variable].summaries[sg.group].sd
        sds = [pc.sd for pc in sg.parts.values() if pc.sd is not None]
        if (fs is not None and fs.verdict == "consistent" and overall_sd is not None
                and len(sds) == len(sg.parts)):
            # and the overall SD where the subgroup SDs and means pool
            N = sum(ns)
            ss = sum((k - 1) * sd.mid**2 + k * (m.mid - pooled) ** 2 for k, sd, m in zip(ns, sds, means))
            lo_s, hi_s = _shrunk(overall_sd, 0.9)
            sd_target = min(max(math.sqrt(ss / (N - 1)), lo_s), hi_s)
        targets_all[key] = (min(max(pooled, lo_m), hi_m), sd_target)
    margins: dict[tuple[str, str], np.ndarray | None] = {}
    for name, v in cont.items():
        gs = [g for g in v.summaries if (name, g) in targets_all]
        tf = None
        pair = None
        if v.test is not None and v.test.p is not None and len(v.summaries) == 2 and len(gs) == 2:
            tf = finding(f"variables.{name}.test.p", "t_test")
            if tf is None or tf.verdict not in ("consistent", "consistent_under_variant"):
                tf = None
            else:
                (g1, c1), (g2, c2) = list(v.summaries.items())
                pair = (g1, c1, n_of(name, g1, c1), g2, c2, n_of(name, g2, c2))
        gran = None if v.granularity is None else to_fraction(v.granularity.value)
        for attempt in range(30 if tf is not None else 1):
            if tf is not None and pair is not None:
                g1, c1, n1, g2, c2, n2 = pair
                t = _ttest_targets(v, c1, n1, c2, n2, tf, gran, rng=rng if attempt else None)
                if t is not None:
                    targets_all[(name, g1)] = (t[0], t[1])
                    targets_all[(name, g2)] = (t[2], t[3])
            for g in gs:
                cell = v.summaries[g]
                margins[(name, g)] = _gen_margin(v, cell, n_of(name, g, cell), *targets_all[(name, g)], rng, max_tries,
                                                 bands_of(name, g))
            if tf is None or pair is None:
                break
            xa, xb = margins.get((name, pair[0])), margins.get((name, pair[3]))
            if xa is None or xb is None:
                continue
            if any(v.test.p.contains(Fraction(float(q))) for q in _two_sample_ps(xa, xb)):  # type: ignore[union-attr]
                break

    blocks = []
    counter = 0
    for g, gspec in s.groups.items():
        n = gspec.n
        block = pd.DataFrame({"id": [f"S{counter + i + 1:04d}" for i in range(n)], "group": g})
        counter += n
        # categorical: exact counts, missing beyond them
        for name, v in cats.items():
            lcells = v.counts.get(g)
            col = np.full(n, None, dtype=object)
            if lcells:
                vals: list[str] = []
                for lvl in v.levels or []:
                    lc = lcells.get(lvl)
                    if lc is None:
                        continue
                    k = lc.n
                    if k is None and lc.pct is not None:
                        lo_k = math.ceil(to_fraction(lc.pct.low) * n / 100)
                        k = lo_k
                    vals.extend([lvl] * int(k or 0))
                vals = vals[:n]
                col[: len(vals)] = vals
                rng.shuffle(col)
            block[name] = pd.Series(col, dtype="object")
        for cat, spec in derived.items():
            _place_missing(block, cat, spec.source, g, s, targets_all, finding, rng)
        targets_ms = {name: tgt for (name, gg), tgt in targets_all.items() if gg == g}
        for name in cont:
            x = margins.get((name, g))
            if x is not None and name in src_of:
                # measured for exactly the participants the derived counts cover
                col = np.full(n, np.nan)
                col[block[src_of[name][0]].notna().to_numpy()] = x
                x = col
            block[name] = np.nan if x is None else x
        # dependence: copula ordering, then swaps
        corr_targets: list[_Target] = []
        ccols = [cc for cc in targets_ms if not block[cc].isna().all()]
        for i, cs in enumerate(s.correlations):
            if cs.group != g or cs.x not in ccols or cs.y not in ccols:
                continue
            n_pairs = int((block[cs.x].notna() & block[cs.y].notna()).sum())
            lo_r, hi_r = _r_target(cs.r, cs.p, cs.n or n_pairs, finding(f"correlations[{i}]"))
            corr_targets.append(_Target("r", (cs.x, cs.y), lo_r, hi_r))
        if ccols:
            idx = {cc: k for k, cc in enumerate(ccols)}
            R = np.eye(len(ccols))
            for tg in corr_targets:
                a, b = idx[tg.cols[0]], idx[tg.cols[1]]
                R[a, b] = R[b, a] = (tg.lo + tg.hi) / 2
            R = _nearest_pd(R)
            Z = rng.multivariate_normal(np.zeros(len(ccols)), R, size=n, method="cholesky")
            for cc in ccols:
                xs = block[cc].to_numpy(dtype=float).copy()
                have = ~np.isnan(xs)
                sorted_vals = np.sort(xs[have])
                ranks = np.argsort(np.argsort(Z[have, idx[cc]]))
                xs[have] = sorted_vals[ranks]
                block[cc] = xs
        for i, sg in enumerate(s.subgroups):
            if sg.group != g or sg.by is None or sg.variable not in ccols:
                continue
            fm = finding(f"subgroups[{i}]", "subgroup_mean")
            fs = finding(f"subgroups[{i}]", "subgroup_sd")
            for lvl, pc in sg.parts.items():
                mask = (block[sg.by] == lvl).to_numpy()
                if mask.sum() < 2:
                    continue
                if pc.mean is not None and fm is not None and fm.verdict == "consistent":
                    corr_targets.append(_Target("submean", (sg.variable,), *_shrunk(pc.mean, 0.9), mask=mask))
                if pc.sd is not None and fs is not None and fs.verdict == "consistent":
                    corr_targets.append(_Target("subsd", (sg.variable,), *_shrunk(pc.sd, 0.9), mask=mask))
        block = _swap_search(block, ccols, corr_targets, rng,
                             steps=300_000 if any(tg.kind != "r" for tg in corr_targets) else 100_000,
                             continuous=frozenset(c for c in ccols if cont[c].granularity is None),
                             bands={c: src_of[c][1] for c in ccols if c in src_of})
        # derived categories: computed from the values themselves
        for cat, spec in derived.items():
            if block[spec.source].isna().all():
                continue
            levels = list(s.variables[cat].levels or [])
            li = spec.level_index(block[spec.source].to_numpy(dtype=float))
            block[cat] = pd.Series([levels[i] if i >= 0 else None for i in li], dtype="object")
        blocks.append(block)
    data = pd.concat(blocks, ignore_index=True)
    matches = _resummarise(s, rep, data)
    return SynthResult(data=data, cells=tuple(matches), seed=seed, audit=rep)


# --------------------------------------------------------------------------- re-summary


def _resummarise(s: PublishedSummary, rep: AuditReport, data: pd.DataFrame) -> list[CellMatch]:
    flagged: dict[str, list[Finding]] = {}
    for f in rep.findings:
        if f.flagged:
            flagged.setdefault(f.item, []).append(f)

    def contra(*items: str, check: str | None = None) -> Finding | None:
        for it in items:
            for f in flagged.get(it, []):
                if check is None or f.check == check:
                    return f
        return None

    out: list[CellMatch] = []

    def add(item: str, printed: Printed, value: float | None, bad: Finding | None, variants: tuple[float, ...] = ()) -> None:
        vals = [v for v in (value, *variants) if v is not None and math.isfinite(v)]
        ok = any(printed.contains(Fraction(v)) for v in vals)
        if ok:
            out.append(CellMatch(item, printed.text, value, True, bad is not None, ""))
        elif bad is not None:
            out.append(CellMatch(item, printed.text, value, False, True, f"contradicted: {bad.explanation}"))
        else:
            out.append(CellMatch(item, printed.text, value, False, False, "not reached by the generator"))

    for name, v in s.variables.items():
        base = f"variables.{name}"
        col = v.same_as or name
        if v.type == "continuous":
            for g, cell in v.summaries.items():
                x = data.loc[data.group == g, col].to_numpy(dtype=float)
                x = x[~np.isnan(x)]
                it = f"{base}.summaries.{g}"
                stats_map = {
                    "mean": x.mean() if x.size else None,
                    "sd": x.std(ddof=1) if x.size > 1 else None,
                    "min": x.min() if x.size else None,
                    "max": x.max() if x.size else None,
                    "median": float(np.median(x)) if x.size else None,
                    "q1": float(np.percentile(x, 25)) if x.size else None,
                    "q3": float(np.percentile(x, 75)) if x.size else None,
                }
                for stat, val in stats_map.items():
                    pr = getattr(cell, stat)
                    if pr is None:
                        continue
                    bad = contra(f"{it}.{stat}", check="identity") or (
                        contra(f"{it}.sd", check="sd_range") if stat in ("sd", "min", "max") else None)
                    if stat == "mean":
                        bad = bad or contra(f"{it}.mean", check="grim")
                    if stat == "sd":
                        bad = bad or contra(f"{it}.sd", check="grimmer")
                    add(f"{it}.{stat}", pr, None if val is None else float(val), bad)
            if v.test is not None and v.test.p is not None and len(v.summaries) == 2:
                (g1, _), (g2, _) = list(v.summaries.items())
                a = data.loc[data.group == g1, col].dropna().to_numpy(dtype=float)
                b = data.loc[data.group == g2, col].dropna().to_numpy(dtype=float)
                if a.size > 1 and b.size > 1:
                    ps, *others = _two_sample_ps(a, b)
                    add(f"{base}.test.p", v.test.p, ps, contra(f"{base}.test.p"), tuple(others))
        else:
            tab = []
            for g, cells in v.counts.items():
                colv = data.loc[data.group == g, name]
                n = int((data.group == g).sum())
                nonmiss = int(colv.notna().sum())
                row = []
                for lvl in v.levels or []:
                    k = int((colv == lvl).sum())
                    row.append(k)
                    c = cells.get(lvl)
                    if c is None:
                        continue
                    it = f"{base}.counts.{g}.{lvl}"
                    if c.n is not None:
                        ok = k == c.n
                        out.append(CellMatch(f"{it}.n", str(c.n), float(k), ok, False, "" if ok else "not reached by the generator"))
                    if c.pct is not None:
                        add(f"{it}.pct", c.pct, 100 * k / n, contra(f"{it}.pct"), (100 * k / nonmiss,) if nonmiss else ())
                tab.append(row)
            if v.test is not None and v.test.p is not None and len(tab) >= 2:
                t = np.array(tab, dtype=float)
                t = t[:, t.sum(0) > 0]
                if t.shape[1] >= 2:
                    p0 = stats.chi2_contingency(t, correction=False).pvalue
                    p1 = stats.chi2_contingency(t, correction=True).pvalue
                    add(f"{base}.test.p", v.test.p, float(p0), contra(f"{base}.test.p"), (float(p1),))
    for i, cs in enumerate(s.correlations):
        sub = data[data.group == cs.group] if cs.group is not None else data
        if cs.x not in sub or cs.y not in sub:
            continue
        xy = sub[[s.variables[cs.x].same_as or cs.x, s.variables[cs.y].same_as or cs.y]].dropna().to_numpy(dtype=float)
        if xy.shape[0] < 3:
            continue
        r = _corr(xy[:, 0], xy[:, 1])
        add(f"correlations[{i}].r", cs.r, r, None)
        if cs.p is not None:
            p2 = float(_corr_p(np.array([r]), xy.shape[0], "two-sided")[0])
            add(f"correlations[{i}].p", cs.p, p2, contra(f"correlations[{i}]"), (p2 / 2,))
            n_printed = cs.n or (s.group_n(cs.group) if cs.group is not None else None)
            last = out[-1]
            if not last.matched and not last.contradicted and n_printed is not None and xy.shape[0] < n_printed:
                out[-1] = CellMatch(last.item, last.printed, last.achieved, False, False,
                                    f"not reached with {xy.shape[0]} complete pairs (values missing where derived "
                                    f"categories leave them); the audit checked n = {n_printed}")
    for i, sg in enumerate(s.subgroups):
        if sg.by is None or sg.group is None:
            continue
        sub = data[data.group == sg.group]
        fm = contra(f"subgroups[{i}]", check="subgroup_mean")
        fs = contra(f"subgroups[{i}]", check="subgroup_sd")
        parts = []
        for lvl, pc in sg.parts.items():
            x = sub.loc[sub[sg.by] == lvl, sg.variable].dropna().to_numpy(dtype=float)
            parts.append(x)
            if pc.mean is not None:
                add(f"subgroups[{i}].parts.{lvl}.mean", pc.mean, float(x.mean()) if x.size else None, fm)
            if pc.sd is not None:
                add(f"subgroups[{i}].parts.{lvl}.sd", pc.sd, float(x.std(ddof=1)) if x.size > 1 else None, fs or fm)
        if sg.test is not None and sg.test.p is not None and len(parts) == 2 and min(p.size for p in parts) > 1:
            ps = stats.ttest_ind(parts[0], parts[1]).pvalue
            pw = stats.ttest_ind(parts[0], parts[1], equal_var=False).pvalue
            add(f"subgroups[{i}].test.p", sg.test.p, float(ps), contra(f"subgroups[{i}].test.p") or fs or fm, (float(pw),))
    for i, ident in enumerate(s.identities):
        bad = contra(f"identities[{i}]")
        if bad is not None:
            out.append(CellMatch(f"identities[{i}]", f"{ident.lhs} = {ident.rhs}", None, False, True, f"contradicted: {bad.explanation}"))
    return out
