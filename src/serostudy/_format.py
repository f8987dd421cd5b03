"""Number formatting shared by tables and generated text (one place, one style)."""

from __future__ import annotations

import math
from typing import TypeGuard

EN_DASH = "\u2013"
PLUS_MINUS = "\u00b1"
MINUS = "\u2212"


def _finite(x: float | None) -> TypeGuard[float]:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def num(x: float | None, decimals: int = 1) -> str:
    """A number with fixed decimals and a true minus sign; ``NA`` if missing."""
    if not _finite(x):
        return "NA"
    s = f"{x:.{decimals}f}"
    if s.startswith("-"):
        s = MINUS + s[1:] if float(s) != 0 else s[1:]
    return s


def pvalue(p: float | None) -> str:
    """Journal style: ``<0.001``, three decimals below 0.01, else two (``0.049`` kept)."""
    if not _finite(p):
        return "NA"
    if p < 0.001:
        return "<0.001"
    if p < 0.01:
        return f"{p:.3f}"
    two = f"{p:.2f}"
    # never print a p just under alpha as if it were alpha (0.049 -> '0.05')
    if two == "0.05" and p < 0.05:
        return f"{p:.3f}"
    return two


def ci(lo: float | None, hi: float | None, decimals: int = 1) -> str:
    return f"{num(lo, decimals)} to {num(hi, decimals)}"


def est_ci(est: float | None, lo: float | None, hi: float | None, decimals: int = 1) -> str:
    if not _finite(est):
        return "NA"
    return f"{num(est, decimals)} ({ci(lo, hi, decimals)})"


def mean_sd(mean: float | None, sd: float | None, decimals: int = 1) -> str:
    return f"{num(mean, decimals)} {PLUS_MINUS} {num(sd, decimals)}"


def median_iqr(median: float | None, q1: float | None, q3: float | None, decimals: int = 1) -> str:
    return f"{num(median, decimals)} [{num(q1, decimals)}, {num(q3, decimals)}]"


def count_pct(count: int, denominator: int, decimals: int = 1) -> str:
    if denominator <= 0:
        return f"{count} (NA)"
    return f"{count} ({100.0 * count / denominator:.{decimals}f}%)"
