"""From one plate's readings and layout to QC-checked sample concentrations.

Steps (each rejected point, sample or plate gets a reason):

1. Wells without a numeric reading (reader tokens, empty cells) are not used; the
   reason is the reader's flag.
2. Blanks: with ``blank="zero-standard"`` (default) the blank wells are fitted as a
   standard of concentration 0 (the curve's lower asymptote absorbs the blank signal);
   ``"subtract"`` subtracts the mean blank response from every well; ``"none"`` ignores
   them.
3. The standard curve is fitted (:func:`~serostudy.assay.fit_curve`); standard levels
   are judged with the QC rule set; failing levels are excluded and the curve refitted
   once.  LLOQ and ULOQ are the lowest and highest accepted non-zero standards.
4. QC samples are back-calculated and judged; the plate passes if the standards and QC
   rules pass.
5. Samples: the mean response of the usable replicates is back-calculated with a 95%
   interval; the replicate CV (of back-calculated concentrations, or of responses when a
   replicate has no concentration) is checked; results below the LLOQ or above the ULOQ
   are censored (``<LLOQ``, ``>ULOQ``), never extrapolated; the dilution factor is applied
   last (to the value, the interval and the limits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from serostudy._typing import check_choice
from serostudy.assay._curves import CurveFit, CurveModel, Weighting, fit_curve
from serostudy.assay._layout import PlateLayout
from serostudy.assay._qc import (
    QCRuleSet,
    check_cv,
    check_qcs,
    check_standard_levels,
    get_rule_set,
    hook_effect,
    standards_acceptance,
)
from serostudy.assay._readers import PlateReading
from serostudy.exceptions import AssayError, FitError

BlankHandling = Literal["subtract", "zero-standard", "none"]
BLANKS: tuple[str, ...] = ("subtract", "zero-standard", "none")


@dataclass(frozen=True, eq=False)
class PlateResult:
    """Everything computed for one plate.

    Attributes
    ----------
    plate
        Plate name (layout ``name`` or reading file name).
    curve
        The final standard curve (``None`` if it could not be fitted).
    wells
        One row per layout well: ``well, role, id, response, flag, used, reason``.
    standards
        One row per standard level: nominal, mean response, back-calculated value, %RE,
        CV, passed, reason.
    qcs, samples
        One row per QC sample / study sample (see :func:`quantify_plate`).
    qc_table
        Every rule applied: ``rule, subject, value, limit, passed, reason``.
    lloq, uloq
        Quantification limits in the assay (before dilution), layout unit.
    passed, reasons, warnings
        Plate acceptance, why it was rejected, warnings (hook effect, no QCs, ...).
    aic
        AIC of the 4PL and the 5PL fitted to the same accepted standards (R ``AIC`` of
        ``nls``), to judge whether the asymmetry parameter is needed.
    """

    plate: str
    unit: str
    curve: CurveFit | None
    wells: pd.DataFrame
    standards: pd.DataFrame
    qcs: pd.DataFrame
    samples: pd.DataFrame
    qc_table: pd.DataFrame
    lloq: float
    uloq: float
    passed: bool
    rules: QCRuleSet
    blank: float
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    fit_notes: tuple[str, ...] = field(default_factory=tuple)
    aic: dict[str, float] = field(default_factory=dict)


def _cv(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    if v.size < 2 or np.mean(v) == 0:
        return float("nan")
    return float(np.std(v, ddof=1) / abs(np.mean(v)) * 100.0)


def quantify_plate(
    reading: PlateReading,
    layout: PlateLayout,
    *,
    model: CurveModel = "4pl",
    weights: Weighting = "1/y2",
    blank: BlankHandling = "zero-standard",
    rules: str | QCRuleSet | dict | None = None,
    confidence_level: float = 0.95,
    name: str | None = None,
) -> PlateResult:
    """Fit the standard curve of one plate, apply QC and back-calculate the samples.

    Parameters
    ----------
    reading, layout
        From :func:`read_plate` and :func:`read_layout`; both must be the same plate size.
    model, weights
        Curve model and weighting (see :func:`fit_curve`).
        Defaults: ``"1/y2"`` (optical-density noise grows with the signal).
    blank
        ``"zero-standard"`` (default: blank wells fitted as a 0-concentration standard, so
        responses stay positive for 1/y weighting), ``"subtract"`` (mean blank subtracted
        from every well) or ``"none"``.
    rules
        QC rule set name, :class:`QCRuleSet`, or a dict overriding limits.
    confidence_level
        Of the back-calculation intervals.
    name
        Plate name in the results (default: the layout's ``name``, else the file name).

    Returns
    -------
    PlateResult
        ``samples`` has one row per sample: ``plate, id, dilution, n_wells, n_used,
        mean_response, cv_percent, cv_basis, concentration, ci_low, ci_high, censored``
        (``""``, ``"<LLOQ"``, ``">ULOQ"``), ``limit`` (the censoring limit after dilution),
        ``reported`` (text as printed), ``unit``, ``status`` (``"ok"``, ``"rejected"``,
        ``"no reading"``, ``"plate rejected"``), ``passed``, ``reason``.

    Notes
    -----
    Back-calculation round-trips and the censoring at LLOQ/ULOQ are tested on both sides;
    each QC rule has a passing and a failing test (``tests/assay/test_quantify.py``,
    ``tests/assay/test_qc.py``).

    Examples
    --------
    >>> res = quantify_plate(read_plate("plate1.csv"), read_layout("layout.toml"))  # doctest: +SKIP
    >>> res.samples[["id", "reported", "status"]]  # doctest: +SKIP
    """
    check_choice("blank", blank, BLANKS)
    rs = get_rule_set(rules)
    if reading.plate_format != layout.plate_format:
        raise AssayError(
            f"plate size mismatch: the reading is a {reading.plate_format}-well plate, "
            f"the layout ({layout.source or 'layout'}) a {layout.plate_format}-well plate",
            file=reading.source,
        )
    name = name or layout.name or reading.source
    lw = layout.wells.copy()
    resp = np.array([reading.response(w) for w in lw["well"]])
    flags = [reading.flags.get(w, "") for w in lw["well"]]
    lw["raw_response"] = resp
    lw["flag"] = flags
    lw["used"] = np.isfinite(resp)
    lw["reason"] = ["" if u else (f"no numeric reading: {f}" if f else "no numeric reading")
                    for u, f in zip(lw["used"], flags)]
    warnings: list[str] = []
    reasons: list[str] = []

    # -- blanks
    bl = lw[(lw["role"] == "blank") & lw["used"]]
    blank_value = 0.0
    if blank == "subtract":
        if len(bl):
            blank_value = float(bl["raw_response"].mean())
        elif (lw["role"] == "blank").any():
            warnings.append("all blank wells lack a reading: nothing subtracted")
        else:
            warnings.append("no blank wells on the plate: nothing subtracted")
    lw["response"] = lw["raw_response"] - blank_value

    # -- standards
    std = lw[(lw["role"] == "standard") & lw["used"]]
    if blank == "zero-standard":
        z = lw[(lw["role"] == "blank") & lw["used"]].copy()
        z["concentration"] = 0.0
        z["id"] = "blank (0)"
        std = pd.concat([std, z])
    levels = (
        std.groupby("id", sort=False)
        .agg(nominal=("concentration", "first"), n_wells=("well", "size"), mean_response=("response", "mean"),
             cv_response=("response", lambda v: _cv(np.asarray(v))))
        .reset_index()
    )
    all_std_ids = list(dict.fromkeys(lw.loc[lw["role"] == "standard", "id"]))
    missing_levels = [s for s in all_std_ids if s not in set(levels["id"])]
    for s in missing_levels:
        nom = float(lw.loc[(lw["role"] == "standard") & (lw["id"] == s), "concentration"].iloc[0])
        levels = pd.concat([levels, pd.DataFrame([{"id": s, "nominal": nom, "n_wells": 0,
                                                   "mean_response": np.nan, "cv_response": np.nan}])], ignore_index=True)
    levels = levels.sort_values("nominal", kind="stable").reset_index(drop=True)

    qc_rows: list[dict] = []
    curve: CurveFit | None = None
    fit_notes: list[str] = []
    n_par = 4 if model == "4pl" else 5
    n_levels = int(((levels["n_wells"] > 0) & (levels["nominal"] > 0)).sum())
    try:
        if len(std) < n_par + 1 or n_levels < n_par - 1:
            raise FitError(f"only {len(std)} usable standard well(s) at {n_levels} non-zero level(s); a {model} needs at "
                           f"least {n_par + 1} wells at {n_par - 1} levels")
        curve = fit_curve(std["concentration"].to_numpy(), std["response"].to_numpy(), model=model, weights=weights)
    except FitError as exc:
        reasons.append(f"standard curve could not be fitted: {exc}")
    except AssayError as exc:
        # name the plate file (and the layout), not only the plate's display name
        raise AssayError(f"plate {name!r} (layout {layout.source or 'layout'}): {exc.reason}",
                         file=reading.source) from None

    def judge(c: CurveFit) -> pd.DataFrame:
        lv = levels.copy()
        lv["back_calculated"] = c.inverse(lv["mean_response"].to_numpy())
        return check_standard_levels(lv, rs)

    judged = levels.assign(back_calculated=np.nan, re_percent=np.nan, tolerance=np.nan, passed=False,
                           reason="no curve")
    if curve is not None:
        judged = judge(curve)
        failed = judged.loc[(judged["passed"] == False) & judged["n_wells"].gt(0), "id"].tolist()  # noqa: E712
        if failed and rs.refit_after_exclusion:
            keep = ~std["id"].isin(failed)
            try:
                curve2 = fit_curve(std.loc[keep, "concentration"].to_numpy(), std.loc[keep, "response"].to_numpy(),
                                   model=model, weights=weights)
                fit_notes.append(f"refitted without failing standard level(s) {', '.join(failed)}")
                curve = curve2
                j2 = judge(curve)
                # excluded levels keep their failure and reason from the first fit
                j2.loc[j2["id"].isin(failed), ["passed", "reason"]] = judged.loc[judged["id"].isin(failed), ["passed", "reason"]].to_numpy()
                j2.loc[j2["id"].isin(failed), "reason"] = j2.loc[j2["id"].isin(failed), "reason"] + " (excluded, curve refitted)"
                judged = j2
            except (FitError, AssayError) as exc:
                fit_notes.append(f"refit without failing levels not possible ({exc}); first fit kept")
        for s in missing_levels:
            judged.loc[judged["id"] == s, ["passed", "reason"]] = [False, "no usable well for this level"]
        std_ok, rows = standards_acceptance(judged, rs)
        qc_rows += rows
        if not std_ok:
            reasons += [r["reason"] for r in rows if not r["passed"]]
        for r in judged.itertuples():
            if r.nominal > 0:
                qc_rows.append({"rule": "standard accuracy", "subject": f"standard {r.id} ({r.nominal:g})",
                                "value": None if not np.isfinite(r.re_percent) else round(float(r.re_percent), 2),
                                "limit": f"±{r.tolerance:g}%", "passed": bool(r.passed), "reason": r.reason})
        if rs.hook_warning:
            h = hook_effect(judged, rising=curve.rising)
            if h:
                warnings.append(h)
                qc_rows.append({"rule": "hook effect", "subject": "standards", "value": None, "limit": "",
                                "passed": True, "reason": "warning: " + h})
    aic: dict[str, float] = {}
    if curve is not None:
        aic[curve.model] = curve.aic
        other: CurveModel = "5pl" if curve.model == "4pl" else "4pl"
        try:
            alt = fit_curve(curve.conc, curve.response, model=other, weights=weights)
            aic[other] = alt.aic
        except (FitError, AssayError) as exc:
            fit_notes.append(f"{other} not fitted for the AIC comparison ({exc})")
    acc = judged[(judged["nominal"] > 0) & (judged["passed"] == True)]  # noqa: E712
    lloq = float(acc["nominal"].min()) if len(acc) else float("nan")
    uloq = float(acc["nominal"].max()) if len(acc) else float("nan")

    # -- replicate groups (QCs and samples)
    def groups(role: str):
        yield from lw[lw["role"] == role].groupby("id", sort=False)

    def backcalc(g: pd.DataFrame):
        u = g[g["used"]]
        if curve is None or len(u) == 0:
            return np.nan, np.nan, np.nan, "", np.nan, ""
        y = u["response"].to_numpy()
        bc = curve.back_calculate(float(y.mean()), n_replicates=len(y), confidence_level=confidence_level)
        reps = curve.inverse(y)
        if np.all(np.isfinite(reps)) and len(y) > 1:
            cv, basis = _cv(reps), "concentration"
        else:
            cv, basis = _cv(y), "response"
        return float(bc.concentration[0]), float(bc.ci_low[0]), float(bc.ci_high[0]), str(bc.side[0]), cv, basis

    # -- QCs
    qrows = []
    for gid, g in groups("qc"):
        conc, lo, hi, side, cv, basis = backcalc(g)
        measured = conc
        if np.isfinite(conc) and (conc < lloq or conc > uloq):
            measured = np.nan  # censored QC: not quantifiable
        qrows.append({"id": gid, "level": g["level"].iloc[0], "nominal": float(g["concentration"].iloc[0]),
                      "n_used": int(g["used"].sum()), "mean_response": float(g.loc[g["used"], "response"].mean()) if g["used"].any() else np.nan,
                      "measured": measured, "cv_percent": cv})
    qcs = pd.DataFrame(qrows, columns=["id", "level", "nominal", "n_used", "mean_response", "measured", "cv_percent"])
    qcs, qc_ok, rows = check_qcs(qcs, rs)
    qc_rows += rows
    for r in qcs.itertuples():
        qc_rows.append({"rule": "QC accuracy", "subject": f"QC {r.id} (level {r.level}, {r.nominal:g})",
                        "value": None if not np.isfinite(r.re_percent) else round(float(r.re_percent), 2),
                        "limit": f"±{rs.qc_tolerance:g}%", "passed": bool(r.passed), "reason": r.reason})
    if len(qcs) == 0:
        warnings.append("no QC samples on the plate: the QC rule was not applied")
    if not qc_ok:
        reasons += [r["reason"] for r in rows if not r["passed"]]
    plate_ok = curve is not None and not reasons

    # -- samples
    srows = []
    for gid, g in groups("sample"):
        dil = float(g["dilution"].iloc[0])
        n_used = int(g["used"].sum())
        conc, lo, hi, side, cv, basis = backcalc(g)
        censored, limit, status, reason = "", np.nan, "ok", ""
        if n_used == 0:
            fl = [f for f in g["flag"] if f]
            if fl and all(f.startswith("overflow") for f in fl) and curve is not None:
                censored = ">ULOQ" if curve.rising else "<LLOQ"
                reason = "every replicate overflowed the reader"
            else:
                status, reason = "no reading", "; ".join(sorted(set(g["reason"]))) or "no usable well"
        elif side == "below" or (np.isfinite(conc) and conc < lloq):
            censored = "<LLOQ"
        elif side == "above" or (np.isfinite(conc) and conc > uloq):
            censored = ">ULOQ"
        if censored == "<LLOQ":
            limit = lloq * dil
        elif censored == ">ULOQ":
            limit = uloq * dil
        if status == "ok":
            ok, why = check_cv(cv, rs)
            if not ok:
                status, reason = "rejected", why
        if not plate_ok and status in ("ok",):
            status = "plate rejected"
            reason = "; ".join(reasons) if reasons else "plate rejected"
        if 0 < n_used < len(g) and status == "ok":
            lost = g[~g["used"]]
            reason = "; ".join(f"{w}: {r}" for w, r in zip(lost["well"], lost["reason"])) + " (other replicates used)"
        value = conc * dil if not censored else np.nan
        reported = (f"<{limit:.3g}" if censored == "<LLOQ" else f">{limit:.3g}" if censored == ">ULOQ"
                    else (f"{value:.3g}" if np.isfinite(value) else ""))
        srows.append({
            "plate": name, "id": gid, "dilution": dil, "n_wells": len(g), "n_used": n_used,
            "mean_response": float(g.loc[g["used"], "response"].mean()) if n_used else np.nan,
            "cv_percent": cv, "cv_basis": basis,
            "concentration": value,
            "ci_low": lo * dil if not censored else np.nan, "ci_high": hi * dil if not censored else np.nan,
            "censored": censored, "limit": limit, "reported": reported, "unit": layout.unit,
            "status": status, "passed": status == "ok", "reason": reason,
        })
        if status == "rejected":
            qc_rows.append({"rule": "replicate CV", "subject": f"sample {gid}", "value": round(cv, 2),
                            "limit": f"<= {rs.max_cv:g}%", "passed": False, "reason": reason})
    samples = pd.DataFrame(srows, columns=[
        "plate", "id", "dilution", "n_wells", "n_used", "mean_response", "cv_percent", "cv_basis", "concentration",
        "ci_low", "ci_high", "censored", "limit", "reported", "unit", "status", "passed", "reason"])
    n_cv_ok = int(((samples["status"] != "rejected") & (samples["n_used"] > 1)).sum())
    qc_rows.append({"rule": "replicate CV", "subject": "samples", "value": float(n_cv_ok), "limit": f"<= {rs.max_cv:g}%",
                    "passed": True, "reason": f"{n_cv_ok} sample(s) with replicates within the CV limit"})
    qc_table = pd.DataFrame(qc_rows, columns=["rule", "subject", "value", "limit", "passed", "reason"])
    qc_table.insert(0, "plate", name)
    wells = lw[["well", "role", "id", "raw_response", "response", "flag", "used", "reason"]].copy()
    # back-calculated value and %RE of every standard well
    is_std = (lw["role"] == "standard").to_numpy()
    bc_w = np.full(len(lw), np.nan)
    if curve is not None:
        bc_w[is_std] = curve.inverse(lw.loc[is_std, "response"].to_numpy())
    wells["back_calculated"] = bc_w
    with np.errstate(invalid="ignore", divide="ignore"):
        wells["re_percent"] = np.where(is_std & (lw["concentration"] > 0),
                                       (bc_w - lw["concentration"]) / lw["concentration"] * 100.0, np.nan)
    judged = judged.rename(columns={"cv_response": "cv_percent"})
    return PlateResult(
        plate=name, unit=layout.unit, curve=curve, wells=wells, standards=judged, qcs=qcs, samples=samples,
        qc_table=qc_table, lloq=lloq, uloq=uloq, passed=plate_ok, rules=rs, blank=blank_value,
        reasons=tuple(dict.fromkeys(reasons)), warnings=tuple(warnings), fit_notes=tuple(fit_notes), aic=aic,
    )


def plate_names(files: list[str], layouts: list[PlateLayout]) -> list[str]:
    """Distinct plate names: the layouts' names, or the file names when those collide."""
    from pathlib import Path

    names = [lay.name or Path(f).stem for f, lay in zip(files, layouts)]
    if len(set(names)) < len(names):
        names = [Path(f).name for f in files]
    if len(set(names)) < len(names):
        names = [str(f) for f in files]
    return names


def combine_samples(results: list[PlateResult]) -> pd.DataFrame:
    """One row per sample id across plates.

    A sample measured on several plates keeps the first accepted quantified result (plate
    order), else the first accepted censored one, else the first row; ``n_results`` and
    ``note`` say so.
    """
    allrows = pd.concat([r.samples for r in results], ignore_index=True) if results else pd.DataFrame()
    if allrows.empty:
        return allrows
    out = []
    for _sid, g in allrows.groupby("id", sort=False):
        pick = g[g["passed"] & (g["censored"] == "")]
        if pick.empty:
            pick = g[g["passed"]]
        if pick.empty:
            pick = g
        row = pick.iloc[0].to_dict()
        row["n_results"] = len(g)
        row["note"] = (f"measured on {len(g)} plates ({', '.join(map(str, g['plate']))}); result from {row['plate']}"
                       if len(g) > 1 else "")
        out.append(row)
    return pd.DataFrame(out)
