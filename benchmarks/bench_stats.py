"""Benchmark: serostudy.stats against the scipy calls a Python user would otherwise make.

Side by side in one process, same data:

* Mann-Whitney at 10^4 and 10^6 rows per group: ``serostudy.stats.mannwhitney``
  (p-value only, and with the Hodges-Lehmann estimate and CI, which scipy does not
  offer) vs ``scipy.stats.mannwhitneyu(method="asymptotic")``;
* Fisher-Freeman-Halton on a 4 x 3 table, n = 200: our exact enumeration vs scipy's
  ``fisher_exact`` (r x c: Monte Carlo, 9999 draws, so not exact);
* Pearson / Spearman at 10^6 pairs vs ``scipy.stats.pearsonr`` / ``spearmanr``.

    .venv/bin/python benchmarks/bench_stats.py [--big 1000000] [--seed 1]

Prints times and the ratio ours / scipy (below 1 = faster).  Not run by the tests.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from scipy import stats as sps

from serostudy import stats


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def row(label: str, ours: float, theirs: float, note: str = "") -> None:
    print(f"{label:<46} ours {ours:8.3f}s  scipy {theirs:8.3f}s  ratio {ours / theirs:6.2f}  {note}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    for n in (10_000, args.big):
        x = rng.lognormal(4.0, 0.6, n)
        y = rng.lognormal(4.05, 0.6, n)
        t_sc, ref = timed(lambda: sps.mannwhitneyu(x, y, method="asymptotic"), repeat=2 if n <= 10_000 else 1)
        t_p, res = timed(lambda: stats.mannwhitney(x, y, conf_int=False), repeat=2 if n <= 10_000 else 1)
        row(f"Mann-Whitney p, n = {n} per group", t_p, t_sc, f"|dp| = {abs(res.pvalue - ref.pvalue):.1e}")
        t_ci, res = timed(lambda: stats.mannwhitney(x, y))
        row(f"Mann-Whitney p + HL CI, n = {n} per group", t_ci, t_sc, "(scipy has no HL CI)")

    table = np.array([[10, 5, 8], [7, 12, 3], [9, 9, 20], [30, 40, 47]])
    t_sc, ref = timed(lambda: sps.fisher_exact(table), repeat=3)
    t_ff, res = timed(lambda: stats.fisher_test(table), repeat=3)
    row("Fisher-Freeman-Halton 4 x 3, n = 200", t_ff, t_sc,
        f"exact p {res.pvalue:.6f} (R 0.037784) vs scipy Monte Carlo {ref.pvalue:.4f}")

    x = rng.normal(size=args.big)
    y = 0.1 * x + rng.normal(size=args.big)
    t_sc, ref = timed(lambda: sps.pearsonr(x, y))
    t_o, res = timed(lambda: stats.correlation(x, y))
    row(f"Pearson, n = {args.big}", t_o, t_sc, f"|dr| = {abs(res.statistic - ref.statistic):.1e}")
    t_sc, ref = timed(lambda: sps.spearmanr(x, y))
    t_o, res = timed(lambda: stats.correlation(x, y, method="spearman"))
    row(f"Spearman, n = {args.big}", t_o, t_sc, f"|drho| = {abs(res.statistic - ref.statistic):.1e}")


if __name__ == "__main__":
    main()
