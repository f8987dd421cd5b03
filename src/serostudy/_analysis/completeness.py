"""Complete-case bookkeeping: which analysed participants an analysis left out, and why.

Every analysis that drops rows with a missing value says so in the report text, with the
count and the reasons (issue 11 finding 8): "Complete-case analysis: 34 of 35 NMOSD
patients; 1 left out: Serum vitamin B12 missing (not on any plate: P029)."  A reason is
the variable that is missing, refined by the stage that produced it when that stage left
a status column (the assay writes ``<target>__assay``: "not on any plate", "failed QC:
...").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

STATUS_SUFFIXES = ("__assay",)
"""Status columns a stage leaves beside a derived variable (why a value is missing)."""


@dataclass(frozen=True)
class CompleteCases:
    """Rows of an analysis set complete in the columns one analysis uses.

    ``reasons`` maps each reason to the ids left out for it, in table order; a
    participant missing two variables is counted once, under the first.
    """

    n_available: int
    n_used: int
    reasons: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def n_dropped(self) -> int:
        return self.n_available - self.n_used

    def sentence(self, who: str) -> str:
        """One sentence for the report ("" when nothing was dropped)."""
        if not self.n_dropped:
            return ""
        parts = []
        for reason, ids in self.reasons:
            shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            parts.append(f"{reason}: {len(ids)} ({shown})")
        return (f"Complete-case analysis: {self.n_used} of {self.n_available} {who}; {self.n_dropped} left out "
                f"({'; '.join(parts)}). Missing values were not imputed.")


def complete_cases(
    data: "pd.DataFrame",
    columns: Sequence[str],
    *,
    id_col: str | None = None,
    label: Callable[[str], str] = str,
) -> CompleteCases:
    """Which rows of ``data`` are complete in ``columns`` (numeric or not), and why not.

    Parameters
    ----------
    data
        The analysis set the analysis starts from (e.g. the analysed patients).
    columns
        Columns the analysis needs.
    id_col
        Column naming participants in the reasons (default: row labels).
    label
        Display label of a column.
    """
    import pandas as pd

    used = [c for c in dict.fromkeys(columns) if c in data.columns]
    miss = np.zeros(len(data), dtype=bool)
    reasons: dict[str, list[str]] = {}
    ids = (data[id_col].astype(str).tolist() if id_col is not None and id_col in data.columns
           else [str(i) for i in data.index])
    for c in used:
        col = data[c]
        na = col.isna().to_numpy(copy=True)  # pandas 3 (copy-on-write) hands out a read-only view
        if col.dtype.kind not in "biufc" and not isinstance(col.dtype, pd.CategoricalDtype):
            na |= pd.to_numeric(col, errors="coerce").isna().to_numpy() & col.astype(str).str.strip().eq("").to_numpy()
        new = na & ~miss
        for i in np.flatnonzero(new):
            why = f"{label(c)} missing"
            for suf in STATUS_SUFFIXES:
                st = data.iloc[i][c + suf] if (c + suf) in data.columns else None
                if isinstance(st, str) and st and st != "ok":
                    why += f" ({st})"
            reasons.setdefault(why, []).append(ids[i])
        miss |= na
    return CompleteCases(n_available=len(data), n_used=int((~miss).sum()),
                         reasons=tuple((k, tuple(v)) for k, v in reasons.items()))
