"""EDSS from the functional system scores and the ambulation score (Neurostatus).

The Expanded Disability Status Scale (Kurtzke 1983) as standardised by the
Neurostatus-EDSS definitions (Kappos, version 04/10.2, scoring table 04/10.3):

* seven functional systems (FS): visual 0-6, brainstem 0-5, pyramidal 0-6, cerebellar
  0-5, sensory 0-6, bowel/bladder 0-6, cerebral 0-5;
* the visual and bowel/bladder scores are *converted* before the step is read
  (visual 1,2,3,4,5,6 -> 1,2,2,3,3,4; bowel/bladder 1,2,3,4,5,6 -> 1,2,3,3,4,5);
* cerebral (mental) grade 1 does not count towards the step;
* the Neurostatus ambulation score (0-16) sets a floor: from 4.5 upwards the step is
  read mainly from walking range and aids.

The step is ``max(step from the FS combination, floor from the ambulation score)``.
Where published descriptions leave a step open, :class:`EdssOptions` makes the choice
explicit and the defaults are documented in ``docs/clinical.md``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from serostudy._typing import check_choice
from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "EdssOptions",
    "EdssResult",
    "FS_RANGES",
    "EDSS_STEPS",
    "AMBULATION_FLOORS",
    "edss",
    "edss_detail",
    "edss_frame",
]

FS_RANGES: dict[str, int] = {
    "visual": 6,
    "brainstem": 5,
    "pyramidal": 6,
    "cerebellar": 5,
    "sensory": 6,
    "bowel_bladder": 6,
    "cerebral": 5,
}
"""Largest allowed raw grade of each functional system (the smallest is 0)."""

_VISUAL_CONVERSION = {0: 0, 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4}
_BOWEL_BLADDER_CONVERSION = {0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5}

AMBULATION_FLOORS: dict[int, float] = {
    0: 0.0,  # unrestricted
    1: 2.0,  # fully ambulatory, not unrestricted (see EdssOptions.ambulation_1_floor)
    2: 4.5,  # >= 300 m, < 500 m without help: 4.5 or 5.0 (5.0 when the FS say so)
    3: 5.0,  # >= 200 m, < 300 m without help
    4: 5.5,  # >= 100 m, < 200 m without help
    5: 6.0,  # < 100 m without help
    6: 6.0,  # unilateral assistance, >= 50 m
    7: 6.0,  # bilateral assistance, >= 120 m
    8: 6.5,  # unilateral assistance, < 50 m
    9: 6.5,  # bilateral assistance, >= 5 m and < 120 m
    10: 7.0,  # wheelchair without help
    11: 7.5,  # wheelchair with help
    12: 8.0,  # restricted to bed or chair, retains self-care, effective use of arms
    13: 8.5,  # restricted to bed much of the day, some effective use of arms
    14: 9.0,  # helpless bed patient, can communicate and eat
    15: 9.5,  # totally helpless, cannot communicate effectively or eat/swallow
    16: 10.0,  # death due to MS
}
"""Lowest EDSS step implied by each Neurostatus ambulation score (0-16)."""

EDSS_STEPS: tuple[float, ...] = (0.0,) + tuple(1.0 + 0.5 * k for k in range(19))
"""The 20 EDSS steps: 0, 1.0, 1.5, ..., 9.5, 10 (there is no 0.5)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EdssOptions:
    """Choices where published descriptions of the EDSS disagree or are silent.

    Attributes
    ----------
    cerebral_grade_1
        ``"ignore"`` (default, Neurostatus: cerebral grade 1, e.g. mild fatigue or mood
        change, does not raise the step) or ``"count"`` (Kurtzke 1983 as printed, which
        counts it like any other grade 1).
    convert_visual, convert_bowel_bladder
        Apply the Neurostatus conversions (default ``True``).  ``False`` uses the raw
        grades, as some older scoring sheets do.
    ambulation_1_floor
        Step implied by ambulation score 1 ("fully ambulatory", walks >= 500 m, but not
        unrestricted).  Neurostatus reserves 0-1.5 for unrestricted walking, so the
        default is ``2.0``; ``0.0`` lets the FS alone decide.
    grade4_with_grade3
        Step for one FS grade 4 together with one to four FS grade 3 (the rest <= 2).
        Kurtzke's "combinations of lesser grades exceeding the limits of the previous
        step" allows 4.5 or 5.0; the Neurostatus scoring table reads 4.5 (default).
    """

    cerebral_grade_1: Literal["ignore", "count"] = "ignore"
    convert_visual: bool = True
    convert_bowel_bladder: bool = True
    ambulation_1_floor: float = 2.0
    grade4_with_grade3: float = 4.5

    def __post_init__(self) -> None:
        check_choice("cerebral_grade_1", self.cerebral_grade_1, ("ignore", "count"))
        check_choice("ambulation_1_floor", self.ambulation_1_floor, (0.0, 1.0, 1.5, 2.0))
        check_choice("grade4_with_grade3", self.grade4_with_grade3, (4.5, 5.0))


@dataclass(frozen=True, slots=True)
class EdssResult:
    """An EDSS step with how it was reached.

    Attributes
    ----------
    step
        The EDSS step (0-10 in half steps).
    fs_step
        The step implied by the functional systems alone.
    ambulation_floor
        The lowest step implied by the ambulation score.
    converted
        The FS grades as used for the step (after conversions and the cerebral rule).
    determined_by
        ``"functional systems"`` or ``"ambulation"`` (whichever gave the larger step;
        ``"both"`` when equal and non-zero).
    options
        The options used.
    """

    step: float
    fs_step: float
    ambulation_floor: float
    converted: dict[str, int]
    determined_by: str
    options: EdssOptions = field(default_factory=EdssOptions)


def _grade(name: str, value: object, top: int) -> int:
    """Validate one grade: an integer in ``0..top``."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"`{name}` must be an integer grade 0-{top}, got {value!r}")
    try:
        from serostudy._io.readers import parse_number

        f = parse_number(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"`{name}` must be an integer grade 0-{top}, got {value!r}") from None
    if not math.isfinite(f) or f != int(f) or not 0 <= f <= top:
        raise InputError(f"`{name}` must be an integer grade 0-{top}, got {value!r}")
    return int(f)


def _fs_step(g: Mapping[str, int], *, grade4_with_grade3: float) -> float:
    """Step implied by the (converted) FS grades, ambulation unrestricted."""
    c = Counter(min(v, 5) for v in g.values())
    n1, n2, n3, n4, n5 = c[1], c[2], c[3], c[4], c[5]
    if n5 >= 1:
        return 5.0  # one grade 5 (alone or with anything below): step 5.0
    if n4 >= 2:
        return 5.0  # combination exceeding step 4.5
    if n4 == 1:
        if n3 == 0:
            return 4.0  # one grade 4, the rest <= 2
        if n3 <= 4:
            return grade4_with_grade3
        return 5.0
    # no FS above 3
    if n3 >= 6:
        return 5.0
    if n3 == 5:
        return 4.5
    if n3 >= 3:
        return 4.0
    if n3 == 2:
        return 3.5 if n2 == 0 else 4.0
    if n3 == 1:
        if n2 == 0:
            return 3.0
        return 3.5 if n2 <= 2 else 4.0
    # no FS above 2
    if n2 >= 6:
        return 4.0
    if n2 == 5:
        return 3.5
    if n2 >= 3:
        return 3.0
    if n2 == 2:
        return 2.5
    if n2 == 1:
        return 2.0
    if n1 >= 2:
        return 1.5
    if n1 == 1:
        return 1.0
    return 0.0


def edss_detail(
    *,
    visual: int,
    brainstem: int,
    pyramidal: int,
    cerebellar: int,
    sensory: int,
    bowel_bladder: int,
    cerebral: int,
    ambulation: int,
    options: EdssOptions | None = None,
) -> EdssResult:
    """EDSS step with the intermediate values (converted grades, FS step, floor).

    Same rules and arguments as :func:`edss`; returns an :class:`EdssResult`.

    Examples
    --------
    >>> from serostudy.clinical import edss_detail
    >>> r = edss_detail(visual=2, brainstem=0, pyramidal=2, cerebellar=1, sensory=0,
    ...                 bowel_bladder=0, cerebral=0, ambulation=0)
    >>> r.step, r.converted["visual"], r.determined_by
    (2.5, 2, 'functional systems')
    """
    opts = options or EdssOptions()
    raw = {
        "visual": visual,
        "brainstem": brainstem,
        "pyramidal": pyramidal,
        "cerebellar": cerebellar,
        "sensory": sensory,
        "bowel_bladder": bowel_bladder,
        "cerebral": cerebral,
    }
    grades = {k: _grade(k, v, FS_RANGES[k]) for k, v in raw.items()}
    amb = _grade("ambulation", ambulation, 16)
    conv = dict(grades)
    if opts.convert_visual:
        conv["visual"] = _VISUAL_CONVERSION[grades["visual"]]
    if opts.convert_bowel_bladder:
        conv["bowel_bladder"] = _BOWEL_BLADDER_CONVERSION[grades["bowel_bladder"]]
    if opts.cerebral_grade_1 == "ignore" and conv["cerebral"] == 1:
        conv["cerebral"] = 0
    fs = _fs_step(conv, grade4_with_grade3=opts.grade4_with_grade3)
    floor = opts.ambulation_1_floor if amb == 1 else AMBULATION_FLOORS[amb]
    step = max(fs, floor)
    if fs == floor:
        by = "both" if step > 0 else "functional systems"
    else:
        by = "functional systems" if fs > floor else "ambulation"
    return EdssResult(step=step, fs_step=fs, ambulation_floor=floor, converted=conv, determined_by=by, options=opts)


def edss(
    *,
    visual: int,
    brainstem: int,
    pyramidal: int,
    cerebellar: int,
    sensory: int,
    bowel_bladder: int,
    cerebral: int,
    ambulation: int,
    options: EdssOptions | None = None,
) -> float:
    """EDSS step from the seven functional system grades and the ambulation score.

    Follows the Neurostatus-EDSS conventions (Kappos, definitions 04/10.2): visual and
    bowel/bladder grades are converted, cerebral grade 1 is not counted, and the
    ambulation score (0-16) sets a floor.  The result is
    ``max(FS step, ambulation floor)``.

    Parameters
    ----------
    visual, brainstem, pyramidal, cerebellar, sensory, bowel_bladder, cerebral
        Raw FS grades as recorded on the scoring sheet (visual 0-6, brainstem 0-5,
        pyramidal 0-6, cerebellar 0-5, sensory 0-6, bowel/bladder 0-6, cerebral 0-5).
    ambulation
        Neurostatus ambulation score, 0 (unrestricted) to 16 (death due to MS).
    options
        Choices for the ambiguous steps, see :class:`EdssOptions`.

    Returns
    -------
    float
        The EDSS step, 0 to 10 in half steps.

    Raises
    ------
    InputError
        (a ``ValueError``) when a grade is not an integer in its range.

    Notes
    -----
    Validated on worked cases taken from the Kurtzke (1983) step definitions and the
    Neurostatus scoring table, one per step and per ambiguous rule, in
    ``tests/clinical/test_edss.py``.

    Examples
    --------
    >>> from serostudy.clinical import edss
    >>> edss(visual=0, brainstem=1, pyramidal=1, cerebellar=0, sensory=0,
    ...      bowel_bladder=0, cerebral=1, ambulation=0)
    1.5
    >>> edss(visual=0, brainstem=0, pyramidal=3, cerebellar=2, sensory=0,
    ...      bowel_bladder=0, cerebral=0, ambulation=3)
    5.0
    """
    return edss_detail(
        visual=visual,
        brainstem=brainstem,
        pyramidal=pyramidal,
        cerebellar=cerebellar,
        sensory=sensory,
        bowel_bladder=bowel_bladder,
        cerebral=cerebral,
        ambulation=ambulation,
        options=options,
    ).step


def edss_frame(
    data: "pd.DataFrame",
    *,
    columns: Mapping[str, str] | None = None,
    recorded: str | None = None,
    id_column: str | None = None,
    tolerance: float = 0.0,
    options: EdssOptions | None = None,
) -> "pd.DataFrame":
    """Compute the EDSS for every row of a table and flag recorded values that disagree.

    The recorded EDSS is never overwritten: the result holds the computed step next to
    it, their difference and a flag.

    Parameters
    ----------
    data
        One row per examination.
    columns
        Mapping from FS name (``visual``, ``brainstem``, ``pyramidal``, ``cerebellar``,
        ``sensory``, ``bowel_bladder``, ``cerebral``, ``ambulation``) to the column
        holding it; names not given are looked up as ``fs_<name>`` then ``<name>``.
    recorded
        Column with the EDSS recorded by the rater, if any.
    id_column
        Column naming the participant, used in error messages.
    tolerance
        Differences up to this are not flagged (default 0: any difference is flagged).
    options
        See :class:`EdssOptions`.

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``; columns ``edss_computed``, ``edss_recorded``,
        ``edss_difference`` (recorded - computed), ``edss_flag`` (bool) and
        ``edss_note``.  Rows with a missing FS grade get ``edss_computed`` NaN and a note.

    Raises
    ------
    DataError
        When a grade is out of range, naming the row, participant and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import edss_frame
    >>> df = pd.DataFrame({"id": ["P1"], "visual": [0], "brainstem": [0], "pyramidal": [2],
    ...     "cerebellar": [0], "sensory": [1], "bowel_bladder": [0], "cerebral": [0],
    ...     "ambulation": [0], "edss": [2.5]})
    >>> out = edss_frame(df, recorded="edss", id_column="id")
    >>> float(out.loc[0, "edss_computed"]), bool(out.loc[0, "edss_flag"])
    (2.0, True)
    """
    import numpy as np
    import pandas as pd

    names = (*FS_RANGES, "ambulation")
    cols: dict[str, str] = {}
    given = dict(columns or {})
    for n in names:
        if n in given:
            cols[n] = given[n]
        elif f"fs_{n}" in data.columns:
            cols[n] = f"fs_{n}"
        else:
            cols[n] = n
    missing = [c for c in cols.values() if c not in data.columns]
    if missing:
        raise DataError(
            f"EDSS needs the columns {sorted(set(cols.values()))}; not found: {missing}"
        )
    if recorded is not None and recorded not in data.columns:
        raise DataError(f"recorded EDSS column {recorded!r} not found")
    computed = np.full(len(data), np.nan)
    notes: list[str] = [""] * len(data)
    for i, (_idx, row) in enumerate(data.iterrows()):
        vals = {n: row[cols[n]] for n in names}
        if any(pd.isna(v) for v in vals.values()):
            gaps = [n for n, v in vals.items() if pd.isna(v)]
            notes[i] = f"not computed: missing {', '.join(gaps)}"
            continue
        for n in names:  # validate column by column, so the error names the cell
            try:
                _grade(n, vals[n], 16 if n == "ambulation" else FS_RANGES[n])
            except InputError as exc:
                who = f"participant {row[id_column]!r}: " if id_column else ""
                raise DataError(f"{who}{exc.reason}", row=i + 2, column=cols[n]) from None
        computed[i] = edss(**vals, options=options)
    out = pd.DataFrame(index=data.index)
    out["edss_computed"] = computed
    if recorded is not None:
        rec = pd.to_numeric(data[recorded], errors="coerce").to_numpy(dtype=float)
        out["edss_recorded"] = rec
        diff = rec - computed
        out["edss_difference"] = diff
        flag = np.isfinite(diff) & (np.abs(diff) > tolerance + 1e-9)
        invalid = np.isfinite(rec) & ~np.isin(rec, EDSS_STEPS)
        flag = flag | invalid
        out["edss_flag"] = flag
        for i in range(len(data)):
            if invalid[i]:
                notes[i] = f"recorded {rec[i]:g} is not an EDSS step (0, 1.0, 1.5, ..., 10)"
                if np.isfinite(computed[i]):
                    notes[i] += f"; computed {computed[i]:g}"
            elif flag[i]:
                notes[i] = f"recorded {rec[i]:g} differs from computed {computed[i]:g}"
            elif np.isnan(rec[i]) and not notes[i]:
                notes[i] = "no recorded EDSS"
    else:
        out["edss_recorded"] = np.nan
        out["edss_difference"] = np.nan
        out["edss_flag"] = False
    out["edss_note"] = notes
    return out
