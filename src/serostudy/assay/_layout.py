"""Plate layouts: which well holds what, in a small TOML format.

Format (``docs/assay.md`` has the full description)::

    plate = 96                 # 96 or 384
    unit = "pmol/L"            # unit of the standard and QC concentrations
    name = "B12 plate 1"       # optional

    [blank]
    wells = ["A1", "B1"]

    [[standard]]
    id = "S1"
    concentration = 5.0
    wells = ["A2", "B2"]

    [[qc]]
    id = "QC-low-1"
    level = "low"
    nominal = 15.0
    wells = ["A11", "B11"]

    [[sample]]
    id = "P001"
    wells = ["C1", "D1"]
    dilution = 2               # optional, default 1

Several wells with the same entry are replicates.  A well may appear only once; wells not
listed are unused.  ``wells`` also accepts a rectangle ``"A1:B3"``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from serostudy.assay._plate import PLATE_SHAPES, parse_well, well_name
from serostudy.assay._units import check_unit
from serostudy.exceptions import AssayError

ROLES = ("blank", "standard", "qc", "sample")
COLUMNS = ["well", "role", "id", "concentration", "level", "dilution"]


@dataclass(frozen=True, eq=False)
class PlateLayout:
    """Well roles of one plate.

    Attributes
    ----------
    wells
        ``DataFrame`` with columns ``well, role, id, concentration, level, dilution``
        (``concentration`` is the nominal value for standards and QCs).
    plate_format
        96 or 384.
    unit
        Unit of the nominal concentrations (sample results are reported in it).
    name, source
        Plate name and the layout file.
    """

    wells: pd.DataFrame
    plate_format: int = 96
    unit: str = "pmol/L"
    name: str = ""
    source: str = ""

    def role(self, role: str) -> pd.DataFrame:
        return self.wells[self.wells["role"] == role]

    def to_toml(self) -> str:
        """The layout as TOML text (round-trips through :func:`read_layout`)."""
        lines = [f"plate = {self.plate_format}", f'unit = "{self.unit}"']
        if self.name:
            lines.append(f'name = "{_esc(self.name)}"')
        b = self.role("blank")
        if len(b):
            lines += ["", "[blank]", f"wells = {_wl(b['well'])}"]
        for role, key in (("standard", "standard"), ("qc", "qc"), ("sample", "sample")):
            for gid, g in self.role(role).groupby("id", sort=False):
                lines += ["", f"[[{key}]]", f'id = "{_esc(str(gid))}"']
                if role == "standard":
                    lines.append(f"concentration = {float(g['concentration'].iloc[0])!r}")
                if role == "qc":
                    lines.append(f'level = "{_esc(str(g["level"].iloc[0]))}"')
                    lines.append(f"nominal = {float(g['concentration'].iloc[0])!r}")
                if role == "sample" and float(g["dilution"].iloc[0]) != 1.0:
                    lines.append(f"dilution = {float(g['dilution'].iloc[0])!r}")
                lines.append(f"wells = {_wl(g['well'])}")
        return "\n".join(lines) + "\n"


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _wl(wells) -> str:
    return "[" + ", ".join(f'"{w}"' for w in wells) + "]"


def _expand(spec: Any, fmt: int, *, file: str, key: str) -> list[str]:
    if isinstance(spec, str):
        spec = [spec]
    if not isinstance(spec, list) or not spec:
        raise AssayError(f"{key}.wells must be a non-empty list of well names, got {spec!r}", file=file)
    out: list[str] = []
    for item in spec:
        try:
            if isinstance(item, str) and ":" in item:
                a, b = item.split(":", 1)
                (r0, c0), (r1, c1) = parse_well(a, fmt), parse_well(b, fmt)
                out += [well_name(r, c) for r in range(min(r0, r1), max(r0, r1) + 1)
                        for c in range(min(c0, c1), max(c0, c1) + 1)]
            else:
                r, c = parse_well(str(item), fmt)
                out.append(well_name(r, c))
        except ValueError as exc:
            raise AssayError(f"{key}.wells: {exc}", file=file) from None
    return out


def _num(d: dict, name: str, *, file: str, key: str, positive: bool = False, default=None) -> float:
    if name not in d:
        if default is not None:
            return default
        raise AssayError(f"{key} has no {name!r}", file=file)
    v = d[name]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise AssayError(f"{key}.{name} must be a number, got {v!r}", file=file)
    v = float(v)
    if not math.isfinite(v):
        raise AssayError(f"{key}.{name} must be a finite number, got {v!r}", file=file)
    if (positive and not v > 0) or v < 0:
        raise AssayError(f"{key}.{name} must be {'> 0' if positive else '>= 0'}, got {v:g}", file=file)
    return v


def layout_from_dict(d: dict[str, Any], *, source: str = "") -> PlateLayout:
    """Build and validate a layout from the parsed TOML structure."""
    file = source or "<layout>"
    allowed = {"plate", "unit", "name", "blank", "standard", "qc", "sample"}
    extra = sorted(set(d) - allowed)
    if extra:
        raise AssayError(f"unknown key(s) {extra}; expected some of {sorted(allowed)}", file=file)
    fmt = d.get("plate", 96)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt not in PLATE_SHAPES:
        raise AssayError(f"`plate` must be 96 or 384, got {fmt!r}", file=file)
    unit = check_unit(d.get("unit"), what=f"{file}: layout `unit` (of the standard concentrations)")
    rows: list[tuple] = []
    if "blank" in d:
        b = d["blank"]
        if not isinstance(b, dict):
            raise AssayError("[blank] must be a table with `wells`", file=file)
        for w in _expand(b.get("wells"), fmt, file=file, key="blank"):
            rows.append((w, "blank", "blank", 0.0, "", 1.0))
    for role, key in (("standard", "standard"), ("qc", "qc"), ("sample", "sample")):
        entries = d.get(key, [])
        if isinstance(entries, dict):
            entries = [entries]
        for i, e in enumerate(entries):
            k = f"{key}[{i + 1}]"
            if not isinstance(e, dict) or "id" not in e:
                raise AssayError(f"{k} must have an `id`", file=file)
            k = f"{key} {e['id']!r}"
            wells = _expand(e.get("wells"), fmt, file=file, key=k)
            conc, level, dil = float("nan"), "", 1.0
            if role == "standard":
                conc = _num(e, "concentration", file=file, key=k)
            elif role == "qc":
                conc = _num(e, "nominal", file=file, key=k, positive=True)
                level = str(e.get("level", e["id"]))
            else:
                dil = _num(e, "dilution", file=file, key=k, positive=True, default=1.0)
            rows += [(w, role, str(e["id"]), conc, level, dil) for w in wells]
    df = pd.DataFrame(rows, columns=COLUMNS)
    dup = df[df["well"].duplicated(keep=False)]
    if len(dup):
        w = dup["well"].iloc[0]
        who = ", ".join(f"{r.role} {r.id!r}" for r in dup[dup["well"] == w].itertuples())
        raise AssayError(f"well {w} is assigned twice ({who})", file=file)
    if (df["role"] == "standard").sum() == 0:
        raise AssayError("the layout has no standards", file=file)
    for role in ("standard", "qc", "sample"):
        ids = df[df["role"] == role].groupby("id")
        if role == "standard":
            c = ids["concentration"].nunique()
            if (c > 1).any():
                raise AssayError(f"standard {c[c > 1].index[0]!r} is listed with different concentrations", file=file)
    return PlateLayout(df, fmt, unit, str(d.get("name", "")), source)


def read_layout(path: str | Path) -> PlateLayout:
    """Read a plate layout from a TOML file (see module docstring for the format).

    Examples
    --------
    >>> layout = read_layout("layout.toml")  # doctest: +SKIP
    >>> layout.role("standard")["concentration"].unique()  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise AssayError("layout file not found", file=str(path))
    from serostudy._io.safe_yaml import read_text_capped
    from serostudy._limits import clip

    def fail(message: str, line: int | None) -> AssayError:
        return AssayError(message, file=str(path), row=line)

    text = read_text_capped(path, fail, what="a plate layout")
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AssayError(f"not valid TOML: {clip(str(exc), 300, quote=False)}", file=path.name) from None
    except RecursionError:  # tomllib recurses into nested arrays/tables
        raise AssayError("not valid TOML: arrays or tables nested too deeply", file=str(path)) from None
    return layout_from_dict(d, source=path.name)
