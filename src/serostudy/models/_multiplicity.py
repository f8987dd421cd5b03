"""Adjusting p-values for multiple comparisons, as R's ``p.adjust``.

The adjustment is statsmodels' ``multipletests``; this wrapper adds R's vocabulary
(``"BH"``, ``"BY"``, ``"holm"``, ``"hochberg"``, ``"bonferroni"``, ``"none"``) and R's
handling of missing p-values: they stay missing and do not count in the family size.

Validated against ``p.adjust`` (R 4.2.2) on three vectors including ties and ``NA``,
to 1e-12 (tests/models/test_multiplicity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from serostudy._typing import check_choice
from serostudy.exceptions import InputError

AdjustMethod = Literal["BH", "BY", "holm", "hochberg", "bonferroni", "none"]
ADJUST_METHODS: tuple[str, ...] = ("BH", "BY", "holm", "hochberg", "bonferroni", "none")

_SM_NAME = {
    "BH": "fdr_bh",
    "BY": "fdr_by",
    "holm": "holm",
    "hochberg": "simes-hochberg",
    "bonferroni": "bonferroni",
}

METHOD_NAMES = {
    "BH": "Benjamini-Hochberg false discovery rate (q-values)",
    "BY": "Benjamini-Yekutieli false discovery rate",
    "holm": "Holm step-down family-wise error rate",
    "hochberg": "Hochberg step-up family-wise error rate",
    "bonferroni": "Bonferroni family-wise error rate",
    "none": "no adjustment",
}


def p_adjust(pvalues: Sequence[float] | np.ndarray, *, method: AdjustMethod = "BH") -> np.ndarray:
    """Adjusted p-values for a family of tests (R ``p.adjust``).

    Parameters
    ----------
    pvalues
        The family's p-values, in any order; ``nan`` (or ``None``) for tests that could
        not be computed, which stay ``nan`` and do not count in the family size.
    method
        ``"BH"`` (Benjamini-Hochberg q-values, the default), ``"BY"``, ``"holm"``,
        ``"hochberg"``, ``"bonferroni"`` or ``"none"``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Raises
    ------
    InputError
        For a p-value outside [0, 1] or an unknown method.

    Notes
    -----
    Matches R ``p.adjust`` to 1e-12 (tests/reference/models/reference.json).

    Examples
    --------
    >>> from serostudy.models import p_adjust
    >>> p_adjust([0.01, 0.04, 0.03], method="BH").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    check_choice("method", method, ADJUST_METHODS)
    p = np.array([np.nan if v is None else v for v in pvalues], dtype=float)
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        bad = p[ok][(p[ok] < 0) | (p[ok] > 1)][0]
        raise InputError(f"p-values must lie in [0, 1], found {bad!r}")
    out = np.full(p.shape, np.nan)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    out[ok] = multipletests(p[ok], method=_SM_NAME[method])[1]
    return np.minimum(out, 1.0)
