"""Units and named reference ranges, read from package data (``data/assay/ranges.yaml``).

A B12 number without its unit is an error, not a guess: :func:`convert` and
:func:`classify` need the unit.  Range sets carry their source.  Only values that passed
QC are classified (the caller passes ``passed``); censored values (``<LLOQ``, ``>ULOQ``)
are classified only when the whole censored interval lies in one category.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where a value is converted: loading a study.yaml needs none
    from numpy.typing import ArrayLike, NDArray

from serostudy.exceptions import AssayError


@dataclass(frozen=True, slots=True)
class Category:
    label: str
    min: float = -math.inf
    max: float = math.inf
    max_inclusive: bool = False

    def contains(self, v: float) -> bool:
        return v >= self.min and (v <= self.max if self.max_inclusive else v < self.max)


@dataclass(frozen=True, slots=True)
class RangeSet:
    """A named set of reference categories for one analyte, in one unit, with its source."""

    name: str
    analyte: str
    unit: str
    source: str
    categories: tuple[Category, ...]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    import yaml

    text = resources.files("serostudy").joinpath("data/assay/ranges.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def units() -> dict[str, float]:
    """Known units -> factor to pmol/L."""
    return dict(_data()["units"])


def analytes() -> dict[str, dict[str, Any]]:
    return dict(_data()["analytes"])


def check_unit(unit: object, *, what: str = "value") -> str:
    known = units()
    if unit is None or (isinstance(unit, str) and unit.strip() == ""):
        raise AssayError(f"{what} has no unit; give one of {sorted(known)}")
    if not isinstance(unit, str) or unit not in known:
        raise AssayError(f"{what}: unknown unit {unit!r}; expected one of {sorted(known)}")
    return str(unit)


def convert(value: ArrayLike, from_unit: str | None, to_unit: str) -> NDArray | float:
    """Convert B12 concentrations between units (through pmol/L).

    Examples
    --------
    >>> round(float(convert(100.0, "pg/mL", "pmol/L")), 2)
    73.78
    """
    f = check_unit(from_unit, what="value to convert")
    t = check_unit(to_unit, what="target")
    k = units()
    import numpy as np

    out = np.asarray(value, dtype=float) * (k[f] / k[t])
    return float(out) if out.ndim == 0 else out


def range_set(name: str) -> RangeSet:
    """A named range set from ``ranges.yaml`` (``study_2025``, ``nice_2024_holotc``, ...)."""
    sets = _data()["range_sets"]
    if name not in sets:
        raise AssayError(f"unknown reference range set {name!r}; known: {sorted(sets)}")
    d = sets[name]
    cats = tuple(
        Category(c["label"], float(c.get("min", -math.inf)), float(c.get("max", math.inf)), bool(c.get("max_inclusive", False)))
        for c in d["categories"]
    )
    return RangeSet(name, d["analyte"], d["unit"], " ".join(str(d["source"]).split()), cats)


def range_set_names() -> list[str]:
    return sorted(_data()["range_sets"])


def classify(
    value: float | None,
    unit: str | None,
    ranges: RangeSet | str,
    *,
    censored: str = "",
    passed: bool = True,
) -> str | None:
    """Category label of one value, or ``None`` (not classified: failed QC, no value, or a
    censored interval spanning categories).

    ``censored`` is ``""``, ``"<"`` (value is the upper bound, e.g. ``<LLOQ``) or ``">"``.

    Examples
    --------
    >>> classify(55.0, "pmol/L", "study_2025")
    'normal'
    >>> classify(15.0, "pmol/L", "study_2025", censored="<")
    'low'
    """
    rs = range_set(ranges) if isinstance(ranges, str) else ranges
    if not passed or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = float(convert(value, unit, rs.unit))
    if censored == "":
        for c in rs.categories:
            if c.contains(v):
                return c.label
        return None
    if censored == "<":  # true value in (-inf, v)
        for c in rs.categories:
            if c.min == -math.inf and (v <= c.max):
                return c.label
        return None
    if censored == ">":
        for c in rs.categories:
            if c.max == math.inf and v >= c.min:
                return c.label
        return None
    raise AssayError(f"`censored` must be one of {{'', '<', '>'}}, got {censored!r}")
