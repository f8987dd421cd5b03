"""Generated prose: the methods paragraph and key result sentences, written from the
records and choices of a run (never typed twice)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from serostudy import _format as fmt
from serostudy._records import Record

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._stage import RunContext, Section


def _find(records: Iterable[Record], **kw) -> Record | None:
    for r in records:
        if all(getattr(r, k) == v for k, v in kw.items()):
            return r
    return None


def methods_paragraph(ctx: "RunContext", sections: list["Section"], versions: dict[str, str]) -> list[str]:
    """Sentences of a methods paragraph describing what this run actually did."""
    cfg = ctx.config
    pol = cfg.tests
    recs = [r for s in sections for r in s.records]
    t1 = [r for r in recs if r.analysis == "table1" and r.pvalue is not None]
    used = sorted({r.method for r in t1 if r.method})
    out = []
    cont = {"welch": "Welch's two-sample t-test", "student": "Student's two-sample t-test (equal variances)"}[pol.continuous]
    skew = {"mann-whitney": "the Mann\u2013Whitney U test", "welch": "Welch's t-test", "student": "Student's t-test"}[pol.skewed]
    out.append(
        "Continuous variables were summarised as mean \u00b1 SD, or median [Q1, Q3] where the codebook declares "
        f"them skewed, ordinal or counts, and compared between groups with {cont} ({skew} for skewed, ordinal "
        "and count variables); mean differences are reported with t-based confidence intervals and Hedges' g "
        "with noncentral-t confidence intervals."
    )
    cat = {
        "auto": "the \u03c7\u00b2 test without continuity correction when every expected count was at least 5, "
                "otherwise Fisher's exact test (Fisher\u2013Freeman\u2013Halton for tables larger than 2\u00d72)",
        "chi2": "the \u03c7\u00b2 test without continuity correction",
        "chi2-yates": "the \u03c7\u00b2 test with Yates' continuity correction",
        "fisher": "Fisher's exact test",
    }[pol.categorical]
    out.append(f"Categorical variables were summarised as n (%) of participants with a recorded value and compared with {cat}.")
    if used:
        out.append("Tests actually used in Table 1: " + "; ".join(used) + ".")
    t2 = cfg.analyses.table2
    if t2 is not None:
        meth = " and ".join({"pearson": "Pearson", "spearman": "Spearman", "kendall": "Kendall (tau-b)"}[m]
                            for m in t2.methods)
        out.append(
            f"Within {cfg.groups.label(t2.group)}, {cfg.label(t2.exposure)} was correlated with each clinical "
            f"variable by {meth} correlation (pairwise complete), with Fisher-z {pol.confidence_level:.0%} confidence intervals."
        )
    out.append(f"Two-sided p-values; \u03b1 = {pol.alpha:g}; {pol.confidence_level:.0%} confidence intervals.")
    if ctx.excluded:
        out.append(f"{len(ctx.excluded)} participant(s) were excluded before analysis; reasons are listed under Participants.")
    out.append(
        f"Analyses were run with serostudy {versions.get('serostudy')} (Python {versions.get('python')}, "
        f"NumPy {versions.get('numpy')}, SciPy {versions.get('scipy')}, pandas {versions.get('pandas')}, "
        f"statsmodels {versions.get('statsmodels')}); statistics are validated against R (see tests/reference)."
    )
    return out


def key_results(ctx: "RunContext", sections: list["Section"]) -> list[str]:
    """Sentences stating the main comparisons, written from the records."""
    cfg = ctx.config
    recs = [r for s in sections for r in s.records]
    out = _primary_sentence(ctx, recs)
    t2 = cfg.analyses.table2
    expo = t2.exposure if t2 else None
    if expo is not None:
        var = cfg.variable(expo)
        unit = f" {var.unit}" if var.unit else ""
        parts = []
        for g in cfg.groups.order:
            m = _find(recs, analysis="table1", variable=expo, statistic="mean", group=g)
            sd = _find(recs, analysis="table1", variable=expo, statistic="sd", group=g)
            med = _find(recs, analysis="table1", variable=expo, statistic="median", group=g)
            if m and sd:
                parts.append(f"{fmt.mean_sd(m.estimate, sd.estimate)}{unit} in {cfg.groups.label(g)}")
            elif med:
                q1 = _find(recs, analysis="table1", variable=expo, statistic="q1", group=g)
                q3 = _find(recs, analysis="table1", variable=expo, statistic="q3", group=g)
                parts.append(f"median {fmt.median_iqr(med.estimate, q1.estimate if q1 else None, q3.estimate if q3 else None)}"
                             f"{unit} in {cfg.groups.label(g)}")
        test = next((r for r in recs if r.analysis == "table1" and r.variable == expo and r.pvalue is not None), None)
        diff = _find(recs, analysis="table1", variable=expo, statistic="mean_difference") or _find(
            recs, analysis="table1", variable=expo, statistic="hl_shift")
        if parts and test:
            s = f"{var.label or expo} was " + " and ".join(parts)
            if diff is not None and diff.estimate is not None:
                s += (f" (difference {fmt.num(diff.estimate)}{unit}, {fmt.ci(diff.ci_low, diff.ci_high)}; ")
            else:
                s += " ("
            s += f"{test.method}, p = {fmt.pvalue(test.pvalue)})"
            out.append(s + _role_suffix(test.role) + ".")
    if t2 is not None:
        for r in recs:
            if r.analysis == "table2" and r.statistic in ("pearson_r", "spearman_rho") and r.pvalue is not None:
                if r.statistic == "pearson_r" and r.pvalue < cfg.tests.alpha:
                    sp = _find(recs, analysis="table2", variable=r.variable, statistic="spearman_rho")
                    s = (f"In {cfg.groups.label(t2.group)}, {cfg.label(r.variable)} correlated with "
                         f"{cfg.label(t2.exposure)}: Pearson r = {fmt.num(r.estimate, 2)} "
                         f"({fmt.ci(r.ci_low, r.ci_high, 2)}), p = {fmt.pvalue(r.pvalue)}, n = {r.n}")
                    if sp is not None:
                        s += f"; Spearman \u03c1 = {fmt.num(sp.estimate, 2)}, p = {fmt.pvalue(sp.pvalue)}"
                    out.append(s + _role_suffix(r.role) + ".")
    return out


def _role_suffix(role: str | None) -> str:
    """What a sentence may claim, from the record's role in the declared plan."""
    if role == "primary":
        return " (primary analysis, declared in the analysis plan)"
    if role == "secondary":
        return " (secondary analysis, declared in the analysis plan)"
    if role == "sensitivity":
        return " (sensitivity analysis)"
    return " (exploratory; not adjusted for multiplicity; hypothesis-generating)"


def _primary_sentence(ctx: "RunContext", recs: list[Record]) -> list[str]:
    """The declared primary result first: estimate, interval, p, n, and its simulated
    a-priori power when computed; never more than the numbers say."""
    plan = getattr(ctx.config, "analysis_plan", None)
    if plan is None:
        return ["No primary analysis was declared: every result below is exploratory; not adjusted for "
                "multiplicity; hypothesis-generating."]
    prim = [r for r in recs if r.role == "primary" and r.ci_low is not None and r.statistic != "coefficient"]
    if not prim:
        return [f"Primary analysis declared ({plan.primary.analysis} of {ctx.config.label(plan.primary.outcome)}), "
                "but it was not run: see the analysis plan section."]
    r = prim[0]
    what = r.statistic.replace("_", " ")
    s = (f"Primary analysis (declared in the analysis plan): {ctx.config.label(r.variable)}, {r.group}, "
         f"{what} for {r.term} {fmt.num(r.estimate, 2)} ({r.confidence_level or 0.95:.0%} CI "
         f"{fmt.ci(r.ci_low, r.ci_high, 2)}), p = {fmt.pvalue(r.pvalue)}, n = {r.n}")
    if r.ci_low is not None and r.ci_high is not None and r.ci_low <= 1 <= r.ci_high:
        s += "; the interval includes no effect"
    ap = next((x for x in recs if x.analysis == "power" and x.statistic == "apriori_power"), None)
    if ap is not None:
        s += f". A-priori power for the declared effect ({ap.term}): {fmt.num(ap.estimate, 2)}"
    return [s + "."]
