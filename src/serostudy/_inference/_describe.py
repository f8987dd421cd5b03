"""Descriptive summaries of one continuous variable (Table 1 cells)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from serostudy._inference._checks import float_vector

__all__ = ["ContinuousSummary", "summarize_continuous"]


@dataclass(frozen=True, slots=True)
class ContinuousSummary:
    """Summary of a continuous variable in one group.

    Attributes
    ----------
    n
        Number of non-missing values.
    missing
        Number of missing values (NaN).
    mean, sd
        Mean and standard deviation (``ddof=1``, as R ``sd``); ``sd`` is NaN if ``n < 2``.
    median, q1, q3
        Median and quartiles, R ``quantile(type = 7)`` (numpy's default ``linear``).
    min, max
        Smallest and largest value.

    All statistics are NaN when ``n == 0``.
    """

    n: int
    missing: int
    mean: float
    sd: float
    median: float
    q1: float
    q3: float
    min: float
    max: float


def summarize_continuous(x: ArrayLike) -> ContinuousSummary:
    """Summarise one continuous variable; NaN counts as missing.

    Parameters
    ----------
    x
        1-D array of numbers.  NaN marks a missing value and is counted in
        ``missing``; infinite values are rejected.

    Returns
    -------
    ContinuousSummary
        ``sd`` uses ``ddof=1`` (R ``sd``); quartiles are R's default ``type = 7``
        definition.  Validated against R ``mean``, ``sd``, ``quantile`` in
        ``tests/reference/stats/`` (rtol 1e-12).

    Raises
    ------
    InputError
        If ``x`` is not 1-D numeric or holds +/-inf.

    Examples
    --------
    >>> s = summarize_continuous([1.0, 2.0, 3.0, 4.0, float("nan")])
    >>> s.n, s.missing, s.mean, s.q1
    (4, 1, 2.5, 1.75)
    """
    arr = float_vector(x, "x")
    ok = ~np.isnan(arr)
    v = arr[ok]
    n = int(v.size)
    missing = int(arr.size - n)
    if n == 0:
        nan = math.nan
        return ContinuousSummary(0, missing, nan, nan, nan, nan, nan, nan, nan)
    mean = float(np.mean(v))
    sd = float(np.std(v, ddof=1)) if n >= 2 else math.nan
    q1, med, q3 = (float(q) for q in np.quantile(v, [0.25, 0.5, 0.75], method="linear"))
    return ContinuousSummary(
        n=n,
        missing=missing,
        mean=mean,
        sd=sd,
        median=med,
        q1=q1,
        q3=q3,
        min=float(v.min()),
        max=float(v.max()),
    )
