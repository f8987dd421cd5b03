"""Audit a whole published-summary file: run every applicable check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from serostudy._limits import clip
from serostudy._records import Record
from serostudy.audit._checks import (
    VERDICTS,
    Finding,
    _nc,
    check_anova,
    check_carlisle,
    check_contingency,
    check_correlation,
    check_count_total,
    check_grim,
    check_grimmer,
    check_identity,
    check_order,
    check_percent,
    check_percent_total,
    check_printed_statistic,
    check_sd_range,
    check_subgroup,
    check_t_statistic,
    check_ttest,
)
from serostudy.audit._interval import to_fraction
from serostudy.audit._schema import PublishedSummary, load_summary, parse_expression

__all__ = ["AuditReport", "audit", "seed_summary_path", "load_seed"]

SEED_FILE = "baradaran2025.yaml"


def seed_summary_path() -> Path:
    """Path of the packaged seed paper (Baradaran et al. 2025) in the audit format."""
    return Path(__file__).resolve().parent.parent / "data" / "audit" / SEED_FILE


def load_seed() -> PublishedSummary:
    """The seed paper's published summary, validated."""
    return load_summary(seed_summary_path())


@dataclass(frozen=True)
class AuditReport:
    """Every finding of an audit, in the order the file lists the numbers.

    Attributes
    ----------
    study, source
        From the summary file.
    alpha
        Significance level used to call a p-value discrepancy ``gross``.
    findings
        One :class:`~serostudy.audit._checks.Finding` per check.
    notes
        The file's notes (transcription caveats).
    """

    study: str | None
    source: str | None
    alpha: float
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    summary: PublishedSummary | None = field(default=None, compare=False, repr=False)

    def counts(self) -> dict[str, int]:
        """Number of findings per verdict (every verdict present, in a fixed order)."""
        out = {v: 0 for v in VERDICTS}
        for f in self.findings:
            out[f.verdict] += 1
        return out

    @property
    def flagged(self) -> tuple[Finding, ...]:
        """Findings with verdict ``inconsistent`` or ``gross``."""
        return tuple(f for f in self.findings if f.flagged)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, deterministic."""
        return {
            "schema": "serostudy-audit-report/1",
            "study": self.study,
            "source": self.source,
            "alpha": self.alpha,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_records(self) -> tuple[Record, ...]:
        """One :class:`~serostudy._records.Record` per finding (``analysis="audit"``).

        ``estimate`` is empty (a finding is a range, not a number): the attainable range
        is in ``ci_low``/``ci_high``, the item checked in ``term``, the check in
        ``method`` and the verdict with its explanation in ``warnings``.
        """
        recs = []
        for f in self.findings:
            recs.append(
                Record(
                    analysis="audit",
                    variable=f.variable or f.item,
                    statistic=f"{f.check}:{f.quantity}",
                    estimate=None,
                    group=f.group,
                    term=f.item,
                    ci_low=None if f.low is None else float(f.low),
                    ci_high=None if f.high is None else float(f.high),
                    method=f.check,
                    warnings=(f"{f.verdict}: {f.explanation}",),
                )
            )
        return tuple(recs)


_T_WORDS = ("t-test", "t test", "ttest", "t-tests", "welch", "student", "pooled", "equal var", "unequal var")
_RANK_WORDS = ("mann", "wilcoxon", "kruskal", "rank-sum", "rank sum", "signed-rank", "median test")


def _not_recomputable(check: str, item: str, p: Any, test_name: str | None, family: str,
                      variable: str | None, group: str | None = None) -> Finding | None:
    """A "not recomputable" finding when the paper names a test this check does not
    recompute (Kolmogorov-Smirnov, a paired or log-rank test, McNemar, ...); None when the
    name is empty (the usual test is assumed, as before) or one the check knows.

    Before, any named test was recomputed as a t-test / ANOVA / chi-square and a
    mismatch was called "gross" (issue 10).
    """
    import re

    t = (test_name or "").strip().lower()
    if not t:
        return None
    if family == "t":
        known = (any(w in t for w in _T_WORDS) and not re.search(r"(?<!un)paired|one[- ]sample", t)) or \
            any(w in t for w in _RANK_WORDS)
    elif family == "anova":
        known = ("anova" in t or "analysis of variance" in t or bool(re.search(r"\bf[- ]?test\b", t))
                 or any(w in t for w in _RANK_WORDS)) and "welch" not in t and "repeated" not in t
    else:
        known = any(w in t for w in ("chi", "\u03c7", "fisher", "yates", "exact")) and "mcnemar" not in t \
            and "trend" not in t
    if known:
        return None
    printed = f"p = {p}" if p is not None else ""
    return _nc(check, item, printed, "p", f"the paper names {clip(test_name, 80)}, a test serostudy does not "
               "recompute from the printed summaries (not recomputable)", variable, group)


def audit(summary: PublishedSummary | str | Path | dict[str, Any], *, alpha: float | None = None) -> AuditReport:
    """Audit every printed number of a published summary.

    Parameters
    ----------
    summary
        A :class:`PublishedSummary`, or a path / YAML text / mapping for
        :func:`~serostudy.audit.load_summary`.
    alpha
        Significance level for ``gross`` verdicts (default: the file's ``alpha``, 0.05).

    Returns
    -------
    AuditReport

    Examples
    --------
    >>> rep = audit(seed_summary_path())
    >>> rep.counts()["gross"] >= 1
    True
    """
    s = summary if isinstance(summary, PublishedSummary) else load_summary(summary)
    a = s.alpha if alpha is None else float(alpha)
    F: list[Finding] = []
    baseline_p: list[tuple[str, float]] = []

    for name, v in s.variables.items():
        base = f"variables.{name}"
        if v.type == "continuous":
            for g, cell in v.summaries.items():
                n = cell.n or s.group_n(g)
                it = f"{base}.summaries.{g}"
                if v.granularity is not None and cell.mean is not None:
                    gran = to_fraction(v.granularity.value)
                    F.append(check_grim(item=f"{it}.mean", mean=cell.mean, n=n, granularity=gran, items=v.items,
                                        variable=name, group=g))
                    if cell.sd is not None and v.items == 1:
                        F.append(check_grimmer(item=f"{it}.sd", mean=cell.mean, sd=cell.sd, n=n, granularity=gran,
                                               variable=name, group=g))
                fo = check_order(item=it, cell=cell, variable=name, group=g)
                if fo is not None:
                    F.append(fo)
                if cell.mean is not None and cell.min is not None and cell.max is not None:
                    F.append(check_sd_range(item=f"{it}.sd", mean=cell.mean, sd=cell.sd, lo=cell.min, hi=cell.max, n=n,
                                            variable=name, group=g))
            if v.test is not None:
                gs = v.test.groups or list(v.summaries)
                cells = [v.summaries[g] for g in gs if g in v.summaries]
                ns = [c.n or s.group_n(g) for g, c in zip(gs, cells)]
                if v.test.statistic is not None:
                    F.append(check_printed_statistic(item=f"{base}.test", statistic_name=v.test.statistic_name or "t",
                                                     statistic=v.test.statistic, df=v.test.df, df2=v.test.df2, p=v.test.p,
                                                     alternative=v.test.alternative, alpha=a, variable=name))
                unknown = _not_recomputable("t_test" if len(cells) == 2 else "anova", f"{base}.test.p", v.test.p,
                                            v.test.test, "t" if len(cells) == 2 else "anova", name)
                if unknown is not None and len(cells) >= 2:
                    F.append(unknown)
                    if v.baseline and v.test.p is not None:
                        baseline_p.append((name, v.test.p.mid))
                elif len(cells) == 2:
                    c1, c2 = cells
                    if (v.test.statistic is not None and v.test.statistic_name == "t"
                            and None not in (c1.mean, c1.sd, c2.mean, c2.sd)):
                        F.append(check_t_statistic(item=f"{base}.test.statistic", t=v.test.statistic, m1=c1.mean,  # type: ignore[arg-type]
                                                   s1=c1.sd, n1=ns[0], m2=c2.mean, s2=c2.sd, n2=ns[1],  # type: ignore[arg-type]
                                                   test_name=v.test.test, variable=name))
                    F.append(check_ttest(item=f"{base}.test.p", m1=c1.mean, s1=c1.sd, n1=ns[0], m2=c2.mean, s2=c2.sd,
                                         n2=ns[1], p=v.test.p, test_name=v.test.test, alternative=v.test.alternative,
                                         alpha=a, variable=name, labels=(gs[0], gs[1])))
                    if v.baseline and None not in (c1.mean, c1.sd, c2.mean, c2.sd):
                        r = stats.ttest_ind_from_stats(c1.mean.mid, c1.sd.mid, ns[0], c2.mean.mid, c2.sd.mid, ns[1])
                        baseline_p.append((name, float(r.pvalue)))
                    elif v.baseline and v.test.p is not None:
                        baseline_p.append((name, v.test.p.mid))
                elif len(cells) > 2:
                    if all(c.mean is not None and c.sd is not None for c in cells):
                        F.append(check_anova(item=f"{base}.test.p", means=[c.mean for c in cells],  # type: ignore[misc]
                                             sds=[c.sd for c in cells], ns=ns, p=v.test.p, test_name=v.test.test,  # type: ignore[misc]
                                             alpha=a, variable=name))
                    if v.baseline and v.test.p is not None:
                        baseline_p.append((name, v.test.p.mid))
        else:
            levels = v.levels or []
            table: list[list[int | None]] = []
            pcts = []
            gns = []
            for g, cells in v.counts.items():
                n = s.group_n(g)
                row = [cells[l].n if l in cells else None for l in levels]
                prow = [cells[l].pct if l in cells else None for l in levels]
                table.append(row)
                pcts.append(prow)
                gns.append(n)
                it = f"{base}.counts.{g}"
                known = [c for c in row if c is not None]
                if len(known) == len(levels):
                    F.append(check_count_total(item=it, counts=known, n=n, variable=name, group=g))
                total = sum(known) if len(known) == len(levels) else None
                prs = [cells[l].pct for l in levels if l in cells and cells[l].pct is not None]
                if len(prs) == len(levels) and len(levels) >= 2:
                    F.append(check_percent_total(item=f"{it}.pct", pcts=prs, variable=name, group=g))  # type: ignore[arg-type]
                for l in levels:
                    c = cells.get(l)
                    if c is not None and c.pct is not None:
                        F.append(check_percent(item=f"{it}.{l}.pct", pct=c.pct, count=c.n, n=n, alt_denominator=total,
                                               variable=name, group=f"{g}: {l}"))
            if v.test is not None:
                if v.test.statistic is not None:
                    F.append(check_printed_statistic(item=f"{base}.test", statistic_name=v.test.statistic_name or "chi2",
                                                     statistic=v.test.statistic, df=v.test.df, p=v.test.p, alpha=a,
                                                     variable=name))
                unknown = _not_recomputable("contingency", f"{base}.test.p", v.test.p, v.test.test, "contingency", name)
                if unknown is not None and len(table) >= 2:
                    F.append(unknown)
                elif len(table) >= 2:
                    F.append(check_contingency(item=f"{base}.test.p", table=table, pcts=pcts, group_ns=gns, p=v.test.p,
                                               test_name=v.test.test, alpha=a, variable=name))
                    if v.baseline:
                        if all(c is not None for row in table for c in row):
                            tab = np.array(table, dtype=float)
                            ok = (tab.sum(0) > 0).all() and (tab.sum(1) > 0).all()
                            if ok:
                                baseline_p.append((name, float(stats.chi2_contingency(tab, correction=False).pvalue)))
                        elif v.test.p is not None:
                            baseline_p.append((name, v.test.p.mid))
        if v.same_as is not None:
            other = s.variables[v.same_as]
            for g, cell in v.summaries.items():
                oc = other.summaries.get(g)
                if oc is None:
                    continue
                for stat in ("mean", "sd", "median", "q1", "q3", "min", "max"):
                    x, y = getattr(cell, stat), getattr(oc, stat)
                    if x is None or y is None:
                        continue
                    txt = f"{name}.{g}.{stat} ({x}) = {v.same_as}.{g}.{stat} ({y})"
                    F.append(check_identity(item=f"{base}.summaries.{g}.{stat}", lhs=[(1, x)], rhs=[(1, y)], text=txt,
                                            description=f"{name} is declared the same as {v.same_as} ({g}, {stat})"))

    for i, c in enumerate(s.correlations):
        n = c.n or s.group_n(c.group)  # type: ignore[arg-type]
        F.append(check_correlation(item=f"correlations[{i}]", r=c.r, n=n, p=c.p, method=c.method,
                                   alternative=c.alternative, alpha=a, variable=f"{c.x} ~ {c.y}", group=c.group))

    for i, sg in enumerate(s.subgroups):
        it = f"subgroups[{i}]"
        parts = list(sg.parts.items())
        ns: list[int | None] = []
        for lvl, cell in parts:
            nn = cell.n
            if nn is None and sg.by is not None and sg.group is not None:
                lc = s.variables[sg.by].counts.get(sg.group, {}).get(lvl)
                nn = None if lc is None else lc.n
            ns.append(nn)
        if any(n is None for n in ns):
            F.append(Finding("subgroup_mean", it, "", "mean", None, None, (), "not_checkable",
                             "Not checkable: subgroup sizes are not printed (give parts.<level>.n or `by`).",
                             sg.variable, sg.group))
            continue
        overall = s.variables[sg.variable].summaries.get(sg.group or "", None)
        means = [c.mean for _, c in parts]
        if all(m is not None for m in means) and overall is not None:
            F.extend(check_subgroup(item=it, means=means, sds=[c.sd for _, c in parts], ns=ns,  # type: ignore[arg-type]
                                    overall_mean=overall.mean, overall_sd=overall.sd, variable=sg.variable,
                                    group=sg.group, labels=[l for l, _ in parts]))
        unknown = None if sg.test is None else _not_recomputable("t_test", f"{it}.test.p", sg.test.p, sg.test.test,
                                                                 "t", sg.variable, sg.group)
        if unknown is not None and len(parts) == 2:
            F.append(unknown)
        elif sg.test is not None and len(parts) == 2:
            (l1, c1), (l2, c2) = parts
            F.append(check_ttest(item=f"{it}.test.p", m1=c1.mean, s1=c1.sd, n1=ns[0], m2=c2.mean, s2=c2.sd, n2=ns[1],  # type: ignore[arg-type]
                                 p=sg.test.p, test_name=sg.test.test, alternative=sg.test.alternative, alpha=a,
                                 variable=sg.variable, group=sg.group, labels=(l1, l2)))

    for i, ident in enumerate(s.identities):
        def resolve(text: str) -> list:
            return [(sign, s.lookup(t) if isinstance(t, str) else t) for sign, t in parse_expression(text)]
        F.append(check_identity(item=f"identities[{i}]", lhs=resolve(ident.lhs), rhs=resolve(ident.rhs),
                                text=f"{ident.lhs} = {ident.rhs}", description=ident.description))

    if baseline_p:
        F.append(check_carlisle(item="baseline", pvalues=[p for _, p in baseline_p], labels=[n for n, _ in baseline_p]))

    return AuditReport(study=s.study, source=s.source, alpha=a, findings=tuple(F), notes=tuple(s.notes), summary=s)
