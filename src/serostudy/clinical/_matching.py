"""Matching controls to cases on age (caliper) and sex (exact), seeded.

Two methods:

* ``"nearest"``: 1:k nearest-neighbour matching without replacement.  Cases are taken
  in a random order (seeded, like MatchIt's ``m.order = "random"``); each case gets the
  available control of the same sex with the closest age, within the caliper (ties
  broken at random).  With ``ratio = k`` the pass is repeated k times, so every case
  gets its first control before any case gets its second.
* ``"frequency"``: strata of sex x age band (``age_band_width`` years, from 0); in each
  stratum ``ratio x (cases in the stratum)`` controls are drawn at random without
  replacement (all of them, with a note, when there are fewer).

Balance is shown by standardised mean differences (SMD) before and after matching,
computed with :func:`serostudy._inference._twosample.smd_continuous` (age) and
:func:`~serostudy._inference._twosample.smd_categorical` (sex), i.e. as R ``tableone``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from serostudy._typing import check_choice
from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MatchResult", "match_controls", "balance_table"]

MatchMethod = Literal["nearest", "frequency"]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The matched set, with the balance before and after.

    Attributes
    ----------
    method, ratio, caliper, age_band_width, seed
        The parameters used.
    pairs
        ``case id -> tuple of matched control ids`` (nearest) or stratum label ->
        selected control ids (frequency).
    selected_controls
        Controls kept, in table order.
    unselected_controls
        Controls not kept.
    unmatched_cases
        Cases that got fewer than ``ratio`` controls (nearest) or whose stratum ran
        short (frequency).
    balance
        Balance table: see :func:`balance_table`.
    notes
        Shortfalls and choices, in words.
    """

    method: str
    ratio: int
    caliper: float | None
    age_band_width: float
    seed: int
    pairs: dict[str, tuple[str, ...]]
    selected_controls: tuple[str, ...]
    unselected_controls: tuple[str, ...]
    unmatched_cases: tuple[str, ...]
    balance: "pd.DataFrame"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        """A methods sentence."""
        if self.method == "nearest":
            cal = f"within a caliper of {self.caliper:g} years of age" if self.caliper is not None else "without caliper"
            return (f"Controls were matched 1:{self.ratio} to cases by nearest neighbour on age {cal}, exactly on sex, "
                    f"without replacement, cases in random order (seed {self.seed}).")
        return (f"Controls were frequency-matched {self.ratio}:1 to cases within strata of sex and "
                f"{self.age_band_width:g}-year age bands, drawn at random (seed {self.seed}).")


def balance_table(
    data: "pd.DataFrame",
    *,
    group_column: str,
    case: str,
    control: str,
    age: str,
    sex: str,
    selected: Sequence[str] | None = None,
    id_column: str | None = None,
) -> "pd.DataFrame":
    """SMD of age and sex between cases and controls, before and after selection.

    Parameters
    ----------
    data
        Participant table.
    group_column, case, control
        Group column and the case and control labels.
    age, sex
        Age (numeric) and sex (categorical) columns.
    selected
        Ids kept by matching (cases and controls); ``None`` gives "before" only.
    id_column
        Needed with ``selected``.

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable``, ``case_before``, ``control_before``,
        ``smd_before``, ``case_after``, ``control_after``, ``smd_after`` (absolute
        SMDs; age summarised as mean (SD), sex as % of the first level).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import balance_table
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "age": [30, 40, 50, 60],
    ...                    "sex": ["f", "m", "f", "m"]})
    >>> round(float(balance_table(df, group_column="g", case="a", control="b",
    ...                           age="age", sex="sex").loc[0, "smd_before"]), 3)
    2.828
    """
    import numpy as np
    import pandas as pd

    from serostudy._inference._twosample import smd_categorical, smd_continuous

    def summarise(d: "pd.DataFrame") -> dict[str, tuple[str, str, float]]:
        a = d[d[group_column].astype(str) == case]
        b = d[d[group_column].astype(str) == control]
        xa = pd.to_numeric(a[age], errors="coerce").dropna().to_numpy(float)
        xb = pd.to_numeric(b[age], errors="coerce").dropna().to_numpy(float)
        out: dict[str, tuple[str, str, float]] = {}  # variable -> (case, control, |SMD|)
        if xa.size > 1 and xb.size > 1:
            out["age"] = (
                f"{xa.mean():.1f} ({xa.std(ddof=1):.1f})",
                f"{xb.mean():.1f} ({xb.std(ddof=1):.1f})",
                abs(smd_continuous(xa.mean(), xa.std(ddof=1), xb.mean(), xb.std(ddof=1))),
            )
        else:
            out["age"] = ("", "", math.nan)
        levels = sorted(set(d[sex].dropna().astype(str)))
        ca = a[sex].dropna().astype(str).value_counts().reindex(levels, fill_value=0).to_numpy(float)
        cb = b[sex].dropna().astype(str).value_counts().reindex(levels, fill_value=0).to_numpy(float)
        if len(levels) >= 2 and ca.sum() > 0 and cb.sum() > 0:
            out["sex"] = (
                f"{100 * ca[0] / ca.sum():.1f}% {levels[0]}",
                f"{100 * cb[0] / cb.sum():.1f}% {levels[0]}",
                abs(smd_categorical(ca, cb)),
            )
        else:
            out["sex"] = ("", "", 0.0 if len(levels) < 2 else math.nan)
        return out

    before = summarise(data)
    after = None
    if selected is not None:
        if id_column is None:
            raise InputError("`id_column` is needed with `selected`")
        keep = set(str(s) for s in selected)
        after = summarise(data[data[id_column].astype(str).isin(keep)])
    rows = []
    for v in ("age", "sex"):
        b = before[v]
        row = {"variable": age if v == "age" else sex, "case_before": b[0], "control_before": b[1],
               "smd_before": float(b[2])}
        if after is not None:
            a = after[v]
            row.update(case_after=a[0], control_after=a[1], smd_after=float(a[2]))
        else:
            row.update(case_after="", control_after="", smd_after=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def match_controls(
    data: "pd.DataFrame",
    *,
    id_column: str,
    group_column: str,
    case: str,
    control: str,
    age: str = "age",
    sex: str = "sex",
    method: MatchMethod = "nearest",
    ratio: int = 1,
    caliper: float | None = 5.0,
    age_band_width: float = 10.0,
    seed: int,
) -> MatchResult:
    """Select controls matched to the cases on age and sex, reproducibly.

    Parameters
    ----------
    data
        Participant table (cases and candidate controls).
    id_column, group_column
        Participant id and group columns.
    case, control
        Labels of the case and control groups.
    age, sex
        Columns matched on (age numeric, sex matched exactly).
    method
        ``"nearest"`` (1:k nearest neighbour without replacement) or ``"frequency"``.
    ratio
        Controls per case (k).
    caliper
        Largest allowed age difference in years (nearest neighbour); ``None`` for none.
    age_band_width
        Width of the age bands (frequency matching).
    seed
        Seed of the random order of cases, tie breaks and draws.

    Returns
    -------
    MatchResult

    Raises
    ------
    DataError
        A case or control with missing age or sex (named), or a missing column.

    Notes
    -----
    The same ``seed`` gives the same matched set; the balance (SMD) is checked to
    improve on the demo cohort in ``tests/clinical/test_clinical_matching.py``.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import match_controls
    >>> df = pd.DataFrame({"id": ["P1", "P2", "C1", "C2", "C3"],
    ...                    "group": ["case", "case", "ctl", "ctl", "ctl"],
    ...                    "age": [30, 50, 31, 70, 49], "sex": ["f", "m", "f", "f", "m"]})
    >>> m = match_controls(df, id_column="id", group_column="group", case="case",
    ...                    control="ctl", seed=1)
    >>> m.pairs
    {'P1': ('C1',), 'P2': ('C3',)}
    """
    import numpy as np
    import pandas as pd

    check_choice("method", method, ("nearest", "frequency"))
    if isinstance(ratio, bool) or int(ratio) != ratio or ratio < 1:
        raise InputError(f"`ratio` must be a positive integer, got {ratio!r}")
    if caliper is not None and not caliper > 0:
        raise InputError(f"`caliper` must be positive (years) or None, got {caliper!r}")
    if not age_band_width > 0:
        raise InputError(f"`age_band_width` must be positive, got {age_band_width!r}")
    for col in (id_column, group_column, age, sex):
        if col not in data.columns:
            raise DataError(f"matching needs column {col!r}, not in the participant table", column=col)
    g = data[group_column].astype(str)
    sub = data[g.isin([case, control])]
    for _, r in sub.iterrows():
        if pd.isna(r[age]) or pd.isna(r[sex]) or (isinstance(r[sex], str) and not r[sex].strip()):
            raise DataError(
                f"participant {r[id_column]!r}: age and sex are needed for matching, got age={r[age]!r}, sex={r[sex]!r}",
                column=age if pd.isna(r[age]) else sex,
            )
    ids = sub[id_column].astype(str).to_numpy()
    grp = sub[group_column].astype(str).to_numpy()
    ages = pd.to_numeric(sub[age], errors="raise").to_numpy(float)
    sexes = sub[sex].astype(str).to_numpy()
    cases = np.flatnonzero(grp == case)
    ctrls = np.flatnonzero(grp == control)
    if cases.size == 0 or ctrls.size == 0:
        raise DataError(f"matching needs cases ({case!r}) and controls ({control!r}); found {cases.size} and {ctrls.size}")
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    pairs: dict[str, list[str]] = {}
    chosen: list[int] = []
    unmatched: list[str] = []
    if method == "nearest":
        available = np.ones(len(ids), dtype=bool)
        available[cases] = False
        order = cases[rng.permutation(cases.size)]
        pairs = {ids[c]: [] for c in cases}
        for _ in range(int(ratio)):
            for c in order:
                cand = ctrls[available[ctrls] & (sexes[ctrls] == sexes[c])]
                if caliper is not None:
                    cand = cand[np.abs(ages[cand] - ages[c]) <= caliper + 1e-9]
                if cand.size == 0:
                    continue
                d = np.abs(ages[cand] - ages[c])
                best = cand[d == d.min()]
                pick = best[rng.integers(best.size)] if best.size > 1 else best[0]
                available[pick] = False
                pairs[ids[c]].append(ids[pick])
                chosen.append(int(pick))
        unmatched = [ids[c] for c in cases if len(pairs[ids[c]]) < ratio]
        if unmatched:
            notes.append(f"{len(unmatched)} case(s) got fewer than {ratio} control(s) within the caliper")
    else:
        band = np.floor(ages / age_band_width).astype(int)
        strata = sorted({(sexes[c], band[c]) for c in cases})
        for s, b in strata:
            lo, hi = b * age_band_width, (b + 1) * age_band_width
            label = f"{s}, age {lo:g}-<{hi:g}"
            n_case = int(np.sum((sexes[cases] == s) & (band[cases] == b)))
            pool = ctrls[(sexes[ctrls] == s) & (band[ctrls] == b)]
            need = n_case * int(ratio)
            if pool.size <= need:
                pick = pool
                if pool.size < need:
                    notes.append(f"stratum {label}: {pool.size} control(s) for {need} wanted")
                    unmatched += [ids[c] for c in cases if sexes[c] == s and band[c] == b]
            else:
                pick = np.sort(rng.choice(pool, size=need, replace=False))
            pairs[label] = [ids[p] for p in pick]
            chosen += [int(p) for p in pick]
    chosen_set = set(chosen)
    selected = tuple(ids[i] for i in ctrls if i in chosen_set)
    unselected = tuple(ids[i] for i in ctrls if i not in chosen_set)
    bal = balance_table(sub, group_column=group_column, case=case, control=control, age=age, sex=sex,
                        selected=list(ids[cases]) + list(selected), id_column=id_column)
    return MatchResult(
        method=method,
        ratio=int(ratio),
        caliper=None if caliper is None else float(caliper),
        age_band_width=float(age_band_width),
        seed=int(seed),
        pairs={k: tuple(v) for k, v in pairs.items()},
        selected_controls=selected,
        unselected_controls=unselected,
        unmatched_cases=tuple(unmatched),
        balance=bal,
        notes=tuple(notes),
    )
