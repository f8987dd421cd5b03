"""The core stages of a run: Table 1, Table 2 and the two standard figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from serostudy import _format as fmt
from serostudy._analysis._varspec import specs_from_config
from serostudy._analysis.table1 import GroupSpec, build_table1
from serostudy._analysis.table2 import build_table2
from serostudy._stage import FigureSpec, Section

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._stage import RunContext


def group_spec(ctx: "RunContext") -> GroupSpec:
    g = ctx.config.groups
    return GroupSpec(g.variable, tuple(g.order), {k: g.label(k) for k in g.order})


def check_derived_stage(ctx: "RunContext") -> None:
    """Every codebook variable declared ``derived_by`` a stage must now exist."""
    from serostudy.exceptions import ConfigError

    for name, var in ctx.config.codebook.items():
        if var.derived_by is not None and name not in ctx.data.columns:
            raise ConfigError(
                f"declared derived_by {var.derived_by!r}, but the {var.derived_by} stage did not produce it "
                f"(is the `{var.derived_by}:` part of the config present and its target/output named {name!r}?)",
                key=f"codebook.{name}.derived_by",
            )
    return None


def table1_stage(ctx: "RunContext") -> Section:
    from serostudy._render.html import table_html

    cfg = ctx.config
    t1 = cfg.analyses.table1
    data = ctx.analysed()
    table = build_table1(
        data,
        specs_from_config(cfg, t1.variables),
        group_spec(ctx),
        cfg.tests,
        overall=t1.overall,
        smd=t1.smd,
        missing=t1.missing,
        title=t1.title,
        synthetic=ctx.synthetic,
        seed=ctx.seed,
    )
    table = _with_available_case_note(table, data, t1.variables, ctx)
    return Section(id="table1", title="Table 1", html=table_html(table), records=table.records,
                   tables={"table1": table}, choices=table.choices, order=50,
                   payload={"title": table.title, "footnotes": list(table.footnotes)})


def _with_available_case_note(table, data, names, ctx: "RunContext"):
    """Table 1 summarises and tests each variable over the participants with a value: say
    who is missing for which variable, per group, and why (never silent)."""
    import dataclasses

    from serostudy._analysis.completeness import complete_cases

    cfg = ctx.config
    gcol = cfg.groups.variable
    parts = []
    for name in names:
        if name not in data.columns:
            continue
        per_group = []
        reasons: dict[str, list[str]] = {}
        for g in cfg.groups.order:
            sub = data[data[gcol].astype(str) == str(g)]
            var = cfg.variable(name) if name in cfg.codebook else None
            if var is not None and var.groups and g not in var.groups:
                continue
            cc = complete_cases(sub, [name], id_col=cfg.data.id, label=cfg.label)
            if cc.n_dropped:
                per_group.append(f"{cc.n_dropped} of {cc.n_available} {cfg.groups.label(g)}")
                for r, ids in cc.reasons:
                    reasons.setdefault(r, []).extend(ids)
        if per_group:
            why = "; ".join(f"{r}: {', '.join(ids[:10])}{' and more' if len(ids) > 10 else ''}"
                            for r, ids in reasons.items())
            parts.append(f"{cfg.label(name)}: {', '.join(per_group)} ({why})")
    if not parts:
        return table
    note = ("Available cases: each variable is summarised and tested over the participants with a recorded "
            "value; missing values were not imputed. Missing: " + "; ".join(parts) + ".")
    return dataclasses.replace(table, footnotes=tuple(table.footnotes) + (note,))


def table2_stage(ctx: "RunContext") -> Section | None:
    from serostudy._render.html import table_html

    cfg = ctx.config
    t2 = cfg.analyses.table2
    if t2 is None:
        return None
    data = ctx.analysed()
    (exposure,) = specs_from_config(cfg, [t2.exposure])
    variables = specs_from_config(cfg, t2.variables)
    by = specs_from_config(cfg, [t2.compare_by])[0] if t2.compare_by else None
    table = build_table2(data, group=t2.group, groups=group_spec(ctx), exposure=exposure, variables=variables,
                         methods=t2.methods, compare_by=by, policy=cfg.tests, title=t2.title,
                         synthetic=ctx.synthetic, id_col=cfg.data.id)
    ctx.extra["table2"] = table
    return Section(id="table2", title="Table 2", html=table_html(table), records=table.records,
                   tables={"table2": table}, choices=table.choices, order=60,
                   payload={"title": table.title, "footnotes": list(table.footnotes),
                            "family": {"group": t2.group, "exposure": t2.exposure, "variables": list(t2.variables)}})


def figures_stage(ctx: "RunContext") -> Section | None:
    from markupsafe import Markup

    from serostudy._analysis.figures import line_fit
    from serostudy._io.readers import CENSOR_SUFFIX
    from serostudy._render.figures import box_by_group, scatter_with_fit

    cfg = ctx.config
    fs = cfg.analyses.figures
    data = ctx.analysed()
    figures: list[FigureSpec] = []
    records = []
    gs = group_spec(ctx)
    if fs.by_group:
        var = cfg.variable(fs.by_group)
        vals, cens = [], []
        for g in gs.order:
            sub = data[data[gs.column] == g]
            vals.append(sub[fs.by_group].to_numpy(dtype=float, na_value=np.nan))
            cc = fs.by_group + CENSOR_SUFFIX
            cens.append((sub[cc].astype(object).fillna("") != "").to_numpy() if cc in sub else np.zeros(len(sub), bool))
        refs = []
        rr = getattr(var, "reference_range", None)
        if rr is not None:
            if rr.low is not None:
                refs.append((rr.low, f"{rr.low:g}"))
            if rr.high is not None:
                refs.append((rr.high, f"{rr.high:g}"))
        ylabel = f"{var.label or fs.by_group}" + (f" ({var.unit})" if var.unit else "")
        fig = box_by_group(vals, [gs.label(g) for g in gs.order], ylabel=ylabel, censored=cens,
                           reference_lines=refs, seed=ctx.seed, synthetic=ctx.synthetic)
        figures.append(FigureSpec(
            name=f"{fs.by_group}_by_group", figure=fig,
            caption=f"{ylabel} by group: box (median and quartiles) with every participant as a point"
                    + ("; dashed lines: reference range" if refs else "") + ".",
            alt=f"Box plot of {ylabel} by group"))
    if fs.scatter:
        xname, yname = fs.scatter
        cases = cfg.groups.cases or gs.order[0]
        sub = data[data[gs.column] == cases]
        fit = line_fit(sub[xname].to_numpy(dtype=float, na_value=np.nan),
                       sub[yname].to_numpy(dtype=float, na_value=np.nan),
                       confidence_level=cfg.tests.confidence_level)
        records += fit.records("figures", yname, xname, cases)
        xv, yv = cfg.variable(xname), cfg.variable(yname)
        xl = f"{xv.label or xname}" + (f" ({xv.unit})" if xv.unit else "")
        yl = f"{yv.label or yname}" + (f" ({yv.unit})" if yv.unit else "")
        r = np.corrcoef(fit.x, fit.y)[0, 1] if fit.n > 2 else float("nan")
        fig = scatter_with_fit(fit, xlabel=xl, ylabel=yl, synthetic=ctx.synthetic,
                               annotation=f"{gs.label(cases)}, n = {fit.n}, Pearson r = {fmt.num(r, 2)}")
        figures.append(FigureSpec(
            name=f"{yname}_vs_{xname}", figure=fig,
            caption=f"{yl} against {xl} in {gs.label(cases)}: least-squares line with its "
                    f"{cfg.tests.confidence_level:.0%} confidence band.",
            alt=f"Scatter plot of {yl} against {xl}"))
    if not figures:
        return None
    return Section(id="figures", title="Figures", html=Markup(""), records=tuple(records), figures=tuple(figures), order=70)
