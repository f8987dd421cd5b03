"""Table 2: within one group, the correlation of an exposure with clinical variables.

Panel A: for each clinical variable, its summary in the group and its Pearson (as the
seed paper did) and Spearman correlation with the exposure, each with a Fisher-z
confidence interval, p and n (pairwise complete).  Panel B: the exposure compared
between the levels of a binary variable (e.g. men and women) within each group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from serostudy import _format as fmt
from serostudy._analysis._varspec import VarSpec
from serostudy._analysis.table1 import GroupSpec
from serostudy._records import Record
from serostudy._tables import DisplayTable, Panel, Row
from serostudy._typing import CorrelationMethod
from serostudy.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._io.config import TestPolicy

_METHOD_SYMBOL = {"pearson": "r", "spearman": "\u03c1", "kendall": "\u03c4"}
_METHOD_NAME = {"pearson": "Pearson", "spearman": "Spearman", "kendall": "Kendall"}
_METHOD_STATISTIC = {"pearson": "pearson_r", "spearman": "spearman_rho", "kendall": "kendall_tau"}


def build_table2(
    data: "pd.DataFrame",
    *,
    group: str,
    groups: GroupSpec,
    exposure: VarSpec,
    variables: Sequence[VarSpec],
    methods: Sequence[CorrelationMethod] = ("pearson", "spearman"),
    compare_by: VarSpec | None = None,
    policy: "TestPolicy",
    title: str = "Table 2. Correlation of the exposure with clinical variables",
    synthetic: bool = False,
    name: str = "table2",
    id_col: str | None = None,
) -> DisplayTable:
    """Build Table 2 (see module docstring).

    ``id_col`` names the participants left out in the complete-case sentence of the
    footnotes (default: row labels).
    """
    from serostudy._inference._describe import summarize_continuous

    level = policy.confidence_level
    pct = f"{level:.0%}"
    sub = data[data[groups.column].astype(object) == group]
    x = sub[exposure.name].to_numpy(dtype=float, na_value=np.nan)
    records: list[Record] = []
    choices: list[str] = []
    forms = {v.summary for v in variables}
    summary_head = {frozenset({"mean_sd"}): "Mean \u00b1 SD", frozenset({"median_iqr"}): "Median [Q1, Q3]"}.get(
        frozenset(forms), "Mean \u00b1 SD or median [Q1, Q3]")
    header = ["Variable", "n", summary_head, "Range"]
    for m in methods:
        # R cor.test gives no interval for Kendall's tau, and neither do we
        ci_part = "" if m == "kendall" else f" ({pct} CI)"
        header += [f"{_METHOD_NAME[m]} {_METHOD_SYMBOL[m]}{ci_part}", "p"]
    rows = []
    notes_seen: list[str] = []
    for spec in variables:
        y = sub[spec.name].to_numpy(dtype=float, na_value=np.nan)
        # the summary describes exactly the rows the n (and the correlations) use: the
        # complete pairs of exposure and variable, never all rows with the variable
        pair = ~np.isnan(x) & ~np.isnan(y)
        s = summarize_continuous(y[pair])
        stats_ = ("median", "q1", "q3") if spec.summary == "median_iqr" else ("mean", "sd")
        records += [Record("table2", spec.name, st, float(getattr(s, st)), group=group, n=s.n,
                           method="complete pairs with the exposure")
                    for st in (*stats_, "min", "max")]
        shown = (fmt.median_iqr(s.median, s.q1, s.q3, spec.decimals) if spec.summary == "median_iqr"
                 else fmt.mean_sd(s.mean, s.sd, spec.decimals))
        dropped = int(np.sum(~np.isnan(y))) - s.n
        if dropped:
            choices.append(f"table2 {spec.name}: {dropped} patient(s) with {spec.name} but no {exposure.name} "
                           f"left out of the summary and the correlations (complete pairs, n = {s.n})")
        label_form = ", median [Q1, Q3]" if (spec.summary == "median_iqr" and len(forms) > 1) else ""
        cells = [str(s.n), shown if s.n else "NA",
                 f"{fmt.num(s.min, spec.decimals)}\u2013{fmt.num(s.max, spec.decimals)}" if s.n else "NA"]
        for m in methods:
            res = _correlation_or_na(x, y, m, level, exposure.name, spec.name)
            ci = res.confidence_interval()
            stat = _METHOD_STATISTIC[m]
            records.append(Record("table2", spec.name, stat, res.statistic, group=group, term=exposure.name,
                                  ci_low=ci.low if ci else None, ci_high=ci.high if ci else None,
                                  confidence_level=level, df=res.df, n=res.n, pvalue=res.pvalue, method=res.method,
                                  warnings=tuple(res.notes)))
            for nt in res.notes:
                if nt not in notes_seen:
                    notes_seen.append(nt)
            shown = fmt.num(res.statistic, 2) if m == "kendall" else fmt.est_ci(
                res.statistic, ci.low if ci else None, ci.high if ci else None, 2)
            cells += [shown, fmt.pvalue(res.pvalue)]
        rows.append(Row(f"{spec.label}" + (f", {spec.unit}" if spec.unit else "") + label_form, tuple(cells),
                        "variable", spec.name))
    panels = [Panel(tuple(header), tuple(rows),
                    title=f"A. Correlation with {exposure.label} ({exposure.unit}) in {groups.label(group)}"
                    if exposure.unit else f"A. Correlation with {exposure.label} in {groups.label(group)}")]
    footnotes = [
        f"Correlations in {groups.label(group)} only, pairwise complete observations; n, the summary and the "
        f"range describe the same patients (those with both {exposure.label} and the variable). "
        + ("Variables declared skewed, ordinal or counts: median [Q1, Q3] (quartiles: R type 7); others: "
           "mean \u00b1 SD. " if len(forms) > 1 else "")
        + "CIs by Fisher's z transformation (SE 1/\u221a(n \u2212 3)). "
        + ("Pearson p from t with n \u2212 2 df; " if "pearson" in methods else "")
        + ("Spearman p as R cor.test (exact for small n without ties, else t approximation). " if "spearman" in methods else "")
        + ("Kendall's \u03c4-b without CI (as R cor.test); p exact for n < 50 without ties, else normal "
           "approximation with tie correction." if "kendall" in methods else ""),
    ]
    if compare_by is not None:
        panels.append(_compare_panel(data, groups, exposure, compare_by, policy, records, choices))
        test_name = "Welch" if policy.continuous == "welch" else "Student"
        footnotes.append(
            f"B: {exposure.label} by {compare_by.label.lower()} within each group; difference = "
            f"{compare_by.level_labels.get(compare_by.levels[0], compare_by.levels[0]) if compare_by.levels else 'first'} "
            f"minus {compare_by.level_labels.get(compare_by.levels[1], compare_by.levels[1]) if compare_by.levels else 'second'}, "
            f"{test_name} two-sample t-test"
            + (" of the logarithms (the log scale declared in the analysis plan); GMR = ratio of geometric means."
               if exposure.log_scale else ".")
        )
    footnotes += _complete_case_notes(sub, exposure, variables, groups.label(group), id_col)
    footnotes += [f"Note: {n}" for n in notes_seen]
    if synthetic:
        footnotes.append("SYNTHETIC DATA: these numbers describe a made-up cohort, not real participants.")
    return DisplayTable(name=name, title=title, panels=tuple(panels), footnotes=tuple(footnotes),
                        records=tuple(records), choices=tuple(choices), synthetic=synthetic)


def _complete_case_notes(sub, exposure: VarSpec, variables: Sequence[VarSpec], who: str,
                         id_col: str | None) -> list[str]:
    """Who the correlations leave out, with the reasons (pairwise complete cases)."""
    from serostudy._analysis.completeness import complete_cases

    labels = {v.name: v.label for v in (exposure, *variables)}
    def lab(c: str) -> str:
        return labels.get(c) or c

    base = complete_cases(sub, [exposure.name], id_col=id_col, label=lab)
    out = []
    if base.n_dropped:
        out.append(base.sentence(f"{who} participants").replace(
            "Missing values were not imputed.", "Missing values were not imputed; each row also needs the "
            "variable itself (pairwise complete)."))
    for v in variables:
        cc = complete_cases(sub, [exposure.name, v.name], id_col=id_col, label=lab)
        extra = cc.n_dropped - base.n_dropped
        if extra > 0:
            why = "; ".join(f"{r}: {', '.join(ids)}" for r, ids in cc.reasons if not r.startswith(lab(exposure.name)))
            out.append(f"{v.label}: n = {cc.n_used}; {extra} more left out ({why}).")
    return out
def _correlation_or_na(x: np.ndarray, y: np.ndarray, method: str, level: float, xname: str, yname: str):
    """The correlation test, or -- where it is undefined for this variable (fewer than 3
    complete pairs, a constant column) -- a result with NaN coefficient and p whose note
    says why, so the row shows NA and the rest of the table stands."""
    from serostudy._inference._correlation import correlation
    from serostudy._inference._results import TestResult
    from serostudy.exceptions import InputError

    try:
        return correlation(x, y, method=method, confidence_level=level)  # type: ignore[arg-type]
    except InputError as err:
        n = int(np.sum(~np.isnan(x) & ~np.isnan(y)))
        why = str(err).replace("`x`", repr(xname)).replace("`y`", repr(yname))
        return TestResult(math.nan, math.nan, f"{_METHOD_NAME[method]} correlation (not computed)",
                          _METHOD_SYMBOL[method], None, n=n,
                          notes=(f"{yname}: {_METHOD_NAME[method]} correlation not computed ({why})",))


def _compare_panel(data, groups, exposure, by: VarSpec, policy, records, choices) -> Panel:
    from serostudy._inference._describe import summarize_continuous
    from serostudy._inference._twosample import ttest_from_stats

    levels = list(by.levels) if by.levels else sorted(data[by.name].dropna().astype(str).unique())
    if len(levels) != 2:
        choices.append(f"{by.name}: {len(levels)} levels; panel B needs exactly 2, skipped")
        return Panel(("Group",), (), title=f"B. {exposure.label} by {by.label.lower()} (not computed)")
    l1, l2 = levels
    lab = lambda lv: by.level_labels.get(lv, lv)  # noqa: E731
    level = policy.confidence_level
    header = ("Group", f"{lab(l1)}: n, mean \u00b1 SD", f"{lab(l2)}: n, mean \u00b1 SD",
              f"Ratio of geometric means ({level:.0%} CI)" if exposure.log_scale else f"Difference ({level:.0%} CI)",
              "p")
    rows = []
    for g in groups.order:
        sub = data[data[groups.column].astype(object) == g]
        bv = sub[by.name].astype(object).astype(str).to_numpy()
        x = sub[exposure.name].to_numpy(dtype=float, na_value=np.nan)
        s1 = summarize_continuous(x[bv == l1])
        s2 = summarize_continuous(x[bv == l2])
        for lv, s in ((l1, s1), (l2, s2)):
            records += [Record("table2", exposure.name, st, float(getattr(s, st)), group=g, level=lv, n=s.n)
                        for st in ("n", "mean", "sd")]
        cells = [f"{s1.n}, {fmt.mean_sd(s1.mean, s1.sd, exposure.decimals)}",
                 f"{s2.n}, {fmt.mean_sd(s2.mean, s2.sd, exposure.decimals)}"]
        if min(s1.n, s2.n) >= 2 and exposure.log_scale:
            # the declared log scale (analysis_plan.scale): t-test of the logs, ratio of geometric means
            a1, a2 = x[bv == l1], x[bv == l2]
            a1, a2 = np.log(a1[~np.isnan(a1)]), np.log(a2[~np.isnan(a2)])
            res = ttest_from_stats(float(a1.mean()), float(a1.std(ddof=1)), a1.size, float(a2.mean()),
                                   float(a2.std(ddof=1)), a2.size, equal_var=policy.continuous == "student",
                                   confidence_level=level)
            est = res.estimate
            how = res.method + " of log-transformed values (analysis_plan.scale: log)"
            if est is None or est.ci is None:  # a t-test result carries its mean difference and CI
                raise InputError("the t-test returned no mean difference with an interval", column=exposure.name)
            gmr, lo, hi = float(np.exp(est.estimate)), float(np.exp(est.ci.low)), float(np.exp(est.ci.high))
            records.append(Record("table2", exposure.name, "ratio_of_geometric_means", gmr, group=g,
                                  term=f"{l1} vs {l2}", ci_low=lo, ci_high=hi, confidence_level=level, n=res.n,
                                  pvalue=res.pvalue, method=how))
            records.append(Record("table2", exposure.name, "t", res.statistic, group=g, term=f"{l1} vs {l2}",
                                  df=res.df, n=res.n, pvalue=res.pvalue, method=how))
            cells += ["GMR " + fmt.est_ci(gmr, lo, hi, 2), fmt.pvalue(res.pvalue)]
        elif min(s1.n, s2.n) >= 2:
            res = ttest_from_stats(s1.mean, s1.sd, s1.n, s2.mean, s2.sd, s2.n,
                                   equal_var=policy.continuous == "student", confidence_level=level)
            est = res.estimate
            if est is None or est.ci is None:  # a t-test result carries its mean difference and CI
                raise InputError("the t-test returned no mean difference with an interval", column=exposure.name)
            records.append(Record("table2", exposure.name, "mean_difference", est.estimate, group=g,
                                  term=f"{l1} vs {l2}", ci_low=est.ci.low, ci_high=est.ci.high,
                                  confidence_level=level, se=est.se, df=res.df, n=res.n, pvalue=res.pvalue,
                                  method=res.method))
            records.append(Record("table2", exposure.name, "t", res.statistic, group=g, term=f"{l1} vs {l2}",
                                  df=res.df, n=res.n, pvalue=res.pvalue, method=res.method))
            cells += [fmt.est_ci(est.estimate, est.ci.low, est.ci.high, exposure.decimals), fmt.pvalue(res.pvalue)]
        else:
            cells += ["NA", "NA"]
            choices.append(f"{exposure.name} by {by.name} in {g}: fewer than 2 values in a level, no test")
        rows.append(Row(groups.label(g), tuple(cells), "variable", exposure.name))
    return Panel(header, tuple(rows), title=f"B. {exposure.label} by {by.label.lower()} within each group")
