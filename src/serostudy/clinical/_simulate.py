"""Synthetic clinical data for the demo: dates, attacks, FS scores, diagnosis, eligibility.

Starts from a cohort that already has, per patient, a relapse count, follow-up years,
disease duration, EDSS and age (the demo cohort of :mod:`serostudy._demo.generate`) and
adds what the clinical stages read, consistently:

* sampling dates in 2020, dates of birth giving the recorded age in completed years,
  onset dates giving the recorded disease duration;
* an events table: the onset attack at onset plus ``relapses`` attacks after it, at
  least 31 days apart, so the ARR computed from the events equals relapses / follow-up;
  for a few patients one attack is recorded twice (a second row days later) to exercise
  the merge rule;
* FS grades and the ambulation score whose Neurostatus EDSS equals the recorded EDSS,
  except ``n_edss_discrepant`` patients whose FS give a step 0.5 away (so the check has
  something to flag);
* IPND 2015 data: AQP4-IgG negative (or unknown), core characteristics and MRI findings
  that meet the criteria, MOG-IgG results;
* eligibility columns and extra participants who fail a rule (B12 supplements in the
  last 3 months, another neurological disorder, criteria not met, no consent, living
  elsewhere), so the flow diagram is not trivial.

Everything is drawn from one ``numpy.random.Generator(seed)``.  The shipped demo
(``serostudy/data/demo``) is written by :mod:`serostudy._demo.build` with
:func:`simulate_clinical` and :func:`demo_config`: its ``participants.csv`` already holds
these columns, so it is not itself an input here (that is an error).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from serostudy.clinical._edss import AMBULATION_FLOORS, EDSS_STEPS, FS_RANGES, edss

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["SimulatedClinical", "simulate_clinical", "demo_config"]

_FS = tuple(FS_RANGES)


def _added_columns() -> tuple[str, ...]:
    """The participant columns :func:`simulate_clinical` adds, in order."""
    from serostudy.clinical._ipnd import CORE_CHARACTERISTICS, MRI_FIELDS

    return ("birth_date", "sampling_date", "consent", "residence", "other_neuro_disorder",
            "b12_supplement_3m", "onset_date", *(f"fs_{n}" for n in _FS), "ambulation",
            *(f"core_{c}" for c in CORE_CHARACTERISTICS), *(f"mri_{m}" for m in MRI_FIELDS),
            "aqp4_igg", "mog_igg")


@dataclass(frozen=True)
class SimulatedClinical:
    """The simulated tables.

    Attributes
    ----------
    participants
        The input cohort plus date, FS, diagnosis and eligibility columns, and the extra
        (ineligible) participants appended.
    events
        One row per recorded attack: ``id``, ``onset_date``.
    extra_ids
        Ids of the extra participants and the rule each is built to fail.
    """

    participants: "pd.DataFrame"
    events: "pd.DataFrame"
    extra_ids: dict[str, str]


def _shift_years(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _fs_for(target: float, rng: "np.random.Generator") -> dict[str, int]:
    """FS grades and ambulation score whose EDSS is ``target`` (rejection sampling)."""
    if target >= 4.5:
        ambs = [a for a, f in AMBULATION_FLOORS.items() if f == target and a != 1]
        if target == 5.0:
            ambs = [3]
        amb = int(rng.choice(ambs))
        gmax = 4 if target >= 5.0 else 3
    else:
        amb = 0 if target < 2.0 else int(rng.choice([0, 0, 1]))
        gmax = {0.0: 0, 1.0: 1, 1.5: 1, 2.0: 2, 2.5: 2, 3.0: 3, 3.5: 3, 4.0: 4}[target]
    for _ in range(20000):
        p = rng.random()
        grades: dict[str, Any] = {}  # keyword arguments of edss(): FS name -> grade
        for name in _FS:
            top = min(gmax + (2 if name in ("visual", "bowel_bladder") else 0), FS_RANGES[name])
            grades[name] = int(rng.integers(0, top + 1)) if rng.random() < p else 0
        if edss(**grades, ambulation=amb) == target:
            return {**grades, "ambulation": amb}
    raise RuntimeError(f"no FS combination found for EDSS {target}")  # pragma: no cover


_DIAGNOSES = [
    # (core characteristics, MRI findings)
    (("optic_neuritis", "acute_myelitis"), {"brain_normal_or_nonspecific": True, "spinal_letm": True}),
    (("optic_neuritis", "acute_myelitis"), {"brain_normal_or_nonspecific": True, "spinal_letm": True}),
    (("acute_myelitis", "area_postrema"), {"spinal_letm": True, "dorsal_medulla_lesion": True}),
    (("optic_neuritis", "area_postrema"), {"optic_nerve_long_or_chiasm": True, "dorsal_medulla_lesion": True,
                                           "brain_normal_or_nonspecific": False}),
    (("optic_neuritis", "acute_myelitis", "acute_brainstem"),
     {"brain_normal_or_nonspecific": True, "spinal_letm": True, "periependymal_brainstem_lesion": True}),
]


def _diagnosis_columns(core: tuple[str, ...], mri: dict[str, bool]) -> dict[str, Any]:
    from serostudy.clinical._ipnd import CORE_CHARACTERISTICS, MRI_FIELDS

    out: dict[str, Any] = {f"core_{c}": ("yes" if c in core else "no") for c in CORE_CHARACTERISTICS}
    for m in MRI_FIELDS:
        v = mri.get(m)
        out[f"mri_{m}"] = "" if v is None else ("yes" if v else "no")
    return out


def simulate_clinical(
    cohort: "pd.DataFrame",
    *,
    seed: int,
    id_column: str = "id",
    group_column: str = "group",
    case: str = "nmosd",
    control: str = "control",
    study_year: int = 2020,
    n_edss_discrepant: int = 2,
    n_duplicate_records: int = 3,
    extras: bool = True,
) -> SimulatedClinical:
    """Add dates, attacks, FS scores, diagnosis and eligibility data to a cohort.

    Parameters
    ----------
    cohort
        Needs ``age`` and ``sex`` for everyone and, for cases, ``disease_duration``,
        ``relapses`` and ``edss``.
    seed
        Seed of the generator; the same seed gives the same tables.
    id_column, group_column, case, control
        Ids and groups.
    study_year
        Year of sampling.
    n_edss_discrepant
        Patients whose FS grades give an EDSS 0.5 away from the recorded one.
    n_duplicate_records
        Patients with one attack recorded twice (a few days apart), merged by the
        31-day rule.
    extras
        Append the extra participants who fail eligibility.

    Returns
    -------
    SimulatedClinical

    Raises
    ------
    InputError
        A needed column is missing, or the cohort already has a column this function
        adds (e.g. the shipped demo's ``participants.csv``, which is already simulated).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import simulate_clinical
    >>> cohort = pd.DataFrame({"id": ["P1", "C1"], "group": ["nmosd", "control"], "age": [40, 41],
    ...     "sex": ["female", "female"], "disease_duration": [5.0, None], "relapses": [2, None],
    ...     "edss": [2.0, None]})
    >>> sim = simulate_clinical(cohort, seed=1, extras=False, n_edss_discrepant=0,
    ...                         n_duplicate_records=0)
    >>> len(sim.events[sim.events["id"] == "P1"])  # onset attack + 2 relapses
    3
    """
    import numpy as np
    import pandas as pd

    from serostudy.exceptions import InputError

    missing = [c for c in (id_column, group_column, "age", "sex", "disease_duration", "relapses", "edss")
               if c not in cohort.columns]
    if missing:
        raise InputError(f"simulate_clinical: the cohort has no column {missing[0]!r}; expected {id_column!r}, "
                         f"{group_column!r}, 'age', 'sex' and, for cases, 'disease_duration', 'relapses', 'edss'")
    present = [c for c in _added_columns() if c in cohort.columns]
    if present:
        raise InputError(f"simulate_clinical: the cohort already has column {present[0]!r} (and {len(present) - 1} "
                         "more of the columns it adds); expected a cohort without clinical data, e.g. "
                         "serostudy._demo.generate.generate().data (the shipped demo's participants.csv "
                         "is already simulated)")
    rng = np.random.default_rng(seed)
    base = cohort.copy().reset_index(drop=True)
    extra_ids: dict[str, str] = {}
    if extras:
        base, extra_ids = _append_extras(base, rng, id_column=id_column, group_column=group_column,
                                         case=case, control=control)
    n = len(base)
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    is_case = (base[group_column].astype(str) == case).to_numpy()
    case_idx = np.flatnonzero(is_case)
    eligible_cases = [i for i in case_idx if str(base.at[i, id_column]) not in extra_ids]
    edss_vals = base["edss"] if "edss" in base.columns else pd.Series([np.nan] * n)
    discrepant_pool = [i for i in eligible_cases if 1.0 <= float(edss_vals[i]) <= 3.5]
    discrepant = set(rng.choice(discrepant_pool, size=min(n_edss_discrepant, len(discrepant_pool)), replace=False).tolist()) if discrepant_pool else set()
    dup_pool = [i for i in eligible_cases if int(base.at[i, "relapses"]) >= 1]
    duplicates = set(rng.choice(dup_pool, size=min(n_duplicate_records, len(dup_pool)), replace=False).tolist()) if dup_pool else set()
    year_start = _dt.date(study_year, 1, 1)
    for i in range(n):
        pid = str(base.at[i, id_column])
        r: dict[str, Any] = {}
        sampling = year_start + _dt.timedelta(days=int(rng.integers(0, 365)))
        age = int(base.at[i, "age"])
        # birthday 1-60 days before sampling: the decimal age stays within 0.2 y of the recorded one
        birth = _shift_years(sampling, age) - _dt.timedelta(days=int(rng.integers(1, 61)))
        r["birth_date"] = birth.isoformat()
        r["sampling_date"] = sampling.isoformat()
        r["consent"] = "yes"
        r["residence"] = "Isfahan"
        r["other_neuro_disorder"] = "no"
        r["b12_supplement_3m"] = "no"
        if is_case[i]:
            dur = float(base.at[i, "disease_duration"])
            onset = sampling - _dt.timedelta(days=int(round(dur * 365.25)))
            r["onset_date"] = onset.isoformat()
            k = int(base.at[i, "relapses"])
            span = (sampling - onset).days
            for _ in range(10000):
                offs = np.sort(rng.integers(31, span + 1, size=k)) if k else np.array([], dtype=int)
                gaps = np.diff(np.concatenate([[0], offs]))
                if k == 0 or gaps.min() >= 31:
                    break
            else:  # pragma: no cover - spacing impossible for this count and span
                raise RuntimeError(f"cannot place {k} attacks 31 days apart in {span} days for {pid}")
            dates = [onset] + [onset + _dt.timedelta(days=int(o)) for o in offs]
            for d in dates:
                events.append({"id": pid, "onset_date": d.isoformat()})
            if i in duplicates and k:
                d = dates[1 + int(rng.integers(0, k))]
                events.append({"id": pid, "onset_date": (d + _dt.timedelta(days=int(rng.integers(3, 20)))).isoformat()})
            target = float(edss_vals[i])
            if target == 0.5:  # not an EDSS step (0 is followed by 1.0): FS give 0 or 1.0
                target = float(rng.choice([0.0, 1.0]))
            if i in discrepant:  # a neighbouring step (there is no 0.5)
                k = EDSS_STEPS.index(target)
                target = EDSS_STEPS[k + 1] if (k == 0 or rng.random() < 0.5) else EDSS_STEPS[k - 1]
            fs = _fs_for(target, rng)
            for name in _FS:
                r[f"fs_{name}"] = fs[name]
            r["ambulation"] = fs["ambulation"]
            if pid not in extra_ids:
                core, mri = _DIAGNOSES[int(rng.integers(0, len(_DIAGNOSES)))]
                r.update(_diagnosis_columns(core, mri))
                r["aqp4_igg"] = "negative" if rng.random() < 0.8 else "unknown"
                r["mog_igg"] = "negative" if rng.random() < 0.7 else "not_tested"
        rows.append(r)
    added = pd.DataFrame(rows)
    out = pd.concat([base, added], axis=1)
    _finish_extras(out, extra_ids, id_column=id_column)
    ev = pd.DataFrame(events, columns=["id", "onset_date"])
    ev = ev.sort_values(["id", "onset_date"], kind="mergesort").reset_index(drop=True)
    return SimulatedClinical(participants=out, events=ev, extra_ids=extra_ids)


_EXTRA_PLAN = [
    ("case", "b12_supplement"),
    ("case", "b12_supplement"),
    ("case", "ipnd"),
    ("case", "ipnd_mogad"),
    ("case", "residence"),
    ("control", "b12_supplement"),
    ("control", "other_neuro"),
    ("control", "other_neuro"),
    ("control", "consent"),
]


def _append_extras(base, rng, *, id_column, group_column, case, control):
    import pandas as pd

    extra_rows = []
    extra_ids: dict[str, str] = {}
    counters: dict[str, int] = {}
    for which, reason in _EXTRA_PLAN:
        g = case if which == "case" else control
        pool = base[base[group_column].astype(str) == g]
        src = pool.iloc[int(rng.integers(0, len(pool)))].copy()
        prefix = "P" if which == "case" else "C"
        counters[g] = counters.get(g, len(pool))
        counters[g] += 1
        new_id = f"{prefix}{counters[g]:03d}"
        src[id_column] = new_id
        new_age = int(min(80, max(18, int(src["age"]) + int(rng.integers(-3, 4)))))
        if "age_at_onset" in src.index and src["age_at_onset"] == src["age_at_onset"]:
            src["age_at_onset"] = round(float(src["age_at_onset"]) + new_age - int(src["age"]), 1)
        src["age"] = new_age
        extra_rows.append(src)
        extra_ids[new_id] = reason
    return pd.concat([base, pd.DataFrame(extra_rows)], ignore_index=True), extra_ids


def _finish_extras(out, extra_ids, *, id_column):
    idx = {str(v): i for i, v in enumerate(out[id_column])}
    for pid, reason in extra_ids.items():
        i = idx[pid]
        if reason == "b12_supplement":
            out.at[i, "b12_supplement_3m"] = "yes"
        elif reason == "other_neuro":
            out.at[i, "other_neuro_disorder"] = "yes"
        elif reason == "consent":
            out.at[i, "consent"] = "no"
        elif reason == "residence":
            out.at[i, "residence"] = "Najafabad"
        if reason == "ipnd":  # recurrent optic neuritis only: no dissemination in space
            cols = _diagnosis_columns(("optic_neuritis",), {"brain_normal_or_nonspecific": True})
            cols.update(aqp4_igg="negative", mog_igg="negative")
        elif reason == "ipnd_mogad":  # short myelitis lesion; MOG-IgG clear positive
            cols = _diagnosis_columns(("optic_neuritis", "acute_myelitis"),
                                      {"brain_normal_or_nonspecific": False, "optic_nerve_long_or_chiasm": False,
                                       "spinal_letm": False, "spinal_atrophy_3_segments": False})
            cols.update(aqp4_igg="negative", mog_igg="clear_positive")
        elif str(out.at[i, "group"]) != "control":
            cols = _diagnosis_columns(*_DIAGNOSES[0])
            cols.update(aqp4_igg="negative", mog_igg="negative")
        else:
            continue
        for k, v in cols.items():
            out.at[i, k] = v


def demo_config() -> dict[str, Any]:
    """The ``clinical``, ``eligibility`` and ``matching`` parts of the demo ``study.yaml``.

    Examples
    --------
    >>> from serostudy.clinical import demo_config
    >>> [r["id"] for r in demo_config()["eligibility"]["rules"]]
    ['ipnd', 'residence', 'consent', 'other_neuro', 'b12_supplement']
    """
    return {
        "clinical": {
            "dates": {"birth": "birth_date", "onset": "onset_date", "sampling": "sampling_date",
                      "imputation": "mid"},
            "relapses": {"events": "attacks.csv", "id": "id", "date": "onset_date", "merge_window_days": 31,
                         "count_onset_attack": False, "min_follow_up_years": 1.0, "output": "arr"},
            "edss": {"recorded": "edss"},
            "diagnosis": {"aqp4": "aqp4_igg", "mog": "mog_igg"},
        },
        "eligibility": {
            "rules": [
                {"id": "ipnd", "type": "inclusion", "label": "NMOSD by the 2015 IPND criteria",
                 "groups": ["nmosd"], "when": {"column": "ipnd_met", "is": True}},
                {"id": "residence", "type": "inclusion", "label": "Living in Isfahan",
                 "when": {"column": "residence", "equals": "Isfahan"}},
                {"id": "consent", "type": "inclusion", "label": "Written informed consent",
                 "when": {"column": "consent", "is": True}},
                {"id": "other_neuro", "type": "exclusion", "label": "Another neurological disorder",
                 "when": {"column": "other_neuro_disorder", "is": True}},
                {"id": "b12_supplement", "type": "exclusion",
                 "label": "Vitamin B12 supplements or injections in the last 3 months",
                 "when": {"column": "b12_supplement_3m", "is": True}},
            ]
        },
        "matching": {"method": "nearest", "ratio": 1, "caliper": 5.0, "age": "age", "sex": "sex",
                     "action": "report"},
    }

