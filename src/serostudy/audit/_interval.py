"""Printed numbers as intervals.

A number printed as ``2.13`` stands for any value that rounds to it: the closed
interval ``[2.125, 2.135]`` (half a unit in the last printed digit on each side).  Both
ends are kept *closed* on purpose: a value exactly on the boundary rounds to the printed
number under round-half-up (SPSS, Excel) even though round-half-even (R's ``round``,
Python's ``round``) would round it the other way, and an audit must not flag a number
that one of the usual programs prints.  Arithmetic is done in :class:`decimal.Decimal`
and :class:`fractions.Fraction`, never in binary floating point, so ``17/8 = 2.125``
really is on the boundary of ``2.13``.

Printed p-values may carry a comparator: ``p < .001`` is the interval ``[0, 0.001]``,
``p > 0.05`` is ``[0.05, 1]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from serostudy.exceptions import AuditInputError

Comparator = Literal["=", "<", "<=", ">", ">="]

_NUMBER = re.compile(
    r"""^\s*(?:(?P<name>[A-Za-z]+)\s*)?      # optional symbol: p, r, t
        (?P<cmp><=|>=|=|<|>|≤|≥)?\s*
        (?P<num>[-+−]?(?:\d+(?:\.\d*)?|\.\d+))\s*
        (?P<pct>%)?\s*$""",
    re.VERBOSE,
)

__all__ = ["Printed", "parse_printed", "to_fraction"]


@dataclass(frozen=True, slots=True)
class Printed:
    """A number as a paper printed it, with the interval of values that print so.

    Attributes
    ----------
    text
        The text as printed (and as read from the YAML file), e.g. ``"0.04"``, ``"<.001"``.
    value
        The printed number as a :class:`~decimal.Decimal` (keeps its decimals).
    decimals
        Number of digits after the decimal point (``0`` for ``"35"``).
    comparator
        ``"="`` for a plain number; ``"<"``, ``">"`` ... for ``p < .001``-style values.
    low, high
        The closed interval of values that are printed as :attr:`text`.
    """

    text: str
    value: Decimal
    decimals: int
    comparator: Comparator
    low: Decimal
    high: Decimal

    @property
    def lo(self) -> float:
        """Lower end as a float (for vectorised scipy evaluation)."""
        return float(self.low)

    @property
    def hi(self) -> float:
        """Upper end as a float."""
        return float(self.high)

    @property
    def mid(self) -> float:
        """The printed value as a float."""
        return float(self.value)

    @property
    def half_unit(self) -> Decimal:
        """Half a unit in the last printed digit."""
        return Decimal(5).scaleb(-(self.decimals + 1))

    def contains(self, x: float | Decimal | Fraction) -> bool:
        """Whether ``x`` rounds to the printed number (closed interval, exact arithmetic)."""
        f = to_fraction(x)
        return to_fraction(self.low) <= f <= to_fraction(self.high)

    def overlaps(self, low: float, high: float, *, rtol: float = 1e-12) -> bool:
        """Whether ``[low, high]`` meets the printed interval.

        ``rtol`` absorbs last-bit floating-point noise of a recomputed float range only;
        the printed interval itself is exact.
        """
        lo, hi = self.lo, self.hi
        tol_lo = rtol * max(abs(lo), 1e-300)
        tol_hi = rtol * max(abs(hi), 1e-300)
        return not (high < lo - tol_lo or low > hi + tol_hi)

    def __str__(self) -> str:
        return self.text


def to_fraction(x: float | Decimal | Fraction | int | str) -> Fraction:
    """Exact rational value of ``x`` (a float is taken at its exact binary value)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, str):
        return Fraction(Decimal(x))
    return Fraction(x)


def parse_printed(
    text: str | int | float,
    *,
    where: str = "",
    kind: Literal["number", "p", "nonnegative", "percent", "r"] = "number",
) -> Printed:
    """Read a printed number into a :class:`Printed` interval.

    Parameters
    ----------
    text
        The number as printed: ``"42.1"``, ``".04"``, ``"<0.001"``, ``"p = .04"``,
        ``"-0.284"``, ``"34.3%"``.  Pass a string: a float has lost its printed decimals
        (``0.20`` becomes ``0.2``); floats are accepted but read by their shortest repr.
    where
        Where the number comes from (e.g. ``"variables.age_years.groups.nmosd.mean"``),
        used in error messages.
    kind
        ``"p"`` clips the interval to ``[0, 1]``; ``"nonnegative"`` (SDs) and
        ``"percent"`` clip at 0 (percent also at 100); ``"r"`` clips to ``[-1, 1]``.

    Returns
    -------
    Printed

    Raises
    ------
    AuditInputError
        If ``text`` is not a number as a paper would print it.

    Examples
    --------
    >>> p = parse_printed("2.13")
    >>> (str(p.low), str(p.high))
    ('2.125', '2.135')
    >>> parse_printed("<.001", kind="p").high
    Decimal('0.001')
    """
    if isinstance(text, bool):
        raise AuditInputError(f"{where or 'value'}: expected a printed number, got {text!r}")
    raw = str(text)
    m = _NUMBER.match(raw)
    if m is None:
        raise AuditInputError(
            f"{where or 'value'}: expected a printed number such as '0.04', '42.1' or "
            f"'<.001', got {raw!r}"
        )
    num = m.group("num").replace("−", "-")
    cmp_raw = m.group("cmp") or "="
    cmp_map = {"≤": "<=", "≥": ">="}
    comparator: Comparator = cmp_map.get(cmp_raw, cmp_raw)  # type: ignore[assignment]
    try:
        value = Decimal(num)
    except InvalidOperation as exc:  # pragma: no cover - regex guarantees a number
        raise AuditInputError(f"{where or 'value'}: cannot read {raw!r} as a number") from exc
    decimals = len(num.split(".", 1)[1]) if "." in num else 0
    half = Decimal(5).scaleb(-(decimals + 1))
    if comparator == "=":
        low, high = value - half, value + half
    elif comparator in ("<", "<="):
        low, high = Decimal("-Infinity"), value
    else:
        low, high = value, Decimal("Infinity")
    lo_clip: Decimal | None = None
    hi_clip: Decimal | None = None
    if kind == "p":
        lo_clip, hi_clip = Decimal(0), Decimal(1)
        if not (Decimal(0) <= value <= Decimal(1)):
            raise AuditInputError(f"{where or 'p'}: a p-value must be between 0 and 1, got {raw!r}")
    elif kind == "nonnegative":
        lo_clip = Decimal(0)
        if value < 0:
            raise AuditInputError(f"{where or 'value'}: must not be negative, got {raw!r}")
    elif kind == "percent":
        lo_clip, hi_clip = Decimal(0), Decimal(100)
        if not (Decimal(0) <= value <= Decimal(100)):
            raise AuditInputError(f"{where or 'percent'}: a percentage must be between 0 and 100, got {raw!r}")
    elif kind == "r":
        lo_clip, hi_clip = Decimal(-1), Decimal(1)
        if not (Decimal(-1) <= value <= Decimal(1)):
            raise AuditInputError(f"{where or 'r'}: a correlation must be between -1 and 1, got {raw!r}")
    if lo_clip is not None and low < lo_clip:
        low = lo_clip
    if hi_clip is not None and high > hi_clip:
        high = hi_clip
    return Printed(text=raw.strip(), value=value, decimals=decimals, comparator=comparator, low=low, high=high)
