"""Plate geometry shared by layouts and readers: 96- and 384-well plates, well names."""

from __future__ import annotations

import re
import string

PLATE_SHAPES: dict[int, tuple[int, int]] = {96: (8, 12), 384: (16, 24)}
_WELL_RE = re.compile(r"^([A-Pa-p])0*([1-9][0-9]?)$")


def row_letters(n_rows: int) -> list[str]:
    return list(string.ascii_uppercase[:n_rows])


def parse_well(name: str, plate_format: int = 96) -> tuple[int, int]:
    """``"B7"`` -> ``(1, 6)`` (0-based row, column); ``ValueError`` if not a well of the plate.

    Examples
    --------
    >>> parse_well("B7"), parse_well("h012"), parse_well("P24", 384)
    ((1, 6), (7, 11), (15, 23))
    >>> parse_well("I1")
    Traceback (most recent call last):
    ...
    ValueError: well 'I1' is outside a 96-well plate (A1-H12)
    """
    m = _WELL_RE.match(str(name).strip())
    n_rows, n_cols = PLATE_SHAPES[plate_format]
    if not m:
        raise ValueError(f"{name!r} is not a well name like 'A1' or 'H12'")
    r = ord(m.group(1).upper()) - 65
    c = int(m.group(2)) - 1
    if r >= n_rows or c >= n_cols:
        last = f"{chr(64 + n_rows)}{n_cols}"
        raise ValueError(f"well {name!r} is outside a {plate_format}-well plate (A1-{last})")
    return r, c


def well_name(r: int, c: int) -> str:
    """0-based (row, column) -> well name; the inverse of :func:`parse_well`.

    >>> well_name(1, 6), all_wells()[:3], len(all_wells(384))
    ('B7', ['A1', 'A2', 'A3'], 384)
    """
    return f"{chr(65 + r)}{c + 1}"


def all_wells(plate_format: int = 96) -> list[str]:
    n_rows, n_cols = PLATE_SHAPES[plate_format]
    return [well_name(r, c) for r in range(n_rows) for c in range(n_cols)]
