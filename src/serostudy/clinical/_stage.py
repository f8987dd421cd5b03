"""Pipeline stages of the clinical part (see :mod:`serostudy._stage`).

* :func:`run_clinical` (``# stage: clinical``): derives age, age at onset and disease
  duration from dates, the ARR from the events table, checks the recorded EDSS against
  the FS grades, and applies the IPND 2015 criteria; adds the derived columns to
  ``ctx.data`` (never overwriting a recorded column: a derived value whose name is taken
  goes to ``<name>_derived`` and disagreements are reported) and returns the section
  ``clinical``.
* :func:`run_eligibility` (``# stage: eligibility``): applies the eligibility rules in
  order, records an :class:`~serostudy._stage.Exclusion` for each participant left out
  (rows are never dropped), matches controls if configured, and returns the sections
  ``flow`` (diagram and counts) and ``matching`` (balance table).

Stages do no file I/O except reading the declared events table (and recording its
hash in ``ctx.inputs``); figures and tables go to the pipeline.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from serostudy._records import Record
from serostudy._stage import Exclusion, FigureSpec, RunContext, Section
from serostudy.exceptions import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["run_clinical", "run_eligibility"]

ORDER_FLOW = 40
ORDER_CLINICAL = 45
ORDER_MATCHING = 47


def _put(data: "pd.DataFrame", name: str, values: "pd.Series", choices: list[str], what: str, *, tol: float = 0.05) -> str:
    """Write a derived column without overwriting a recorded one; returns the column used."""
    import numpy as np
    import pandas as pd

    if name not in data.columns or data[name].isna().all():
        data[name] = np.nan if pd.api.types.is_numeric_dtype(values) else None
        data.loc[values.index, name] = values
        choices.append(f"{name}: derived from {what}")
        return name
    new = f"{name}_derived"
    data[new] = np.nan if pd.api.types.is_numeric_dtype(values) else None
    data.loc[values.index, new] = values
    rec = pd.to_numeric(data.loc[values.index, name], errors="coerce")
    if pd.api.types.is_numeric_dtype(values):
        diff = (rec - values).abs()
        n_bad = int((diff > tol).sum())
        msg = (f"{name}: the recorded column is kept; the value derived from {what} is in {new}"
               + (f" and differs by more than {tol:g} for {n_bad} participant(s)" if n_bad else " and agrees"))
    else:
        msg = f"{name}: the recorded column is kept; the value derived from {what} is in {new}"
    choices.append(msg)
    return new


def _fmt(x: float | None, d: int = 2) -> str:
    return "" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{d}f}"


def _read_events(ctx: RunContext, rel: str, encoding: str | None = None,
                 choices: list[str] | None = None) -> "pd.DataFrame":
    from pathlib import Path

    from serostudy._io.readers import file_sha256, read_table

    path = Path(rel) if Path(rel).is_absolute() else ctx.base_dir / rel
    df = read_table(path, encoding=encoding)
    ctx.inputs.append((rel, file_sha256(path)))
    src = df.attrs.get("source")
    if choices is not None and src is not None and src.encoding_choice:
        choices.append(src.encoding_choice.replace(src.path, rel, 1))  # named as in study.yaml
    return df


def run_clinical(ctx: RunContext) -> list[Section]:
    """Derive the clinical variables into ``ctx.data`` and build the ``clinical`` section.

    Does nothing (returns ``[]``) when the study has no ``clinical:`` part.

    Examples
    --------
    On the demo study (40 NMOSD patients, their attack dates, FS grades and IPND items):

    >>> from serostudy._demo import demo_config_path
    >>> from serostudy._io.config import load_config
    >>> from serostudy._pipeline import load_context
    >>> from serostudy.clinical import run_clinical
    >>> ctx = load_context(load_config(demo_config_path()), demo_config_path().parent)
    >>> run_clinical(ctx)  # its section is built with the flow, by run_eligibility
    []
    >>> nmosd = ctx.data[ctx.data["group"] == "nmosd"]
    >>> int(nmosd["ipnd_met"].sum()), int(nmosd["arr_derived"].notna().sum()), int(nmosd["edss_flag"].sum())
    (38, 40, 2)
    """
    import pandas as pd

    from serostudy._tables import DisplayTable, Panel, Row
    from serostudy.clinical._dates import derive_dates
    from serostudy.clinical._edss import EdssOptions, edss_frame
    from serostudy.clinical._ipnd import ipnd_frame
    from serostudy.clinical._relapses import annualized_relapse_rate

    cfg = ctx.config.clinical
    if cfg is None:
        return []
    idcol = ctx.config.data.id
    gcol = ctx.config.groups.variable
    cases_default = ctx.config.groups.cases or ctx.config.groups.order[0]
    data = ctx.data.copy()
    groups = data[gcol].astype(str)
    records: list[Record] = []
    choices: list[str] = []
    tables: dict[str, Any] = {}
    displays: list[Any] = []
    payload: dict[str, Any] = {}
    file = ctx.config.data.participants

    if cfg.dates is not None:
        d = cfg.dates
        der = derive_dates(data, id_column=idcol, birth=d.birth, onset=d.onset, sampling=d.sampling,
                           imputation=d.imputation, file=file, calendar=d.calendar)
        for col in ("age", "age_at_onset", "disease_duration"):
            if col in der.columns:
                mask = der[col].notna()
                if mask.any():
                    _put(data, col, der.loc[mask, col].astype(float), choices, "dates (years = days / 365.25)", tol=1.0)
        n_imp = int((der["date_imputed"] != "").sum())
        choices.append(f"partial dates completed by '{d.imputation}' imputation for {n_imp} participant(s)")
        payload["dates"] = {"imputation": d.imputation, "participants_with_imputed_dates": n_imp}

    if cfg.relapses is not None:
        rc = cfg.relapses
        case = rc.group or cases_default
        events = _read_events(ctx, rc.events, rc.encoding, choices)
        patients = data[groups == case]
        end = rc.end or (cfg.dates.sampling if cfg.dates else None)
        if end is None:
            raise ConfigError("no end of observation: set clinical.relapses.end or clinical.dates.sampling",
                              key="clinical.relapses.end")
        arr_kwargs = dict(
            id_column=idcol, event_id_column=rc.id or idcol, event_date_column=rc.date,
            onset_column=cfg.dates.onset if cfg.dates else None, end_column=end,
            birth_column=cfg.dates.birth if cfg.dates else None,
            merge_window_days=rc.merge_window_days, merge_reference=rc.merge_reference,
            count_onset_attack=rc.count_onset_attack, min_follow_up_years=rc.min_follow_up_years,
            imputation=cfg.dates.imputation if cfg.dates else "mid",
            confidence_level=ctx.config.tests.confidence_level,
            events_file=rc.events, all_ids=data[idcol].astype(str).tolist(),
            calendar=cfg.dates.calendar if cfg.dates else (rc.calendar or "gregorian"),
            event_calendar=rc.calendar,
        )
        res = annualized_relapse_rate(events, patients, **arr_kwargs)
        per = res.to_frame().set_index("participant")
        idx = patients.index
        pid = patients[idcol].astype(str)
        arr_vals = pd.Series([per.at[p, "arr"] if per.at[p, "in_per_patient_summary"] else float("nan")
                              for p in pid], index=idx, dtype=float)
        _put(data, rc.output, arr_vals, choices, f"the events table {rc.events}", tol=0.05)
        data[f"{rc.output}_attacks"] = pd.Series([per.at[p, "attacks_counted"] for p in pid], index=idx)
        data[f"{rc.output}_person_years"] = pd.Series([per.at[p, "person_years"] for p in pid], index=idx)
        ctx.extra["clinical_arr"] = {"events": events, "case": case, "output": rc.output,
                                     "kwargs": arr_kwargs}
        tables["clinical_arr_per_patient"] = res.to_frame()

    if cfg.edss is not None:
        ec = cfg.edss
        case = cases_default
        sub = data[groups == case]
        opts = EdssOptions(cerebral_grade_1=ec.cerebral_grade_1, convert_visual=ec.convert_visual,
                           convert_bowel_bladder=ec.convert_bowel_bladder,
                           ambulation_1_floor=float(ec.ambulation_1_floor),
                           grade4_with_grade3=float(ec.grade4_with_grade3))
        chk = edss_frame(sub, columns=ec.columns, recorded=ec.recorded, id_column=idcol,
                         tolerance=ec.tolerance, options=opts)
        data["edss_computed"] = float("nan")
        data.loc[chk.index, "edss_computed"] = chk["edss_computed"]
        data["edss_flag"] = None
        data.loc[chk.index, "edss_flag"] = chk["edss_flag"].astype(object)
        n_flag = int(chk["edss_flag"].sum())
        n_comp = int(chk["edss_computed"].notna().sum())
        choices.append(
            f"EDSS recomputed from FS grades (Neurostatus; cerebral grade 1 {ec.cerebral_grade_1}d, "
            f"ambulation score 1 floor {float(ec.ambulation_1_floor):g}, one FS 4 with FS 3 -> "
            f"{float(ec.grade4_with_grade3):g}); recorded EDSS kept, {n_flag} disagreement(s) flagged"
        )
        records.append(Record(analysis="clinical", variable="edss", statistic="flagged", estimate=float(n_flag),
                              n=n_comp, group=case, method="recorded vs Neurostatus EDSS from FS grades"))
        flagged = sub.loc[chk.index[chk["edss_flag"].astype(bool)], [idcol]].copy()
        flagged["recorded"] = chk.loc[flagged.index, "edss_recorded"]
        flagged["computed"] = chk.loc[flagged.index, "edss_computed"]
        flagged["note"] = chk.loc[flagged.index, "edss_note"]
        rows = tuple(Row(str(r[idcol]), (_fmt(r["recorded"], 1), _fmt(r["computed"], 1), str(r["note"])))
                     for _, r in flagged.iterrows()) or (Row("No disagreement", ("", "", "")),)
        displays.append(DisplayTable(
            name="clinical_edss_check", title=f"EDSS check: {n_flag} of {n_comp} recorded values disagree with the FS grades",
            panels=(Panel(header=("Participant", "Recorded", "Computed", "Note"), rows=rows),),
            footnotes=("EDSS computed from the functional system grades and the ambulation score by the "
                       "Neurostatus conventions; the recorded value is analysed and never overwritten.",),
            synthetic=ctx.synthetic,
        ))
        tables["clinical_edss_check"] = pd.concat([sub[[idcol]], chk], axis=1)

    if cfg.diagnosis is not None:
        dc = cfg.diagnosis
        case = dc.group or cases_default
        sub = data[groups == case]
        ver = ipnd_frame(sub, id_column=idcol, aqp4_column=dc.aqp4, core_prefix=dc.core_prefix,
                         mri_prefix=dc.mri_prefix, mog_column=dc.mog, alternatives_column=dc.alternatives_excluded,
                         file=file)
        for c in ("ipnd_met", "ipnd_verdict", "possible_mogad"):
            data[c] = None
            data.loc[ver.index, c] = ver[c].astype(object)
        counts = ver["ipnd_verdict"].value_counts()
        for verdict, n in counts.items():
            records.append(Record(analysis="clinical", variable="ipnd_2015", statistic="count", estimate=float(n),
                                  level=str(verdict), group=case, denominator=len(ver),
                                  method="2015 IPND criteria (Wingerchuk et al.)"))
        n_mog = int(ver["possible_mogad"].sum())
        records.append(Record(analysis="clinical", variable="possible_mogad", statistic="count", estimate=float(n_mog),
                              group=case, denominator=len(ver), method="2023 MOGAD criteria (flag only)"))
        verdict_rows = [Row(str(v), (str(int(n)),)) for v, n in counts.items()]
        verdict_rows.append(Row("Possible MOGAD (MOG-IgG positive, 2023 criteria)", (str(n_mog),)))
        not_met = ver[~ver["ipnd_met"].astype(bool)]
        foot = [f"{sub.loc[i, idcol]}: {not_met.loc[i, 'ipnd_reasons']}" for i in not_met.index]
        displays.append(DisplayTable(
            name="clinical_diagnosis", title="Diagnosis by the 2015 IPND criteria",
            panels=(Panel(header=("Verdict", "n"), rows=tuple(verdict_rows)),),
            footnotes=tuple(["AQP4-IgG negative or unknown: two core characteristics meeting their MRI "
                             "requirements, one of them optic neuritis, myelitis with LETM or area postrema "
                             "syndrome."] + foot),
            synthetic=ctx.synthetic,
        ))
        tables["clinical_diagnosis"] = pd.concat([sub[[idcol]], ver], axis=1)

    ctx.data = data
    # The section is assembled after eligibility (run_eligibility -> _clinical_section), so
    # that summaries such as the ARR are over the analysed patients.
    ctx.extra["clinical_pending"] = {"records": records, "choices": choices, "tables": tables,
                                     "displays": displays, "payload": payload}
    return []


def _clinical_section(ctx: RunContext) -> Section | None:
    """The ``clinical`` section: ARR over the analysed patients, EDSS check, diagnosis table."""
    from markupsafe import Markup

    from serostudy._tables import DisplayTable, Panel, Row
    from serostudy.clinical._relapses import annualized_relapse_rate

    pending = ctx.extra.pop("clinical_pending", None)
    if pending is None:
        return None
    records: list[Record] = list(pending["records"])
    choices: list[str] = list(pending["choices"])
    tables: dict[str, Any] = dict(pending["tables"])
    displays: list[Any] = []
    payload: dict[str, Any] = dict(pending["payload"])
    arr_in = ctx.extra.get("clinical_arr")
    if arr_in is not None:
        idcol = ctx.config.data.id
        gcol = ctx.config.groups.variable
        case = arr_in["case"]
        analysed = ctx.analysed()
        patients = analysed[analysed[gcol].astype(str) == case]
        keep = set(patients[idcol].astype(str))
        ev = arr_in["events"]
        evid = arr_in["kwargs"]["event_id_column"]
        events = ev[ev[evid].astype(str).isin(keep)]
        res = annualized_relapse_rate(events, patients, **{**arr_in["kwargs"], "all_ids": None})
        if "clinical_arr_per_patient" in tables:
            per_all = tables["clinical_arr_per_patient"].copy()
            per_all["analysed"] = per_all["participant"].astype(str).isin(keep)
            tables["clinical_arr_per_patient"] = per_all
        ci = res.arr.ci
        m = res.describe()
        n_out = len(ev) - len(events)
        choices.append(m)
        if n_out:
            choices.append(f"ARR over the {len(keep)} analysed patients; {n_out} attack record(s) of excluded "
                           "participants not used")
        common = dict(analysis="clinical", variable=arr_in["output"], group=case, method=m)
        arr_records = [
            Record(statistic="arr_cohort", estimate=res.arr.estimate, ci_low=ci.low if ci else None,
                   ci_high=ci.high if ci else None, confidence_level=ci.confidence_level if ci else None,
                   n=res.n_patients, **common),
            Record(statistic="attacks", estimate=float(res.total_attacks), n=res.n_patients, **common),
        ]
        iv = res.intervals
        if iv is not None:
            ex = iv.exact_poisson
            arr_records.append(Record(statistic="arr_cohort_exact_poisson", estimate=res.arr.estimate,
                                      ci_low=ex.low, ci_high=ex.high, confidence_level=ex.confidence_level,
                                      n=res.n_patients, **common))
            arr_records.append(Record(statistic="arr_pearson_dispersion", estimate=iv.dispersion,
                                      n=res.n_patients, **{**common, "method": iv.choice_reason}))
            if iv.negbin_ci is not None:
                arr_records.append(Record(
                    statistic="arr_cohort_negbin", estimate=iv.negbin_rate, ci_low=iv.negbin_ci.low,
                    ci_high=iv.negbin_ci.high, confidence_level=iv.negbin_ci.confidence_level, n=res.n_patients,
                    **{**common, "method": "intercept-only negative binomial, offset log(person-years); "
                                           "profile-likelihood CI (theta re-estimated)"}))
        arr_records += [
            Record(statistic="person_years", estimate=res.person_years, n=res.n_patients, **common),
        ]
        for k in ("mean", "sd", "median", "q1", "q3"):
            arr_records.append(Record(statistic=f"arr_per_patient_{k}", estimate=getattr(res, f"per_patient_{k}"),
                                      n=res.per_patient_n, **common))
        level = ci.confidence_level if ci else 0.95
        rows = (
            Row("Patients (person-years)", (f"{res.n_patients} ({res.person_years:.1f})",)),
            Row("Attacks counted", (str(res.total_attacks),)),
            Row(f"Cohort ARR ({level * 100:g}% CI, {res.intervals.choice if res.intervals else 'exact Poisson'})",
                (f"{_fmt(res.arr.estimate)} ({_fmt(ci.low if ci else None)} to {_fmt(ci.high if ci else None)})",)),
            Row(f"Per-patient ARR, mean (SD), n = {res.per_patient_n}",
                (f"{_fmt(res.per_patient_mean)} ({_fmt(res.per_patient_sd)})",)),
            Row("Per-patient ARR, median (IQR)",
                (f"{_fmt(res.per_patient_median)} ({_fmt(res.per_patient_q1)} to {_fmt(res.per_patient_q3)})",)),
        )
        displays.append(DisplayTable(
            name="clinical_arr", title="Annualized relapse rate (analysed patients)",
            panels=(Panel(header=("", ctx.config.groups.label(case)), rows=rows),),
            footnotes=(m, *[f"Not counted: {n}" for n in res.notes]),
            records=tuple(arr_records), synthetic=ctx.synthetic,
        ))
        records = arr_records + records
        payload["relapses"] = {
            "merge_window_days": res.merge_window_days, "merge_reference": res.merge_reference,
            "count_onset_attack": res.count_onset_attack, "min_follow_up_years": res.min_follow_up_years,
            "window": res.window, "n_patients": res.n_patients, "notes": list(res.notes),
        }
    displays += pending["displays"]
    if not displays:
        return None
    html = Markup("").join([t.to_html() for t in displays])
    tables.update({t.name: t for t in displays})
    return Section(id="clinical", title="Clinical measures", html=str(html), records=tuple(records),
                   tables=tables, choices=tuple(choices), payload=payload,
                   order=ORDER_CLINICAL)


def run_eligibility(ctx: RunContext) -> list[Section]:
    """Apply eligibility rules and matching; return the ``flow`` and ``matching`` sections.

    Exclusions are appended to ``ctx.excluded`` (one per participant, the first rule
    failed); ``ctx.data`` keeps every row.  Without ``eligibility:`` and ``matching:``
    the flow is still drawn (assessed = analysed, minus earlier exclusions).

    Examples
    --------
    >>> from serostudy._demo import demo_config_path
    >>> from serostudy._io.config import load_config
    >>> from serostudy._pipeline import load_context
    >>> from serostudy.clinical import run_clinical, run_eligibility
    >>> ctx = load_context(load_config(demo_config_path()), demo_config_path().parent)
    >>> _ = run_clinical(ctx)
    >>> sections = run_eligibility(ctx)
    >>> [s.id for s in sections]
    ['flow', 'clinical', 'matching']
    >>> flow = sections[0].payload
    >>> flow["assessed"], flow["analysed"]
    ({'nmosd': 40, 'control': 57}, {'nmosd': 35, 'control': 53})
    >>> [step["id"] for step in flow["steps"]]
    ['ipnd', 'residence', 'consent', 'other_neuro', 'b12_supplement']
    >>> len(ctx.excluded)
    9
    """
    from markupsafe import Markup, escape

    from serostudy._tables import DisplayTable, Panel, Row
    from serostudy.clinical._eligibility import FlowStep, apply_eligibility
    from serostudy.clinical._flow import flow_figure, flow_text
    from serostudy.clinical._matching import match_controls

    elig = ctx.config.eligibility
    mcfg = ctx.config.matching
    idcol = ctx.config.data.id
    gcol = ctx.config.groups.variable
    order = list(ctx.config.groups.order)
    labels = {g: ctx.config.groups.label(g) for g in order}
    rules = [r.to_rule() for r in elig.rules] if elig else []
    res = apply_eligibility(ctx.data, rules, id_column=idcol, group_column=gcol, groups=order, labels=labels,
                            already_excluded=ctx.excluded)
    ctx.excluded.extend(res.exclusions)
    flow = res.flow
    sections: list[Section] = []
    choices: list[str] = []

    if mcfg is not None:
        case = mcfg.case or ctx.config.groups.cases or order[0]
        control = mcfg.control or next(g for g in order if g != case)
        seed = mcfg.seed if mcfg.seed is not None else ctx.seed
        analysed = ctx.analysed()
        m = match_controls(analysed, id_column=idcol, group_column=gcol, case=case, control=control,
                           age=mcfg.age, sex=mcfg.sex, method=mcfg.method, ratio=mcfg.ratio,
                           caliper=mcfg.caliper, age_band_width=mcfg.age_band_width, seed=seed)
        desc = m.describe()
        choices.append(desc)
        if mcfg.action == "exclude":
            for c in m.unselected_controls:
                ctx.excluded.append(Exclusion(participant=c, group=control, stage="matching",
                                              reason="control not selected by matching"))
            flow = flow.with_step(FlowStep("matching", "Not selected by matching", "matching",
                                           {control: len(m.unselected_controls)}, (control,)))
        else:
            choices.append("matching: report only (balance shown; no control excluded)")
        bal = m.balance
        mrecords = []
        gv = analysed[gcol].astype(str)
        n_case = int((gv == str(case)).sum())
        n_when = {"before": n_case + int((gv == str(control)).sum()), "after": n_case + len(m.selected_controls)}
        for _, r in bal.iterrows():
            for when in ("before", "after"):
                mrecords.append(Record(analysis="matching", variable=str(r["variable"]), statistic="smd",
                                       estimate=float(r[f"smd_{when}"]), level=when, term=f"{case} vs {control}",
                                       n=n_when[when],
                                       method="absolute standardised mean difference (as R tableone)"))
        rows = tuple(Row(str(r["variable"]), (str(r["case_before"]), str(r["control_before"]), _fmt(r["smd_before"], 3),
                                              str(r["control_after"]), _fmt(r["smd_after"], 3)))
                     for _, r in bal.iterrows())
        table = DisplayTable(
            name="matching_balance", title="Balance of cases and controls before and after matching",
            panels=(Panel(header=("Variable", labels.get(case, case), f"{labels.get(control, control)} (all)",
                                  "SMD before", f"{labels.get(control, control)} (matched)", "SMD after"),
                          rows=rows),),
            footnotes=(desc, "SMD: absolute standardised mean difference; age as mean (SD).", *m.notes),
            records=tuple(mrecords), synthetic=ctx.synthetic,
        )
        sections.append(Section(
            id="matching", title="Matching", html=str(table.to_html()), records=tuple(mrecords),
            tables={"matching_balance": table, "matching_balance_data": bal}, choices=tuple(choices + list(m.notes)),
            payload={"method": m.method, "ratio": m.ratio, "caliper": m.caliper, "seed": m.seed,
                     "action": mcfg.action, "selected_controls": list(m.selected_controls),
                     "pairs": {k: list(v) for k, v in m.pairs.items()}},
            order=ORDER_MATCHING,
        ))

    flow.check()
    frecords = []
    for g in flow.groups:
        frecords.append(Record(analysis="flow", variable="participants", statistic="n",
                               estimate=float(flow.assessed[g]), group=g, level="assessed"))
        for s in flow.steps:
            frecords.append(Record(analysis="flow", variable="participants", statistic="n",
                                   estimate=float(s.excluded.get(g, 0)), group=g, level=f"excluded: {s.id}",
                                   method=s.label))
        frecords.append(Record(analysis="flow", variable="participants", statistic="n",
                               estimate=float(flow.analysed[g]), group=g, level="analysed"))
    flow_rows = [Row("Assessed for eligibility", tuple(str(flow.assessed[g]) for g in flow.groups))]
    flow_rows += [Row(f"Excluded, {s.reason}",
                      tuple(str(s.excluded.get(g, 0)) if s.applies(g) else "\u2013" for g in flow.groups), indent=1)
                  for s in flow.steps]
    flow_rows.append(Row("Analysed", tuple(str(flow.analysed[g]) for g in flow.groups)))
    table = DisplayTable(
        name="flow", title="Participant flow",
        panels=(Panel(header=("", *[labels.get(g, g) for g in flow.groups]), rows=tuple(flow_rows)),),
        footnotes=("Rules applied in the order listed; each participant is counted under the first rule failed; "
                   "\u2013: the rule does not apply to the group.",),
        records=tuple(frecords), synthetic=ctx.synthetic,
    )
    fig = flow_figure(flow)
    alt = flow_text(flow)
    html = Markup("<p>") + escape(
        f"{flow.total('assessed')} participants assessed, "
        f"{flow.total('assessed') - flow.total('analysed')} excluded, {flow.total('analysed')} analysed."
    ) + Markup("</p>") + table.to_html()
    status = res.status
    clin = _clinical_section(ctx)
    if clin is not None:
        sections.insert(0, clin)
    sections.insert(0, Section(
        id="flow", title="Participant flow", html=str(html), records=tuple(frecords),
        figures=(FigureSpec(name="flow", figure=fig, caption="Participant flow (STROBE)", alt=alt),),
        tables={"flow": table, "flow_counts": flow.to_frame(), "eligibility_status": status},
        payload={"assessed": flow.assessed, "analysed": flow.analysed,
                 "steps": [{"id": s.id, "label": s.label, "kind": s.kind, "excluded": s.excluded,
                            "applies_to": list(s.applies_to) if s.applies_to is not None else None}
                           for s in flow.steps]},
        order=ORDER_FLOW,
    ))
    return sections
