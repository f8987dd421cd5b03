"""Attacks, relapses and the annualized relapse rate (ARR).

From an events table (one row per recorded attack: participant id, onset date) and the
patients' onset and end-of-observation dates:

1. attacks whose onset is fewer than ``merge_window_days`` (default 31) days after the
   onset of the attack before them are merged into it (one clinical attack);
2. the *onset attack* (the first attack, at disease onset) is counted or not, as the
   explicit parameter ``count_onset_attack`` says (default ``False``: the ARR counts
   relapses, i.e. attacks after the first);
3. the observation window runs from disease onset to the end date (usually sampling);
   attacks after the end are not counted and are reported;
4. the cohort ARR is total attacks / total person-years with the exact (Garwood)
   Poisson confidence interval -- or, when the attack counts are overdispersed between
   patients (Pearson chi2/df above ``dispersion_threshold``, default 1.5), the
   quasi-Poisson interval, an automatic choice recorded in the result (the exact
   interval, a sandwich interval and a negative binomial rate with its profile interval
   are kept beside it; see :func:`serostudy.models.cohort_rate_intervals`); per-patient ARRs are summarised by mean, SD, median and
   quartiles over patients followed at least ``min_follow_up_years``.

The exact interval is the one of R's ``poisson.test(x, T)``:
``[qchisq(a/2, 2x) / 2T, qchisq(1 - a/2, 2x + 2) / 2T]``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from serostudy._inference._results import ConfidenceInterval, Estimate
from serostudy._typing import Alternative, check_choice
from serostudy.clinical._dates import Calendar, DateImputation, PartialDate, _coarse_overlap, parse_date, years_between
from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy.models._rate import CohortRateIntervals

__all__ = [
    "poisson_rate_ci",
    "merge_attacks",
    "PatientAttacks",
    "ArrResult",
    "annualized_relapse_rate",
]

MergeReference = Literal["first", "previous"]


def poisson_rate_ci(
    count: int,
    exposure: float,
    *,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> ConfidenceInterval:
    """Exact (Garwood) confidence interval of a Poisson rate ``count / exposure``.

    Parameters
    ----------
    count
        Number of events (a non-negative integer).
    exposure
        Person-time (e.g. person-years), > 0.
    confidence_level
        Confidence level, default 0.95.
    alternative
        ``"two-sided"``, ``"less"`` (interval ``[0, upper]``) or ``"greater"``
        (``[lower, inf)``), as in R's ``poisson.test``.

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    Matches R 4.2 ``poisson.test(x, T, conf.level=, alternative=)$conf.int`` to 1e-12
    relative (``tests/reference/clinical/arr_reference.R``).

    Examples
    --------
    >>> from serostudy.clinical import poisson_rate_ci
    >>> ci = poisson_rate_ci(12, 40.0)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.155, 0.524)
    """
    from scipy.stats import chi2

    check_choice("alternative", alternative, ("two-sided", "less", "greater"))
    if not 0 < confidence_level < 1:
        raise InputError(f"`confidence_level` must be between 0 and 1, got {confidence_level!r}")
    if isinstance(count, bool) or count < 0 or int(count) != count:
        raise InputError(f"`count` must be a non-negative integer, got {count!r}")
    if not (exposure > 0 and math.isfinite(exposure)):
        raise InputError(f"`exposure` must be positive and finite, got {exposure!r}")
    x = int(count)
    a = 1 - confidence_level
    if alternative == "two-sided":
        lo_p, hi_p = a / 2, 1 - a / 2
    elif alternative == "less":
        lo_p, hi_p = None, 1 - a
    else:
        lo_p, hi_p = a, None
    low = 0.0 if (lo_p is None or x == 0) else float(chi2.ppf(lo_p, 2 * x)) / (2 * exposure)
    high = math.inf if hi_p is None else float(chi2.ppf(hi_p, 2 * x + 2)) / (2 * exposure)
    return ConfidenceInterval(low, high, confidence_level)


def merge_attacks(
    onsets: Sequence[_dt.date],
    *,
    window_days: int = 31,
    reference: MergeReference = "first",
) -> list[tuple[_dt.date, ...]]:
    """Group attack onsets into clinical attacks.

    An onset fewer than ``window_days`` days after the onset of the attack it follows is
    merged into that attack.  With ``reference="first"`` (default) "the attack" is the
    first onset of the merged attack, so a chain of onsets each 20 days apart splits
    every 31 days; with ``"previous"`` it is the latest onset, so such a chain stays one
    attack.

    Parameters
    ----------
    onsets
        Attack onset dates of one patient, in any order.
    window_days
        Merge window in days (default 31: onsets 30 days apart merge, 31 do not).
    reference
        ``"first"`` or ``"previous"``, see above.

    Returns
    -------
    list of tuple of date
        One tuple per merged attack, dates sorted.

    Examples
    --------
    >>> import datetime as dt
    >>> from serostudy.clinical import merge_attacks
    >>> d = [dt.date(2020, 1, 1), dt.date(2020, 1, 20), dt.date(2020, 3, 1)]
    >>> [len(a) for a in merge_attacks(d)]
    [2, 1]
    """
    check_choice("reference", reference, ("first", "previous"))
    if isinstance(window_days, bool) or int(window_days) != window_days or window_days < 0:
        raise InputError(f"`window_days` must be a non-negative integer, got {window_days!r}")
    groups: list[list[_dt.date]] = []
    for d in sorted(onsets):
        if groups:
            ref = groups[-1][0] if reference == "first" else groups[-1][-1]
            if (d - ref).days < window_days:
                groups[-1].append(d)
                continue
        groups.append([d])
    return [tuple(g) for g in groups]


@dataclass(frozen=True, slots=True)
class PatientAttacks:
    """Attacks and ARR of one patient.

    Attributes
    ----------
    participant
        Participant id.
    window_start, window_end
        Observation window (disease onset to end of observation); ``None`` if unknown.
    person_years
        Length of the window in years (``days / 365.25``).
    events_recorded
        Rows of the events table for this patient.
    attacks
        Clinical attacks after merging, inside the window.
    onset_attack_in_events
        Whether an attack at disease onset is among the events.
    attacks_counted
        Attacks entering the ARR (``attacks`` minus the onset attack unless
        ``count_onset_attack``; plus the onset attack if counted but not recorded).
    events_after_window
        Events after the end date (not counted).
    arr
        ``attacks_counted / person_years`` (``nan`` if the window is unknown or empty).
    ci
        Exact Poisson interval of ``arr``.
    in_per_patient_summary
        False when follow-up is shorter than the minimum (or unknown).
    note
        Why something was not counted or computed (empty if nothing).
    """

    participant: str
    window_start: _dt.date | None
    window_end: _dt.date | None
    person_years: float
    events_recorded: int
    attacks: int
    onset_attack_in_events: bool
    attacks_counted: int
    events_after_window: int
    arr: float
    ci: ConfidenceInterval | None
    in_per_patient_summary: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class ArrResult:
    """Cohort and per-patient annualized relapse rates with the parameters used.

    Attributes
    ----------
    arr
        Cohort ARR (total attacks / total person-years) with the chosen CI: exact
        Poisson, or quasi-Poisson when overdispersed (``arr.method`` says which).
    total_attacks, person_years, n_patients
        Numerator, denominator and the patients contributing to the cohort ARR.
    per_patient_n, per_patient_mean, per_patient_sd, per_patient_median,
    per_patient_q1, per_patient_q3
        Summary of per-patient ARRs over patients with at least ``min_follow_up_years``
        of follow-up (quartiles as R's default ``quantile`` type 7).
    patients
        One :class:`PatientAttacks` per patient.
    merge_window_days, merge_reference, count_onset_attack, min_follow_up_years, window
        The parameters, reported with every number.
    notes
        Everything not counted and why.
    arr_exact_poisson
        The cohort ARR with its exact Poisson CI, whatever was chosen.
    intervals
        All the cohort intervals and the automatic choice
        (:class:`~serostudy.models.CohortRateIntervals`); ``None`` without person-time.
    """

    arr: Estimate
    total_attacks: int
    person_years: float
    n_patients: int
    per_patient_n: int
    per_patient_mean: float
    per_patient_sd: float
    per_patient_median: float
    per_patient_q1: float
    per_patient_q3: float
    patients: tuple[PatientAttacks, ...]
    merge_window_days: int
    merge_reference: str
    count_onset_attack: bool
    min_follow_up_years: float
    window: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    arr_exact_poisson: Estimate | None = None
    intervals: "CohortRateIntervals | None" = None

    def confidence_interval(self) -> ConfidenceInterval | None:
        """CI of the cohort ARR (exact Poisson, or quasi-Poisson when overdispersed)."""
        return self.arr.ci

    def to_frame(self) -> "pd.DataFrame":
        """One row per patient: window, attacks, ARR and its CI, notes."""
        import pandas as pd

        rows = []
        for p in self.patients:
            rows.append(
                {
                    "participant": p.participant,
                    "window_start": p.window_start.isoformat() if p.window_start else None,
                    "window_end": p.window_end.isoformat() if p.window_end else None,
                    "person_years": p.person_years,
                    "events_recorded": p.events_recorded,
                    "attacks": p.attacks,
                    "onset_attack_in_events": p.onset_attack_in_events,
                    "attacks_counted": p.attacks_counted,
                    "events_after_window": p.events_after_window,
                    "arr": p.arr,
                    "arr_ci_low": p.ci.low if p.ci else math.nan,
                    "arr_ci_high": p.ci.high if p.ci else math.nan,
                    "in_per_patient_summary": p.in_per_patient_summary,
                    "note": p.note,
                }
            )
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """A methods sentence stating every parameter."""
        onset = "counted" if self.count_onset_attack else "not counted (relapses only)"
        ref = "the first onset of the attack" if self.merge_reference == "first" else "the previous onset"
        return (
            f"Attacks beginning fewer than {self.merge_window_days} days after {ref} were merged; "
            f"the onset attack was {onset}; observation ran {self.window}. "
            f"The cohort ARR is total attacks / total person-years with {self._ci_words()} "
            f"{self.arr.ci.confidence_level * 100:g}% CI; per-patient ARRs are summarised over "
            f"patients followed at least {self.min_follow_up_years:g} year(s)."
            if self.arr.ci
            else ""
        )


    def _ci_words(self) -> str:
        iv = self.intervals
        if iv is None or iv.choice == "exact Poisson":
            extra = (f" (Pearson chi2/df = {iv.dispersion:.2f}, at most {iv.dispersion_threshold:g})"
                     if iv is not None and math.isfinite(iv.dispersion) else "")
            return f"an exact Poisson{extra}"
        return (f"a quasi-Poisson (Pearson chi2/df = {iv.dispersion:.2f} > {iv.dispersion_threshold:g}: "
                "attack counts overdispersed between patients, chosen automatically instead of the exact Poisson)")


def annualized_relapse_rate(
    events: "pd.DataFrame",
    patients: "pd.DataFrame",
    *,
    id_column: str = "id",
    event_id_column: str | None = None,
    event_date_column: str = "onset_date",
    onset_column: str | None = "onset_date",
    end_column: str = "sampling_date",
    birth_column: str | None = None,
    merge_window_days: int = 31,
    merge_reference: MergeReference = "first",
    count_onset_attack: bool = False,
    min_follow_up_years: float = 1.0,
    imputation: DateImputation = "mid",
    confidence_level: float = 0.95,
    events_file: str | None = None,
    all_ids: Sequence[str] | None = None,
    dispersion_threshold: float = 1.5,
    calendar: Calendar = "gregorian",
    event_calendar: Calendar | None = None,
) -> ArrResult:
    """Cohort and per-patient ARR from an events table.

    Parameters
    ----------
    events
        One row per recorded attack: participant id and attack onset date.
    patients
        One row per patient whose ARR is computed (patients without events have 0
        attacks; they are never dropped).
    id_column
        Participant id column in ``patients``.
    event_id_column, event_date_column
        Participant id and onset date columns in ``events`` (``event_id_column``
        defaults to ``id_column``).
    onset_column
        Disease onset date in ``patients``; ``None`` starts the window at the first
        recorded attack.
    end_column
        End of observation (usually the sampling date) in ``patients``.
    birth_column
        Date of birth in ``patients``; when given, an attack before birth is an error.
    merge_window_days, merge_reference
        See :func:`merge_attacks`.
    count_onset_attack
        Whether the attack at disease onset enters the ARR (default ``False``).
    min_follow_up_years
        Per-patient ARRs of patients followed less than this are left out of the
        per-patient summary (they still count in the cohort ARR).
    imputation
        Imputation of partial dates, see :func:`~serostudy.clinical.parse_date`.
    confidence_level
        For the exact Poisson intervals.
    events_file
        Name of the events file, for error messages.
    dispersion_threshold
        Pearson chi2/df of the patients' attack counts (intercept-only Poisson model,
        offset log(person-years)) above which the cohort ARR's interval is quasi-Poisson
        instead of exact Poisson (an automatic choice, recorded).
    all_ids
        Every participant id in the study (patients and controls).  With it, an event of
        a control gets its own message; without it, any id outside ``patients`` is
        "unknown".
    calendar, event_calendar
        Calendar of the text dates in ``patients`` and in ``events`` (default: the
        same as ``calendar``): ``"gregorian"`` or ``"jalali"``, see
        :func:`~serostudy.clinical.parse_date`.

    Returns
    -------
    ArrResult

    Raises
    ------
    DataError
        An event naming an unknown participant, an event without a date, an attack
        before birth or before disease onset, or an end date before onset; each names
        the participant, and the events-table row where there is one.

    Notes
    -----
    The cohort ARR and its CI match R's ``poisson.test`` (see
    ``tests/reference/clinical/``); per-patient medians and quartiles match R
    ``quantile(type = 7)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import annualized_relapse_rate
    >>> patients = pd.DataFrame({"id": ["P1", "P2"], "onset_date": ["2010-01-01", "2015-06-01"],
    ...                          "sampling_date": ["2020-01-01", "2020-06-01"]})
    >>> events = pd.DataFrame({"id": ["P1", "P1", "P1", "P2"],
    ...     "onset_date": ["2010-01-01", "2012-03-01", "2012-03-20", "2015-06-01"]})
    >>> r = annualized_relapse_rate(events, patients)
    >>> r.total_attacks, round(r.person_years, 2), round(r.arr.estimate, 4)
    (1, 15.0, 0.0667)
    """
    import numpy as np
    import pandas as pd

    check_choice("merge_reference", merge_reference, ("first", "previous"))
    if not isinstance(count_onset_attack, (bool, np.bool_)):
        raise InputError(f"`count_onset_attack` must be true or false, got {count_onset_attack!r}")
    if not (min_follow_up_years >= 0):
        raise InputError(f"`min_follow_up_years` must be >= 0, got {min_follow_up_years!r}")
    ev_id = event_id_column or id_column
    for col in (ev_id, event_date_column):
        if col not in events.columns:
            raise DataError(
                f"events table has no column {col!r} (columns: {list(events.columns)})",
                file=events_file,
                column=col,
            )
    for pcol in (id_column, onset_column, end_column, birth_column):
        if pcol is not None and pcol not in patients.columns:
            raise DataError(f"participant table has no column {pcol!r}", column=pcol)

    pids = [str(x) for x in patients[id_column]]
    known = set(pids)
    every = set(str(x) for x in all_ids) if all_ids is not None else known
    by_patient: dict[str, list[tuple[int, PartialDate]]] = {p: [] for p in pids}
    for i, (pid_raw, date_raw) in enumerate(zip(events[ev_id], events[event_date_column])):
        row = i + 2
        if pd.isna(pid_raw):
            raise DataError("attack with no participant id", file=events_file, row=row, column=ev_id)
        pid = str(pid_raw)
        if pid not in known:
            if pid in every:
                msg = f"attack of participant {pid!r}, who is not among the patients whose relapses are counted"
            else:
                msg = f"attack names participant {pid!r}, who is not in the participant table"
            raise DataError(msg, file=events_file, row=row, column=ev_id)
        try:
            d = parse_date(date_raw, imputation=imputation, what="attack onset date",
                           calendar=event_calendar or calendar)
        except InputError as exc:
            raise DataError(f"participant {pid!r}: {exc.reason}", file=events_file, row=row, column=event_date_column) from None
        if d is None:
            raise DataError(f"participant {pid!r}: attack with no onset date", file=events_file, row=row, column=event_date_column)
        by_patient[pid].append((row, d))

    results: list[PatientAttacks] = []
    notes: list[str] = []
    for i, (_, prow) in enumerate(patients.iterrows()):
        pid = pids[i]
        def _pd(col: str | None, what: str) -> PartialDate | None:
            if col is None:
                return None
            try:
                return parse_date(prow[col], imputation=imputation, what=what, calendar=calendar)
            except InputError as exc:
                raise DataError(f"participant {pid!r}: {exc.reason}", row=i + 2, column=col) from None
        onset = _pd(onset_column, "onset date")
        end = _pd(end_column, "end date")
        birth = _pd(birth_column, "birth date")
        evs = sorted(by_patient[pid], key=lambda t: t[1].date)
        for row, d in evs:
            if birth is not None and d.date < birth.date and not _coarse_overlap(birth, d):
                raise DataError(
                    f"participant {pid!r}: attack on {d.date.isoformat()} is before birth ({birth.date.isoformat()})",
                    file=events_file, row=row, column=event_date_column,
                )
            if onset is not None and d.date < onset.date and not _coarse_overlap(onset, d):
                raise DataError(
                    f"participant {pid!r}: attack on {d.date.isoformat()} is before disease onset "
                    f"({onset.date.isoformat()}); expected attacks on or after onset",
                    file=events_file, row=row, column=event_date_column,
                )
        if onset is not None and end is not None and end.date < onset.date and not _coarse_overlap(onset, end):
            raise DataError(
                f"participant {pid!r}: end of observation {end.date.isoformat()} is before disease onset "
                f"{onset.date.isoformat()}",
                row=i + 2, column=end_column,
            )
        inside = [d for _, d in evs if end is None or d.date <= end.date or _coarse_overlap(end, d)]
        after = len(evs) - len(inside)
        merged = merge_attacks([d.date for d in inside], window_days=merge_window_days, reference=merge_reference)
        note_parts: list[str] = []
        if after:
            note_parts.append(f"{after} event(s) after the end date not counted")
        # the onset attack: the first merged attack, if it starts at disease onset
        onset_in = False
        start: _dt.date | None
        if onset is not None:
            start = onset.date
            if merged:
                first = merged[0][0]
                first_pd = next(d for d in inside if d.date == first)
                # same day always counts, whatever the window (window 0 = no merging)
                if (first - onset.date).days < max(merge_window_days, 1) or _coarse_overlap(onset, first_pd):
                    onset_in = True
                    if onset.imputed and first_pd.precision == "day" and _coarse_overlap(onset, first_pd):
                        start = first  # the attack date is more precise than an imputed onset
        else:
            start = merged[0][0] if merged else None
            onset_in = bool(merged)
        n_att = len(merged)
        counted = n_att - (1 if onset_in and not count_onset_attack else 0)
        if count_onset_attack and not onset_in and start is not None:
            counted += 1
            note_parts.append("onset attack not in the events table; counted from the onset date")
        if start is None or end is None:
            py = math.nan
            note_parts.append("observation window unknown (no onset or end date, and no attacks)"
                              if start is None else "no end-of-observation date")
        else:
            py = max(0.0, years_between(start, end.date))
        if math.isfinite(py) and py > 0:
            arr = counted / py
            ci = poisson_rate_ci(counted, py, confidence_level=confidence_level)
        else:
            arr, ci = math.nan, None
            if math.isfinite(py):
                note_parts.append("observation window of zero length")
        in_summary = math.isfinite(arr) and py >= min_follow_up_years
        if math.isfinite(arr) and not in_summary:
            note_parts.append(f"follow-up {py:.2f} y < {min_follow_up_years:g} y: left out of per-patient summary")
        results.append(
            PatientAttacks(
                participant=pid,
                window_start=start,
                window_end=end.date if end else None,
                person_years=py,
                events_recorded=len(evs),
                attacks=n_att,
                onset_attack_in_events=onset_in,
                attacks_counted=counted,
                events_after_window=after,
                arr=arr,
                ci=ci,
                in_per_patient_summary=bool(in_summary),
                note="; ".join(note_parts),
            )
        )
        if note_parts:
            notes.append(f"{pid}: " + "; ".join(note_parts))

    contributing = [p for p in results if math.isfinite(p.person_years) and p.person_years > 0]
    total = int(sum(p.attacks_counted for p in contributing))
    pyears = float(sum(p.person_years for p in contributing))
    intervals = None
    exact_est = None
    if pyears > 0:
        from serostudy.models._rate import cohort_rate_intervals

        ci = poisson_rate_ci(total, pyears, confidence_level=confidence_level)
        exact_est = Estimate("ARR", total / pyears, ci, method="total attacks / total person-years; exact Poisson CI")
        intervals = cohort_rate_intervals([p.attacks_counted for p in contributing],
                                          [p.person_years for p in contributing],
                                          confidence_level=confidence_level,
                                          dispersion_threshold=dispersion_threshold)
        if intervals.choice == "exact Poisson":
            est = exact_est
        else:
            est = Estimate("ARR", total / pyears, intervals.ci,
                           method="total attacks / total person-years; quasi-Poisson CI (automatic: "
                                  + intervals.choice_reason + ")")
    else:
        est = Estimate("ARR", math.nan, None, method="no person-time")
    per = np.array([p.arr for p in results if p.in_per_patient_summary], dtype=float)
    if per.size:
        mean, med = float(per.mean()), float(np.median(per))
        sd = float(per.std(ddof=1)) if per.size > 1 else math.nan
        q1, q3 = (float(v) for v in np.quantile(per, [0.25, 0.75]))
    else:
        mean = sd = med = q1 = q3 = math.nan
    window = f"from disease onset ({onset_column or 'first recorded attack'}) to {end_column}"
    return ArrResult(
        arr=est,
        total_attacks=total,
        person_years=pyears,
        n_patients=len(contributing),
        per_patient_n=int(per.size),
        per_patient_mean=mean,
        per_patient_sd=sd,
        per_patient_median=med,
        per_patient_q1=q1,
        per_patient_q3=q3,
        patients=tuple(results),
        merge_window_days=int(merge_window_days),
        merge_reference=merge_reference,
        count_onset_attack=bool(count_onset_attack),
        min_follow_up_years=float(min_follow_up_years),
        window=window,
        notes=tuple(notes),
        arr_exact_poisson=exact_est,
        intervals=intervals,
    )
