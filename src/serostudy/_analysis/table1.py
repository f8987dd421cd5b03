"""Table 1: participant characteristics by group, with tests and effect sizes.

Every cell is computed from per-group summaries (n, mean, SD, quantiles, counts) and
every number is kept as a :class:`~serostudy._records.Record`.  Tests follow a policy
declared before the data are seen (:class:`~serostudy._io.config.TestPolicy`); the test
used for each row is named in a footnote, and every automatic choice is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from serostudy import _format as fmt
from serostudy._analysis._varspec import VarSpec
from serostudy._records import Record
from serostudy._tables import DisplayTable, Panel, Row
from serostudy._typing import CategoricalTest
from serostudy.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._io.config import TestPolicy

FISHER_MAX_CELLS = 200
"""Largest table (levels x groups, after empty levels are dropped) given Fisher's test.

Fisher's test of an r x c table is attempted by exact enumeration and then by Monte
Carlo (100,000 random tables); both costs grow with the number of cells (a 2,000-level
identifier took 2 GB and 47 s).  Up to 200 cells the test takes at most a few seconds
and a few hundred MB whatever the number of rows; beyond that Table 1 uses the Pearson
chi-squared test instead, recorded as an automatic choice and in the record's
warnings (its approximation may be poor with small expected counts, which the
warnings also count).  2 x 2 tables are always cheap and unaffected."""

_SUPERSCRIPTS = "\u1d43\u1d47\u1d9c\u1d48\u1d49\u1da0\u1d4d\u02b0"  # a b c d e f g h


#: Footnote and record warning when a zero cell makes the sample odds ratio undefined.
ZERO_CELL_OR_NOTE = (
    "a zero cell makes the sample odds ratio and its Woolf CI undefined: the conditional "
    "maximum-likelihood odds ratio with its exact CI is shown instead (as R fisher.test prints; "
    "it may be 0 or \u221e with one finite bound); no Haldane-Anscombe 0.5 correction"
)


@dataclass(frozen=True)
class GroupSpec:
    column: str
    order: tuple[str, ...]
    labels: dict[str, str]

    def label(self, g: str) -> str:
        return self.labels.get(g, g)


def build_table1(
    data: "pd.DataFrame",
    specs: Sequence[VarSpec],
    groups: GroupSpec,
    policy: "TestPolicy",
    *,
    overall: bool = True,
    smd: bool = False,
    missing: str = "ifany",
    title: str = "Table 1. Characteristics of the participants by group",
    choices: Sequence[str] = (),
    notes: Sequence[str] = (),
    synthetic: bool = False,
    name: str = "table1",
    seed: int | None = None,
    left_out: Sequence[tuple[str, str]] = (),
) -> DisplayTable:
    """Build Table 1 from a validated participant table (see :func:`serostudy.table1`).

    ``seed`` seeds the Monte Carlo Fisher test, used only for tables too large to
    enumerate exactly (the test's notes say so when it happens).  ``notes`` are footnotes
    about the rows shown (e.g. groups left out), placed after the test footnotes.  ``left_out``
    lists ``(column, reason)`` pairs of columns type inference left out; a footnote names
    them."""
    from serostudy._inference._describe import summarize_continuous

    level = policy.confidence_level
    gcol = groups.column
    gvals = data[gcol].astype(object).to_numpy()
    masks = {g: gvals == g for g in groups.order}
    ngroups = {g: int(m.sum()) for g, m in masks.items()}
    two = len(groups.order) == 2
    records: list[Record] = []
    choices = list(choices)
    tests_used: dict[str, str] = {}  # method -> marker
    zero_cell_or = [False]  # set by a categorical row: a zero cell made the sample OR undefined
    rows: list[Row] = []

    for g in groups.order:
        records.append(Record("table1", "(participants)", "n", float(ngroups[g]), group=g, n=ngroups[g]))
    if overall:
        records.append(Record("table1", "(participants)", "n", float(len(gvals)), group="overall", n=len(gvals)))

    def marker(method: str) -> str:
        if method not in tests_used:
            tests_used[method] = _SUPERSCRIPTS[len(tests_used) % len(_SUPERSCRIPTS)]
        return tests_used[method]

    header = ["Characteristic"]
    header += [f"{groups.label(g)} (n = {ngroups[g]})" for g in groups.order]
    if overall:
        header.append(f"Overall (n = {len(gvals)})")
    if two:
        header += ["Difference (95% CI)" if level == 0.95 else f"Difference ({level:.0%} CI)",
                   "Effect size (95% CI)" if level == 0.95 else f"Effect size ({level:.0%} CI)"]
    header.append("p")
    if smd and two:
        header.append("SMD")
    ncols = len(header) - 1

    for spec in specs:
        col = data[spec.name]
        in_groups = [g for g in groups.order if spec.groups is None or g in spec.groups]
        if spec.kind == "continuous":
            x = _numeric_values(data, spec, choices)
            summarize = summarize_continuous if spec.summary == "median_iqr" else _moments_only
            summaries = {g: summarize(x[masks[g]]) for g in groups.order}
            allsum = summarize(x[np.logical_or.reduce([masks[g] for g in in_groups])]) if overall else None
            cells = []
            for g in groups.order:
                s = summaries[g]
                cells.append(_cont_cell(s, spec) if g in in_groups else "\u2014")
                records.extend(_cont_records(spec, g, s))
            if overall and allsum is not None:
                cells.append(_cont_cell(allsum, spec))
                records.extend(_cont_records(spec, "overall", allsum))
            diff_cell = eff_cell = p_cell = smd_cell = ""
            tested = [g for g in in_groups if summaries[g].n > 0]
            no_var = _no_variation(spec, summaries, tested) if len(tested) >= 2 else None
            if no_var is not None:
                stat_name, why = no_var
                records.append(Record("table1", spec.name, stat_name, None, term=_term(tested), n=sum(
                    summaries[g].n for g in tested), warnings=(why,)))
                p_cell = "no variation" + marker(NO_VARIATION_NOTE)
                choices.append(f"{spec.name}: {why}")
            elif len(tested) >= 2:
                res, rec_extra, diff_cell, eff_cell = _continuous_test(spec, x, masks, summaries, tested, policy, two)
                records.extend(rec_extra)
                if res is not None:
                    p_cell = fmt.pvalue(res.pvalue) + marker(res.method)
                    if smd and two and len(tested) == 2:
                        from serostudy._inference._twosample import smd_continuous

                        s1, s2 = summaries[tested[0]], summaries[tested[1]]
                        d = smd_continuous(s1.mean, s1.sd, s2.mean, s2.sd)
                        smd_cell = fmt.num(abs(d), 2)
                        records.append(Record("table1", spec.name, "smd", float(abs(d)), term=_term(tested),
                                              n=s1.n + s2.n,
                                              method="standardized mean difference (tableone)"))
            elif len(in_groups) < 2:
                choices.append(f"{spec.name}: recorded only in {in_groups}; no between-group test")
            row = [*cells]
            if two:
                row += [diff_cell, eff_cell]
            row.append(p_cell)
            if smd and two:
                row.append(smd_cell)
            rows.append(Row(spec.display_label, tuple(row), "variable", spec.name))
            n_missing = {g: summaries[g].missing for g in groups.order}
            if overall and allsum is not None:
                n_missing["overall"] = allsum.missing
            rows.extend(_missing_row(spec, n_missing, groups, overall, missing, ncols, in_groups))
        else:
            rows.extend(
                _categorical_rows(spec, col, gvals, masks, groups, policy, overall, smd, two, ncols, records,
                                  missing, marker, in_groups, seed, zero_cell_or, choices)
            )

    footnotes = []
    for method, mk in tests_used.items():
        footnotes.append(f"{mk} {method}.")
    footnotes.append(
        "Continuous variables: mean \u00b1 SD or median [Q1, Q3] (quartiles: R type 7). "
        "Categorical variables: n (%), percentages of participants with a recorded value."
    )
    if two:
        g1, g2 = groups.label(groups.order[0]), groups.label(groups.order[1])
        footnotes.append(
            f"Differences are {g1} minus {g2}: mean difference (t interval) for t-tested variables, "
            "Hodges\u2013Lehmann location shift for Mann\u2013Whitney-tested variables. Effect sizes: "
            f"Hedges' g; odds ratio of the first level for {g1} vs {g2} in 2\u00d72 tables (sample OR with Woolf CI "
            "beside a \u03c7\u00b2 test, conditional MLE with exact CI beside Fisher's test); "
            "bias-corrected Cram\u00e9r's V (Bergsma) with noncentral \u03c7\u00b2 CI otherwise."
        )
    if zero_cell_or[0]:
        footnotes.append(ZERO_CELL_OR_NOTE[0].upper() + ZERO_CELL_OR_NOTE[1:] + ".")
    logged = [sp.label for sp in specs if sp.kind == "continuous" and sp.log_scale and sp.test in ("welch", "student")]
    if two and logged:
        footnotes.append(
            f"{', '.join(logged)}: compared on the log scale declared in the analysis plan (t-test of the "
            "logarithms); GMR = ratio of geometric means with its CI; the summary is on the original scale."
        )
    if smd and two:
        footnotes.append("SMD: absolute standardized mean difference (categorical: Yang & Dalton multi-level).")
    footnotes.extend(notes)
    if left_out:
        footnotes.append("Not shown: " + "; ".join(f"{c} ({why})" for c, why in left_out) + ".")
    if synthetic:
        footnotes.append("SYNTHETIC DATA: these numbers describe a made-up cohort, not real participants.")
    return DisplayTable(
        name=name,
        title=title,
        panels=(Panel(tuple(header), tuple(rows)),),
        footnotes=tuple(footnotes),
        records=tuple(records),
        choices=tuple(choices),
        synthetic=synthetic,
    )


# ----------------------------------------------------------------- continuous rows


def _numeric_values(data: "pd.DataFrame", spec: VarSpec, choices: list[str]) -> np.ndarray:
    x = np.asarray(data[spec.name].to_numpy(dtype=float, na_value=np.nan), dtype=float).copy()
    if spec.censor_col and spec.censor_col in data.columns:
        cen = data[spec.censor_col].astype(object).fillna("").to_numpy()
        lower = cen == "<"
        upper = cen == ">"
        k = int(lower.sum() + upper.sum())
        if k:
            if spec.censored_as == "missing":
                x[lower | upper] = np.nan
                how = "counted as missing"
            elif spec.censored_as == "half-limit":
                x[lower] = x[lower] / 2
                how = "below-limit values as half the limit, above-limit values as the limit"
            else:
                how = "entered at their limit"
            choices.append(f"{spec.name}: {k} censored value(s) ({int(lower.sum())} below, {int(upper.sum())} above a limit) {how}")
    return x


def _moments_only(x: np.ndarray) -> Any:
    """n, missing, mean, SD, min, max (no quantiles: a mean-summarised row does not show
    them, and partitioning 10^6 values per group is most of the cost of the row)."""
    from serostudy._inference._describe import ContinuousSummary

    ok = ~np.isnan(x)
    v = x[ok]
    n = int(v.size)
    nan = float("nan")
    if n == 0:
        return ContinuousSummary(0, int(x.size), nan, nan, nan, nan, nan, nan, nan)
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else nan
    return ContinuousSummary(n, int(x.size - n), mean, sd, nan, nan, nan, float(v.min()), float(v.max()))


def _cont_cell(s: Any, spec: VarSpec) -> str:
    if s.n == 0:
        return "NA"
    if spec.summary == "median_iqr":
        return fmt.median_iqr(s.median, s.q1, s.q3, spec.decimals)
    return fmt.mean_sd(s.mean, s.sd, spec.decimals)


def _cont_records(spec: VarSpec, g: str, s: Any) -> list[Record]:
    out = [Record("table1", spec.name, "n", float(s.n), group=g, n=s.n),
           Record("table1", spec.name, "missing", float(s.missing), group=g, n=s.n)]
    stats_ = ("mean", "sd") if spec.summary == "mean_sd" else ("median", "q1", "q3")
    for st in stats_ + ("min", "max"):
        out.append(Record("table1", spec.name, st, float(getattr(s, st)), group=g, n=s.n))
    return out


def _term(tested: Sequence[str]) -> str:
    return " vs ".join(tested)


NO_VARIATION_NOTE = "No variation: the compared values do not vary, so the test and effect size were not computed"


def _no_variation(spec: VarSpec, summaries: dict[str, Any], tested: Sequence[str]) -> tuple[str, str] | None:
    """``(statistic, reason)`` when the row's test is undefined because the values do not vary.

    A t-test or ANOVA needs variation within the groups, a rank test variation at all
    (every value tied makes it undefined).  Judged on each group's minimum and maximum,
    not its SD: a column of 0.1s has a floating-point SD of about 1e-17, which would give
    a t statistic of 10^16 instead of no test.  R's ``t.test`` stops with "data are
    essentially constant"; Table 1 reports it in the row and goes on.
    """
    ss = [summaries[g] for g in tested]
    rank = spec.test not in ("welch", "student")
    two = len(tested) == 2
    if not rank and two and min(s.n for s in ss) < 2:
        return None  # "fewer than 2 values in a group", said by the test itself
    lo, hi = min(s.min for s in ss), max(s.max for s in ss)
    name = ("U" if two else "H") if rank else ("t" if two else "F")
    test = ("Mann-Whitney U test" if two else "Kruskal-Wallis test") if rank else (
        "t-test" if two else "one-way ANOVA")
    if lo == hi:
        return name, f"no variation: every value is {lo:.6g} in the compared groups; {test} not computed"
    if not rank and all(s.min == s.max for s in ss):
        values = ", ".join(f"{g} {summaries[g].min:.6g}" for g in tested)
        return name, (f"no variation within groups: each group's values are all equal ({values}); {test} not computed")
    return None


def _continuous_test(spec, x, masks, summaries, tested, policy, two):
    from serostudy._inference._twosample import hedges_g_from_stats, mannwhitney, ttest_from_stats

    level = policy.confidence_level
    recs: list[Record] = []
    diff_cell = eff_cell = ""
    term = _term(tested)
    if len(tested) == 2:
        a, b = tested
        s1, s2 = summaries[a], summaries[b]
        if spec.test in ("welch", "student") and spec.log_scale:
            return _log_scale_test(spec, x, masks, a, b, term, policy)
        if spec.test in ("welch", "student"):
            if min(s1.n, s2.n) < 2:
                return None, [Record("table1", spec.name, "t", None, term=term, warnings=("fewer than 2 values in a group: no test",))], "", ""
            res = ttest_from_stats(s1.mean, s1.sd, s1.n, s2.mean, s2.sd, s2.n, equal_var=spec.test == "student",
                                   confidence_level=level)
            est = res.estimate
            if est is None or est.ci is None:  # a t-test result carries its mean difference and CI
                raise InputError("the t-test returned no mean difference with an interval", column=spec.name)
            recs.append(Record("table1", spec.name, "t", res.statistic, term=term, df=res.df, pvalue=res.pvalue,
                               n=res.n, method=res.method, warnings=res.notes))
            recs.append(Record("table1", spec.name, "mean_difference", est.estimate, term=term, ci_low=est.ci.low,
                               ci_high=est.ci.high, confidence_level=level, se=est.se, n=res.n, method=res.method))
            diff_cell = fmt.est_ci(est.estimate, est.ci.low, est.ci.high, spec.decimals)
            g = hedges_g_from_stats(s1.mean, s1.sd, s1.n, s2.mean, s2.sd, s2.n, confidence_level=level)
            recs.append(Record("table1", spec.name, "hedges_g", g.estimate, term=term, ci_low=g.ci.low if g.ci else None,
                               ci_high=g.ci.high if g.ci else None, confidence_level=level, n=res.n, method=g.method))
            eff_cell = "g = " + fmt.est_ci(g.estimate, g.ci.low if g.ci else None, g.ci.high if g.ci else None, 2)
            return res, recs, diff_cell, eff_cell
        xa, xb = x[masks[a]], x[masks[b]]
        xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
        res = mannwhitney(xa, xb, confidence_level=level)
        recs.append(Record("table1", spec.name, "U", res.statistic, term=term, pvalue=res.pvalue, n=res.n,
                           method=res.method, warnings=res.notes))
        est = res.estimate
        if est is not None:
            recs.append(Record("table1", spec.name, "hl_shift", est.estimate, term=term,
                               ci_low=est.ci.low if est.ci else None, ci_high=est.ci.high if est.ci else None,
                               confidence_level=level, n=res.n, method=est.method or "Hodges-Lehmann location shift"))
            diff_cell = fmt.est_ci(est.estimate, est.ci.low if est.ci else None, est.ci.high if est.ci else None, spec.decimals)
        return res, recs, diff_cell, eff_cell
    # more than two groups
    from scipy import stats as sps

    from serostudy._inference._results import TestResult

    if spec.test in ("welch", "student"):
        # From the group summaries: Welch's ANOVA under the Welch policy, the classic F
        # under the Student policy (R oneway.test(var.equal = FALSE / TRUE)).
        from serostudy._inference._anova import oneway_anova_from_stats
        from serostudy.exceptions import InputError as _InputError

        ss = [summaries[g] for g in tested]
        equal = spec.test == "student"
        try:
            res = oneway_anova_from_stats([s.mean for s in ss], [s.sd if s.n > 1 else 0.0 for s in ss],
                                          [s.n for s in ss], equal_var=equal)
        except _InputError as exc:
            name = "One-way ANOVA" if equal else "Welch's ANOVA"
            recs.append(Record("table1", spec.name, "F", None, term=term, method=name,
                               warnings=(f"{name} not computed: {exc}",)))
            return None, recs, "", ""
        recs.append(Record("table1", spec.name, "F", res.statistic, term=term, df=res.df, df_denominator=res.df_denominator,
                           pvalue=res.pvalue, n=res.n, method=res.method))
        return res, recs, "", ""
    arrays = [x[masks[g]][~np.isnan(x[masks[g]])] for g in tested]
    r = sps.kruskal(*arrays)
    res = TestResult(float(r.statistic), float(r.pvalue), "Kruskal-Wallis test", "H",
                     df=float(len(arrays) - 1), n=int(sum(map(len, arrays))))
    recs.append(Record("table1", spec.name, res.statistic_name, res.statistic, term=term, df=res.df,
                       pvalue=res.pvalue, n=res.n, method=res.method))
    return res, recs, "", ""


def _log_scale_test(spec, x, masks, a, b, term, policy):
    """t-test of the logarithms (the declared scale, ``analysis_plan.scale: log``): the
    ratio of geometric means with its t interval, exponentiated; Hedges' g of the logs.
    Validated against R ``t.test(log(x), log(y))`` in tests/reference/pipeline/."""
    from serostudy._inference._describe import summarize_continuous
    from serostudy._inference._twosample import hedges_g_from_stats, ttest_from_stats
    from serostudy.exceptions import InputError

    level = policy.confidence_level
    xa, xb = x[masks[a]], x[masks[b]]
    xa, xb = xa[~np.isnan(xa)], xb[~np.isnan(xb)]
    if (xa <= 0).any() or (xb <= 0).any():
        raise InputError(f"{spec.name}: analysis_plan.scale declares log, but the column holds values <= 0",
                         column=spec.name)
    if min(xa.size, xb.size) < 2:
        return None, [Record("table1", spec.name, "t", None, term=term, warnings=("fewer than 2 values in a group: no test",))], "", ""
    la, lb = summarize_continuous(np.log(xa)), summarize_continuous(np.log(xb))
    res = ttest_from_stats(la.mean, la.sd, la.n, lb.mean, lb.sd, lb.n, equal_var=spec.test == "student",
                           confidence_level=level)
    est = res.estimate
    how = res.method + " of log-transformed values (analysis_plan.scale: log)"
    recs = [Record("table1", spec.name, "t", res.statistic, term=term, df=res.df, pvalue=res.pvalue, n=res.n,
                   method=how, warnings=res.notes)]
    for g, s in ((a, la), (b, lb)):
        recs.append(Record("table1", spec.name, "geometric_mean", float(np.exp(s.mean)), group=g, n=s.n,
                           method="exp(mean of log values)"))
    if est is None or est.ci is None:  # a t-test result carries its mean difference and CI
        raise InputError("the t-test returned no mean difference with an interval", column=spec.name)
    gmr, lo, hi = float(np.exp(est.estimate)), float(np.exp(est.ci.low)), float(np.exp(est.ci.high))
    recs.append(Record("table1", spec.name, "ratio_of_geometric_means", gmr, term=term, ci_low=lo, ci_high=hi,
                       confidence_level=level, pvalue=res.pvalue, n=res.n, method=how))
    g = hedges_g_from_stats(la.mean, la.sd, la.n, lb.mean, lb.sd, lb.n, confidence_level=level)
    recs.append(Record("table1", spec.name, "hedges_g", g.estimate, term=term, ci_low=g.ci.low if g.ci else None,
                       ci_high=g.ci.high if g.ci else None, confidence_level=level, n=res.n,
                       method=g.method + " of log-transformed values"))
    diff_cell = "GMR " + fmt.est_ci(gmr, lo, hi, 2)
    eff_cell = "g = " + fmt.est_ci(g.estimate, g.ci.low if g.ci else None, g.ci.high if g.ci else None, 2)
    return res, recs, diff_cell, eff_cell


def _missing_row(spec, n_missing, groups, overall, missing, ncols, in_groups):
    shown = {g: (n_missing.get(g, 0) if g in in_groups else None) for g in groups.order}
    total = sum(v for v in shown.values() if v)
    if missing == "no" or (missing == "ifany" and total == 0):
        return []
    cells = [("\u2014" if shown[g] is None else str(shown[g])) for g in groups.order]
    if overall:
        cells.append(str(n_missing.get("overall", total)))
    cells += [""] * (ncols - len(cells))
    return [Row("Missing", tuple(cells), "missing", spec.name, indent=1)]


# ---------------------------------------------------------------- categorical rows


def _bounded_contingency_test(table: np.ndarray, method: str, seed: int | None, name: str,
                              choices: list[str]) -> Any:
    """:func:`contingency_test` by the policy, except that Fisher's test is not attempted
    for an r x c table of more than :data:`FISHER_MAX_CELLS` cells: the Pearson
    chi-squared test is used instead, and the record's warnings and the choices say so."""
    from serostudy._inference._contingency import _expected, _with_note, chi2_test, contingency_test

    cells = int(table.size)
    if method in ("auto", "fisher") and table.shape != (2, 2) and cells > FISHER_MAX_CELLS:
        small = int(np.sum(_expected(table) < 5))
        if method == "fisher" or small:
            why = (f"Fisher's test not attempted: a {table.shape[0]} x {table.shape[1]} table ({cells} cells, "
                   f"n = {int(table.sum())}) is beyond the {FISHER_MAX_CELLS}-cell limit for an exact or Monte Carlo "
                   "test; Pearson chi-squared test used")
            choices.append(f"{name}: {why}")
            return _with_note(chi2_test(table, correction=False), why, first=True)
    return contingency_test(table, method=method, **({} if seed is None else {"seed": seed}))  # type: ignore[arg-type]


def _categorical_rows(spec, col, gvals, masks, groups, policy, overall, smd, two, ncols, records, missing,
                      marker, in_groups, seed=None, zero_cell_or=None, choices=None):
    import pandas as pd

    from serostudy._inference._contingency import cramers_v, odds_ratio

    if zero_cell_or is None:
        zero_cell_or = [False]

    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    utext = [_txt(u) for u in uniques]
    levels = list(spec.levels) if spec.levels is not None else _sorted_levels(uniques, utext)
    unknown = sorted(set(utext) - set(levels))
    if unknown:
        raise InputError(f"values {unknown} are not among the declared levels {levels}", column=spec.name)
    lidx = {lv: i for i, lv in enumerate(levels)}
    to_level = np.array([lidx[t] for t in utext] + [-1], dtype=np.int64)  # last slot: missing
    lv_codes = to_level[np.where(codes < 0, len(utext), codes)]
    k = len(groups.order)
    gidx = np.full(len(gvals), -1, dtype=np.int64)
    for j, g in enumerate(groups.order):
        gidx[masks[g]] = j
    ok = (lv_codes >= 0) & (gidx >= 0)
    counts = np.bincount(lv_codes[ok] * k + gidx[ok], minlength=len(levels) * k).reshape(len(levels), k)
    miss = np.bincount(gidx[(lv_codes < 0) & (gidx >= 0)], minlength=k)
    nmiss = {g: int(miss[j]) for j, g in enumerate(groups.order)}
    denom = counts.sum(axis=0)
    tot = counts.sum(axis=1)
    nmiss_overall = sum(nmiss[g] for g in in_groups)
    tested_idx = [j for j, g in enumerate(groups.order) if g in in_groups and denom[j] > 0]
    p_cell = diff_cell = eff_cell = smd_cell = ""
    if len(tested_idx) >= 2:
        table = counts[:, tested_idx]
        keep = table.sum(axis=1) > 0
        table = table[keep]
        term = " vs ".join(groups.order[j] for j in tested_idx)
        if table.shape[0] >= 2:
            method: CategoricalTest = spec.test if spec.test in ("chi2", "chi2-yates", "fisher") else "auto"
            res = _bounded_contingency_test(table, method, seed, spec.name, choices if choices is not None else [])
            records.append(Record("table1", spec.name, res.statistic_name or "exact_test",
                                  res.statistic if res.statistic_name else None, term=term,
                                  df=res.df, pvalue=res.pvalue, n=int(table.sum()), method=res.method,
                                  warnings=tuple(res.notes)))
            p_cell = fmt.pvalue(res.pvalue) + marker(res.method)
            if table.shape == (2, 2):
                kind = policy.odds_ratio
                if kind == "auto":
                    kind = "conditional" if "Fisher" in res.method else "sample"
                or_notes: tuple[str, ...] = ()
                if kind == "sample" and (table == 0).any():
                    # The sample OR a*d/(b*c) is 0, inf or 0/0 and its Woolf interval does
                    # not exist; the conditional MLE with its exact interval does (R
                    # fisher.test prints it).  No Haldane-Anscombe 0.5: R does not print it.
                    kind = "conditional"
                    or_notes = (ZERO_CELL_OR_NOTE,)
                    zero_cell_or[0] = True
                est = odds_ratio(table, kind=kind, confidence_level=policy.confidence_level)
                lv = [lv for lv, k in zip(levels, keep) if k][0]
                records.append(Record("table1", spec.name, "odds_ratio", est.estimate, level=lv, term=term,
                                      ci_low=est.ci.low if est.ci else None, ci_high=est.ci.high if est.ci else None,
                                      confidence_level=policy.confidence_level, n=int(table.sum()), method=est.method,
                                      warnings=or_notes + tuple(getattr(est, "notes", ()))))
                eff_cell = "OR = " + _ratio_ci(est.estimate, est.ci.low if est.ci else None,
                                               est.ci.high if est.ci else None)
            else:
                est = cramers_v(table, confidence_level=policy.confidence_level)
                records.append(Record("table1", spec.name, "cramers_v", est.estimate, term=term,
                                      ci_low=est.ci.low if est.ci else None, ci_high=est.ci.high if est.ci else None,
                                      confidence_level=policy.confidence_level, n=int(table.sum()), method=est.method,
                                      warnings=tuple(getattr(est, "notes", ()))))
                # no interval where it would exclude the estimate (the record's warnings say why)
                eff_cell = "V = " + (fmt.est_ci(est.estimate, est.ci.low, est.ci.high, 2) if est.ci
                                     else fmt.num(est.estimate, 2))
            if smd and two and len(tested_idx) == 2:
                from serostudy._inference._twosample import smd_categorical

                p1 = table[:, 0] / table[:, 0].sum()
                p2 = table[:, 1] / table[:, 1].sum()
                d = smd_categorical(p1, p2)
                smd_cell = fmt.num(d, 2)
                records.append(Record("table1", spec.name, "smd", float(d), term=term, n=int(table.sum()),
                                      method="standardized mean difference (Yang & Dalton)"))
    head = [""] * len(groups.order) + ([""] if overall else [])
    tail = []
    if two:
        tail += [diff_cell, eff_cell]
    tail.append(p_cell)
    if smd and two:
        tail.append(smd_cell)
    rows = [Row(spec.display_label, tuple(head + tail), "variable", spec.name)]
    blank_tail = [""] * len(tail)
    for i, lv in enumerate(levels):
        cells = []
        for j, g in enumerate(groups.order):
            if g not in in_groups:
                cells.append("\u2014")
                continue
            cells.append(fmt.count_pct(int(counts[i, j]), int(denom[j])))
            records.append(Record("table1", spec.name, "count", float(counts[i, j]), group=g, level=lv,
                                  denominator=int(denom[j]), n=int(denom[j])))
            records.append(Record("table1", spec.name, "percent",
                                  (100.0 * counts[i, j] / denom[j]) if denom[j] else None, group=g, level=lv,
                                  denominator=int(denom[j]), n=int(denom[j])))
        if overall:
            d_all = int(denom.sum())
            cells.append(fmt.count_pct(int(tot[i]), d_all))
            records.append(Record("table1", spec.name, "count", float(tot[i]), group="overall", level=lv,
                                  denominator=d_all, n=d_all))
            records.append(Record("table1", spec.name, "percent", (100.0 * tot[i] / d_all) if d_all else None,
                                  group="overall", level=lv, denominator=d_all, n=d_all))
        rows.append(Row(spec.level_labels.get(lv, lv), tuple(cells + blank_tail), "level", spec.name, indent=1))
    # n of a "missing" record, as for continuous rows: the participants with a recorded value
    for j, g in enumerate(groups.order):
        records.append(Record("table1", spec.name, "missing", float(nmiss[g]), group=g, n=int(denom[j])))
    n_missing = dict(nmiss)
    n_missing["overall"] = nmiss_overall
    if overall:
        records.append(Record("table1", spec.name, "missing", float(nmiss_overall), group="overall",
                              n=int(denom.sum())))
    rows.extend(_missing_row(spec, n_missing, groups, overall, missing, ncols, in_groups))
    return rows


def _ratio_ci(est: float | None, lo: float | None, hi: float | None) -> str:
    """A ratio with its CI, where 0 and infinity are legitimate values (exact OR)."""

    def one(v: float | None) -> str:
        if v is not None and v == float("inf"):
            return "\u221e"
        return fmt.num(v, 2)

    if est is None or np.isnan(est):  # NaN: not estimable
        return "NA"
    return f"{one(est)} ({one(lo)} to {one(hi)})"


def _sorted_levels(uniques: Any, utext: list[str]) -> list[str]:
    """Levels in natural order: numbers numerically (2 before 10), else as text."""
    try:
        order = sorted(range(len(utext)), key=lambda i: uniques[i])
    except TypeError:
        order = sorted(range(len(utext)), key=lambda i: utext[i])
    return [utext[i] for i in order]


def _txt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
