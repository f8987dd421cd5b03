"""Assay layer: plate-reader files and a plate layout in, QC-checked concentrations out.

>>> from serostudy import assay
>>> reading = assay.read_plate("plate1.csv")                    # doctest: +SKIP
>>> layout = assay.read_layout("plate1.layout.toml")            # doctest: +SKIP
>>> result = assay.quantify_plate(reading, layout)              # doctest: +SKIP
>>> result.samples[["id", "reported", "status"]]                # doctest: +SKIP

See ``docs/assay.md`` for the layout format, the readers, the curve parameterisation and
its conversions, the QC rule set and the units/reference ranges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from serostudy._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from serostudy.assay._config import AssayConfig, PlateFile
    from serostudy.assay._curves import (
        BackCalculation,
        BatchFit,
        CurveFit,
        CurveParameters,
        fit_curve,
        fit_curves,
        inverse,
        predict,
    )
    from serostudy.assay._layout import PlateLayout, layout_from_dict, read_layout
    from serostudy.assay._qc import RULE_SETS, QCRuleSet, get_rule_set
    from serostudy.assay._quantify import PlateResult, combine_samples, quantify_plate
    from serostudy.assay._readers import READER_TOKENS, PlateReading, detect_format, read_plate
    from serostudy.assay._simulate import SimulatedPlates, demo_plates, simulate_plates
    from serostudy.assay._stage import assay_stage
    from serostudy.assay._units import RangeSet, classify, convert, range_set, range_set_names

_EXPORTS = {
    "AssayConfig": "serostudy.assay._config",
    "PlateFile": "serostudy.assay._config",
    "assay_stage": "serostudy.assay._stage",
    "BackCalculation": "serostudy.assay._curves",
    "BatchFit": "serostudy.assay._curves",
    "CurveFit": "serostudy.assay._curves",
    "CurveParameters": "serostudy.assay._curves",
    "PlateLayout": "serostudy.assay._layout",
    "PlateReading": "serostudy.assay._readers",
    "PlateResult": "serostudy.assay._quantify",
    "QCRuleSet": "serostudy.assay._qc",
    "RULE_SETS": "serostudy.assay._qc",
    "READER_TOKENS": "serostudy.assay._readers",
    "RangeSet": "serostudy.assay._units",
    "SimulatedPlates": "serostudy.assay._simulate",
    "classify": "serostudy.assay._units",
    "combine_samples": "serostudy.assay._quantify",
    "convert": "serostudy.assay._units",
    "detect_format": "serostudy.assay._readers",
    "fit_curve": "serostudy.assay._curves",
    "fit_curves": "serostudy.assay._curves",
    "get_rule_set": "serostudy.assay._qc",
    "inverse": "serostudy.assay._curves",
    "layout_from_dict": "serostudy.assay._layout",
    "predict": "serostudy.assay._curves",
    "quantify_plate": "serostudy.assay._quantify",
    "range_set": "serostudy.assay._units",
    "range_set_names": "serostudy.assay._units",
    "read_layout": "serostudy.assay._layout",
    "read_plate": "serostudy.assay._readers",
    "simulate_plates": "serostudy.assay._simulate",
    "demo_plates": "serostudy.assay._simulate",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = [
    "AssayConfig",
    "PlateFile",
    "assay_stage",
    "BackCalculation",
    "BatchFit",
    "CurveFit",
    "CurveParameters",
    "PlateLayout",
    "PlateReading",
    "PlateResult",
    "QCRuleSet",
    "RULE_SETS",
    "READER_TOKENS",
    "RangeSet",
    "SimulatedPlates",
    "classify",
    "combine_samples",
    "convert",
    "detect_format",
    "fit_curve",
    "fit_curves",
    "get_rule_set",
    "inverse",
    "layout_from_dict",
    "predict",
    "quantify_plate",
    "range_set",
    "range_set_names",
    "read_layout",
    "read_plate",
    "simulate_plates",
    "demo_plates",
]
