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

__all__ = ["fisher_rxc_exact", "fisher_rxc_monte_carlo", "TooManyTables", "FEXACT_TOL"]

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


def fisher_rxc_exact(table: NDArray[np.int64], *, limit: int = 4_000_000) -> float:
    """Two-sided exact p-value of ``table`` (no empty rows or columns).

    Raises :class:`TooManyTables` if either half needs more than ``limit`` partial
    tables.
    """
    t = np.asarray(table, dtype=np.int64)
    if t.shape[0] > t.shape[1]:
        t = t.T  # fewer rows: fewer cells per column to enumerate
    rows = t.sum(axis=1)
    cols = t.sum(axis=0)
    n = int(t.sum())
    const = float(_lfact(rows).sum() + _lfact(cols).sum() - _lfact(n))
    obs = float(-_lfact(t).sum())
    threshold = obs + FEXACT_TOL

    # order columns by size and split so both halves are of similar difficulty
    order = np.argsort(cols)[::-1]
    cols = cols[order]
    # interleave large and small columns between the halves
    left_cols = cols[0::2]
    right_cols = cols[1::2]

    ul, wl = _partials(rows, left_cols, limit)
    ur, wr = _partials(rows, right_cols, limit)
    # keep only left parts whose complement is a reachable right part
    radix = np.cumprod(np.concatenate([[1], rows[:-1] + 1])).astype(np.int64)
    if float(np.prod(rows.astype(np.float64) + 1)) > 2.0**62:
        raise TooManyTables
    key_l = ((rows[None, :] - ul) * radix).sum(axis=1)
    key_r = (ur * radix).sum(axis=1)

    # one sort: right parts (type 0) and left queries (type 1) by key, then value
    q = threshold - wl  # a right part completes the table if wr <= q
    keys = np.concatenate([key_r, key_l])
    vals = np.concatenate([wr, q])
    typ = np.concatenate([np.zeros(key_r.size, np.int8), np.ones(key_l.size, np.int8)])
    order = np.lexsort((typ, vals, keys))
    keys_s = keys[order]
    typ_s = typ[order]
    mr = float(wr.max())
    weight = np.where(typ_s == 0, np.exp(vals[order] - mr), 0.0)
    weight[typ_s == 1] = 0.0
    cw = np.concatenate([[0.0], np.cumsum(weight)])
    start = np.searchsorted(keys_s, keys_s, side="left")
    pos = np.flatnonzero(typ_s == 1)
    s = cw[pos] - cw[start[pos]]  # sum of exp(wr - mr) over completing right parts
    left_idx = order[pos] - key_r.size
    ml = float(wl.max())
    total = float(np.sum(np.exp(wl[left_idx] - ml) * s))
    if total <= 0:
        return 0.0
    p = math.exp(math.log(total) + ml + mr + const)
    return min(1.0, p)


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
