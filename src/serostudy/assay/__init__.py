"""Assay layer: plate-reader files and a plate layout in, concentrations with QC out."""

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

__all__ = [
    "BackCalculation",
    "BatchFit",
    "CurveFit",
    "CurveParameters",
    "fit_curve",
    "fit_curves",
    "inverse",
    "predict",
]
