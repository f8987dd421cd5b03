"""Input checks shared by the inference functions.

Every check raises :class:`serostudy.exceptions.InputError` (a ``ValueError``) naming
the argument, what was found and what was expected.  No ``assert`` is used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from serostudy._typing import check_choice
from serostudy.exceptions import InputError

ALTERNATIVES: tuple[str, ...] = ("two-sided", "less", "greater")


def check_alternative(alternative: object) -> None:
    """Raise unless ``alternative`` is one of ``two-sided``, ``less``, ``greater``."""
    check_choice("alternative", alternative, ALTERNATIVES)


def check_confidence_level(confidence_level: object) -> float:
    """Return ``confidence_level`` as a float strictly between 0 and 1."""
    try:
        level = float(confidence_level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"`confidence_level` must be a number strictly between 0 and 1, got {confidence_level!r}"
        ) from None
    if not (0.0 < level < 1.0):
        raise InputError(
            f"`confidence_level` must be strictly between 0 and 1 (e.g. 0.95), got {confidence_level!r}"
        )
    return level


def finite_scalar(value: Any, name: str) -> float:
    """Return ``value`` as a finite float or raise naming ``name``."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"`{name}` must be a finite number, got {value!r}") from None
    if not math.isfinite(out):
        raise InputError(f"`{name}` must be a finite number, got {value!r}")
    return out


def nonnegative_scalar(value: Any, name: str) -> float:
    out = finite_scalar(value, name)
    if out < 0:
        raise InputError(f"`{name}` must be >= 0, got {value!r}")
    return out


def count_scalar(value: Any, name: str, *, minimum: int = 0) -> int:
    """Return ``value`` as an int >= ``minimum`` (floats must be whole numbers)."""
    out = finite_scalar(value, name)
    if out != int(out):
        raise InputError(f"`{name}` must be a whole number, got {value!r}")
    if out < minimum:
        raise InputError(f"`{name}` must be at least {minimum}, got {value!r}")
    return int(out)


def float_vector(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``x`` as a 1-D float array; NaN is kept (= missing), +/-inf rejected."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"`{name}` must be a 1-D array of numbers; it holds values that are not numbers"
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"`{name}` must be 1-D, got an array of shape {arr.shape}")
    bad = np.isinf(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"`{name}` must hold finite numbers (NaN marks a missing value); "
            f"position {i} is {float(arr[i])!r}"
        )
    return arr


def count_table(table: ArrayLike, name: str = "table") -> NDArray[np.int64]:
    """Return a 2-D table of non-negative whole counts as int64 or raise."""
    try:
        arr = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"`{name}` must be a 2-D array of counts; it holds values that are not numbers") from None
    if arr.ndim != 2:
        raise InputError(f"`{name}` must be 2-D (rows = levels, columns = groups), got shape {arr.shape}")
    if arr.size == 0:
        raise InputError(f"`{name}` is empty (shape {arr.shape}); expected at least one row and column")
    for test, what in (
        (~np.isfinite(arr), "a finite count"),
        (arr < 0, "a count >= 0"),
        (arr != np.round(arr), "a whole number"),
    ):
        if test.any():
            i, j = (int(v) for v in np.argwhere(test)[0])
            raise InputError(f"`{name}` cell [{i}, {j}] is {float(arr[i, j])!r}; expected {what}")
    if arr.sum() == 0:
        raise InputError(f"`{name}` holds no observations (all counts are 0)")
    return arr.astype(np.int64)


def drop_empty_margins(table: NDArray[np.int64]) -> tuple[NDArray[np.int64], list[str]]:
    """Remove all-zero rows and columns, returning the table and notes saying so."""
    notes: list[str] = []
    rows = table.sum(axis=1) > 0
    cols = table.sum(axis=0) > 0
    if not rows.all():
        idx = ", ".join(str(i) for i in np.flatnonzero(~rows))
        notes.append(f"empty row(s) {idx} (no observations in any group) left out of the test")
    if not cols.all():
        idx = ", ".join(str(i) for i in np.flatnonzero(~cols))
        notes.append(f"empty column(s) {idx} (group with no observations) left out of the test")
    return table[rows][:, cols], notes
