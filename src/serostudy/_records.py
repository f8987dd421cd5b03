"""Result records: every number serostudy reports, computed once, rendered many ways.

A :class:`Record` is one number (or one estimate with its interval) with everything a
reader needs to reproduce it: which analysis, variable, group and level, the statistic,
n, the method, and any warning.  Tables, the report text and ``results.json`` are all
rendered from records (gtsummary's "analysis results dataset" idea).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    """One reported number.

    Attributes
    ----------
    analysis
        Which analysis produced it: ``"table1"``, ``"table2"``, ``"assay"``, ``"flow"``,
        ``"model"``, ``"power"``, ``"audit"``, ...
    variable
        The variable (codebook name) it is about.
    statistic
        What the number is: ``"n"``, ``"mean"``, ``"sd"``, ``"median"``, ``"q1"``, ``"q3"``,
        ``"count"``, ``"percent"``, ``"missing"``, ``"mean_difference"``, ``"hedges_g"``,
        ``"odds_ratio"``, ``"cramers_v"``, ``"smd"``, ``"t"``, ``"chi2"``, ``"U"``,
        ``"pearson_r"``, ``"spearman_rho"``, ``"q_value"``, ...
    estimate
        The number (``None`` when it cannot be computed; the ``warnings`` say why).
    group, level
        Group (e.g. ``"nmosd"``, ``"overall"``) and category level, where relevant.
    term
        Model term or comparison label (e.g. ``"nmosd vs control"``, ``"b12_per_10"``).
    ci_low, ci_high, confidence_level
        Confidence interval.
    se, df, df_denominator, n, denominator, pvalue
        Standard error, degrees of freedom (``df_denominator``: denominator df of an F statistic;
        Welch's ANOVA gives a non-integer one), observations used, denominator of a
        percentage, p-value.
    method
        Name of the method, as printed in a footnote.
    warnings
        Caveats and automatic choices attached to this number.
    role
        ``"primary"``, ``"secondary"``, ``"sensitivity"`` or ``"exploratory"``: what the
        declared analysis plan makes of this result (set by the plan stage after the
        analyses ran); ``None`` for descriptive numbers.
    """

    analysis: str
    variable: str
    statistic: str
    estimate: float | None
    group: str | None = None
    level: str | None = None
    term: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence_level: float | None = None
    se: float | None = None
    df: float | None = None
    df_denominator: float | None = None
    n: int | None = None
    denominator: int | None = None
    pvalue: float | None = None
    method: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; non-finite numbers become ``None``; keys in a fixed order."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float):
                v = _json_float(v)
            elif isinstance(v, tuple):
                v = list(v)
            elif hasattr(v, "item"):  # numpy scalar
                v = _json_float(float(v.item())) if isinstance(v.item(), float) else v.item()
            out[f.name] = v
        return out


def _json_float(v: float) -> float | None:
    if not math.isfinite(v):
        return None
    # Round to 12 significant digits: removes last-bit noise between BLAS builds
    # so results.json is byte-identical across runs and machines.
    return float(f"{v:.12g}")


def records_to_frame(records: Iterable[Record]):
    """Records as a tidy :class:`pandas.DataFrame` (one row per record)."""
    import pandas as pd

    rows = [r.to_dict() for r in records]
    cols = [f.name for f in fields(Record)]
    return pd.DataFrame(rows, columns=cols)
