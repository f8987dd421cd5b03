"""Data behind the figures (points, fitted line, confidence band): computed here,
drawn by :mod:`serostudy._render.figures`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from serostudy._records import Record


@dataclass(frozen=True)
class LineFit:
    """Least-squares line ``y = intercept + slope * x`` with a pointwise CI band of the mean."""

    x: np.ndarray
    y: np.ndarray
    grid: np.ndarray
    fit: np.ndarray
    low: np.ndarray
    high: np.ndarray
    slope: float
    intercept: float
    n: int
    confidence_level: float

    def records(self, analysis: str, variable: str, term: str, group: str | None) -> list[Record]:
        return [
            Record(analysis, variable, "slope", self.slope, group=group, term=term, n=self.n,
                   method="ordinary least squares (figure line)"),
            Record(analysis, variable, "intercept", self.intercept, group=group, term=term, n=self.n,
                   method="ordinary least squares (figure line)"),
        ]


def line_fit(x: np.ndarray, y: np.ndarray, *, confidence_level: float = 0.95, points: int = 100) -> LineFit:
    """OLS line with the t-based band ``yhat +- t * s * sqrt(1/n + (x0 - xbar)^2 / Sxx)``
    (the band R's ``predict(lm, interval = "confidence")`` and ggplot2's ``geom_smooth(method = "lm")`` draw)."""
    from scipy import stats

    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = np.asarray(x, float)[ok], np.asarray(y, float)[ok]
    n = len(x)
    grid = np.linspace(x.min(), x.max(), points) if n else np.array([])
    if n < 3 or np.ptp(x) == 0:
        nan = np.full_like(grid, np.nan)
        return LineFit(x, y, grid, nan, nan, nan, float("nan"), float("nan"), n, confidence_level)
    xb = x.mean()
    sxx = np.sum((x - xb) ** 2)
    slope = float(np.sum((x - xb) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * xb)
    resid = y - (intercept + slope * x)
    s = np.sqrt(np.sum(resid**2) / (n - 2))
    t = stats.t.ppf(0.5 + confidence_level / 2, n - 2)
    fit = intercept + slope * grid
    half = t * s * np.sqrt(1 / n + (grid - xb) ** 2 / sxx)
    return LineFit(x, y, grid, fit, fit - half, fit + half, slope, intercept, n, confidence_level)
