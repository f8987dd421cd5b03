"""serostudy.table1 against tableone on the same frames, in one process.

Both tools get the same DataFrame (two groups; 3 continuous, 2 categorical variables,
one skewed) and are asked for the same thing: summaries by group, an overall column and
p-values (tableone: ``pval=True``, ``nonnormal`` for the skewed variable).  Prints wall
times and the ratio; no assertion.  Run: ``python benchmarks/bench_table1.py [rows ...]``.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd


def make_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "group": rng.choice(["case", "control"], n, p=[0.4, 0.6]),
        "age": rng.normal(45, 14, n).round(),
        "bmi": rng.normal(25, 4, n),
        "b12": rng.lognormal(4, 0.5, n),
        "sex": rng.choice(["male", "female"], n),
        "stage": rng.choice(["I", "II", "III", "IV"], n),
    })


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(sizes: list[int]) -> None:
    from tableone import TableOne

    import serostudy

    cols = ["age", "bmi", "b12", "sex", "stage"]
    cats = ["sex", "stage"]
    print(f"{'rows':>10} {'serostudy s':>12} {'tableone s':>11} {'ratio':>7}")
    for n in sizes:
        df = make_frame(n)
        repeat = 3  # best of 3 for both tools

        def ours():
            serostudy.table1(df, by="group", include=cols, categorical=cats, nonnormal=["b12"])

        def theirs():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                TableOne(df, columns=cols, categorical=cats, groupby="group", nonnormal=["b12"], pval=True,
                         overall=True)

        ours()  # warm caches and lazy imports
        t_ours = best_of(ours, repeat)
        t_theirs = best_of(theirs, repeat)
        print(f"{n:>10,} {t_ours:>12.3f} {t_theirs:>11.3f} {t_theirs / t_ours:>6.1f}x", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 1_000_000])
