"""Frequency weights for the models: one row standing for ``w`` identical observations.

With frequency weights every estimate, standard error, log-likelihood and test equals the
fit on the data with each row repeated ``w`` times (R ``glm(weights = )`` for poisson and
binomial, ``MASS::glm.nb(weights = )``, ``MASS::polr(weights = )``; for gaussian R's
``glm``/``lm`` weights are precision weights, whose residual df is ``rows - p`` rather
than ``sum(w) - p``: serostudy uses the expanded data's df).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from serostudy.exceptions import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def frequency_weights(data: pd.DataFrame, column: str | None, rows: np.ndarray) -> np.ndarray:
    """The weights of the rows a model uses (``rows``: 0-based positions), checked.

    Every row of ``data`` must have a whole, non-negative, finite weight: a missing,
    negative, fractional or non-numeric weight is a :class:`DataError` naming the
    column and the spreadsheet row (header = row 1).  Without ``column``: all ones.
    """
    import pandas as pd

    from serostudy.models._formula import _row_numbers

    if column is None:
        return np.ones(len(rows))
    if not isinstance(column, str) or column not in [str(c) for c in data.columns]:
        raise DataError(
            f"the weights column {column!r} is not a column of the data "
            f"(columns: {', '.join(str(c) for c in data.columns)})",
            column=str(column),
        )
    raw = data[column]
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    rowno = _row_numbers(data)
    for pos, (r, v) in enumerate(zip(raw, num)):
        what = None
        if v is None or (isinstance(r, float) and math.isnan(r)) or r is None or r is pd.NA:
            what = "a missing weight"
        elif not np.isfinite(v):
            what = f"{r!r}, not a finite number"
        elif v < 0:
            what = f"{r!r}, a negative weight"
        elif v != math.floor(v):
            what = f"{r!r}, not a whole number"
        if what is not None:
            raise DataError(
                f"frequency weights must be whole numbers >= 0 (how many observations the row stands for); "
                f"found {what}",
                row=int(rowno[pos]),
                column=column,
            )
    w = num[np.asarray(rows, dtype=int)]
    if not np.any(w > 0):
        raise DataError(f"every weight in {column!r} is 0 for the rows the model uses: nothing to fit", column=column)
    return w
