"""Seeded generator of the synthetic demo cohort (shipped as ``data/demo/participants.csv``).

The cohort is shaped after Baradaran et al. 2025 (see ``shared/seed``): 35 NMOSD patients
and 53 healthy controls.  It is *synthetic*: no row is a real person.

What is matched, and how
------------------------
* n per group and sex counts (12/23 and 20/33): exactly.
* Age (integer years): mean and SD round to the printed 42.1 +- 12.1 (patients) and
  46.1 +- 16.2 (controls); minimum and maximum equal the printed 18-74 and 18-80.
* Serum B12 (pmol/L, one decimal): mean and SD round to 55.4 +- 29.7 and 59.3 +- 37.2,
  with the printed category counts (<21 / 21-123 / >123): 1/32/1 and 2/45/2.  Those
  counts add up to 34 and 49, not 35 and 53, so B12 is missing for 1 patient and 4
  controls (the paper does not say why; here: "sample not assayed").
* Within patients: disease duration (one decimal, 2-19 y, 5.3 +- 4.1), BMI (two
  decimals, 18.75-34.69, 25.34 +- 4.12), EDSS (0-7 in steps of 0.5, near 1.9 +- 1.6),
  relapse counts over follow-up = disease duration, so ARR = relapses / follow-up has a
  mean near 0.6.  Correlations with B12 near the printed r (ARR -0.284, EDSS -0.238,
  duration 0.227; age, onset and BMI near 0).
* Age at onset is *derived* as age - disease duration.  The printed means contradict
  this identity (42.1 - 5.3 = 36.8, printed onset 34.9), so onset is the one not
  matched; the audit of the seed paper reports the contradiction.
* B12 by sex within each group is not matched: the printed by-sex SDs (about 24) cannot
  pool to the printed overall SD 29.7 with these means.

Method
------
A Gaussian copula gives the dependence (a target correlation matrix, standard normal
draws); each margin is mapped by quantiles (lognormal for B12, gamma for duration,
Poisson for relapse counts); continuous margins are then moved by the smallest
least-squares change that gives the printed mean and SD exactly within their bounds and
categories (SLSQP), rounded to the printed precision, and nudged unit by unit until the
rounded summaries equal the printed ones.  Seeds ``seed, seed+1, ...`` are tried in
order; the first whose within-patient correlations fall within the tolerances
(``R_TOL``) is kept, so the result is a deterministic function of ``seed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import optimize, stats

DEFAULT_SEED = 20201
R_TARGET = {"arr": -0.284, "edss": -0.238, "disease_duration": 0.227, "age": 0.07, "bmi": -0.03}
R_TOL = {"arr": 0.03, "edss": 0.05, "disease_duration": 0.05, "age": 0.08, "bmi": 0.08}
MAX_TRIES = 400

# Printed targets (published-summary.yaml)
_AGE = {"nmosd": (42.1, 12.1, 18, 74), "control": (46.1, 16.2, 18, 80)}
_B12 = {"nmosd": (55.4, 29.7), "control": (59.3, 37.2)}
_B12_COUNTS = {"nmosd": (1, 32, 1), "control": (2, 45, 2)}
_MALES = {"nmosd": 12, "control": 20}
_N = {"nmosd": 35, "control": 53}
_DURATION = (5.3, 4.1, 2.0, 19.0)
_BMI = (25.34, 4.12, 18.75, 34.69)
_EDSS = (1.9, 1.6, 0.0, 7.0)
_ARR_MEAN = 0.6
B12_LOW, B12_HIGH = 21.0, 123.0


@dataclass(frozen=True)
class DemoCohort:
    data: pd.DataFrame
    seed: int
    seed_used: int
    correlations: dict[str, float]


def _rounds_to(value: float, printed: float, decimals: int) -> bool:
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP) == Decimal(repr(printed)).quantize(q)


def _exact_moments(x0: np.ndarray, mean: float, sd: float, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Smallest least-squares move of ``x0`` giving sample mean ``mean`` and SD ``sd``."""
    n = len(x0)

    def cons_mean(x):
        return x.mean() - mean

    def cons_sd(x):
        return x.std(ddof=1) - sd

    res = optimize.minimize(
        lambda x: np.sum((x - x0) ** 2) / n,
        np.clip(x0, lb, ub),
        jac=lambda x: 2 * (x - x0) / n,
        constraints=[{"type": "eq", "fun": cons_mean}, {"type": "eq", "fun": cons_sd}],
        bounds=list(zip(lb, ub)),
        method="SLSQP",
        options={"maxiter": 500, "ftol": 1e-12},
    )
    return res.x


def _round_and_repair(
    x: np.ndarray, mean: float, sd: float, lb: np.ndarray, ub: np.ndarray, decimals: int, rng: np.random.Generator,
    *, printed_decimals: int = 1, pinned: tuple[int, ...] = (),
) -> np.ndarray:
    """Round to ``decimals`` and nudge by one unit until mean and SD round to the printed values."""
    unit = 10.0 ** (-decimals)
    x = np.round(x, decimals)
    free = np.array([i for i in range(len(x)) if i not in pinned])

    def ok(v):
        return _rounds_to(v.mean(), mean, printed_decimals) and _rounds_to(v.std(ddof=1), sd, printed_decimals)

    def loss(v):
        return (v.mean() - mean) ** 2 + (v.std(ddof=1) - sd) ** 2

    for _ in range(5000):
        if ok(x):
            return x
        i = int(rng.choice(free))
        best = None
        for step in (unit, -unit):
            y = x.copy()
            y[i] = round(y[i] + step, decimals)
            if lb[i] - 1e-9 <= y[i] <= ub[i] + 1e-9 and (best is None or loss(y) < loss(best)):
                best = y
        if best is not None and loss(best) < loss(x):
            x = best
    raise RuntimeError("could not match the printed mean and SD after rounding")  # pragma: no cover


def _age(z: np.ndarray, group: str, rng: np.random.Generator) -> np.ndarray:
    mean, sd, lo, hi = _AGE[group]
    x0 = mean + sd * z
    order = np.argsort(x0)
    lb = np.full(len(z), lo + 1.0)
    ub = np.full(len(z), hi - 1.0)
    lb[order[0]] = ub[order[0]] = lo  # printed minimum and maximum are attained
    lb[order[-1]] = ub[order[-1]] = hi
    x = _exact_moments(x0, mean, sd, lb, ub)
    return _round_and_repair(x, mean, sd, lb, ub, 0, rng, pinned=(int(order[0]), int(order[-1])))


def _b12(z: np.ndarray, group: str, rng: np.random.Generator) -> np.ndarray:
    mean, sd = _B12[group]
    n_low, n_norm, n_high = _B12_COUNTS[group]
    s2 = math.log(1 + (sd / mean) ** 2)
    dist = stats.lognorm(s=math.sqrt(s2), scale=math.exp(math.log(mean) - s2 / 2))
    n = len(z)
    order = np.argsort(z)
    lb = np.full(n, B12_LOW)
    ub = np.full(n, B12_HIGH)
    lb[order[:n_low]], ub[order[:n_low]] = 5.0, B12_LOW - 0.5
    lb[order[n - n_high:]], ub[order[n - n_high:]] = B12_HIGH + 0.5, 250.0
    # start inside each category: the member's relative position mapped into the
    # lognormal's probability mass between the category bounds (no piling at a bound)
    x0 = np.empty(n)
    for members in (order[:n_low], order[n_low:n - n_high], order[n - n_high:]):
        if len(members) == 0:
            continue
        zz = z[members]
        pos = (zz - zz.min()) / (np.ptp(zz) or 1.0) if len(members) > 1 else np.full(1, 0.5)
        pos = 0.03 + 0.94 * pos
        a, b = dist.cdf(lb[members[0]]), dist.cdf(ub[members[0]])
        x0[members] = dist.ppf(a + pos * (b - a))
    x = _exact_moments(x0, mean, sd, lb, ub)
    return _round_and_repair(x, mean, sd, lb, ub, 1, rng)


def _b12_with_missing(z: np.ndarray, group: str, rng: np.random.Generator) -> np.ndarray:
    """B12 for the participants with a measurement; NaN for the rest (chosen at random)."""
    n = len(z)
    measured = sum(_B12_COUNTS[group])
    out = np.full(n, np.nan)
    keep = np.sort(rng.choice(n, size=measured, replace=False))
    out[keep] = _b12(z[keep], group, rng)
    return out


def _bounded_gamma(z: np.ndarray, mean: float, sd: float, lo: float, hi: float) -> np.ndarray:
    shape = ((mean - lo) / sd) ** 2
    scale = sd**2 / (mean - lo)
    return np.clip(lo + stats.gamma.ppf(stats.norm.cdf(z), shape, scale=scale), lo, hi)


def _patients(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    n = _N["nmosd"]
    names = ["b12", "age", "disease_duration", "edss", "arr", "bmi"]
    r = np.eye(len(names))

    def setr(a, b, v):
        i, j = names.index(a), names.index(b)
        r[i, j] = r[j, i] = v

    for k, v in R_TARGET.items():
        setr("b12", k, v)
    setr("edss", "disease_duration", 0.35)
    setr("edss", "arr", 0.30)
    setr("age", "disease_duration", 0.25)
    # exact sample correlation of the latent normals: whiten the draws, then colour them
    z = rng.standard_normal((n, len(names)))
    z = z - z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    z = z @ np.linalg.cholesky(r).T
    zc = {k: z[:, i] for i, k in enumerate(names)}
    b12 = _b12_with_missing(zc["b12"], "nmosd", rng)
    age = _age(zc["age"], "nmosd", rng)
    m, s, lo, hi = _DURATION
    dur0 = _bounded_gamma(zc["disease_duration"], m, s, lo, hi)
    dur0 = np.minimum(dur0, age - 12)  # onset at 12 years or later
    lb, ub = np.full(n, lo), np.minimum(hi, age - 12)
    dur = _round_and_repair(_exact_moments(dur0, m, s, lb, ub), m, s, lb, ub, 1, rng)
    m, s, lo, hi = _BMI
    bmi0 = np.clip(m + s * zc["bmi"], lo + 0.01, hi - 0.01)
    o = np.argsort(bmi0)
    lb, ub = np.full(n, lo + 0.01), np.full(n, hi - 0.01)
    lb[o[0]] = ub[o[0]] = lo
    lb[o[-1]] = ub[o[-1]] = hi
    bmi = _round_and_repair(_exact_moments(bmi0, m, s, lb, ub), m, s, lb, ub, 2, rng, printed_decimals=2,
                            pinned=(int(o[0]), int(o[-1])))
    m, s, lo, hi = _EDSS
    edss = np.clip(np.round(_bounded_gamma(zc["edss"], m, s, lo, hi) * 2) / 2, lo, hi)
    edss = np.where(edss == 0.5, 1.0, edss)  # the EDSS has no step 0.5 (0, 1.0, 1.5, ..., 10)
    # relapses: Poisson count over follow-up (= disease duration), individual rate from the copula
    rate = 0.8 * _ARR_MEAN * np.exp(0.5 * zc["arr"] - 0.125)
    relapses = stats.poisson.ppf(stats.norm.cdf(zc["arr"]), rate * dur)
    relapses = relapses.astype(int)
    arr = relapses / dur
    cols = {"b12": b12, "age": age, "disease_duration": dur, "bmi": bmi, "edss": edss, "relapses": relapses, "arr": arr}
    ok = ~np.isnan(b12)
    corr = {
        k: float(np.corrcoef(b12[ok], cols[k][ok])[0, 1]) for k in ("arr", "edss", "disease_duration", "age", "bmi")
    }
    return cols, corr


def generate(seed: int = DEFAULT_SEED) -> DemoCohort:
    """Generate the demo cohort (deterministic in ``seed``); see the module docstring."""
    for k in range(MAX_TRIES):
        rng = np.random.default_rng([seed, k])
        try:
            pat, corr = _patients(rng)
        except RuntimeError:
            continue
        arr = pat["arr"]
        if not all(abs(corr[c] - R_TARGET[c]) <= R_TOL[c] for c in R_TARGET):
            continue
        if not (_rounds_to(arr.mean(), _ARR_MEAN, 1) and arr.max() <= 3.0):
            continue
        return DemoCohort(data=_assemble(pat, rng), seed=seed, seed_used=k, correlations=corr)
    raise RuntimeError(f"no seed within {MAX_TRIES} tries met the targets")  # pragma: no cover


def _assemble(pat: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for group, prefix in (("nmosd", "P"), ("control", "C")):
        n = _N[group]
        males = np.zeros(n, dtype=bool)
        males[rng.permutation(n)[: _MALES[group]]] = True
        if group == "nmosd":
            cols = dict(pat)
        else:
            z = rng.standard_normal((n, 2))
            cols = {"b12": _b12_with_missing(z[:, 0], "control", rng), "age": _age(z[:, 1], "control", rng)}
        for i in range(n):
            row = {
                "id": f"{prefix}{i + 1:03d}",
                "group": group,
                "age": int(cols["age"][i]),
                "sex": "male" if males[i] else "female",
            }
            b = float(cols["b12"][i])
            row["b12_pmol_l"] = None if math.isnan(b) else b
            if group == "nmosd":
                dur = float(cols["disease_duration"][i])
                row.update(
                    bmi=float(cols["bmi"][i]),
                    age_at_onset=round(int(cols["age"][i]) - dur, 1),
                    disease_duration=dur,
                    relapses=int(cols["relapses"][i]),
                    follow_up_years=dur,
                    edss=float(cols["edss"][i]),
                )
            rows.append(row)
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
