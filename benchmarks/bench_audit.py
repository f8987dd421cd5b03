"""Benchmark: the attainable p-range of a t-test from printed summaries.

serostudy's vectorised evaluation (``serostudy.audit.ttest_p_range``, one numpy/scipy
call over the whole grid of rounding intervals) against what a user would otherwise
write: a Python loop calling ``scipy.stats.ttest_ind_from_stats`` at every grid point.
Both see the same grid; prints the time ratio and the largest difference in the range.
Also times a whole audit of the seed paper and the synthetic-data generator.

    .venv/bin/python benchmarks/bench_audit.py [--rows 200] [--seed 1]

Not run by the tests.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy import stats

from serostudy.audit import audit, load_seed, parse_printed, synthesize, ttest_p_range


def loop_range(m1, s1, n1, m2, s2, n2, equal_var, k=7):
    d = [m1.lo - m2.hi, m1.hi - m2.lo]
    if d[0] < 0 < d[1]:
        d.append(0.0)
    ps = []
    for dd, a, b in itertools.product(d, np.linspace(s1.lo, s1.hi, k), np.linspace(s2.lo, s2.hi, k)):
        ps.append(stats.ttest_ind_from_stats(dd, a, n1, 0.0, b, n2, equal_var=equal_var).pvalue)
    return min(ps), max(ps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200, help="printed t-test rows to check")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    for _ in range(args.rows):
        n1, n2 = rng.integers(5, 200, 2)
        m1, m2 = rng.normal(50, 10, 2)
        s1, s2 = rng.uniform(2, 20, 2)
        rows.append(tuple(parse_printed(f"{v:.1f}") for v in (m1, s1)) + (int(n1),)
                    + tuple(parse_printed(f"{v:.1f}") for v in (m2, s2)) + (int(n2),))
    t0 = time.perf_counter()
    ours = [ttest_p_range(r[0], r[1], r[2], r[3], r[4], r[5], equal_var=ev)[:2] for r in rows for ev in (True, False)]
    t1 = time.perf_counter()
    theirs = [loop_range(*r, equal_var=ev) for r in rows for ev in (True, False)]
    t2 = time.perf_counter()
    diff = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(ours, theirs))
    print(f"t-test p ranges, {len(ours)} rows: serostudy {t1 - t0:.3f} s, scipy loop {t2 - t1:.3f} s, "
          f"ratio {((t2 - t1) / (t1 - t0)):.1f}x faster; largest difference {diff:.2e}")
    t3 = time.perf_counter()
    rep = audit(load_seed())
    t4 = time.perf_counter()
    res = synthesize(load_seed(), seed=args.seed, report=rep)
    t5 = time.perf_counter()
    print(f"seed paper: audit of {len(rep.findings)} checks {t4 - t3:.2f} s; synthetic data "
          f"({len(res.data)} rows, {len(res.matched)}/{len(res.cells)} cells matched) {t5 - t4:.2f} s")


if __name__ == "__main__":
    main()
