"""Pipeline stage ``assay`` (``# stage: assay``): plates -> concentrations in ``ctx.data``.

Reads the plates and layouts declared in ``assay:`` of ``study.yaml`` (paths relative to
it), quantifies and QC's each plate, and writes the results into the participant table
by sample id:

* ``<target>``: the concentration in ``assay.unit`` (converted from the layout's unit);
  for a censored result the limit (``<LLOQ`` -> LLOQ x dilution), with
  ``<target>__censor`` = ``"<"`` / ``">"``, exactly as the codebook's censored cells
  (``codebook.<target>.censored: true``), so the analyses treat them by
  ``censored_as``; missing when the sample failed QC, had no reading or was not on any
  plate;
* ``<target>__assay``: ``"ok"``, ``"<LLOQ"``, ``">ULOQ"`` or the reason it has no value.

The derived reference-range category of ``<target>`` (``codebook.<target>.reference_range``)
is recomputed from the new values.  Returns the report section ``assay``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from serostudy._io.readers import file_sha256
from serostudy._records import Record
from serostudy._stage import FigureSpec, RunContext, Section
from serostudy.exceptions import ConfigError

ORDER_ASSAY = 30
STATUS_SUFFIX = "__assay"


def _policy_text(censored_as: str) -> str:
    return {
        "limit": "They enter means and tests as the limit itself (<LLOQ as the LLOQ, >ULOQ as the ULOQ).",
        "half-limit": "Values below the LLOQ enter means and tests as half the LLOQ; values above the ULOQ as the ULOQ.",
        "missing": "They are left out of means and parametric tests.",
    }.get(censored_as, "") + " Rank-based tests and reference categories use the censoring exactly."


def assay_stage(ctx: RunContext) -> list[Section]:
    """Quantify the declared plates and merge the concentrations into ``ctx.data``.

    Does nothing (returns ``[]``) when the study has no ``assay:`` part.

    Examples
    --------
    The demo study's ELISA plates, quantified into the B12 column (one sample below
    the LLOQ is kept as censored, ``<``):

    >>> from serostudy._demo import demo_config_path
    >>> from serostudy._io.config import load_config
    >>> from serostudy._pipeline import load_context
    >>> from serostudy.assay import assay_stage
    >>> ctx = load_context(load_config(demo_config_path()), demo_config_path().parent)
    >>> "b12_pmol_l" in ctx.data.columns
    False
    >>> [s.id for s in assay_stage(ctx)]
    ['assay']
    >>> int(ctx.data["b12_pmol_l"].notna().sum()), int((ctx.data["b12_pmol_l__censor"] == "<").sum())
    (92, 1)
    """
    import pandas as pd

    from serostudy.assay._layout import read_layout
    from serostudy.assay._quantify import combine_samples, plate_names, quantify_plate
    from serostudy.assay._readers import read_plate
    from serostudy.assay._report import assay_html, curve_figure
    from serostudy.assay._units import classify, convert

    cfg = ctx.config.assay
    if cfg is None:
        return []
    study = ctx.config
    var = study.codebook.get(cfg.target)
    if var is None:
        raise ConfigError(f"assay.target {cfg.target!r} is not a codebook variable", key="assay.target")
    if var.unit not in (None, cfg.unit):
        raise ConfigError(
            f"assay.unit {cfg.unit!r} differs from codebook.{cfg.target}.unit {var.unit!r}; "
            "serostudy never converts units silently", key="assay.unit")
    var_censored = var.censored
    censored_as = var.censored_as

    loaded = []
    for i, pf in enumerate(cfg.plates):
        ppath = ctx.base_dir / pf.file
        lpath = ctx.base_dir / (pf.layout or cfg.layout or "")
        if not ppath.is_file():
            raise ConfigError(f"plate file not found: {ppath}", key=f"assay.plates.{i}.file")
        if not lpath.is_file():
            raise ConfigError(f"layout file not found: {lpath}", key=f"assay.plates.{i}.layout")
        reading = read_plate(ppath, format=pf.format or cfg.format)
        layout = read_layout(lpath)
        for given, p in ((pf.file, ppath), (pf.layout or cfg.layout or "", lpath)):
            entry = (given, file_sha256(p))
            if entry not in ctx.inputs:
                ctx.inputs.append(entry)
        loaded.append((pf.file, reading, layout))
    names = plate_names([f for f, _, _ in loaded], [lay for _, _, lay in loaded])
    results = [
        quantify_plate(reading, layout, model=cfg.model, weights=cfg.weights, blank=cfg.blank,
                       rules=cfg.qc_rules, confidence_level=cfg.confidence_level, name=nm)
        for (_, reading, layout), nm in zip(loaded, names)
    ]

    samples = combine_samples(results)
    # unit conversion: layout unit -> assay.unit (declared, so not silent)
    if len(samples):
        for col in ("concentration", "ci_low", "ci_high", "limit"):
            samples[col] = [float(convert(v, u, cfg.unit)) for v, u in zip(samples[col], samples["unit"])]
        samples["reported"] = [
            (f"<{lim:.3g}" if c == "<LLOQ" else f">{lim:.3g}" if c == ">ULOQ" else (f"{v:.3g}" if np.isfinite(v) else ""))
            for c, lim, v in zip(samples["censored"], samples["limit"], samples["concentration"])
        ]
        samples["unit"] = cfg.unit
        if cfg.reference_range:
            samples["category"] = [
                classify(v if c == "" else lim, cfg.unit, cfg.reference_range,
                         censored={"": "", "<LLOQ": "<", ">ULOQ": ">"}[c], passed=bool(p))
                for v, lim, c, p in zip(samples["concentration"], samples["limit"], samples["censored"], samples["passed"])
            ]

    data = ctx.data.copy()
    sid_col = cfg.sample_id or study.data.id
    if sid_col not in data.columns:
        raise ConfigError(f"assay.sample_id {sid_col!r} is not a column of the participant table", key="assay.sample_id")
    sids = data[sid_col].astype(str)
    by_id = {str(r.id): r for r in samples.itertuples()} if len(samples) else {}
    values = np.full(len(data), np.nan)
    censor = np.full(len(data), "", dtype=object)
    status = np.full(len(data), "not on any plate", dtype=object)
    choices: list[str] = []
    notes: list[str] = []
    n_cens_dropped = 0
    for i, s in enumerate(sids):
        r = by_id.get(s)
        if r is None:
            continue
        if not r.passed:
            status[i] = f"{r.status}: {r.reason}" if r.reason else r.status
            continue
        if r.censored:
            status[i] = r.censored
            if var_censored:
                values[i] = r.limit
                censor[i] = "<" if r.censored == "<LLOQ" else ">"
            else:
                n_cens_dropped += 1
        else:
            status[i] = "ok"
            values[i] = r.concentration
    if n_cens_dropped:
        notes.append(f"codebook.{cfg.target}.censored is false: {n_cens_dropped} censored result(s) set to missing "
                     f"(set `censored: true` to keep them as censored values)")
    unmatched = sorted(set(by_id) - set(sids))
    if unmatched:
        notes.append(f"{len(unmatched)} plate sample id(s) match no participant: {', '.join(unmatched[:10])}"
                     + (" ..." if len(unmatched) > 10 else ""))
    had_values = cfg.target in data.columns and data[cfg.target].notna().any()
    if had_values:
        choices.append(f"column {cfg.target!r} of the participant table replaced by the assay results")
    data[cfg.target] = values
    if var_censored:
        data[cfg.target + "__censor"] = censor
    data[cfg.target + STATUS_SUFFIX] = status
    rr = var.reference_range
    if rr is not None:
        from serostudy._io.readers import derive_category

        data[rr.name] = derive_category(values, censor if var_censored else None, rr).set_axis(data.index)
    ctx.data = data
    ctx.extra["assay"] = {"results": results, "samples": samples}
    choices.append(f"standard curves: {cfg.model.upper()}, weights {cfg.weights}, blanks {cfg.blank}; "
                   f"QC rule set {results[0].rules.label}")
    n_missing_plate = int((status == "not on any plate").sum())
    if n_missing_plate:
        notes.append(f"{n_missing_plate} participant(s) have no sample on any plate: {cfg.target} missing")

    # ---- records
    records: list[Record] = []
    for r in results:
        if r.curve is not None:
            for name, val in r.curve.params.as_dict().items():
                if name == "asymmetry" and cfg.model == "4pl":
                    continue
                records.append(Record("assay", cfg.target, name, val, group=r.plate, se=getattr(r.curve.se, name),
                                      n=r.curve.n, method=f"{cfg.model.upper()} weighted least squares ({cfg.weights})"))
            records.append(Record("assay", cfg.target, "residual_sd", r.curve.residual_sd, group=r.plate,
                                  df=float(r.curve.df_residual)))
        records.append(Record("assay", cfg.target, "lloq", r.lloq * float(convert(1.0, r.unit, cfg.unit)), group=r.plate))
        records.append(Record("assay", cfg.target, "uloq", r.uloq * float(convert(1.0, r.unit, cfg.unit)), group=r.plate))
        records.append(Record("assay", cfg.target, "plate_accepted", float(r.passed), group=r.plate,
                              method=r.rules.label, warnings=tuple([*r.reasons, *r.warnings])))
    for s in samples.itertuples() if len(samples) else []:
        records.append(Record(
            "assay", cfg.target, "concentration", None if s.censored or not np.isfinite(s.concentration) else s.concentration,
            group=s.plate, level=str(s.id),
            ci_low=None if s.censored else s.ci_low, ci_high=None if s.censored else s.ci_high,
            confidence_level=cfg.confidence_level, n=int(s.n_used),
            method="back-calculated from the standard curve; delta-method interval on the log scale",
            warnings=tuple(w for w in (s.censored and f"censored {s.reported}", s.reason) if w),
        ))
    counts = {k: int(v) for k, v in samples["censored"].replace("", "quantified").value_counts().items()} if len(samples) else {}
    for k, v in sorted(counts.items()):
        records.append(Record("assay", cfg.target, "count", float(v), level=k, n=len(samples)))

    figures = []
    for r in results:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", r.plate).strip("_") or "plate"
        figures.append(FigureSpec(
            name=f"assay_curve_{safe}", figure=curve_figure(r),
            caption=f"Standard curve of {r.plate} ({cfg.model.upper()}, weights {cfg.weights}): standards, "
                    f"samples and the LLOQ/ULOQ.",
            alt=f"Optical density against concentration on a log scale for {r.plate}, with the fitted curve.",
        ))

    not_reported = [{"id": s.id, "plate": s.plate, "status": s.status, "reason": s.reason}
                    for s in samples.itertuples() if not s.passed] if len(samples) else []
    policy = (_policy_text(censored_as) if var_censored
              else "The codebook does not declare the variable censored: censored results are missing in the analysis.")
    html = assay_html(results, samples, model=cfg.model, weights=cfg.weights, blank=cfg.blank, censor_policy=policy,
                      not_reported=not_reported, notes=notes, unit=cfg.unit, confidence_level=cfg.confidence_level)
    qc_all = pd.concat([r.qc_table for r in results], ignore_index=True)
    std_all = pd.concat([r.standards.assign(plate=r.plate) for r in results], ignore_index=True)
    payload: dict[str, Any] = {
        "rules": results[0].rules.to_dict(),
        "plates": [{"plate": r.plate, "accepted": bool(r.passed), "lloq": r.lloq, "uloq": r.uloq,
                    "reasons": list(r.reasons), "warnings": list(r.warnings)} for r in results],
        "counts": counts,
        "censored_as": censored_as if var_censored else "missing",
        "notes": notes,
    }
    return [Section(
        id="assay", title="Assay: standard curves, QC and concentrations", html=html, records=tuple(records),
        figures=tuple(figures),
        tables={"assay_samples": samples, "assay_qc": qc_all, "assay_standards": std_all},
        choices=tuple(choices), payload=_json_safe(payload), order=ORDER_ASSAY,
    )]


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return float(f"{f:.12g}") if np.isfinite(f) else None
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
