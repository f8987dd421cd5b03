"""The analysis-plan stage: label every result by the declared plan, check the declared
scales, adjust the multiplicity family.  Runs after the analyses (Table 1, Table 2,
models), before the audit.

* Roles (``Record.role``): the declared primary analysis's exposure estimate is
  ``primary``; declared secondary and sensitivity analyses ``secondary`` /
  ``sensitivity``; every other record with a p-value or a confidence interval in
  Table 1, Table 2 and the models is ``exploratory``.  Descriptive numbers keep ``None``.
* Scale check: for each biomarker with a declared scale, skewness and the Shapiro-Wilk
  test per group on the declared scale; a contradiction (skewness > 1 and p < 0.01) is a
  warning in the records and a visible note, and the declared scale is kept.
* Multiplicity: Holm (or the declared method) over the declared family, primary excluded;
  records ``plan`` / ``adjusted_pvalue``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from serostudy._records import Record

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._io.plan import AnalysisPlan, PlannedAnalysis
    from serostudy._stage import RunContext, Section

ROLE_ANALYSES = ("table1", "table2", "model")
EXPLORATORY_NOTE = "exploratory; not adjusted for multiplicity; hypothesis-generating"
SKEW_LIMIT = 1.0
SHAPIRO_ALPHA = 0.01


@dataclass(frozen=True)
class ScaleCheck:
    """Distributional check of one sample on its declared scale."""

    declared: str
    n: int
    skewness: float
    shapiro_p: float
    contradicts: bool
    note: str


def scale_check(x: Iterable[float], declared: str) -> ScaleCheck:
    """Skewness (adjusted Fisher-Pearson, as R ``e1071::skewness(type = 2)``) and the
    Shapiro-Wilk p of ``x`` on the declared scale (``raw`` or ``log``).

    Contradiction: skewness > 1 and Shapiro-Wilk p < 0.01 on the declared scale (for
    ``raw``: right skew that a log scale would treat; for ``log``: the logarithms are
    still skewed).  Never switches the scale: the caller reports the note.
    """
    from scipy import stats

    v = np.asarray(list(x), dtype=float)
    v = v[~np.isnan(v)]
    if declared == "log":
        v = np.log(v[v > 0])
    n = int(v.size)
    if n < 3:
        return ScaleCheck(declared, n, float("nan"), float("nan"), False, "fewer than 3 values: not checked")
    skew = float(stats.skew(v, bias=False))
    sw = float(stats.shapiro(v).pvalue)
    bad = abs(skew) > SKEW_LIMIT and sw < SHAPIRO_ALPHA
    if not bad:
        note = f"consistent with the declared {declared} scale (skewness {skew:.2f}, Shapiro-Wilk p = {sw:.2g})"
    elif declared == "raw":
        note = (f"declared raw, but skewness {skew:.2f} and Shapiro-Wilk p = {sw:.2g}: the distribution suggests "
                f"the log scale; the declared raw scale is kept (change analysis_plan.scale to analyse on the log scale)")
    else:
        note = (f"declared log, but the logarithms are skewed ({skew:.2f}, Shapiro-Wilk p = {sw:.2g}); "
                f"the declared log scale is kept")
    return ScaleCheck(declared, n, skew, sw, bad, note)


def _exposure_term(ctx: "RunContext") -> str | None:
    m = getattr(ctx.config, "models", None)
    if m is None:
        return None
    from serostudy.models._stage import _term_label, _xterm

    return _term_label(_xterm(m), ctx, m)


def _role_of(r: Record, plan: "AnalysisPlan | None", ctx: "RunContext", xterm: str | None) -> str | None:
    if r.analysis not in ROLE_ANALYSES or (r.pvalue is None and r.ci_low is None) or r.group == "published":
        return None
    if plan is None:
        return "exploratory"
    for role, a in plan.all_declared():
        if _matches(r, a, ctx, xterm, role):
            return role
    return "exploratory"


def _matches(r: Record, a: "PlannedAnalysis", ctx: "RunContext", xterm: str | None, role: str) -> bool:
    if a.analysis in ("negbin", "poisson"):
        fam = "NB" if a.analysis == "negbin" else "Poisson"
        if role == "sensitivity":
            from serostudy.models._stage import _adj_txt

            ok_group = r.group == f"{fam} sensitivity: {a.label or _adj_txt(ctx, list(a.adjusted_for))}"
        else:
            ok_group = r.group == f"{fam} {'adjusted' if a.adjusted_for else 'unadjusted'}"
        return r.analysis == "model" and r.variable == a.outcome and ok_group and r.term == xterm
    if a.analysis == "ordinal":
        return r.analysis == "model" and r.variable == a.outcome and r.group == "proportional odds" and r.term == xterm
    if a.analysis == "group_comparison":
        if a.adjusted_for:
            return (r.analysis == "model" and r.variable == a.outcome and r.group == "adjusted"
                    and r.statistic in ("ratio_of_geometric_means", "mean_difference"))
        return r.analysis == "table1" and r.variable == a.outcome
    if a.analysis == "correlation":
        return r.analysis == "table2" and r.variable == a.outcome and r.statistic in ("pearson_r", "spearman_rho")
    return False


def plan_stage(ctx: "RunContext") -> "Section | None":
    """Label the records of every section already run; add the "Analysis plan" section."""
    from markupsafe import Markup, escape

    from serostudy._stage import Section

    plan = getattr(ctx.config, "analysis_plan", None)
    xterm = _exposure_term(ctx)
    counts: dict[str, int] = {}
    for i, sec in enumerate(ctx.sections):
        new = []
        roled: dict[str, list[Record]] = {}
        for r in sec.records:
            role = _role_of(r, plan, ctx, xterm)
            if role is not None:
                counts[role] = counts.get(role, 0) + 1
                r = dataclasses.replace(r, role=role)
                roled.setdefault(role, []).append(r)
            new.append(r)
        html = sec.html
        if roled:  # say in the section itself what its results are in the plan
            parts = []
            for role in ("primary", "secondary", "sensitivity"):
                what = sorted({f"{ctx.config.label(r.variable) if r.variable in ctx.config.codebook else r.variable}"
                               f" ({r.group or r.statistic})" for r in roled.get(role, [])})
                if what:
                    parts.append(f"{role}: {', '.join(what)}")
            if "exploratory" in roled:
                parts.append(("every other test or interval here" if parts else "every test and interval here")
                             + f" is {EXPLORATORY_NOTE}")
            html = Markup(str(html) + f'<p class="note role">Analysis plan: {escape("; ".join(parts))}.</p>')
        ctx.sections[i] = dataclasses.replace(sec, records=tuple(new), html=html)
    records: list[Record] = []
    notes: list[str] = []
    paras: list[str] = []
    if plan is None:
        paras.append("No analysis plan was declared (analysis_plan in study.yaml): every test and interval in this "
                     f"report is {EXPLORATORY_NOTE}.")
    else:
        paras.append("Declared analysis plan (study.yaml, analysis_plan), fixed before the analysis. Primary: "
                     + _describe(ctx, plan.primary) + ".")
        if plan.secondary:
            paras.append("Secondary: " + "; ".join(_describe(ctx, a) for a in plan.secondary) + ".")
        if plan.sensitivity:
            paras.append("Sensitivity: " + "; ".join(_describe(ctx, a) for a in plan.sensitivity) + ".")
        paras.append("Every other test or interval in this report is " + EXPLORATORY_NOTE + ".")
        # scale checks (never switch)
        gcol = ctx.config.groups.variable
        data = ctx.analysed()
        for name, declared in plan.scale.items():
            if name not in data.columns:
                continue
            for g in ctx.config.groups.order:
                x = data.loc[data[gcol].astype(str) == str(g), name].to_numpy(dtype=float, na_value=np.nan)
                chk = scale_check(x, declared)
                if chk.n < 3:
                    continue
                records.append(Record("plan", name, "scale_check", chk.skewness, group=str(g), n=chk.n,
                                      pvalue=chk.shapiro_p, term=f"declared {declared}",
                                      method="skewness (adjusted Fisher-Pearson) and Shapiro-Wilk test on the "
                                             "declared scale; contradiction: |skewness| > 1 and p < 0.01",
                                      warnings=(chk.note,) if chk.contradicts else ()))
                if chk.contradicts:
                    notes.append(f"Scale check, {ctx.config.label(name)} in {ctx.config.groups.label(str(g))}: {chk.note}.")
            paras.append(f"{ctx.config.label(name)} is analysed on the declared {declared} scale"
                         + (" (ratios of geometric means)." if declared == "log" else "."))
        records += _multiplicity(ctx, plan)
    if records:
        fam = [r for r in records if r.statistic == "adjusted_pvalue"]
        if fam:
            paras.append(f"Multiplicity: {fam[0].method}; adjusted p-values are listed in results.json "
                         "(analysis 'plan', statistic 'adjusted_pvalue').")
    paras.append("Results labelled: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + " (records).")
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    if notes:
        body += "<div class=\"note warning\"><strong>Warning:</strong><ul>" + "".join(
            f"<li>{escape(n)}</li>" for n in notes) + "</ul></div>"
    return Section(id="analysis_plan", title="Analysis plan", html=Markup(body), records=tuple(records),
                   choices=tuple(notes), order=45,
                   payload={"declared": plan.model_dump(mode="json") if plan is not None else None,
                            "roles": counts})


def _describe(ctx: "RunContext", a: "PlannedAnalysis") -> str:
    what = {"negbin": "negative binomial count model", "poisson": "Poisson count model",
            "ordinal": "proportional-odds model", "linear": "linear regression",
            "group_comparison": "comparison between groups", "correlation": "correlation"}[a.analysis]
    m = getattr(ctx.config, "models", None)
    expo = a.exposure or (m.exposure if m is not None else None)
    head = a.label + ": " if a.label else ""
    rel = f"{ctx.config.label(a.outcome)}" + (f" and {ctx.config.label(expo)}" if expo and a.analysis != "group_comparison" else "")
    adj = (f", adjusted for {', '.join(ctx.config.label(c) for c in a.adjusted_for)}" if a.adjusted_for else ", unadjusted")
    eff = ""
    if a.effect is not None:
        e = a.effect
        eff = "; designed to detect " + (f"a rate ratio of {e.rate_ratio:g}" if e.rate_ratio is not None else
                                         f"r = {e.r:g}" if e.r is not None else f"d = {e.d:g}")
    return f"{head}{rel}, {what}{adj}{eff}"


def _multiplicity(ctx: "RunContext", plan: "AnalysisPlan") -> list[Record]:
    """Adjusted p-values over the declared family (primary excluded)."""
    from serostudy.models._multiplicity import METHOD_NAMES, p_adjust

    fam_kind = plan.multiplicity.family
    if fam_kind == "none":
        return []
    xterm = _exposure_term(ctx)
    t2 = ctx.config.analyses.table2
    first = t2.methods[0] if t2 is not None and t2.methods else None
    stat1 = {"pearson": "pearson_r", "spearman": "spearman_rho"}.get(first or "", "")
    fam: list[Record] = []
    for sec in ctx.sections:
        for r in sec.records:
            if r.pvalue is None or r.role in (None, "primary"):
                continue
            if fam_kind == "secondary" and r.role != "secondary":
                continue
            within = ((r.analysis == "table2" and r.statistic == stat1)
                      or (r.analysis == "model" and r.term == xterm
                          and r.statistic in ("rate_ratio", "cumulative_odds_ratio")
                          and r.group is not None and ("adjusted" in r.group or r.group == "proportional odds")
                          and "unadjusted" not in r.group and "Poisson" not in r.group
                          and "sensitivity" not in r.group))
            if fam_kind == "within_patient" and not within:
                continue
            if fam_kind == "secondary" and r.analysis not in ("model", "table1", "table2"):
                continue
            fam.append(r)
    if not fam:
        return []
    adj = p_adjust([math.nan if r.pvalue is None else r.pvalue for r in fam], method=plan.multiplicity.method)
    name = METHOD_NAMES.get(plan.multiplicity.method, plan.multiplicity.method)
    how = (f"{name} over the declared {fam_kind.replace('_', '-')} family of {len(fam)} tests "
           "(the primary analysis excluded)")
    return [Record("plan", r.variable, "adjusted_pvalue", float(q), group=r.group,
                   term=f"{r.analysis}: {r.statistic}" + (f" ({r.term})" if r.term else ""),
                   n=r.n, pvalue=float(q), method=how, role=r.role) for r, q in zip(fam, adj)]
