"""Seeded generator of the synthetic demo cohort (shipped as ``data/demo/participants.csv``).

The cohort is shaped after Baradaran et al. 2025 (see ``shared/seed``): 35 NMOSD patients
and 53 healthy controls.  It is *synthetic*: no row is a real person.

How
---
The cohort comes from the audit's synthesizer, :func:`serostudy.audit.synthesize`, run on
the seed paper's printed summary (``data/audit/baradaran2025.yaml``, via
:func:`serostudy.audit.load_seed`) with one derivation (:func:`derivations`): the B12
categories are cut from the B12 values at 21 and 123 pmol/L (``low < 21``, ``high >
123``), so the printed category counts are met by the values themselves.  The
synthesizer gives exact sample means and SDs, printed minima and maxima, the printed
grid (whole years of age, EDSS half steps), lognormal B12 and the printed correlations
through a Gaussian copula (see its docstring and ``docs/audit.md``).  This module then
adds what the paper does not print and puts each column on the precision it is stored
with:

* B12 to one decimal (values were kept 0.1 away from the cut-offs, so no category
  changes), disease duration to one decimal, BMI to two, then single values moved by
  one unit (staying in their category, inside the printed min/max) until mean and SD
  round to the printed values again;
* EDSS: the scale has no step 0.5 (0, 1.0, 1.5, ..., 10), so a synthesized 0.5 becomes 0
  or 1.0 (alternately) and values are moved by half or whole steps until mean and SD
  round to the printed 1.9 +- 1.6;
* disease durations are exchanged between patients (partner: the nearest B12) until
  every age at onset is at least 12 years; ``age_at_onset = age - disease_duration``;
* relapse counts over follow-up = disease duration: each count is the synthesized ARR
  x duration rounded down or up (at most 3 per year), chosen so that ARR = relapses /
  follow-up has mean and SD rounding to the printed 0.6 +- 0.7 and the B12-ARR r stays
  near the printed -0.284.

Seeds ``seed, seed + 1, ...`` are passed to ``synthesize`` in order; the first draw is
kept whose synthesizer report leaves no consistent cell unmatched, whose final columns
round as printed, whose within-patient correlations with B12 fall within ``R_TOL`` of
``R_TARGET``, and in which the demo's control matching (age within sex, nearest and
frequency) brings the age SMD below 0.1 and 2:1 matching leaves a choice of controls --
the demo shows matching.  So the result is a
deterministic function of ``seed`` (``DemoCohort.seed_used`` says which draw).

What is matched
---------------
* n per group and sex counts (12/23 and 20/33): exactly.
* Age (whole years): mean and SD round to 42.1 +- 12.1 and 46.1 +- 16.2; minimum and
  maximum are the printed 18-74 and 18-80.
* Serum B12 (pmol/L, one decimal): mean and SD round to 55.4 +- 29.7 and 59.3 +- 37.2; the
  values give the printed category counts 1/32/1 and 2/45/2.  Those add up to 34 and 49,
  not 35 and 53, so B12 is missing for 1 patient and 4 controls (the paper does not say
  why; here: "sample not assayed").  Who lacks a value is chosen so that the printed
  B12-by-sex means of the patients (53.3 and 56.6) still pool to 55.4.
* Patients: disease duration 5.3 +- 4.1 (2-19 y), BMI 25.34 +- 4.12 (18.75-34.69), EDSS
  1.9 +- 1.6 (0-7), ARR 0.6 +- 0.7 (at most 3) -- mean and SD round to the printed values,
  min and max as printed.  Correlations with B12 near the printed r (ARR -0.284 within
  0.03; EDSS -0.238, duration 0.227, age 0.07, BMI -0.03 within ``R_TOL``).

Printed cells that contradict each other and are not matched (the synthesizer's report,
from the audit of the seed paper):

* mean age at onset 34.9: mean age 42.1 minus mean duration 5.3 is 36.8 (onset is
  derived here, so it is the identity that holds, not the printed onset);
* Table 2's age row (43.1 +- 12.1, 18-74, printed the same for controls) differs from
  Table 1's;
* the B12 category percentages 2.8% and 94.2% (patients) fit neither 35 nor 34, and the
  categories' p = 0.99;
* the B12 t-test p = 0.99 (the summaries give p about 0.58-0.61);
* the correlation p-values 0.12 (duration), 0.04 (ARR), 0.72 (age), 0.78 (onset, BMI):
  with the printed r and n = 35 they are 0.19, 0.10, 0.67-0.71 and 0.84-0.89;
* B12 by sex: the printed subgroup SDs (about 24) do not pool to the overall SDs 29.7 and
  37.2, the controls' subgroup means (54.3, 62.7) do not pool to 59.3, and the two
  by-sex p-values do not follow;
* EDSS's p = 0.08 is the one-sided p for n = 35; with B12 for 34 patients it is not
  reached (the synthesizer reports it as "not reached with 34 complete pairs").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_SEED = 20201
R_TARGET = {"arr": -0.284, "edss": -0.238, "disease_duration": 0.227, "age": 0.07, "bmi": -0.03}
R_TOL = {"arr": 0.03, "edss": 0.05, "disease_duration": 0.05, "age": 0.08, "bmi": 0.08}
MAX_TRIES = 50
B12_LOW, B12_HIGH = 21.0, 123.0
MIN_ONSET_AGE = 12.0

# Printed values the post-processing keeps (they are also in the seed summary file)
_PRINTED = {
    ("nmosd", "b12_pmol_l"): (55.4, 29.7, 1), ("control", "b12_pmol_l"): (59.3, 37.2, 1),
    ("nmosd", "disease_duration"): (5.3, 4.1, 1), ("nmosd", "bmi"): (25.34, 4.12, 2),
    ("nmosd", "edss"): (1.9, 1.6, 1), ("nmosd", "arr"): (0.6, 0.7, 1),
}
_ARR_MAX = 3.0


@dataclass(frozen=True)
class DemoCohort:
    """The demo cohort and how it was made.

    Attributes
    ----------
    data
        One row per participant (columns as in ``data/demo/participants.csv`` plus
        ``b12_pmol_l``).
    seed
        The seed asked for.
    seed_used
        The seed passed to :func:`serostudy.audit.synthesize` for the kept draw
        (``seed``, ``seed + 1``, ...: the first whose demo checks all pass).
    correlations
        Pearson r of B12 with ARR, EDSS, disease duration, age and BMI in the patients.
    """

    data: pd.DataFrame
    seed: int
    seed_used: int
    correlations: dict[str, float]


def derivations() -> dict:
    """The derivation spec passed to :func:`serostudy.audit.synthesize`: B12 categories
    cut from the B12 values at 21 and 123 pmol/L (values kept 0.1 away from the cut-offs,
    so rounding to one decimal cannot change a category)."""
    from serostudy.audit import DerivedCategory

    return {"b12_category": DerivedCategory("b12_pmol_l", (B12_LOW, B12_HIGH), clearance=0.1)}


def _rounds_to(value: float, printed: float, decimals: int) -> bool:
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP) == Decimal(repr(printed)).quantize(q)


def _moments_ok(x: np.ndarray, mean: float, sd: float, d: int) -> bool:
    return _rounds_to(x.mean(), mean, d) and _rounds_to(x.std(ddof=1), sd, d)


def _repair(x: np.ndarray, mean: float, sd: float, printed_decimals: int, unit: float,
            allowed: Callable[[int, float], bool], rng: np.random.Generator, *, pinned: tuple[int, ...] = (),
            steps: tuple[int, ...] = (1, -1)) -> np.ndarray | None:
    """Move single values by whole ``unit`` steps (each staying ``allowed``) until mean
    and SD round to the printed values; ``None`` if that fails."""
    d = max(0, -int(math.floor(math.log10(unit) + 1e-9)))
    x = np.round(x.astype(float), d)
    free = np.array([i for i in range(len(x)) if i not in pinned])

    def loss(v: np.ndarray) -> float:
        return (v.mean() - mean) ** 2 + (v.std(ddof=1) - sd) ** 2

    for _ in range(5000):
        if _moments_ok(x, mean, sd, printed_decimals):
            return x
        i = int(rng.choice(free))
        best = None
        for k in steps:
            y = x.copy()
            y[i] = round(y[i] + k * unit, d)
            if allowed(i, float(y[i])) and (best is None or loss(y) < loss(best)):
                best = y
        if best is not None and loss(best) < loss(x):
            x = best
    return None


def _b12_category(v: float) -> int:
    return 0 if v < B12_LOW else (2 if v > B12_HIGH else 1)


def _round_b12(x: np.ndarray, group: str, rng: np.random.Generator) -> np.ndarray | None:
    """B12 to one decimal, each value in its category, mean and SD as printed."""
    out = x.copy()
    ok = ~np.isnan(x)
    v = x[ok]
    cat = np.array([_b12_category(float(a)) for a in v])
    mean, sd, d = _PRINTED[(group, "b12_pmol_l")]
    r = _repair(v, mean, sd, d, 0.1, lambda i, a: a > 0 and _b12_category(a) == cat[i], rng)
    if r is None:
        return None
    out[ok] = r
    return out


def _separate_onset(age: np.ndarray, dur: np.ndarray, b12: np.ndarray) -> np.ndarray | None:
    """Swap durations between patients until every age at onset is >= MIN_ONSET_AGE (+0.1
    for rounding); the partner is the patient with the nearest B12, so the B12-duration
    correlation barely moves."""
    dur = dur.copy()
    key = np.where(np.isnan(b12), np.nanmean(b12), b12)
    lim = MIN_ONSET_AGE + 0.1
    for _ in range(len(dur)):
        bad = np.flatnonzero(age - dur < lim)
        if bad.size == 0:
            return dur
        i = int(bad[0])
        cands = [j for j in range(len(dur)) if j != i and age[i] - dur[j] >= lim and age[j] - dur[i] >= lim]
        if not cands:
            return None
        j = min(cands, key=lambda j: abs(key[j] - key[i]))
        dur[i], dur[j] = dur[j], dur[i]
    return dur if np.all(age - dur >= lim) else None


def _edss_on_scale(e: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """EDSS on the scale's steps (0, 1.0, 1.5, ..., 10: no 0.5), mean and SD as printed.

    A 0.5 becomes 0 or 1.0 alternately (keeping the sum), then single values move by
    half or whole steps until mean and SD round right; minimum and maximum stay."""
    e = e.copy()
    halves = np.flatnonzero(e == 0.5)
    for k, i in enumerate(halves):
        e[i] = 0.0 if k % 2 == 0 else 1.0
    lo, hi = float(e.min()), float(e.max())
    pinned = (int(np.argmin(e)), int(np.argmax(e)))
    mean, sd, d = _PRINTED[("nmosd", "edss")]
    return _repair(e, mean, sd, d, 0.5, lambda i, a: lo <= a <= hi and a != 0.5, rng, pinned=pinned,
                   steps=(1, -1, 2, -2))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _relapses(arr: np.ndarray, dur: np.ndarray, b12: np.ndarray) -> np.ndarray:
    """Whole relapse counts over follow-up = duration, from the synthesized ARR.

    Each count is ``arr * duration`` rounded down or up (never more than 3 per year of
    follow-up); it starts at the nearest whole number and single counts are then moved
    to the other of the two while that brings ARR's mean and SD to the printed 0.6 and
    0.7 and the B12-ARR correlation closer to the printed r."""
    expected = arr * dur
    lo = np.floor(expected)
    hi = np.minimum(np.ceil(expected), np.floor(_ARR_MAX * dur + 1e-9))
    k = np.clip(np.floor(expected + 0.5), lo, hi)
    mean, sd, d = _PRINTED[("nmosd", "arr")]

    def score(c: np.ndarray) -> float:
        a = c / dur
        pen = 0.0 if _rounds_to(a.mean(), mean, d) else 1.0 + abs(a.mean() - mean)
        pen += 0.0 if _rounds_to(a.std(ddof=1), sd, d) else 1.0 + abs(a.std(ddof=1) - sd)
        return pen + abs(_corr(b12, a) - R_TARGET["arr"])

    best = score(k)
    improved = True
    while improved:
        improved = False
        for i in range(len(k)):
            if lo[i] == hi[i]:
                continue
            c = k.copy()
            c[i] = hi[i] if k[i] == lo[i] else lo[i]
            s = score(c)
            if s < best - 1e-12:
                k, best, improved = c, s, True
    return k.astype(int)


def _patients(d: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray] | None:
    age = d["age_years"].to_numpy(dtype=float)
    b12 = _round_b12(d["b12_pmol_l"].to_numpy(dtype=float), "nmosd", rng)
    dur = _separate_onset(age, d["disease_duration_years"].to_numpy(dtype=float), d["b12_pmol_l"].to_numpy(dtype=float))
    if b12 is None or dur is None:
        return None
    mean, sd, dd = _PRINTED[("nmosd", "disease_duration")]
    lo, hi = float(dur.min()), float(dur.max())
    pinned = (int(np.argmin(dur)), int(np.argmax(dur)))
    dur = _repair(dur, mean, sd, dd, 0.1, lambda i, a: lo <= a <= hi and age[i] - a >= MIN_ONSET_AGE, rng, pinned=pinned)
    bmi = d["bmi"].to_numpy(dtype=float)
    mean, sd, dd = _PRINTED[("nmosd", "bmi")]
    blo, bhi = float(bmi.min()), float(bmi.max())
    bmi = _repair(bmi, mean, sd, dd, 0.01, lambda i, a: blo < a < bhi, rng,
                  pinned=(int(np.argmin(bmi)), int(np.argmax(bmi))))
    edss = _edss_on_scale(d["edss"].to_numpy(dtype=float), rng)
    if dur is None or bmi is None or edss is None:
        return None
    relapses = _relapses(d["arr"].to_numpy(dtype=float), dur, b12)
    return {"age": age, "b12": b12, "disease_duration": dur, "bmi": bmi, "edss": edss, "relapses": relapses,
            "arr": relapses / dur}


def generate(seed: int = DEFAULT_SEED) -> DemoCohort:
    """Generate the demo cohort (deterministic in ``seed``); see the module docstring.

    Validated by ``tests/core/test_demo_data.py`` (n, sex counts, printed means/SDs,
    B12 categories from the values, B12-ARR r, EDSS steps) and, for the synthesizer,
    ``tests/audit/test_synth.py``.

    Examples
    --------
    >>> c = generate()  # doctest: +SKIP
    >>> c.data.groupby("group").size().to_dict()  # doctest: +SKIP
    {'control': 53, 'nmosd': 35}
    """
    from serostudy.audit import audit, load_seed, synthesize

    summary = load_seed()
    report = audit(summary)
    spec = derivations()
    for k in range(MAX_TRIES):
        res = synthesize(summary, seed=seed + k, report=report, derived=spec)
        if any(not c.matched and not c.contradicted and "complete pairs" not in c.reason for c in res.cells):
            continue
        rng = np.random.default_rng([seed, k])
        d = res.data
        pat = _patients(d[d.group == "nmosd"].reset_index(drop=True), rng)
        if pat is None:
            continue
        ctl = d[d.group == "control"].reset_index(drop=True)
        b12_c = _round_b12(ctl["b12_pmol_l"].to_numpy(dtype=float), "control", rng)
        if b12_c is None:
            continue
        corr = {c: _corr(pat["b12"], pat[c]) for c in R_TARGET}
        if not all(abs(corr[c] - R_TARGET[c]) <= R_TOL[c] for c in R_TARGET):
            continue
        if not (_moments_ok(pat["arr"], *_PRINTED[("nmosd", "arr")]) and pat["arr"].max() <= _ARR_MAX):
            continue
        data = _assemble(d[d.group == "nmosd"].reset_index(drop=True), pat, ctl, b12_c)
        if not _matching_balances(data, seed):
            continue
        return DemoCohort(data=data, seed=seed, seed_used=seed + k, correlations=corr)
    raise RuntimeError(f"no seed within {MAX_TRIES} tries met the targets")  # pragma: no cover


def _matching_balances(data: pd.DataFrame, seed: int) -> bool:
    """The demo shows control matching (age within sex): keep a draw where nearest 1:1 and
    frequency matching bring the age SMD below 0.1 (and keep sex balanced, SMD < 0.1), and
    where 2:1 nearest matching is not forced (another seed picks other controls)."""
    from serostudy.clinical import match_controls

    kw: dict[str, Any] = dict(id_column="id", group_column="group", case="nmosd", control="control", age="age",
                              sex="sex")  # keyword arguments of match_controls()
    for method in ("nearest", "frequency"):
        bal = match_controls(data, method=method, seed=seed, **kw).balance.set_index("variable")
        if not (bal.loc["age", "smd_after"] < 0.1 and bal.loc["sex", "smd_after"] < 0.1):
            return False
    picks = {tuple(match_controls(data, method="nearest", ratio=2, seed=seed + j, **kw).selected_controls)
             for j in range(3)}
    return len(picks) > 1


def _assemble(nm: pd.DataFrame, pat: dict[str, np.ndarray], ctl: pd.DataFrame, b12_c: np.ndarray) -> pd.DataFrame:
    rows = []
    for i in range(len(nm)):
        b = float(pat["b12"][i])
        dur = float(pat["disease_duration"][i])
        age = int(pat["age"][i])
        rows.append({
            "id": f"P{i + 1:03d}", "group": "nmosd", "age": age, "sex": str(nm.at[i, "sex"]),
            "b12_pmol_l": None if math.isnan(b) else b,
            "bmi": float(pat["bmi"][i]), "age_at_onset": round(age - dur, 1), "disease_duration": dur,
            "relapses": int(pat["relapses"][i]), "follow_up_years": dur, "edss": float(pat["edss"][i]),
        })
    for i in range(len(ctl)):
        b = float(b12_c[i])
        rows.append({"id": f"C{i + 1:03d}", "group": "control", "age": int(ctl.at[i, "age_years"]),
                     "sex": str(ctl.at[i, "sex"]), "b12_pmol_l": None if math.isnan(b) else b})
    return pd.DataFrame(rows)


def to_csv_text(df: pd.DataFrame) -> str:
    """The exact text of a shipped CSV: fixed decimals per column, ``\\n`` line ends."""
    out = df.copy()
    decimals = {"b12_pmol_l": 1, "disease_duration": 1, "follow_up_years": 1, "age_at_onset": 1, "edss": 1,
                "bmi": 2, "relapses": 0, "age": 0}
    for c, d in decimals.items():
        if c in out.columns:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else (str(int(v)) if d == 0 else f"{v:.{d}f}"))
    return out.to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    cohort = generate()
    target = Path(__file__).resolve().parent.parent / "data" / "demo" / "participants.csv"
    target.write_text(to_csv_text(cohort.data), encoding="utf-8")
    print(f"wrote {target} (seed {cohort.seed}, try {cohort.seed_used}, r = {cohort.correlations})", file=sys.stderr)
