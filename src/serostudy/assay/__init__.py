"""Assay layer: plate-reader files and a plate layout in, QC-checked concentrations out.

>>> from serostudy import assay
>>> reading = assay.read_plate("plate1.csv")                    # doctest: +SKIP
>>> layout = assay.read_layout("plate1.layout.toml")            # doctest: +SKIP
>>> result = assay.quantify_plate(reading, layout)              # doctest: +SKIP
>>> result.samples[["id", "reported", "status"]]                # doctest: +SKIP

See ``docs/assay.md`` for the layout format, the readers, the curve parameterisation and
its conversions, the QC rule set and the units/reference ranges.
"""

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
from serostudy.assay._stage import assay_stage
from serostudy.assay._simulate import SimulatedPlates, demo_plates, simulate_plates
from serostudy.assay._units import RangeSet, classify, convert, range_set, range_set_names

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
