"""The ``models`` stage: report sections for the count, adjusted, ordinal, multiplicity
and power analyses (see :mod:`serostudy._stage` for the contract).

:func:`models_stage` runs every part configured in ``models:`` (``ModelsConfig``) and
returns the sections in report order:

1. ``models_relapses`` -- relapses on the exposure (rate ratio per ``per`` units),
   negative binomial with log follow-up offset, unadjusted and adjusted, Poisson beside
   it with its overdispersion check, and the published Pearson r with one generated
   sentence on why the conclusions differ;
2. ``models_group`` -- the exposure by group adjusted for covariates, as a ratio of
   geometric means (log scale) or a mean difference, with a residual diagnostics figure;
3. ``models_ordinal`` -- an ordinal outcome (EDSS) by Spearman's rho and a
   proportional-odds model;
4. ``models_multiplicity`` -- BH q-values for the Table 2 family, the family stated;
5. ``models_power`` -- smallest detectable effects, the a-priori power of the declared
   primary analysis, and simulation power of the count model (never observed power);
6. ``models_forest`` -- forest plot of the models' estimates, each labelled with its adjustment.

Stages do no file I/O: figures and tables go back to the pipeline in the Section.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from serostudy._records import Record
from serostudy._stage import FigureSpec, RunContext, Section
from serostudy.exceptions import ModelError
from serostudy.models._config import ModelsConfig
from serostudy.models._formula import quote_name, term_column
from serostudy.models._glm import fit_glm
from serostudy.models._multiplicity import METHOD_NAMES, p_adjust
from serostudy.models._ordinal import fit_ordinal
from serostudy.models._power import detectable_rate_ratio, power_r, power_t2n, simulate_negbin_power
from serostudy.models._results import ModelResult, ModelTerm

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd



def _xterm(cfg: ModelsConfig) -> str:
    """The exposure per `per` units, as a formula term (also the term's name in results)."""
    return f"I({quote_name(cfg.exposure)} / {cfg.per:g})"


_TEMPLATE = """
{% for p in paragraphs %}<p>{{ p }}</p>
{% endfor %}{% for t in tables %}<table class="model-table">
{% if t.caption %}<caption>{{ t.caption }}</caption>{% endif %}
<thead><tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in t.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% if t.note %}<p class="table-note">{{ t.note }}</p>{% endif %}
{% endfor %}{% if notes %}<ul class="model-notes">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
"""


def _html(paragraphs: list[str], tables: list[dict[str, Any]], notes: list[str] | tuple[str, ...] = ()) -> str:
    """Render with jinja2 autoescape: every user-provided string is escaped."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_TEMPLATE).render(paragraphs=paragraphs, tables=tables, notes=list(notes))


def _fmt():
    from serostudy import _format

    return _format


def _cfg(ctx: RunContext) -> ModelsConfig:
    """The study's ``models:`` part; defaults (every part on) when called without one."""
    cfg = getattr(ctx.config, "models", None)
    return cfg if isinstance(cfg, ModelsConfig) else ModelsConfig()


def _unit(ctx: RunContext, name: str) -> str:
    try:
        return ctx.config.variable(name).unit or ""
    except (KeyError, AttributeError):
        return ""


def _label(ctx: RunContext, name: str) -> str:
    try:
        return ctx.config.label(name)
    except (KeyError, AttributeError):
        return name


def _model_frame(ctx: RunContext, cfg: ModelsConfig, *, within_group: bool) -> "pd.DataFrame":
    """The analysis set (optionally one group), categorical columns ordered as the codebook says."""
    import pandas as pd

    # keep the index: model notes then name the participant table's own rows
    data = ctx.analysed().copy()
    gcol = ctx.config.groups.variable
    if within_group:
        group = cfg.group or ctx.config.groups.cases or ctx.config.groups.order[0]
        data = data[data[gcol].astype(str) == str(group)]
    for name in list(data.columns):
        try:
            var = ctx.config.variable(name)
        except (KeyError, AttributeError):
            continue
        if var.type in ("categorical", "binary") and var.levels:
            data[name] = pd.Categorical(data[name].astype("string"), categories=var.levels)
    return data


def _term_label(term: str, ctx: RunContext, cfg: ModelsConfig) -> str:
    if term == _xterm(cfg):
        unit = _unit(ctx, cfg.exposure)
        return f"{_label(ctx, cfg.exposure)} (per {cfg.per:g} {unit})".replace(" )", ")")
    if "[T." in term:
        var, lvl = term.split("[T.", 1)
        return f"{_label(ctx, term_column(var))}: {lvl.rstrip(']')}"
    return _label(ctx, term_column(term)) if term != "Intercept" else "Intercept"


def _with_ids(fit: ModelResult, data: "pd.DataFrame", ctx: RunContext) -> ModelResult:
    """Name excluded participants by id (not by row: the table may have been reordered)."""
    import dataclasses
    import re

    if not fit.excluded_rows:
        return fit
    from serostudy.models._formula import _row_numbers

    idcol = ctx.config.data.id
    if idcol not in data.columns:
        return fit
    by_row = dict(zip(_row_numbers(data).tolist(), data[idcol].astype(str).tolist()))
    ids = [by_row.get(r, f"row {r}") for r in fit.excluded_rows]
    shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    head = f"{len(ids)} row(s) excluded"
    notes = tuple(re.sub(r": rows [0-9, ]+( and \d+ more)?$", f": {shown}",
                         w.replace(head, f"{len(ids)} participant(s) excluded", 1))
                  if w.startswith(head) else w for w in fit.warnings)
    return dataclasses.replace(fit, warnings=notes)


def _complete(data: "pd.DataFrame", cols: list[str], id_col: str | None = None) -> tuple["pd.DataFrame", tuple[str, ...]]:
    """Rows complete in ``cols`` (numeric), and a note naming the rows left out (never silent)."""
    import pandas as pd

    sub = data[cols].apply(pd.to_numeric, errors="coerce")
    bad = sub.isna().any(axis=1)
    if not bad.any():
        return sub, ()
    from serostudy.models._formula import _row_numbers

    rows = [f"row {r}" for r in _row_numbers(data)[bad.to_numpy()]]
    if id_col is not None and id_col in data.columns:
        rows = data.loc[bad, id_col].astype(str).tolist()
    shown = ", ".join(rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    return sub[~bad], (f"{int(bad.sum())} participant(s) with a missing {' or '.join(cols)} left out: {shown}",)


def _declared_adjust(ctx: RunContext, kinds: tuple[str, ...], outcome: str) -> list[str] | None:
    """``adjusted_for`` of the primary or secondary analysis the plan declares for this model, if any."""
    plan = getattr(ctx.config, "analysis_plan", None)
    if plan is None:
        return None
    for a in [plan.primary, *plan.secondary]:
        if a.analysis in kinds and a.outcome == outcome:
            return list(a.adjusted_for)
    return None


def _adj_txt(ctx: RunContext, covs: list[str]) -> str:
    return f"adjusted for {', '.join(_label(ctx, c) for c in covs)}" if covs else "unadjusted"


def _complete_case_sentence(ctx: RunContext, data: "pd.DataFrame", cols: list[str], *, within_group: bool,
                            cfg: ModelsConfig) -> str:
    """"Complete-case analysis: 34 of 35 NMOSD participants; 1 left out (...)" or ""."""
    from serostudy._analysis.completeness import complete_cases

    if within_group:
        g = cfg.group or ctx.config.groups.cases or ctx.config.groups.order[0]
        who = f"{ctx.config.groups.label(str(g))} participants"
    else:
        who = "participants"
    cc = complete_cases(data, cols, id_col=ctx.config.data.id, label=lambda c: _label(ctx, c))
    return cc.sentence(who)


def _censor_note(ctx: RunContext, data: "pd.DataFrame", col: str) -> list[str]:
    """Say how many censored values ('<21', '>123') enter a model, and how."""
    cc = col + "__censor"
    if cc in data.columns:
        k = int(data[cc].astype(str).isin(["<", ">"]).sum())
        if k > 0:
            return [f"{k} censored {col} value(s) ('<' or '>' a quantification limit) enter the models at the limit"]
    return []


def _ratio(t: ModelTerm) -> tuple[float, float, float]:
    """``exp(estimate)`` and its CI bounds (rate, odds or cumulative odds ratio)."""
    if t.exp_estimate is None or t.exp_ci is None:
        raise ModelError(f"term {t.term!r} has no ratio scale (exp(estimate)); a count, logit or ordinal model is needed")
    return t.exp_estimate, t.exp_ci.low, t.exp_ci.high


def _model_records(fit: ModelResult, *, variable: str, model_label: str, analysis: str = "model",
                   ctx: RunContext, cfg: ModelsConfig) -> list[Record]:
    out = []
    for t in fit.terms:
        common: dict[str, Any] = dict(analysis=analysis, variable=variable, group=model_label, term=_term_label(t.term, ctx, cfg),
                      n=fit.n, method=fit.method, warnings=fit.warnings)
        out.append(Record(statistic="coefficient" if t.kind == "coefficient" else "threshold", estimate=t.estimate,
                          ci_low=t.ci.low, ci_high=t.ci.high, confidence_level=t.ci.confidence_level, se=t.se,
                          df=fit.df_resid if t.statistic_name == "t" else None, pvalue=t.pvalue, **common))
        if t.exp_estimate is not None and t.exp_ci is not None:
            out.append(Record(statistic=t.exp_name.replace(" ", "_") if t.exp_name else "exp_coefficient",
                              estimate=t.exp_estimate, ci_low=t.exp_ci.low, ci_high=t.exp_ci.high,
                              confidence_level=t.exp_ci.confidence_level, pvalue=t.pvalue, **common))
    if fit.theta is not None:
        out.append(Record(analysis=analysis, variable=variable, group=model_label, statistic="theta",
                          estimate=fit.theta, se=fit.theta_se, n=fit.n, method=fit.method))
    if fit.overdispersion is not None:
        od = fit.overdispersion
        out.append(Record(analysis=analysis, variable=variable, group=model_label,
                          statistic=od.statistic_name.lower() if od.statistic_name else "overdispersion",
                          estimate=od.statistic, df=od.df, pvalue=od.pvalue, n=fit.n, method=od.method))
        if od.estimate is not None and od.estimate.name.startswith("dispersion"):
            out.append(Record(analysis=analysis, variable=variable, group=model_label,
                              statistic="dispersion_ratio", estimate=od.estimate.estimate, n=fit.n,
                              method=od.estimate.method))
    out.append(Record(analysis=analysis, variable=variable, group=model_label, statistic="aic", estimate=fit.aic,
                      n=fit.n, method=fit.method))
    return out


# --------------------------------------------------------------------------- 1. relapses


def relapse_section(ctx: RunContext, cfg: ModelsConfig | None = None) -> tuple[Section, dict[str, ModelResult]]:
    """Relapse count on the exposure: NB and Poisson, unadjusted and adjusted."""
    from scipy import stats

    F = _fmt()
    cfg = cfg or _cfg(ctx)
    spec = cfg.relapses
    if spec is None:
        raise ModelError("models.relapses is not configured")
    data = _model_frame(ctx, cfg, within_group=True)
    declared = _declared_adjust(ctx, ("negbin", "poisson"), spec.count)
    covs = list(declared) if declared is not None else list(spec.adjust)
    plan_choice = ([f"{spec.count}: adjusted model uses the covariates declared in analysis_plan "
                    f"({', '.join(covs) or 'none'}), not models.relapses.adjust"]
                   if declared is not None and declared != list(spec.adjust) else [])
    f_un = f"{quote_name(spec.count)} ~ {_xterm(cfg)}"
    f_adj = f_un + "".join(f" + {quote_name(c)}" for c in covs)
    fits = {
        "NB unadjusted": fit_glm(data, f_un, family="negbin", exposure=spec.follow_up),
        "NB adjusted": fit_glm(data, f_adj, family="negbin", exposure=spec.follow_up),
        "Poisson unadjusted": fit_glm(data, f_un, family="poisson", exposure=spec.follow_up),
        "Poisson adjusted": fit_glm(data, f_adj, family="poisson", exposure=spec.follow_up),
    }
    plan = getattr(ctx.config, "analysis_plan", None)
    for a in (plan.sensitivity if plan is not None else []):
        if a.analysis in ("negbin", "poisson") and a.outcome == spec.count:
            fam = "NB" if a.analysis == "negbin" else "Poisson"
            lab = f"{fam} sensitivity: {a.label or _adj_txt(ctx, list(a.adjusted_for))}"
            f_s = f"{quote_name(spec.count)} ~ {_xterm(cfg)}" + "".join(f" + {quote_name(c)}" for c in a.adjusted_for)
            fits[lab] = fit_glm(data, f_s, family="negbin" if a.analysis == "negbin" else "poisson",
                                exposure=spec.follow_up)
    fits = {k: _with_ids(v, data, ctx) for k, v in fits.items()}
    records: list[Record] = []
    rows = []
    per_txt = f"per {cfg.per:g} {_unit(ctx, cfg.exposure)}".strip()
    for label, fit in fits.items():
        records += _model_records(fit, variable=spec.count, model_label=label, ctx=ctx, cfg=cfg)
        t = fit.term(_xterm(cfg))
        rr, lo, hi = _ratio(t)
        rows.append([label, str(fit.n), F.num(rr, 2), F.ci(lo, hi, 2),
                     F.pvalue(t.pvalue), "" if fit.theta is None else F.num(fit.theta, 2), F.num(fit.aic, 1)])
    adj = fits["NB adjusted"]
    coef_rows = [[_term_label(t.term, ctx, cfg), F.num(_ratio(t)[0], 2), F.ci(*_ratio(t)[1:], 2),
                  F.pvalue(t.pvalue)] for t in adj.coefficients if t.term != "Intercept"]
    pois = fits["Poisson adjusted"]
    od = pois.overdispersion
    nb_lr = adj.overdispersion

    # the published analysis, and the same Pearson r recomputed on these data
    sentence = ""
    pub = spec.published
    pub_records: list[Record] = []
    paragraphs = [
        f"Relapses were modelled as counts over each patient's follow-up ({_label(ctx, spec.follow_up)}, "
        f"log as offset) by negative binomial regression with theta estimated by maximum likelihood; the "
        f"rate ratio is {per_txt} of {_label(ctx, cfg.exposure)}. The adjusted model adds "
        f"{', '.join(_label(ctx, c) for c in covs) or 'nothing'}. Poisson regression is shown beside it."
    ]
    if plan is not None and plan.primary.analysis in ("negbin", "poisson") and plan.primary.outcome == spec.count:
        fam = "NB" if plan.primary.analysis == "negbin" else "Poisson"
        prim_row = f"{fam} {'adjusted' if plan.primary.adjusted_for else 'unadjusted'}"
        paragraphs.append(f"The declared primary analysis (analysis plan) is the row '{prim_row}'; rows labelled "
                          "'sensitivity' are declared sensitivity analyses; the other rows are exploratory; not "
                          "adjusted for multiplicity; hypothesis-generating.")
    cc = _complete_case_sentence(ctx, data, [cfg.exposure, spec.count, spec.follow_up, *covs], within_group=True,
                                 cfg=cfg)
    if cc:
        paragraphs.append(cc + (" The unadjusted models use the participants complete in their own variables "
                                "(n in the table)." if fits["NB unadjusted"].n != fits["NB adjusted"].n else ""))
    if od is not None and od.estimate is not None:
        paragraphs.append(
            f"Overdispersion check of the adjusted Poisson model: Pearson chi-square/df = "
            f"{F.num(od.estimate.estimate, 2)} (chi2 = {F.num(od.statistic, 1)}, df = {od.df:g}, "
            f"p = {F.pvalue(od.pvalue)}); likelihood-ratio test of negative binomial against Poisson: "
            f"{F.num(nb_lr.statistic, 2) if nb_lr else 'NA'}, p = {F.pvalue(nb_lr.pvalue) if nb_lr else 'NA'}."
        )
    if pub is not None:
        pub_records.append(Record(analysis="model", variable=pub.rate or spec.count, group="published",
                                  statistic="pearson_r", estimate=pub.r, pvalue=pub.p,
                                  method="Pearson correlation as published"))
        ours = None
        if pub.rate is not None and pub.rate in data.columns:
            sub, left = _complete(data, [cfg.exposure, pub.rate], ctx.config.data.id)
            if len(sub) >= 4:
                res = stats.pearsonr(sub[cfg.exposure], sub[pub.rate])
                ours = (float(res.statistic), float(res.pvalue), len(sub))
                pub_records.append(Record(analysis="model", variable=pub.rate, group="recomputed",
                                          statistic="pearson_r", estimate=ours[0], pvalue=ours[1], n=ours[2],
                                          method="Pearson correlation (scipy.stats.pearsonr)", warnings=left))
        sentence = conclusion_sentence(
            published_r=pub.r, published_p=pub.p, fit=adj, term=_xterm(cfg), per_txt=per_txt,
            exposure_label=_label(ctx, cfg.exposure), covariates=[_label(ctx, c) for c in covs],
        )
        paragraphs.append(sentence)
        records += pub_records
    tables = [
        {"caption": f"Relapse rate ratio {per_txt} of {_label(ctx, cfg.exposure)}",
         "columns": ["Model", "n", "Rate ratio", "95% CI", "p", "theta", "AIC"], "rows": rows,
         "note": "Wald intervals and z tests; theta: negative binomial shape (var = mu + mu^2/theta)."},
        {"caption": "Adjusted negative binomial model: all terms",
         "columns": ["Term", "Rate ratio", "95% CI", "p"], "rows": coef_rows, "note": ""},
    ]
    notes = (sorted({w for fit in fits.values() for w in fit.warnings}) + _censor_note(ctx, data, cfg.exposure)
             + plan_choice)
    import pandas as pd

    section = Section(
        id="models_relapses",
        title="Relapses and B12: count models" if "b12" in cfg.exposure.lower() else "Relapse count models",
        html=_html(paragraphs, tables, notes),
        records=tuple(records),
        tables={"models_relapses": pd.DataFrame(rows, columns=tables[0]["columns"])},
        choices=tuple(notes),
        payload={"models": {k: v.to_dict() for k, v in fits.items()}, "conclusion": sentence, "adjust": covs},
        order=80,
    )
    return section, fits


def conclusion_sentence(
    *,
    published_r: float,
    published_p: float | None,
    fit: ModelResult,
    term: str,
    per_txt: str,
    exposure_label: str,
    covariates: list[str],
) -> str:
    """One sentence contrasting the published correlation with the count model.

    Generated from the numbers (never typed): the direction and significance of the
    published r against the adjusted rate ratio's interval.
    """
    F = _fmt()
    t = fit.term(term)
    rr, lo, hi = _ratio(t)
    p_txt = f", p = {F.pvalue(published_p)}" if published_p is not None else ""
    pub_sig = published_p is not None and published_p < 0.05
    adj = f"adjusted for {', '.join(covariates)}" if covariates else "unadjusted"
    head = (
        f"The paper reported a Pearson correlation of r = {F.num(published_r, 3)}{p_txt} between "
        f"{exposure_label} and the annualized relapse rate"
        + (" and read it as evidence of an association" if pub_sig else "")
        + f"; the negative binomial model, which counts relapses over each patient's follow-up ({adj}), "
        f"estimates a rate ratio of {F.num(rr, 2)} {per_txt} (95% CI {F.ci(lo, hi, 2)}, p = {F.pvalue(t.pvalue)})"
    )
    same_dir = (published_r < 0) == (rr < 1)
    if lo <= 1 <= hi:
        tail = (", an interval that includes no effect: once relapses are counted over each patient's "
                f"follow-up{' and ' + ', '.join(covariates) + ' are accounted for' if covariates else ''}, "
                f"these data do not show that the relapse rate depends on {exposure_label}.")
        if not pub_sig:
            tail = ", an interval that includes no effect, in line with the published p-value."
    elif same_dir:
        tail = (", in the same direction as the published correlation, now with an effect size and interval "
                "that say how large the association could plausibly be.")
    else:
        tail = (", in the opposite direction to the published correlation: the published sign does not "
                "survive modelling relapses as counts over follow-up.")
    return head + tail


# --------------------------------------------------------------------------- 2. group comparison


def group_section(ctx: RunContext, cfg: ModelsConfig | None = None) -> tuple[Section, dict[str, ModelResult]]:
    """The exposure by group, adjusted: ratio of geometric means (log scale) or difference."""
    import pandas as pd

    F = _fmt()
    cfg = cfg or _cfg(ctx)
    spec = cfg.group_comparison
    if spec is None:
        raise ModelError("models.group_comparison is not configured")
    outcome = spec.outcome or cfg.exposure
    data = _model_frame(ctx, cfg, within_group=False)
    gcol = ctx.config.groups.variable
    order = [str(g) for g in ctx.config.groups.order]
    ref = order[1]
    cats = [ref] + [g for g in order if g != ref]
    data[gcol] = pd.Categorical(data[gcol].astype(str), categories=cats)
    choices: list[str] = []
    try:
        skewed = bool(ctx.config.variable(outcome).skewed)
    except (KeyError, AttributeError):
        skewed = False
    plan = getattr(ctx.config, "analysis_plan", None)
    declared_scale = plan.scale.get(outcome) if plan is not None else None
    if spec.scale == "auto" and declared_scale is not None:
        use_log = declared_scale == "log"
        choices.append(f"{outcome} analysed on the {'log' if use_log else 'original'} scale declared in "
                       f"analysis_plan.scale")
    else:
        use_log = spec.scale == "log" or (spec.scale == "auto" and skewed)
        if spec.scale == "auto":
            choices.append(f"{outcome} analysed on the {'log' if use_log else 'original'} scale "
                           f"(codebook: {'skewed' if skewed else 'not declared skewed'})")
    y = pd.to_numeric(data[outcome], errors="coerce")
    if use_log and (y <= 0).any():
        bad = int(np.flatnonzero((y <= 0).to_numpy())[0])
        raise ModelError(
            f"the log scale needs positive values, found {y.iloc[bad]!r}; set models.group_comparison.scale: linear",
            column=outcome,
        )
    data[outcome] = y
    declared = _declared_adjust(ctx, ("group_comparison",), outcome)
    covs = list(declared) if declared is not None else list(spec.adjust)
    if declared is not None and declared != list(spec.adjust):
        choices.append(f"{outcome}: adjusted model uses the covariates declared in analysis_plan "
                       f"({', '.join(covs) or 'none'}), not models.group_comparison.adjust")
    f_un = f"{'np.log(' + quote_name(outcome) + ')' if use_log else quote_name(outcome)} ~ {quote_name(gcol)}"
    f_adj = f_un + "".join(f" + {quote_name(c)}" for c in covs)
    # one unadjusted comparison per outcome: when Table 1 already tests it, that test (by the
    # declared method and scale) is the unadjusted comparison, and the models add the adjustment
    t1_test = next((r for sec in ctx.sections if sec.id == "table1" for r in sec.records
                    if r.variable == outcome and r.pvalue is not None and r.statistic in ("t", "U")), None)
    fits = {"adjusted": fit_glm(data, f_adj, family="gaussian")}
    if t1_test is None or not covs:
        fits = {"unadjusted": fit_glm(data, f_un, family="gaussian"), **fits}
    fits = {k: _with_ids(v, data, ctx) for k, v in fits.items()}
    cases = [g for g in cats if g != ref]
    records: list[Record] = []
    rows = []
    stat = "ratio_of_geometric_means" if use_log else "mean_difference"
    for label, fit in fits.items():
        records += _model_records(fit, variable=outcome, model_label=f"group {label}", ctx=ctx, cfg=cfg)
        for g in cases:
            t = fit.term(f"{quote_name(gcol)}[T.{g}]")
            est, lo, hi = (math.exp(t.estimate), math.exp(t.ci.low), math.exp(t.ci.high)) if use_log else \
                (t.estimate, t.ci.low, t.ci.high)
            records.append(Record(analysis="model", variable=outcome, statistic=stat, estimate=est, ci_low=lo,
                                  ci_high=hi, confidence_level=t.ci.confidence_level, pvalue=t.pvalue,
                                  group=label, term=f"{g} vs {ref}", n=fit.n, df=fit.df_resid,
                                  method=fit.method + ("; log-transformed outcome, back-transformed" if use_log else ""),
                                  warnings=fit.warnings))
            rows.append([label, f"{ctx.config.groups.label(g)} vs {ctx.config.groups.label(ref)}", str(fit.n),
                         F.num(est, 2), F.ci(lo, hi, 2), F.pvalue(t.pvalue)])
    fig = _residual_figure(data, fits["adjusted"], f_adj, outcome, use_log)
    what = "ratio of geometric means" if use_log else "mean difference"
    paras = [
        f"{_label(ctx, outcome)} compared between groups by linear regression"
        + (" of its logarithm; exp(coefficient) is the ratio of geometric means" if use_log else "")
        + (", unadjusted and" if "unadjusted" in fits else ",")
        + f" adjusted for {', '.join(_label(ctx, c) for c in covs) or 'nothing'}. "
        f"Estimates are the {what} with 95% t-based confidence intervals."
    ]
    if "unadjusted" not in fits and t1_test is not None:
        paras.append(f"The unadjusted comparison is Table 1's ({t1_test.method}, p = {F.pvalue(t1_test.pvalue)}); "
                     "it is not repeated here, so one unadjusted p-value is reported for this comparison.")
    cc = _complete_case_sentence(ctx, data, [outcome, gcol, *covs], within_group=False, cfg=cfg)
    if cc:
        paras.append(cc)
    notes = sorted({w for fit in fits.values() for w in fit.warnings}) + _censor_note(ctx, data, outcome) + choices
    cols = ["Model", "Comparison", "n", what.capitalize(), "95% CI", "p"]
    section = Section(
        id="models_group",
        title=f"{_label(ctx, outcome)} by group, adjusted",
        html=_html(paras, [{"caption": f"{_label(ctx, outcome)}: {what} between groups", "columns": cols,
                            "rows": rows, "note": ""}], notes),
        records=tuple(records),
        figures=(fig,),
        tables={"models_group": pd.DataFrame(rows, columns=cols)},
        choices=tuple(choices),
        payload={"scale": "log" if use_log else "linear", "models": {k: v.to_dict() for k, v in fits.items()},
                 "adjust": covs},
        order=81,
    )
    return section, fits


def _residual_figure(data: "pd.DataFrame", fit: ModelResult, formula: str, outcome: str, use_log: bool) -> FigureSpec:
    from matplotlib.figure import Figure
    from scipy import stats

    from serostudy.models._formula import build_design

    design = build_design(data, formula)
    beta = np.array([t.estimate for t in fit.coefficients])
    fitted = design.X @ beta
    resid = design.y.to_numpy(dtype=float) - fitted
    std = resid / math.sqrt(fit.scale) if fit.scale > 0 else resid
    fig = Figure(figsize=(8, 3.5))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.scatter(fitted, resid, s=14, color="#33638d")
    ax1.axhline(0, color="grey", lw=0.8)
    ax1.set_xlabel("Fitted value" + (" (log scale)" if use_log else ""))
    ax1.set_ylabel("Residual")
    ax1.set_title("Residuals vs fitted")
    (osm, osr), (slope, icpt, _r) = stats.probplot(std, dist="norm")
    ax2.scatter(osm, osr, s=14, color="#33638d")
    ax2.plot(osm, slope * np.asarray(osm) + icpt, color="grey", lw=0.8)
    ax2.set_xlabel("Normal quantile")
    ax2.set_ylabel("Standardised residual")
    ax2.set_title("Normal Q-Q")
    fig.tight_layout()
    return FigureSpec(
        name="models_group_residuals",
        figure=fig,
        caption=f"Residual diagnostics of the adjusted model of {'log ' if use_log else ''}{outcome}.",
        alt=f"Two panels: residuals against fitted values, and a normal quantile plot of the standardised "
            f"residuals of the adjusted model of {outcome} (n = {fit.n}).",
    )


# --------------------------------------------------------------------------- 3. ordinal


def ordinal_section(ctx: RunContext, cfg: ModelsConfig | None = None) -> tuple[Section, dict[str, ModelResult]]:
    """An ordinal outcome (EDSS) against the exposure: Spearman and proportional odds."""
    import pandas as pd
    from scipy import stats

    F = _fmt()
    cfg = cfg or _cfg(ctx)
    spec = cfg.ordinal
    if spec is None:
        raise ModelError("models.ordinal is not configured")
    data = _model_frame(ctx, cfg, within_group=True)
    sub, left = _complete(data, [cfg.exposure, spec.outcome], ctx.config.data.id)
    rho = stats.spearmanr(sub[cfg.exposure], sub[spec.outcome])
    declared = _declared_adjust(ctx, ("ordinal",), spec.outcome)
    covs = list(declared) if declared is not None else list(spec.adjust)
    choices: list[str] = []
    if declared is not None and declared != list(spec.adjust):
        choices.append(f"{spec.outcome}: proportional-odds model adjusted for the covariates declared in "
                       f"analysis_plan ({', '.join(covs) or 'none'}), not models.ordinal.adjust")
    # sparse levels merged by the documented rule, over the model's complete cases
    from serostudy.models._sparse import collapse_sparse_levels

    cc_cols = [cfg.exposure, spec.outcome, *covs]
    ok = data[cc_cols].notna().all(axis=1).to_numpy()
    yv = pd.to_numeric(data[spec.outcome], errors="coerce").to_numpy(dtype=float)
    collapsed = collapse_sparse_levels(np.where(ok, yv, np.nan), min_count=spec.min_level_count)
    if spec.min_level_count > 1:
        choices.append(collapsed.describe(spec.outcome))
    if collapsed.changed:
        codes = [c if keep else None for c, keep in zip(collapsed.codes, ok)]
        data[spec.outcome] = pd.Categorical(codes, categories=list(collapsed.labels), ordered=True)
    formula = f"{quote_name(spec.outcome)} ~ {_xterm(cfg)}" + "".join(f" + {quote_name(c)}" for c in covs)
    fit = _with_ids(fit_ordinal(data, formula, levels=list(collapsed.labels) if collapsed.changed else None), data, ctx)
    t = fit.term(_xterm(cfg))
    per_txt = f"per {cfg.per:g} {_unit(ctx, cfg.exposure)}".strip()
    records = [Record(analysis="model", variable=spec.outcome, statistic="spearman_rho", estimate=float(rho.statistic),
                      pvalue=float(rho.pvalue), n=len(sub), group="spearman",
                      method="Spearman rank correlation (scipy.stats.spearmanr, t approximation)", warnings=left)]
    records += _model_records(fit, variable=spec.outcome, model_label="proportional odds", ctx=ctx, cfg=cfg)
    rows = [["Spearman's rho", str(len(sub)), F.num(float(rho.statistic), 3), "", F.pvalue(float(rho.pvalue))],
            [f"Proportional odds: cumulative odds ratio {per_txt}", str(fit.n), F.num(_ratio(t)[0], 2),
             F.ci(*_ratio(t)[1:], 2), F.pvalue(t.pvalue)]]
    paras = [
        f"{_label(ctx, spec.outcome)} is ordinal: it is related to {_label(ctx, cfg.exposure)} by Spearman's rank "
        f"correlation and by a proportional-odds model (cumulative logit, as R MASS::polr); a cumulative odds "
        f"ratio below 1 means higher {_label(ctx, cfg.exposure)} goes with lower {_label(ctx, spec.outcome)}."
    ]
    paras.append(f"The proportional-odds model is {_adj_txt(ctx, covs)}"
                 + (" (as declared in the analysis plan)" if declared is not None else "") + ". "
                 + (f"Sparse levels were merged before fitting ({collapsed.rule}): "
                    + ", ".join(f"{lab} (n = {c})" for lab, c in zip(collapsed.labels, collapsed.counts))
                    + "." if collapsed.changed else ""))
    cc = _complete_case_sentence(ctx, data, cc_cols, within_group=True, cfg=cfg)
    if cc:
        paras.append(cc)
    cols = ["Analysis", "n", "Estimate", "95% CI", "p"]
    section = Section(
        id="models_ordinal",
        title=f"{_label(ctx, spec.outcome)} and {_label(ctx, cfg.exposure)}: ordinal analysis",
        html=_html(paras, [{"caption": "", "columns": cols, "rows": rows, "note": ""}],
                   list(dict.fromkeys(fit.warnings + left))),
        records=tuple(records),
        tables={"models_ordinal": pd.DataFrame(rows, columns=cols)},
        choices=tuple(fit.warnings) + tuple(choices),
        payload={"model": fit.to_dict(), "adjust": covs, "levels": list(collapsed.labels),
                 "level_counts": list(collapsed.counts)},
        order=82,
    )
    return section, {"proportional odds": fit}


# --------------------------------------------------------------------------- 4. multiplicity


def multiplicity_section(ctx: RunContext, cfg: ModelsConfig | None = None) -> Section:
    """BH (or other) adjusted p-values for the Table 2 family of correlation tests.

    The family: each correlation of the Table 2 exposure with a Table 2 variable within
    the Table 2 group, one family per correlation method.  Uses the Table 2 section's
    records when that section ran; else recomputes the correlations (scipy).
    """
    import pandas as pd
    from scipy import stats

    F = _fmt()
    cfg = cfg or _cfg(ctx)
    spec = cfg.multiplicity
    t2 = getattr(ctx.config.analyses, "table2", None)
    if spec is None or t2 is None:
        raise ModelError("models.multiplicity needs analyses.table2 (the family of tests)")
    tests: list[tuple[str, str, float, float | None, int | None]] = []  # method, variable, estimate, p, n
    prev = [s for s in ctx.sections if s.id == "table2"]
    stat_of = {"pearson": "pearson_r", "spearman": "spearman_rho"}
    source = "correlations recomputed here (scipy.stats)"
    if prev:
        for r in prev[0].records:
            for m, st in stat_of.items():
                if (r.statistic == st and r.variable in t2.variables and r.pvalue is not None
                        and r.estimate is not None):
                    tests.append((m, r.variable, r.estimate, r.pvalue, r.n))
        source = "Table 2 section"
    if not tests:
        data = ctx.analysed()
        data = data[data[ctx.config.groups.variable].astype(str) == str(t2.group)]
        for m in t2.methods:
            for v in t2.variables:
                if v == t2.exposure or v not in data.columns:
                    continue
                sub, _left = _complete(data, [t2.exposure, v])  # pairwise complete, as Table 2
                if len(sub) < 4:
                    tests.append((m, v, math.nan, None, len(sub)))
                    continue
                fn = stats.pearsonr if m == "pearson" else stats.spearmanr
                res = fn(sub[t2.exposure], sub[v])
                tests.append((m, v, float(res.statistic), float(res.pvalue), len(sub)))
    records = []
    rows = []
    for m in dict.fromkeys(t[0] for t in tests):
        fam = [t for t in tests if t[0] == m]
        q = p_adjust([np.nan if t[3] is None else t[3] for t in fam], method=spec.method)
        for (meth, var, est, p, n), qv in zip(fam, q):
            records.append(Record(analysis="multiplicity", variable=var, statistic="q_value" if spec.method in ("BH", "BY") else "adjusted_p",
                                  estimate=float(qv), pvalue=p, n=n, group=str(t2.group),
                                  term=f"{t2.exposure} ({meth})",
                                  method=f"{METHOD_NAMES[spec.method]} over the {len(fam)} {meth} correlations of Table 2"))
            rows.append([_label(ctx, var), meth.capitalize(), F.num(est, 3), F.pvalue(p), F.pvalue(float(qv))])
    family_txt = (f"The family: the {len({t[1] for t in tests})} correlations of {_label(ctx, t2.exposure)} with the "
                  f"Table 2 variables within {ctx.config.groups.label(str(t2.group))}, adjusted separately for each "
                  f"correlation method ({METHOD_NAMES[spec.method]}; p-values from: {source}).")
    cols = ["Variable", "Method", "Estimate", "p", "q" if spec.method in ("BH", "BY") else "adjusted p"]
    return Section(
        id="models_multiplicity",
        title="Multiple testing: Table 2",
        html=_html([family_txt], [{"caption": "", "columns": cols, "rows": rows, "note": ""}]),
        records=tuple(records),
        tables={"models_multiplicity": pd.DataFrame(rows, columns=cols)},
        choices=(family_txt,),
        payload={"method": spec.method, "family": "table2", "source": source},
        order=83,
    )


# --------------------------------------------------------------------------- 5. power


def power_section(ctx: RunContext, cfg: ModelsConfig | None = None, *, nb_fit: ModelResult | None = None) -> Section:
    """Smallest detectable effects, a-priori power of the declared primary, simulation power.

    Never power for an observed (or published) effect: see ``docs/models.md``, "Power".
    """
    import pandas as pd

    F = _fmt()
    cfg = cfg or _cfg(ctx)
    spec = cfg.power
    if spec is None:
        raise ModelError("models.power is not configured")
    alpha = spec.alpha if spec.alpha is not None else float(getattr(ctx.config.tests, "alpha", 0.05))
    data = ctx.analysed()
    gcol = ctx.config.groups.variable
    order = [str(g) for g in ctx.config.groups.order]
    x = pd.to_numeric(data[cfg.exposure], errors="coerce")
    g = data[gcol].astype(str)
    n1 = int(x[g == order[0]].notna().sum())
    n2 = int(x[g == order[1]].notna().sum())
    sd1, sd2 = float(x[g == order[0]].std()), float(x[g == order[1]].std())
    pooled = math.sqrt(((n1 - 1) * sd1 ** 2 + (n2 - 1) * sd2 ** 2) / (n1 + n2 - 2))
    unit = _unit(ctx, cfg.exposure)
    records: list[Record] = []
    rows = []
    d80 = power_t2n(n1=n1, n2=n2, power=spec.power, alpha=alpha)
    diff = d80.effect * pooled
    records += [
        Record(analysis="power", variable=cfg.exposure, statistic="detectable_d", estimate=d80.effect,
               n=n1 + n2, method=d80.method, term=f"{order[0]} vs {order[1]}"),
        Record(analysis="power", variable=cfg.exposure, statistic="detectable_difference", estimate=diff,
               n=n1 + n2, method=d80.method + f"; d times the pooled SD ({pooled:.3g} {unit})",
               term=f"{order[0]} vs {order[1]}"),
    ]
    rows.append([f"Smallest detectable difference in {_label(ctx, cfg.exposure)} ({n1} vs {n2})",
                 f"d = {F.num(d80.effect, 2)} ({F.num(diff, 1)} {unit})", F.num(spec.power, 2)])
    cases = cfg.group or ctx.config.groups.cases or order[0]
    nc = int(x[g == str(cases)].notna().sum())
    r80 = power_r(n=nc, power=spec.power, alpha=alpha)
    records.append(Record(analysis="power", variable=cfg.exposure, statistic="detectable_r", estimate=r80.effect,
                          n=nc, group=str(cases), method=r80.method))
    rows.append([f"Smallest detectable correlation in {ctx.config.groups.label(str(cases))} (n = {nc})",
                 f"|r| = {F.num(r80.effect, 3)}", F.num(spec.power, 2)])
    # simulation power of the count model
    sims = []
    rel = cfg.relapses
    if rel is not None and spec.rate_ratios:
        cd = _model_frame(ctx, cfg, within_group=True)
        sub, _left = _complete(cd, [cfg.exposure, rel.count, rel.follow_up])  # as in the fitted model
        sub = sub[sub[rel.follow_up] > 0]
        base = float(sub[rel.count].sum() / sub[rel.follow_up].sum())
        if spec.theta is not None:
            theta = float(spec.theta)
        elif nb_fit is not None and nb_fit.theta is not None and math.isfinite(nb_fit.theta):
            theta = float(nb_fit.theta)
        else:  # no overdispersion in the data (or no fit): simulate nearly Poisson counts
            theta = 1e6
        for i, rr in enumerate(spec.rate_ratios):
            sp = simulate_negbin_power(x=sub[cfg.exposure].to_numpy(float), exposure=sub[rel.follow_up].to_numpy(float),
                                       rate_ratio=rr, base_rate=base, theta=float(theta), per=cfg.per,
                                       n_sim=spec.n_sim, alpha=alpha, seed=int(ctx.seed) + i)
            sims.append(sp)
            records.append(Record(analysis="power", variable=rel.count, statistic="simulated_power", estimate=sp.power,
                                  ci_low=sp.ci.low, ci_high=sp.ci.high, confidence_level=0.95, n=sp.n,
                                  term=f"rate ratio {rr:g} per {cfg.per:g} {unit}".strip(), method=sp.method))
            rows.append([f"Simulated power of the count model, rate ratio {F.num(rr, 2)} per {cfg.per:g} {unit}",
                         f"n = {sp.n}, {sp.n_sim} studies, theta = {F.num(theta, 2)}",
                         f"{F.num(sp.power, 2)} ({F.ci(sp.ci.low, sp.ci.high, 2)})"])
        if spec.detectable_rate_ratio:
            dr = detectable_rate_ratio(x=sub[cfg.exposure].to_numpy(float), exposure=sub[rel.follow_up].to_numpy(float),
                                       base_rate=base, theta=float(theta), per=cfg.per, power=spec.power,
                                       n_sim=spec.n_sim, alpha=alpha, seed=int(ctx.seed) + 1000)
            records.append(Record(analysis="power", variable=rel.count, statistic="detectable_rate_ratio",
                                  estimate=dr.effect, n=int(dr.n[0]), term=f"per {cfg.per:g} {unit}".strip(),
                                  method=dr.method))
            rows.append([f"Smallest rate ratio per {cfg.per:g} {unit} detectable by the count model",
                         f"n = {dr.n[0]}, {spec.n_sim} studies per step, theta = {F.num(theta, 2)}",
                         f"{F.num(dr.effect, 2)} (power {F.num(dr.power, 2)})"])
    ap = _apriori_power(ctx, cfg, alpha=alpha, nb_fit=nb_fit, n_groups=(n1, n2), n_cases=nc)
    if ap is not None:
        rec, row = ap
        records.append(rec)
        rows.insert(0, row)
    paras = [
        f"Power at two-sided alpha = {alpha:g}: two-sample t-test (as R pwr::pwr.t2n.test) with the group sizes "
        f"of this study and the pooled SD of {_label(ctx, cfg.exposure)} ({F.num(pooled, 1)} {unit}); correlation "
        f"test (as R pwr::pwr.r.test); and the relapse count model by simulation (seeded, from this study's "
        f"{_label(ctx, cfg.exposure)} values and follow-up times). No power is computed from an effect observed "
        f"in these data or printed by an earlier study (observed, post-hoc power says nothing the p-value and "
        f"confidence interval do not): the rows give the smallest effects this study could detect, power over "
        f"hypothetical rate ratios, and"
        + (" the a-priori power of the declared primary analysis for the effect declared in the analysis plan."
           if ap is not None else " no a-priori power (declare analysis_plan.primary.effect for it).")
    ]
    cols = ["Question", "Design", "Answer (power or effect)"]
    return Section(
        id="models_power",
        title="Power and sensitivity",
        html=_html(paras, [{"caption": "", "columns": cols, "rows": rows, "note": ""}]),
        records=tuple(records),
        tables={"models_power": pd.DataFrame(rows, columns=cols)},
        payload={"simulations": [s.to_dict() for s in sims]},
        order=85,
    )


def _apriori_power(ctx: RunContext, cfg: ModelsConfig, *, alpha: float, nb_fit: ModelResult | None,
                   n_groups: tuple[int, int], n_cases: int) -> tuple[Record, list[str]] | None:
    """A-priori power of the declared primary analysis for the effect declared in the plan.

    The effect comes from ``analysis_plan.primary.effect`` (never from the data); the
    nuisance parameters of a count model (baseline rate, negative binomial theta, the
    exposure's distribution and follow-up times) are this study's, as stated in ``method``.
    Correlation: R ``pwr::pwr.r.test``; group comparison: R ``pwr::pwr.t2n.test``; count
    models: simulation of the unadjusted negative binomial model (``simulate_negbin_power``).
    """
    F = _fmt()
    plan = getattr(ctx.config, "analysis_plan", None)
    if plan is None or plan.primary.effect is None:
        return None
    prim, eff = plan.primary, plan.primary.effect
    src = "; effect declared in analysis_plan.primary.effect" + (f" ({eff.source})" if eff.source else "")
    label = prim.label or f"{_label(ctx, prim.outcome)} ({prim.analysis})"
    if eff.r is not None:
        pr = power_r(n=n_cases, r=eff.r, alpha=alpha)
        rec = Record(analysis="power", variable=prim.outcome, statistic="apriori_power", estimate=pr.power,
                     n=n_cases, term=f"declared r = {eff.r:g}", method=pr.method + src)
        return rec, [f"A-priori power of the primary analysis, {label}, declared r = {F.num(eff.r, 2)}",
                     f"n = {n_cases}", F.num(pr.power, 2)]
    if eff.d is not None:
        pt = power_t2n(n1=n_groups[0], n2=n_groups[1], d=eff.d, alpha=alpha)
        rec = Record(analysis="power", variable=prim.outcome, statistic="apriori_power", estimate=pt.power,
                     n=sum(n_groups), term=f"declared d = {eff.d:g}", method=pt.method + src)
        return rec, [f"A-priori power of the primary analysis, {label}, declared d = {F.num(eff.d, 2)}",
                     f"{n_groups[0]} vs {n_groups[1]}", F.num(pt.power, 2)]
    rel = cfg.relapses
    if eff.rate_ratio is None or rel is None:
        return None
    cd = _model_frame(ctx, cfg, within_group=True)
    sub, _left = _complete(cd, [cfg.exposure, rel.count, rel.follow_up])
    sub = sub[sub[rel.follow_up] > 0]
    base = float(sub[rel.count].sum() / sub[rel.follow_up].sum())
    spec = cfg.power
    if spec is not None and spec.theta is not None:
        theta, how = float(spec.theta), "declared theta"
    elif prim.analysis == "poisson":
        theta, how = 1e6, "Poisson counts"
    elif nb_fit is not None and nb_fit.theta is not None and math.isfinite(nb_fit.theta):
        theta, how = float(nb_fit.theta), "theta of this study's fit (a nuisance parameter, not the effect)"
    else:
        theta, how = 1e6, "no overdispersion found: nearly Poisson counts"
    n_sim = spec.n_sim if spec is not None else 1000
    unit = _unit(ctx, cfg.exposure)
    sp = simulate_negbin_power(x=sub[cfg.exposure].to_numpy(float), exposure=sub[rel.follow_up].to_numpy(float),
                               rate_ratio=eff.rate_ratio, base_rate=base, theta=theta, per=cfg.per,
                               n_sim=n_sim, alpha=alpha, seed=int(ctx.seed) + 5000)
    rec = Record(analysis="power", variable=prim.outcome, statistic="apriori_power", estimate=sp.power,
                 ci_low=sp.ci.low, ci_high=sp.ci.high, confidence_level=0.95, n=sp.n,
                 term=f"declared rate ratio {eff.rate_ratio:g} per {cfg.per:g} {unit}".strip(),
                 method=sp.method + f"; {how}; unadjusted model (covariates not simulated)" + src)
    return rec, [f"A-priori power of the primary analysis, {label}, declared rate ratio "
                 f"{F.num(eff.rate_ratio, 2)} per {cfg.per:g} {unit}",
                 f"n = {sp.n}, {sp.n_sim} studies, theta = {F.num(theta, 2)}",
                 f"{F.num(sp.power, 2)} ({F.ci(sp.ci.low, sp.ci.high, 2)})"]


# --------------------------------------------------------------------------- 6. forest


def forest_section(ctx: RunContext, cfg: ModelsConfig, fits: dict[str, tuple[ModelResult, str, str]]) -> Section:
    """Forest plot of each model's exposure estimate (ratio scale, log axis), labelled with its adjustment."""
    from matplotlib.figure import Figure

    F = _fmt()
    items = []
    for label, (fit, term, what) in fits.items():
        t = fit.term(term)
        if t.exp_estimate is None and fit.family != "gaussian":
            continue
        est, lo, hi = _ratio(t) if t.exp_estimate is not None else \
            (math.exp(t.estimate), math.exp(t.ci.low), math.exp(t.ci.high))
        items.append((label, what, est, lo, hi, t.pvalue))
    fig = Figure(figsize=(7, 0.6 * len(items) + 1.2))
    ax = fig.subplots()
    ys = np.arange(len(items))[::-1]
    for yv, (_label, _what, est, lo, hi, _p) in zip(ys, items):
        ax.plot([lo, hi], [yv, yv], color="#33638d", lw=1.5)
        ax.plot([est], [yv], "s", color="#33638d")
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log")
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    lo_all = min(it[3] for it in items) if items else 0.5
    hi_all = max(it[4] for it in items) if items else 2.0
    nice = [0.1, 0.2, 0.25, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0]
    ticks = [v for v in nice if lo_all / 1.05 <= v <= hi_all * 1.05] or [1.0]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(ys, [f"{it[0]}\n({it[1]})" for it in items], fontsize=8)
    ax.set_xlabel("Ratio (95% CI), log scale")
    fig.tight_layout()
    rows = [[label, what, F.num(est, 2), F.ci(lo, hi, 2), F.pvalue(p)] for label, what, est, lo, hi, p in items]
    return Section(
        id="models_forest",
        title="Model estimates",
        html=_html(["The exposure's estimate in each model, on the ratio scale (1 = no effect); each row says "
                    "what the model is adjusted for (an unadjusted model is labelled so)."],
                   [{"caption": "", "columns": ["Model", "Estimate", "Ratio", "95% CI", "p"], "rows": rows, "note": ""}]),
        records=(),
        figures=(FigureSpec(name="models_forest", figure=fig, caption="Model estimates (forest plot); each row states its adjustment.",
                            alt="Forest plot: " + "; ".join(f"{r[0]} {r[2]} ({r[3]})" for r in rows)),),
        order=84,
    )


# --------------------------------------------------------------------------- all


def check_config_columns(ctx: RunContext, cfg: ModelsConfig) -> None:
    """Every column ``models:`` names must be in the participant table.

    Raises
    ------
    ConfigError
        Naming the key (``models.relapses.adjust[1]``), the column, and the columns there are.
    """
    from serostudy.exceptions import ConfigError

    have = [str(c) for c in ctx.data.columns]
    keys: list[tuple[str, str]] = [("models.exposure", cfg.exposure)]
    if cfg.relapses is not None:
        r = cfg.relapses
        keys += [("models.relapses.count", r.count), ("models.relapses.follow_up", r.follow_up)]
        keys += [(f"models.relapses.adjust[{i}]", c) for i, c in enumerate(r.adjust)]
        if r.published is not None and r.published.rate is not None:
            keys.append(("models.relapses.published.rate", r.published.rate))
    if cfg.group_comparison is not None:
        g = cfg.group_comparison
        if g.outcome is not None:
            keys.append(("models.group_comparison.outcome", g.outcome))
        keys += [(f"models.group_comparison.adjust[{i}]", c) for i, c in enumerate(g.adjust)]
    if cfg.ordinal is not None:
        keys.append(("models.ordinal.outcome", cfg.ordinal.outcome))
        keys += [(f"models.ordinal.adjust[{i}]", c) for i, c in enumerate(cfg.ordinal.adjust)]
    for key, col in keys:
        if col not in have:
            import difflib

            close = difflib.get_close_matches(col, have, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"names column {col!r}, which is not in the participant table (columns: {', '.join(have)}){hint}",
                key=key,
            )
    order = [str(g) for g in ctx.config.groups.order]
    if cfg.group is not None and str(cfg.group) not in order:
        raise ConfigError(f"must be one of {order}, got {cfg.group!r}", key="models.group")


def models_stage(ctx: RunContext) -> list[Section]:
    """Run every part of ``models:`` that is configured; sections in report order.

    Does nothing (returns ``[]``) when the study has no ``models:`` part.

    Examples
    --------
    The columns the ``models:`` part names are checked before anything is fitted; the
    demo's models need the B12 concentrations, which the assay stage adds first:

    >>> from serostudy._demo import demo_config_path
    >>> from serostudy._io.config import load_config
    >>> from serostudy._pipeline import load_context
    >>> from serostudy.models import models_stage
    >>> cfg = load_config(demo_config_path())
    >>> ctx = load_context(cfg, demo_config_path().parent)
    >>> models_stage(ctx)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    serostudy.exceptions.ConfigError: key 'models.exposure': names column 'b12_pmol_l', which is not in the participant table ...
    >>> models_stage(load_context(cfg.model_copy(update={"models": None}), demo_config_path().parent))
    []
    """
    if getattr(ctx.config, "models", None) is None:
        return []
    cfg = _cfg(ctx)
    check_config_columns(ctx, cfg)
    sections: list[Section] = []
    forest: dict[str, tuple[ModelResult, str, str]] = {}
    nb = None
    per_txt = f"per {cfg.per:g} {_unit(ctx, cfg.exposure)}".strip()
    if cfg.relapses is not None:
        sec, fits = relapse_section(ctx, cfg)
        sections.append(sec)
        nb = fits["NB unadjusted"]
        forest[f"Relapse rate (NB, {_adj_txt(ctx, sec.payload['adjust'])})"] = (
            fits["NB adjusted"], _xterm(cfg), f"rate ratio {per_txt}")
    if cfg.group_comparison is not None:
        sec, fits = group_section(ctx, cfg)
        sections.append(sec)
        outcome = cfg.group_comparison.outcome or cfg.exposure
        gcol = ctx.config.groups.variable
        order = [str(g) for g in ctx.config.groups.order]
        if sec.payload.get("scale") == "log":
            for g in order[:1]:
                forest[f"{_label(ctx, outcome)}: {ctx.config.groups.label(g)} vs {ctx.config.groups.label(order[1])}"
                       f" ({_adj_txt(ctx, sec.payload['adjust'])})"] = (
                    fits["adjusted"], f"{quote_name(gcol)}[T.{g}]", "ratio of geometric means")
    if cfg.ordinal is not None:
        sec, fits = ordinal_section(ctx, cfg)
        sections.append(sec)
        forest[f"{_label(ctx, cfg.ordinal.outcome)} (proportional odds, {_adj_txt(ctx, sec.payload['adjust'])})"] = (
            fits["proportional odds"], _xterm(cfg), f"cumulative odds ratio {per_txt}")
    if cfg.multiplicity is not None and getattr(ctx.config.analyses, "table2", None) is not None:
        sections.append(multiplicity_section(ctx, cfg))
    if cfg.power is not None:
        sections.append(power_section(ctx, cfg, nb_fit=nb))
    if forest:
        sections.append(forest_section(ctx, cfg, forest))
    return sections
