"""The real-data sweep against R (issue 9, defence 1): shared machinery.

References: ``tests/reference/sweep/make_reference.R`` (datasets in ``data/``, one
``ref/<dataset>.json.gz`` per dataset, one record per line:
``[variable, statistic, group, level, term, estimate, ci_low, ci_high, pvalue, df, flag]``).

Tolerances (issue 9): descriptives (n, missing, mean, SD, min, max, median, quartiles,
counts, percentages) rtol 1e-9; everything else (tests, p-values, dfs, estimates and
their CIs, SMDs) rtol 1e-6.  An absolute tolerance of 1e-12 times the size of the
quantities in the record absorbs cancellation noise around 0, e.g. a mean difference of
exactly 0 computed as 2e-16; for p-values the absolute tolerance is the smallest normal
double (p below 2.2e-308 is underflow: R gives subnormals, scipy 0), widened only where a
correlation is rounding away from +/-1 (:func:`_unit_r_atol`) and for Monte Carlo p.

Where R itself is not exact, the reference row carries a flag and is compared as that
flag says (:data:`FLAG_RULES`).
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "tests" / "reference" / "sweep"
DATA = REF / "data"
REFS = REF / "ref"

DESCRIPTIVE = frozenset({"n", "missing", "mean", "sd", "min", "max", "median", "q1", "q3", "count", "percent"})
RTOL_DESCRIPTIVE = 1e-9
RTOL_TEST = 1e-6
#: R's pt() with |ncp| > 37.62 uses a normal approximation (R pnt.c), so R's Hedges' g
#: bound is only good to about 1e-3 there; serostudy's (scipy/boost) is exact.
RTOL_R_PT_APPROX = 1e-3

FLAG_RULES = {
    "": "compared",
    "r_pt_normal_approx": "Hedges' g bounds compared at rtol 1e-3 (R's pt is approximate beyond |ncp| 37.62)",
    "not_computed_in_r": "not compared (R fisher.test out of workspace/time, or > 2e7 pairwise differences)",
    "ci_excludes_estimate": "estimate compared; the interval must contain the estimate (R's tight solution of "
    "effectsize's equations does not: issue 9 finding 5)",
    "zero_cell_sample_or": "not compared: a zero cell beside a chi-squared test (issue 9 finding 4); the table "
    "must complete",
    "r_error": "R cannot compute it (e.g. constant data): serostudy must report NA, not fail",
    "undefined": "correlation undefined (n < 3 or a constant column): serostudy must report NA, not fail",
    "welch_anova": "Welch's ANOVA (R oneway.test(var.equal = FALSE)): the Welch policy with 3+ groups",
}

#: serostudy takes |r| or |rho| within 1e-15 of 1 as exactly +/-1 (rounding, not data;
#: ``serostudy._inference._correlation.UNIT_TOLERANCE``).  R does not: for a perfect rank
#: relation with ties (sm_anes96 logpopul vs popul, sm_fair, sm_modechoice) R's rho is one
#: ulp short of 1 and its t-approximation p (5.6e-111, 4e-319, ...) is that rounding
#: magnified, where serostudy's is 0.  There the p-value is compared with an absolute
#: tolerance: the p that |r| = 1 - 1e-15 gives at the record's df, the most such rounding
#: can produce.
UNIT_TOLERANCE = 1e-15


def monte_carlo_resamples() -> int:
    """B, the number of random tables behind serostudy's Monte Carlo Fisher p (the
    default of ``contingency_test``, which Table 1 uses)."""
    import inspect

    from serostudy._inference._contingency import contingency_test

    return int(inspect.signature(contingency_test).parameters["n_resamples"].default)


#: Where R's exact Fisher-Freeman-Halton p (FEXACT) is wrong: MASS::Cars93 Manufacturer
#: (32 makers, 93 cars) by AirBags, DriveTrain, Man.trans.avail.  R's exact p is 3.4e-10,
#: 0.0039 and 6.5e-5, but R's own Monte Carlo (fisher.test(simulate.p.value = TRUE,
#: B = 1e6), set.seed(1)) gives 0.00231, 0.1465 and 0.00192 -- hundreds of standard
#: errors away, and in the impossible direction (the Monte Carlo counts ties more
#: tightly, 64 eps against FEXACT's 1e-7, so it can only be smaller).  serostudy's Monte
#: Carlo p (0.00218, 0.1453, 0.00196) is compared with R's Monte Carlo p there, at the
#: combined standard error of both.
R_MONTE_CARLO = {
    ("r_Cars93", "AirBags", "Manufacturer"): 0.002314997685,
    ("r_Cars93", "DriveTrain", "Manufacturer"): 0.1464978535,
    ("r_Cars93", "Man.trans.avail", "Manufacturer"): 0.001923998076,
}
R_MONTE_CARLO_B = 1_000_000


def monte_carlo_atol(p_exact: float, k: float = 5.0, *, b_reference: int | None = None) -> float:
    """Tolerance of a Monte Carlo p against R's exact p.

    serostudy's p is ``(1 + X) / (B + 1)`` with ``X ~ Binomial(B, p)`` (p the exact p
    that R computes): mean ``(1 + B p) / (B + 1)``, standard error
    ``sqrt(B p (1 - p)) / (B + 1)``.  Allowed: the bias of the +1 (``|mean - p|``), ``k``
    standard errors and one lattice step ``1 / (B + 1)`` (p moves in such steps).  With
    about 20 Monte Carlo p-values in the whole sweep, k = 5 makes a false alarm about
    1e-5 likely."""
    b = monte_carlo_resamples()
    mean = (1 + b * p_exact) / (b + 1)
    var = b * p_exact * (1 - p_exact) / (b + 1) ** 2
    if b_reference:  # the reference is itself a Monte Carlo p from b_reference tables
        var += p_exact * (1 - p_exact) / b_reference
    return abs(mean - p_exact) + k * math.sqrt(var) + 1 / (b + 1) + (1 / b_reference if b_reference else 0.0)


def _unit_r_atol(est: float, df: float) -> float | None:
    """Absolute tolerance of a correlation p-value where |r| is rounding away from 1."""
    if not (math.isfinite(est) and 1 - abs(est) <= UNIT_TOLERANCE and math.isfinite(df) and df >= 1):
        return None
    from scipy import stats

    r = 1 - UNIT_TOLERANCE
    t = r * math.sqrt(df / ((1 - r) * (1 + r)))
    return float(2 * stats.t.sf(t, df))


#: Hodges-Lehmann bounds under the normal approximation: R's wilcox.test finds them by
#: uniroot(tol = 1e-4) and the reference moves that root to the nearest pairwise
#: difference (the jump of the step function).  Where two pairwise differences lie within
#: 1e-4 of R's root the step R meant is ambiguous: sm_randhie, lpi by hlthp (nonnormal
#: variant), upper bound: serostudy 0.317483, reference 0.317454.  A bound that misses
#: rtol 1e-6 passes if it is within R's own uniroot tolerance, 1e-4.
HL_UNIROOT_TOL = 1e-4

FIELDS = (("estimate", 5), ("ci_low", 6), ("ci_high", 7), ("pvalue", 8), ("df", 9))


def datasets() -> list[str]:
    return sorted(p.name[: -len(".json.gz")] for p in REFS.glob("*.json.gz"))


@cache
def reference(name: str) -> dict:
    with gzip.open(REFS / f"{name}.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def frame(name: str):
    import serostudy

    return serostudy.read_data_frame(str(DATA / f"{name}.csv"))


def _num(v: Any) -> float:
    if v is None:
        return math.nan
    if isinstance(v, str):
        return {"Inf": math.inf, "-Inf": -math.inf}[v]
    return float(v)


def table_id(ref: dict, table: dict) -> str:
    if table["kind"] == "table1":
        return f"{ref['dataset']}:table1:by={table['by']}:{table['variant']}"
    return f"{ref['dataset']}:table2:by={table['by']}:group={table['group']}"


def table1_kwargs(ref: dict, table: dict) -> dict:
    kw: dict[str, Any] = {"by": table["by"], "smd": True}
    if table["variant"] == "student":
        kw["test"] = "student"
    elif table["variant"] == "nonnormal":
        cont = [c for c, k in ref["kinds"].items() if k == "continuous" and c != table["by"]]
        if cont:
            kw["nonnormal"] = cont
    return kw


def run_api(df, ref: dict, table: dict) -> list[dict]:
    """The table through the public API; records as dicts of full-precision numbers."""
    import serostudy

    if table["kind"] == "table1":
        t = serostudy.table1(df, **table1_kwargs(ref, table))
    elif hasattr(serostudy, "table2"):
        t = serostudy.table2(df, by=table["by"], group=table["group"], exposure=table["exposure"],
                             include=table["variables"])
    else:  # the code before serostudy.table2 existed (BEFORE figures): the builder it calls
        t = _table2_before(df, table)
    return [{k: getattr(r, k) for k in ("variable", "statistic", "group", "level", "term", "estimate", "ci_low",
                                        "ci_high", "pvalue", "df", "method")} for r in t.records]


def _table2_before(df, table: dict):
    from serostudy._analysis._varspec import VarSpec
    from serostudy._analysis.table1 import GroupSpec
    from serostudy._analysis.table2 import build_table2
    from serostudy._io.config import TestPolicy

    by = table["by"]
    df = df[df[by].notna()]
    text = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in df[by]]
    frame = df.assign(**{by: text})
    spec = lambda c: VarSpec(name=c, label=c, kind="continuous")  # noqa: E731
    return build_table2(frame, group=table["group"], groups=GroupSpec(by, tuple(sorted(set(text))), {}),
                        exposure=spec(table["exposure"]), variables=[spec(c) for c in table["variables"]],
                        policy=TestPolicy())


def run_cli(ref: dict, table: dict) -> list[dict]:
    """``serostudy table1 FILE --by COL --json`` (the default policy: variant "welch")."""
    assert table["kind"] == "table1" and table["variant"] == "welch"
    proc = subprocess.run(
        [sys.executable, "-m", "serostudy", "table1", str(DATA / ref["file"]), "--by", table["by"], "--json"],
        capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)["records"]


@dataclass
class Outcome:
    """What one table gave: crash, numbers compared, mismatches, largest differences."""

    table: str
    error: str | None = None
    compared: int = 0
    not_compared: int = 0
    problems: list[str] = field(default_factory=list)
    maxrel: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems


def _close(a: float, b: float, rtol: float, atol: float) -> tuple[bool, float]:
    """``a`` (serostudy) against ``b`` (R); NaN/None match each other, infinities match
    infinities of the same sign; returns (close, relative difference)."""
    if math.isnan(a) and math.isnan(b):
        return True, 0.0
    if math.isnan(a) or math.isnan(b):
        return False, math.inf
    if math.isinf(a) or math.isinf(b):
        return a == b, (0.0 if a == b else math.inf)
    diff = abs(a - b)
    rel = diff / abs(b) if b != 0 else (0.0 if diff == 0 else math.inf)
    return diff <= rtol * abs(b) + atol, rel


def compare(ref: dict, table: dict, records: list[dict], *, cli: bool = False) -> Outcome:
    """Compare serostudy's records with R's reference rows of one table."""
    out = Outcome(table_id(ref, table))
    index: dict[tuple, dict] = {}
    for r in records:
        index[(r["variable"], r["statistic"], r["group"], r["level"], r["term"])] = r
        # every interval contains its estimate; every p is in [0, 1]
        est, lo, hi, p = (_num(r.get(k)) for k in ("estimate", "ci_low", "ci_high", "pvalue"))
        if not math.isnan(p) and not 0 <= p <= 1:
            out.problems.append(f"{r['variable']} {r['statistic']}: p = {p} outside [0, 1]")
        if not (math.isnan(est) or math.isnan(lo) or math.isnan(hi)):
            slack = 1e-9 * max(1.0, abs(est))
            if not (lo - slack <= est <= hi + slack):
                out.problems.append(f"{r['variable']} {r['statistic']}: interval [{lo}, {hi}] excludes {est}")
    for row in table["records"]:
        var, stat, group, level, term, flag = row[0], row[1], row[2], row[3], row[4], row[10]
        if cli and stat == "smd":
            continue  # the CLI table has no SMD column unless --smd
        key = (var, stat, group, level, term)
        if flag in ("not_computed_in_r", "zero_cell_sample_or"):
            out.not_compared += 1
            continue
        got = index.get(key)
        want = {name: _num(row[i]) for name, i in FIELDS}
        if got is None:
            if all(math.isnan(v) for v in want.values()):
                out.compared += 1  # R has nothing either (e.g. no test with n < 2)
                continue
            out.problems.append(f"{var} {stat} group={group} level={level} term={term}: no such record")
            continue
        if flag in ("r_error", "undefined"):
            out.compared += 1
            if not math.isnan(_num(got["estimate"])):
                out.problems.append(f"{var} {stat}: R cannot compute it, serostudy gave {got['estimate']}")
            continue
        scale = max([abs(v) for v in want.values() if math.isfinite(v)] + [0.0])
        for name, _ in FIELDS:
            if flag == "ci_excludes_estimate" and name in ("ci_low", "ci_high"):
                continue
            w, g = want[name], _num(got.get(name))
            if cli and g != g and math.isinf(w):
                g = w  # results.json writes infinite bounds as null
            if name == "df" and math.isnan(w):
                continue  # R gives no df (exact tests); serostudy may say n - 2 etc.
            rtol = RTOL_DESCRIPTIVE if stat in DESCRIPTIVE else RTOL_TEST
            if flag == "r_pt_normal_approx" and name in ("ci_low", "ci_high"):
                rtol = RTOL_R_PT_APPROX
            hl_step = stat == "hl_shift" and name in ("ci_low", "ci_high")
            if name == "pvalue" and "Monte Carlo" in (got.get("method") or ""):
                r_mc = R_MONTE_CARLO.get((ref["dataset"], table.get("by"), var))
                if r_mc is not None:
                    w = r_mc
                rtol, atol = 0.0, monte_carlo_atol(w, b_reference=R_MONTE_CARLO_B if r_mc is not None else None)
            if cli:
                rtol = max(rtol, 1e-11)  # results.json keeps 12 significant digits
            if not (name == "pvalue" and "Monte Carlo" in (got.get("method") or "")):
                # p-values: absolute tolerance the smallest normal double (2.2e-308): below
                # it R's pt returns subnormals with a few significant digits (sm_fair:
                # Spearman rho 0.88, n = 993, R p = 3.986e-319) where scipy gives 0
                atol = sys.float_info.min if name == "pvalue" else 1e-12 * scale
                unit = _unit_r_atol(want["estimate"], want["df"]) if stat in ("pearson_r", "spearman_rho") else None
                if name == "pvalue" and unit is not None:
                    atol = unit
            ok, rel = _close(g, w, rtol, atol)
            if not ok and hl_step and abs(g - w) <= HL_UNIROOT_TOL:
                ok = True
            out.compared += 1
            label = f"{stat}.{name}" if name != "estimate" else stat
            if math.isfinite(rel) and math.isfinite(w):
                out.maxrel[label] = max(out.maxrel.get(label, 0.0), rel)
            if not ok:
                out.problems.append(
                    f"{var} {stat} group={group} level={level} term={term} {name}: serostudy {g!r}, R {w!r}"
                    + (f" [{flag}]" if flag else "")
                )
    return out


def sweep_dataset(name: str, *, kinds: tuple[str, ...] = ("table1", "table2"), variants=None) -> list[Outcome]:
    """Every table of one dataset through the public API."""
    ref = reference(name)
    df = frame(name)
    outs = []
    for table in ref["tables"]:
        if table["kind"] not in kinds or (variants and table["kind"] == "table1" and table["variant"] not in variants):
            continue
        try:
            records = run_api(df, ref, table)
        except Exception as exc:  # noqa: BLE001 - a crash is what the sweep reports
            outs.append(Outcome(table_id(ref, table), error=f"{type(exc).__name__}: {exc}"[:500]))
            continue
        outs.append(compare(ref, table, records))
    return outs


def summary(outcomes: list[Outcome]) -> str:
    tables = len(outcomes)
    done = sum(o.error is None for o in outcomes)
    compared = sum(o.compared for o in outcomes)
    bad = sum(len(o.problems) for o in outcomes)
    lines = [f"tables {tables}, completed {done}, numbers compared {compared}, mismatches {bad}, "
             f"not compared {sum(o.not_compared for o in outcomes)}"]
    maxrel: dict[str, float] = {}
    for o in outcomes:
        for k, v in o.maxrel.items():
            maxrel[k] = max(maxrel.get(k, 0.0), v)
    lines += [f"  max rel diff {k:28s} {v:.2e}" for k, v in sorted(maxrel.items())]
    return "\n".join(lines)
