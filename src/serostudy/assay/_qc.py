"""QC rules for a ligand-binding assay run, as a named, versioned, configurable rule set.

Defaults (rule set ``"ich-m10-lba"`` version 1) follow ICH M10 (2022), section 4 on
ligand-binding assays:

* calibration standards: back-calculated concentration within +/-20% of nominal
  (+/-25% at the lowest and highest non-zero levels, LLOQ and ULOQ); at least 75% of the
  non-zero levels and at least 6 levels must pass.  Zero standards and blanks are not
  judged.  Levels that fail are excluded and the curve is refitted once.
* QC samples: at least 2/3 of all QC samples within +/-20% of nominal and at least 50%
  at each level.
* replicates: CV of the replicate concentrations at most 20% (a sample above the limit
  is rejected, with its CV as the reason).
* hook effect: a warning when the highest standard's mean response is lower (rising
  curve) or higher (falling curve) than the next level's.

Every rule returns rows for the QC table: rule, subject, value, limit, passed, reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from serostudy.assay._qc_rules import RULE_SETS, QCRuleSet
from serostudy.exceptions import AssayError


def get_rule_set(spec: str | QCRuleSet | dict[str, Any] | None = None) -> QCRuleSet:
    """A rule set by name, or a named one with some limits overridden (``{"base": ..., ...}``)."""
    if spec is None:
        return RULE_SETS["ich-m10-lba"]
    if isinstance(spec, QCRuleSet):
        return spec
    if isinstance(spec, str):
        if spec not in RULE_SETS:
            raise AssayError(f"unknown QC rule set {spec!r}; known: {sorted(RULE_SETS)}")
        return RULE_SETS[spec]
    d = dict(spec)
    base = get_rule_set(d.pop("base", "ich-m10-lba"))
    fields = set(QCRuleSet.__dataclass_fields__)
    bad = sorted(set(d) - fields)
    if bad:
        raise AssayError(f"unknown QC rule option(s) {bad}; expected some of {sorted(fields)}")
    if "name" not in d:
        d["name"] = base.name + "-custom"
    return replace(base, **d)


def _row(rule: str, subject: str, value: float | None, limit: str, passed: bool, reason: str) -> dict[str, Any]:
    return {"rule": rule, "subject": subject, "value": value, "limit": limit, "passed": bool(passed), "reason": reason}


def check_standard_levels(levels: pd.DataFrame, rules: QCRuleSet) -> pd.DataFrame:
    """Judge each standard level.

    ``levels`` has columns ``id, nominal, back_calculated``.  Returns it with
    ``re_percent, tolerance, passed, reason``; zero standards get ``passed = NaN`` (not judged).
    """
    out = levels.copy()
    nz = out["nominal"] > 0
    lo, hi = out.loc[nz, "nominal"].min(), out.loc[nz, "nominal"].max()
    tol = np.where(out["nominal"].isin([lo, hi]), rules.standard_tolerance_at_limits, rules.standard_tolerance)
    with np.errstate(invalid="ignore", divide="ignore"):
        re = (out["back_calculated"] - out["nominal"]) / out["nominal"] * 100.0
    out["re_percent"] = np.where(nz, re, np.nan)
    out["tolerance"] = np.where(nz, tol, np.nan)
    passed: list[bool | None] = []  # None: zero standard, not judged
    reason: list[str] = []
    for r, t, z, bc in zip(out["re_percent"], out["tolerance"], nz, out["back_calculated"]):
        if not z:
            passed.append(None)
            reason.append("zero standard: not judged")
        elif not np.isfinite(bc):
            passed.append(False)
            reason.append("response outside the curve's asymptotes: no back-calculated value")
        elif abs(r) <= t:
            passed.append(True)
            reason.append("")
        else:
            passed.append(False)
            reason.append(f"back-calculated {bc:.4g} is {r:+.1f}% from nominal (limit ±{t:g}%)")
    out["passed"] = passed
    out["reason"] = reason
    return out


def standards_acceptance(judged: pd.DataFrame, rules: QCRuleSet) -> tuple[bool, list[dict[str, Any]]]:
    """Run-level rule on standards: fraction and number of passing non-zero levels."""
    nz = judged[judged["nominal"] > 0]
    n = len(nz)
    k = int((nz["passed"] == True).sum())  # noqa: E712  (object column with None)
    frac = k / n if n else 0.0
    ok_frac = frac >= rules.min_standard_fraction - 1e-12
    ok_n = k >= rules.min_standard_levels
    rows = [
        _row("standards: fraction passing", "plate", round(100 * frac, 1), f">= {rules.min_standard_fraction:.0%}",
             ok_frac, "" if ok_frac else f"only {k} of {n} standard levels within limits"),
        _row("standards: levels passing", "plate", float(k), f">= {rules.min_standard_levels}", ok_n,
             "" if ok_n else f"{k} passing levels, at least {rules.min_standard_levels} needed"),
    ]
    return ok_frac and ok_n, rows


def check_qcs(qcs: pd.DataFrame, rules: QCRuleSet) -> tuple[pd.DataFrame, bool, list[dict[str, Any]]]:
    """Judge QC samples (columns ``id, level, nominal, measured``) and the run-level QC rule."""
    out = qcs.copy()
    if len(out) == 0:
        out["re_percent"] = pd.Series(dtype=float)
        out["passed"] = pd.Series(dtype=bool)
        out["reason"] = pd.Series(dtype=object)
        return out, True, [_row("QC: fraction passing", "plate", None, "", True,
                                "no QC samples on the plate: rule not applied")]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["re_percent"] = (out["measured"] - out["nominal"]) / out["nominal"] * 100.0
    ok = np.isfinite(out["re_percent"]) & (out["re_percent"].abs() <= rules.qc_tolerance)
    out["passed"] = ok
    out["reason"] = [
        "" if p else ("not quantifiable (outside the curve's range)" if not np.isfinite(r)
                      else f"{r:+.1f}% from nominal (limit ±{rules.qc_tolerance:g}%)")
        for p, r in zip(ok, out["re_percent"])
    ]
    rows = []
    frac = float(ok.mean())
    pass_all = frac >= rules.min_qc_fraction - 1e-12
    rows.append(_row("QC: fraction passing", "plate", round(100 * frac, 1), f">= {rules.min_qc_fraction:.0%}",
                     pass_all, "" if pass_all else f"{int(ok.sum())} of {len(out)} QC samples within ±{rules.qc_tolerance:g}%"))
    pass_levels = True
    for lvl, g in out.groupby("level", sort=False):
        f = float(g["passed"].mean())
        p = f >= rules.min_qc_fraction_per_level - 1e-12
        pass_levels &= p
        rows.append(_row("QC: fraction passing per level", f"level {lvl}", round(100 * f, 1),
                         f">= {rules.min_qc_fraction_per_level:.0%}", p,
                         "" if p else f"{int(g['passed'].sum())} of {len(g)} QC samples at level {lvl} within limits"))
    return out, bool(pass_all and pass_levels), rows


def check_cv(cv_percent: float, rules: QCRuleSet) -> tuple[bool, str]:
    """Replicate CV rule for one sample (``nan`` CV, e.g. a single replicate, passes)."""
    if not np.isfinite(cv_percent) or cv_percent <= rules.max_cv:
        return True, ""
    return False, f"replicate CV {cv_percent:.1f}% > {rules.max_cv:g}%"


def hook_effect(levels: pd.DataFrame, *, rising: bool) -> str:
    """Warning text when the top standard's mean response turns back, else ``""``.

    ``levels`` has ``id, nominal, mean_response``.
    """
    lv = levels[levels["nominal"] > 0].sort_values("nominal")
    if len(lv) < 2:
        return ""
    top, prev = lv.iloc[-1], lv.iloc[-2]
    turned = top["mean_response"] < prev["mean_response"] if rising else top["mean_response"] > prev["mean_response"]
    if turned:
        return (f"possible high-dose hook effect: mean response of the top standard {top['id']} "
                f"({top['mean_response']:.4g}) is {'below' if rising else 'above'} that of {prev['id']} "
                f"({prev['mean_response']:.4g}); re-assay high samples diluted")
    return ""
