"""Exact conditional p-value of an r x c table (Fisher-Freeman-Halton).

Given the margins, a table has probability
``P = prod(r_i!) prod(c_j!) / (N! prod(n_ij!))``; the two-sided p-value is the total
probability of the tables no more probable than the observed one (R ``fisher.test``
convention, with FEXACT's tolerance ``3.45254e-7`` on the log scale for ties).

Instead of FEXACT's network algorithm we *meet in the middle*: the columns are split
in two halves; every partial table of each half is enumerated (vectorised, row by
row, with feasibility pruning), keyed by the row totals it uses.  A full table is a
left part plus a right part whose row totals add up to the margins, so for each left
part the right parts that complete it are one key, and those that make the whole
table no more probable than observed are a prefix of that key's parts sorted by log
probability.  One lexicographic sort answers every left part at once.  The work is
about the square root of the number of tables: a 4 x 3 table with n = 200 takes
under a second (R's FEXACT: 0.2 s).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = ["FEXACT_TOL", "TooManyTables", "fisher_rxc_exact", "fisher_rxc_monte_carlo", "fisher_rxc_total_mass"]

FEXACT_TOL = 3.45254e-7


class TooManyTables(Exception):
    """Internal signal: enumeration would exceed the limit (caller decides what to do)."""


def _lfact(n: NDArray[np.int64] | int) -> NDArray[np.float64]:
    return special.gammaln(np.asarray(n, dtype=np.float64) + 1.0)


def _partials(
    row_tot: NDArray[np.int64], col_tots: NDArray[np.int64], limit: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """All partial tables filling ``col_tots`` with row usage <= ``row_tot``.

    Returns ``used`` (k x r row totals used) and ``logw`` (-sum log n_ij!).
    """
    r = row_tot.size
    used = np.zeros((1, r), dtype=np.int64)
    logw = np.zeros(1)
    for c in col_tots:
        rem = np.full(used.shape[0], int(c), dtype=np.int64)
        for i in range(r):
            avail = row_tot[i] - used[:, i]
            if i == r - 1:
                ok = rem <= avail
                used, logw, rem = used[ok], logw[ok], rem[ok]
                take = rem
                used = used.copy()
                used[:, i] += take
                logw = logw - _lfact(take)
                rem = rem - take
            else:
                # rows after i must be able to absorb what is left
                later = (row_tot[i + 1 :][None, :] - used[:, i + 1 :]).sum(axis=1)
                low = np.maximum(0, rem - later)
                high = np.minimum(avail, rem)
                cnt = np.maximum(high - low + 1, 0)
                total = int(cnt.sum())
                if total > limit:
                    raise TooManyTables
                idx = np.repeat(np.arange(used.shape[0]), cnt)
                offs = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                take = low[idx] + offs
                used = used[idx].copy()
                used[:, i] += take
                logw = logw[idx] - _lfact(take)
                rem = rem[idx] - take
        if used.shape[0] > limit:
            raise TooManyTables
    return used, logw


def _segmented_cumsum(v: NDArray[np.float64], seg: NDArray[np.int64]) -> NDArray[np.float64]:
    """Inclusive prefix sums of ``v`` restarting at each new value of the sorted ``seg``.

    A log-step (Hillis-Steele) scan: each prefix is a tree sum of positive terms of its
    own segment only, so there is no cancellation (a global ``cumsum`` minus the
    segment's offset loses the small segments next to large ones).
    """
    x = v.copy()
    if x.size == 0:
        return x
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    longest = int(np.diff(np.r_[starts, seg.size]).max())
    d = 1
    while d < longest:
        same = seg[d:] == seg[:-d]
        add = np.where(same, x[:-d], 0.0)
        x = x.copy()
        x[d:] += add
        d *= 2
    return x


class _RightParts:
    """Right partial tables indexed for "which complete this left part" queries.

    Sorted once by (row-total key, log weight).  A query asks, for a left part with
    row totals ``ul`` and log weight ``wl``, for the total weight of the right parts
    with totals ``target - ul`` and log weight ``<= threshold - wl``.  Values are
    compared exactly: both sides are mapped to ranks in the sorted right-part values,
    and (key, rank) is packed into one int64 for a single ``searchsorted``.

    Weights are summed per key, each key scaled by its own largest weight, with a
    segmented prefix sum: no subtraction of running totals (the cancellation that lost
    up to 0.16% of the probability mass of 2 x 3 tables with n = 236, issue 9).
    """

    def __init__(self, ur: NDArray[np.int64], wr: NDArray[np.float64], radix: NDArray[np.int64]) -> None:
        self.radix = radix
        key = (ur * radix).sum(axis=1)
        order = np.lexsort((wr, key))
        key, wr = key[order], wr[order]
        self.values = np.sort(wr)
        self.ukeys, seg_start = np.unique(key, return_index=True)
        self.seg_start = seg_start
        self.width = np.int64(wr.size + 1)
        dense = np.searchsorted(self.ukeys, key)
        rank = np.searchsorted(self.values, wr, side="left")
        self.packed = dense.astype(np.int64) * self.width + rank
        seg_end = np.r_[seg_start[1:], wr.size]
        self.seg_max = wr[seg_end - 1]  # ascending within a key: the last is the largest
        self.cw = _segmented_cumsum(np.exp(wr - self.seg_max[dense]), dense)

    def log_sum(self, target: NDArray[np.int64], ul: NDArray[np.int64], wl: NDArray[np.float64], threshold: float) -> float:
        """log of sum of exp(wl + wr) over completing pairs with wl + wr <= threshold."""
        rest = target[None, :] - ul
        ok = (rest >= 0).all(axis=1)
        if not ok.any():
            return -math.inf
        rest, wl = rest[ok], wl[ok]
        key = (rest * self.radix).sum(axis=1)
        dense = np.searchsorted(self.ukeys, key)
        dense_c = np.minimum(dense, self.ukeys.size - 1)
        hit = self.ukeys[dense_c] == key
        if not hit.any():
            return -math.inf
        dense, wl = dense_c[hit], wl[hit]
        rank = np.searchsorted(self.values, threshold - wl, side="right")
        pos = np.searchsorted(self.packed, dense.astype(np.int64) * self.width + rank, side="left")
        start = self.seg_start[dense]
        s = np.where(pos > start, self.cw[np.maximum(pos - 1, 0)], 0.0)
        scale = wl + self.seg_max[dense]
        used = s > 0
        if not used.any():
            return -math.inf
        m = float(scale[used].max())
        total = float(np.sum(np.exp(scale[used] - m) * s[used]))
        return math.log(total) + m


def _log_sum_no_more_probable(table: NDArray[np.int64], limit: int, tol: float) -> float:
    """log of the total probability of the tables with ``table``'s margins whose log
    probability is at most the observed one + ``tol`` (``tol = inf``: all tables)."""
    t = np.asarray(table, dtype=np.int64)
    if t.shape[0] > t.shape[1]:
        t = t.T  # fewer rows: fewer cells per column to enumerate
    rows = t.sum(axis=1)
    cols = np.sort(t.sum(axis=0))[::-1]
    n = int(t.sum())
    const = float(_lfact(rows).sum() + _lfact(cols).sum() - _lfact(n))
    obs = float(-_lfact(t).sum())
    threshold = obs + tol
    if float(np.prod(rows.astype(np.float64) + 1)) > 2.0**62:
        raise TooManyTables
    radix = np.cumprod(np.concatenate([[1], rows[:-1] + 1])).astype(np.int64)

    try:
        ul, wl = _partials(rows, cols[0::2], limit)
        ur, wr = _partials(rows, cols[1::2], limit)
        if ul.shape[0] > ur.shape[0]:
            ul, wl, ur, wr = ur, wr, ul, wl
        log_total = _RightParts(ur, wr, radix).log_sum(rows, ul, wl, threshold)
    except TooManyTables:
        if cols.size < 3:
            raise
        um, wm = _partials(rows, cols[:1], limit)
        rest = cols[1:]
        ul, wl = _partials(rows, rest[0::2], limit)
        ur, wr = _partials(rows, rest[1::2], limit)
        if um.shape[0] * ul.shape[0] > 25 * limit:
            raise TooManyTables from None
        if ul.shape[0] > ur.shape[0]:  # query with the smaller set, index the larger
            ul, wl, ur, wr = ur, wr, ul, wl
        right = _RightParts(ur, wr, radix)
        parts = []
        for m in range(um.shape[0]):
            part = right.log_sum(rows - um[m], ul, wl, threshold - wm[m])
            if part > -math.inf:
                parts.append(part + wm[m])
        if not parts:
            return -math.inf
        arr = np.asarray(parts)
        mx = float(arr.max())
        log_total = mx + math.log(float(np.sum(np.exp(arr - mx))))
    return log_total + const


def fisher_rxc_exact(table: NDArray[np.int64], *, limit: int = 4_000_000) -> float:
    """Two-sided exact p-value of ``table`` (no empty rows or columns).

    The columns are split into two interleaved halves (largest column first).  If a
    half needs more than ``limit`` partial tables, the largest column is taken out
    and looped over (each of its possible vectors), with the remaining columns met
    in the middle for each.  Raises :class:`TooManyTables` if that is too much work
    as well.

    Validated against exact rational enumeration (Python ``fractions``) on 60+ small
    tables: relative error <= 1e-10, total probability mass 1 to 1e-12
    (``tests/stats/test_stats_fisher_exact_rational.py``).
    """
    lt = _log_sum_no_more_probable(table, limit, FEXACT_TOL)
    return 0.0 if lt == -math.inf else min(1.0, math.exp(lt))


def fisher_rxc_total_mass(table: NDArray[np.int64], *, limit: int = 4_000_000) -> float:
    """Total probability of every table with ``table``'s margins (1 up to rounding).

    The exactness check of the enumeration: the same sums as :func:`fisher_rxc_exact`
    with no threshold.
    """
    return math.exp(_log_sum_no_more_probable(table, limit, math.inf))


def fisher_rxc_monte_carlo(
    table: NDArray[np.int64], *, n_resamples: int, seed: int
) -> float:
    """Monte Carlo p-value as R ``fisher.test(simulate.p.value=TRUE)``.

    Tables with the observed margins are drawn with ``scipy.stats.random_table``
    (numpy ``Generator`` seeded with ``seed``); ``p = (1 + #{P(table) <= P(obs)}) /
    (B + 1)``.
    """
    from scipy.stats import random_table

    t = np.asarray(table, dtype=np.int64)
    rows = t.sum(axis=1)
    cols = t.sum(axis=0)
    rng = np.random.default_rng(seed)
    obs = float(-_lfact(t).sum())
    hits = 0
    done = 0
    chunk = 20_000
    dist = random_table(rows, cols, seed=rng)
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        sims = dist.rvs(size=b)
        stat = -_lfact(sims).sum(axis=(1, 2))
        # R: tmp <= STATISTIC / almost.1 with almost.1 = 1 + 64 eps (STATISTIC <= 0)
        hits += int(np.sum(stat <= obs / (1 + 64 * np.finfo(float).eps)))
        done += b
    return (1 + hits) / (n_resamples + 1)
