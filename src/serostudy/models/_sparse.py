"""Sparse levels of an ordinal outcome, merged by a fixed, documented rule.

A proportional-odds model estimates one threshold between each pair of adjacent levels;
a level with one or two patients gives a threshold with no information (and, at the
ends, estimates that run off to infinity).  The rule (docs/models.md, "Ordinal outcomes"):

    While some level has fewer than ``min_count`` observations and more than two levels
    remain, take the sparsest level (ties: the one farthest from the median level, then
    the lower), and merge it with its neighbour toward the median level; the median level
    itself merges with its sparser neighbour (ties: the lower).

Only adjacent levels are merged, so the order is kept.  The merged level is labelled by
its range ("3-7").  Applied to the analysis set of the model (its complete cases).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RULE = ("levels with fewer than {k} patients merged with the adjacent level toward the median "
        "(sparsest first), until every level has at least {k}")


@dataclass(frozen=True)
class CollapsedLevels:
    """Result of :func:`collapse_sparse_levels`."""

    groups: tuple[tuple[float, ...], ...]
    """The original values in each merged level, lowest level first."""
    labels: tuple[str, ...]
    """Label of each merged level ("2", or "3\u20137" for a range)."""
    codes: np.ndarray
    """Each observation's merged label (object array; NaN stays NaN)."""
    counts: tuple[int, ...]
    rule: str

    @property
    def changed(self) -> bool:
        return any(len(g) > 1 for g in self.groups)

    def describe(self, name: str) -> str:
        """One sentence for the choices list."""
        if not self.changed:
            return f"{name}: every level has at least the minimum count; no levels merged ({self.rule})"
        merged = ", ".join(f"{lab} (n = {c})" for g, lab, c in zip(self.groups, self.labels, self.counts) if len(g) > 1)
        return (f"{name}: {self.rule}; merged levels: {merged}; "
                f"{len(self.labels)} levels enter the model")


def _fmt(v: float) -> str:
    return f"{v:g}"


def collapse_sparse_levels(y: np.ndarray, *, min_count: int = 3) -> CollapsedLevels:
    """Merge sparse levels of ordinal values ``y`` by the module's rule.

    Parameters
    ----------
    y
        Ordinal values (numbers; NaN = missing, ignored).
    min_count
        Smallest number of observations a level may keep.

    Returns
    -------
    CollapsedLevels
        Validated by hand-worked examples in ``tests/models/test_ordinal_plan.py``.
    """
    arr = np.asarray(y, dtype=float)
    ok = ~np.isnan(arr)
    values, counts = np.unique(arr[ok], return_counts=True)
    groups: list[list[float]] = [[float(v)] for v in values]
    cnt: list[int] = [int(c) for c in counts]
    if cnt:
        order = np.sort(arr[ok])
        med_value = float(order[(len(order) - 1) // 2])
    while len(groups) > 2 and min(cnt) < min_count:
        med = next(i for i, g in enumerate(groups) if med_value in g)
        cands = [i for i, c in enumerate(cnt) if c == min(cnt)]
        i = sorted(cands, key=lambda j: (-abs(j - med), j))[0]
        if i < med:
            j = i + 1
        elif i > med:
            j = i - 1
        else:
            nb = [k for k in (i - 1, i + 1) if 0 <= k < len(groups)]
            j = sorted(nb, key=lambda k: (cnt[k], k))[0]
        lo, hi = min(i, j), max(i, j)
        groups[lo:hi + 1] = [groups[lo] + groups[hi]]
        cnt[lo:hi + 1] = [cnt[lo] + cnt[hi]]
    labels = tuple(_fmt(g[0]) if len(g) == 1 else f"{_fmt(g[0])}\u2013{_fmt(g[-1])}" for g in groups)
    lookup = {v: lab for g, lab in zip(groups, labels) for v in g}
    codes = np.array([lookup[float(v)] if not np.isnan(v) else np.nan for v in arr], dtype=object)
    return CollapsedLevels(groups=tuple(tuple(g) for g in groups), labels=labels, codes=codes, counts=tuple(cnt),
                           rule=RULE.format(k=min_count))
