"""Synthetic ELISA plates from known concentrations (for the demo and tests).

Each 96-well plate holds 2 blank wells, 8 standards in duplicate (5-640 pmol/L, two-fold),
3 QC levels (15, 60, 250 pmol/L) with 2 QC samples each in duplicate, and up to 33
study samples in duplicate.  Responses follow a rising 4PL (sandwich assay) with
plate-to-plate variation of ``top`` (CV 5%) and ``ec50`` (CV 8%), plus a blank offset, and
noise ``sd = sqrt((cv * mu)^2 + sd0^2)`` per well (default ``cv = 0.04``, ``sd0 = 0.005``);
optical densities above ``od_max`` (3.5) are written as ``OVRFLW`` as a reader does.
Everything random comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serostudy.assay._curves import CurveParameters, predict
from serostudy.assay._layout import COLUMNS, PlateLayout
from serostudy.assay._plate import well_name
from serostudy.exceptions import AssayError

STANDARDS = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 640.0)
QC_LEVELS = (("low", 15.0), ("mid", 60.0), ("high", 250.0))
DEFAULT_CURVE = CurveParameters(bottom=0.04, top=3.0, ec50=150.0, hill=1.1)


@dataclass(frozen=True, eq=False)
class SimulatedPlates:
    """Reader files (generic grid CSV text), their layouts and the true values.

    ``files`` and ``layouts`` are keyed by plate name (``plate_1``, ...); ``truth`` has
    one row per sample: ``id, plate, true_concentration, dilution``.
    """

    files: dict[str, str]
    layouts: dict[str, PlateLayout]
    truth: pd.DataFrame
    unit: str
    curve: CurveParameters

    def write(self, folder: str | Path) -> list[tuple[Path, Path]]:
        """Write ``<plate>.csv`` and ``<plate>.layout.toml`` files; returns their paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for name, text in self.files.items():
            p = folder / f"{name}.csv"
            lay = folder / f"{name}.layout.toml"
            p.write_text(text, encoding="utf-8")
            lay.write_text(self.layouts[name].to_toml(), encoding="utf-8")
            out.append((p, lay))
        return out


def simulate_plates(
    concentrations: Mapping[str, float],
    *,
    seed: int,
    unit: str = "pmol/L",
    curve: CurveParameters = DEFAULT_CURVE,
    cv: float = 0.04,
    sd0: float = 0.005,
    blank_od: float = 0.05,
    od_max: float = 3.5,
    dilution: float = 1.0,
    replicates: int = 2,
    standards: Sequence[float] = STANDARDS,
) -> SimulatedPlates:
    """Make raw synthetic plates whose samples have the given true concentrations.

    Parameters
    ----------
    concentrations
        Sample id -> true concentration (in ``unit``) in the undiluted sample.  ``nan``
        values are not put on a plate.
    seed
        Seed of the random generator (same seed, same plates).
    curve
        Mean 4PL of the kit (optical density above the blank).
    cv, sd0
        Proportional and constant noise of a well's optical density.
    blank_od, od_max
        Blank optical density added to every well; reader ceiling (``OVRFLW`` above).
    dilution
        Dilution factor of every sample (the layout records it).
    replicates
        Wells per sample.
    standards
        Calibrator concentrations (at least 6, increasing); their range sets the LLOQ
        and ULOQ, so samples outside it come back censored.

    Examples
    --------
    >>> sim = simulate_plates({"P1": 40.0, "P2": 120.0}, seed=1)
    >>> list(sim.files)
    ['plate_1']
    """
    rng = np.random.default_rng(seed)
    ids = [str(k) for k, v in concentrations.items() if v is not None and np.isfinite(v)]
    for k in ids:
        if concentrations[k] < 0:
            raise AssayError(f"sample {k!r}: concentration must be >= 0, got {concentrations[k]}")
    standards = tuple(float(s) for s in standards)
    if len(standards) < 6 or any(b <= a for a, b in zip(standards, standards[1:])):
        raise AssayError(f"`standards` must be at least 6 increasing concentrations, got {standards}")
    fixed = 2 + 2 * len(standards) + 2 * 2 * len(QC_LEVELS)
    per_plate = (96 - fixed) // replicates
    chunks = [ids[i : i + per_plate] for i in range(0, max(len(ids), 1), per_plate)] or [[]]
    files, layouts, truth = {}, {}, []
    for p_i, chunk in enumerate(chunks, start=1):
        name = f"plate_{p_i}"
        pc = CurveParameters(
            bottom=curve.bottom, top=curve.top * float(np.exp(rng.normal(0, 0.05))),
            ec50=curve.ec50 * float(np.exp(rng.normal(0, 0.08))), hill=curve.hill,
        )
        wells: list[tuple] = []
        pos = iter([well_name(r, c) for c in range(12) for r in range(8)])  # column-wise filling
        wells += [(next(pos), "blank", "blank", 0.0, "", 1.0) for _ in range(2)]
        for j, s in enumerate(standards, start=1):
            wells += [(next(pos), "standard", f"S{j}", s, "", 1.0) for _ in range(2)]
        for lvl, nom in QC_LEVELS:
            for rep in (1, 2):
                wells += [(next(pos), "qc", f"QC-{lvl}-{rep}", nom, lvl, 1.0) for _ in range(2)]
        for sid in chunk:
            wells += [(next(pos), "sample", sid, float("nan"), "", float(dilution)) for _ in range(replicates)]
            truth.append((sid, name, float(concentrations[sid]), float(dilution)))
        lay = pd.DataFrame(wells, columns=COLUMNS)
        true_in_well = np.where(
            lay["role"] == "sample",
            lay["id"].map(lambda i: concentrations.get(i, np.nan)).astype(float) / lay["dilution"],
            lay["concentration"],
        )
        grid = np.full((8, 12), np.nan)
        for w, x, role in zip(lay["well"], true_in_well, lay["role"]):
            mu = blank_od + (0.0 if role == "blank" else float(predict(pc, x)))
            od = mu + rng.normal(0.0, np.sqrt((cv * mu) ** 2 + sd0**2))
            r, c = ord(w[0]) - 65, int(w[1:]) - 1
            grid[r, c] = od
        lines = ["," + ",".join(str(i) for i in range(1, 13))]
        for r in range(8):
            cells = []
            for c in range(12):
                v = grid[r, c]
                cells.append("" if np.isnan(v) else ("OVRFLW" if v > od_max else f"{v:.4f}"))
            lines.append(chr(65 + r) + "," + ",".join(cells))
        files[name] = "\n".join(lines) + "\n"
        layouts[name] = PlateLayout(lay, 96, unit, name, f"{name}.layout.toml")
    return SimulatedPlates(files, layouts, pd.DataFrame(truth, columns=["id", "plate", "true_concentration", "dilution"]),
                           unit, curve)


def demo_plates(
    participants: pd.DataFrame,
    folder: str | Path,
    *,
    seed: int,
    id_column: str = "id",
    value_column: str = "b12_pmol_l",
    unit: str = "pmol/L",
    standards: Sequence[float] = STANDARDS,
) -> dict[str, object]:
    """Write synthetic raw plates for a participant table and return its ``assay:`` config.

    The demo hook: each participant with a value in ``value_column`` becomes a sample on
    a simulated plate (:func:`simulate_plates`, same seed -> same files); the plates and
    layouts are written to ``folder`` and the returned dict (paths relative to
    ``folder``'s parent) goes under ``assay:`` in ``study.yaml``.
    """
    folder = Path(folder)
    truth = {str(i): float(v) for i, v in zip(participants[id_column], participants[value_column]) if pd.notna(v)}
    sim = simulate_plates(truth, seed=seed, unit=unit, standards=standards)
    written = sim.write(folder)
    rel = folder.name
    return {
        "plates": [{"file": f"{rel}/{p.name}", "layout": f"{rel}/{lay.name}"} for p, lay in written],
        "format": "grid", "model": "4pl", "weights": "1/y2", "blank": "zero-standard",
        "qc_rules": "ich-m10-lba", "analyte": "b12", "unit": unit, "target": value_column,
        "sample_id": id_column, "reference_range": "study_2025",
    }
