"""Benchmark: fit many simulated 4PL standard curves.

serostudy's vectorised fitter (``serostudy.assay.fit_curves``) against what a user would
otherwise write: a loop of ``scipy.optimize.curve_fit`` over the curves, with the same
starting values.  Prints the time ratio and the largest parameter difference.

    .venv/bin/python benchmarks/bench_assay.py [--curves 10000] [--seed 1]

Not run by the tests (2-core machine; takes well under a minute for 10,000 curves).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from scipy.optimize import curve_fit

from serostudy.assay import fit_curves
from serostudy.assay._curves import _logx, _start_4pl


def four_pl(x, bottom, top, ec50, hill):
    return bottom + (top - bottom) / (1.0 + (ec50 / x) ** hill)


def four_pl_jac(x, bottom, top, ec50, hill):
    u = (ec50 / x) ** hill
    d = 1.0 / (1.0 + u)
    dfd_u = -(top - bottom) * d**2
    return np.column_stack([1.0 - d, d, dfd_u * u * hill / ec50, dfd_u * u * np.log(ec50 / x)])


def simulate(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = np.repeat([2, 5, 10, 20, 40, 80, 160, 320.0], 2)
    b = rng.uniform(0.02, 0.1, n)
    t = rng.uniform(2.0, 3.0, n)
    e = rng.uniform(20, 120, n)
    h = rng.uniform(0.8, 1.6, n)
    mu = b[:, None] + (t - b)[:, None] / (1 + (e[:, None] / x) ** h[:, None])
    y = mu + rng.normal(0, 1, mu.shape) * np.sqrt((0.04 * mu) ** 2 + 0.01**2)
    return x, y


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--curves", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    x, Y = simulate(args.curves, args.seed)

    t0 = time.perf_counter()
    batch = fit_curves(x, Y, model="4pl")
    t_ours = time.perf_counter() - t0
    ours = np.column_stack([batch.bottom, batch.top, batch.ec50, batch.hill])

    lx = _logx(x)

    def loop(**opts):
        ref = np.empty_like(ours)
        failed = 0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(Y.shape[0]):
                s = _start_4pl(lx, Y[i])  # the same starting values
                p0 = [s[0], s[1], float(np.exp(s[2])), s[3]]
                try:
                    p, _ = curve_fit(four_pl, x, Y[i], p0=p0, maxfev=10_000, **opts)
                except RuntimeError:
                    p, failed = np.full(4, np.nan), failed + 1
                ref[i] = p
        elapsed = time.perf_counter() - t0
        swap = ref[:, 0] > ref[:, 1]  # canonical 4PL (bottom <= top) for the comparison
        ref[swap] = ref[swap][:, [1, 0, 2, 3]] * [1, 1, 1, -1]
        return ref, elapsed, failed

    def diff(ref):
        ok = np.isfinite(ref).all(axis=1)
        # relative difference; for `bottom` (often ~0) relative to the curve's span top - bottom
        scale = np.abs(ref[ok]).copy()
        scale[:, 0] = np.abs(ref[ok, 1] - ref[ok, 0])
        return np.abs(ours[ok] - ref[ok]) / scale

    print(f"curves: {args.curves} (16 points each: 8 levels in duplicate), 4PL, unweighted")
    print(f"serostudy.assay.fit_curves (vectorised LM): {t_ours:8.3f} s  converged {int(batch.converged.sum())}")
    runs = (
        ("defaults (numerical Jacobian)", {}),
        ("analytic Jacobian, tolerances 1e-14", dict(jac=four_pl_jac, ftol=1e-14, xtol=1e-14, gtol=1e-14)),
    )
    for label, opts in runs:
        ref, t_loop, failed = loop(**opts)
        rel = diff(ref)
        print(f"loop of scipy.optimize.curve_fit, {label}: {t_loop:8.3f} s  failed {failed}")
        print(f"  time ratio (curve_fit loop / serostudy): {t_loop / t_ours:8.1f}x")
        print(f"  largest relative parameter difference:   {rel.max():.2e}  "
              f"(bottom relative to top - bottom; 99.9th percentile {np.quantile(rel, 0.999):.2e})")


if __name__ == "__main__":
    main()
