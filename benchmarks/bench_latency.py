"""Latency on a clinic-sized file: whole processes, measured in turn (issue 13).

    python benchmarks/bench_latency.py [--repeat 5]

Prints, best of ``--repeat`` wall times (each a fresh interpreter, so imports count):

* ``python -c "import pandas, scipy.stats"``: the floor any pandas/scipy Table 1 pays;
* ``serostudy table1 small.csv --by arm --include age,sex,b12`` on 200 rows;
* ``python -c`` with tableone on the same file (what a user would otherwise run);
* ``serostudy demo`` (the embedded study end to end).

and the ratios serostudy/floor and tableone/serostudy. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _best(cmd: list[str], repeat: int, cwd: Path) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def _small_csv(path: Path, n: int = 200, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    arm = rng.choice(["a", "b"], n)
    age = rng.normal(40, 10, n).round(1)
    sex = rng.choice(["m", "f"], n)
    b12 = rng.lognormal(4, 0.4, n).round(1)
    lines = ["id,arm,age,sex,b12"] + [f"{i},{arm[i]},{age[i]},{sex[i]},{b12[i]}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    exe = sys.executable
    serostudy = [exe, "-m", "serostudy"]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _small_csv(d / "small.csv")
        rows: list[tuple[str, float]] = []
        floor = _best([exe, "-c", "import pandas, scipy.stats"], args.repeat, d)
        rows.append(("python -c 'import pandas, scipy.stats'", floor))
        ours = _best(serostudy + ["table1", "small.csv", "--by", "arm", "--include", "age,sex,b12"], args.repeat, d)
        rows.append(("serostudy table1 (200 rows)", ours))
        try:
            import tableone  # noqa: F401

            code = ("import pandas as pd; from tableone import TableOne; d = pd.read_csv('small.csv'); "
                    "print(TableOne(d, columns=['age','sex','b12'], categorical=['sex'], groupby='arm', pval=True))")
            theirs = _best([exe, "-c", code], args.repeat, d)
            rows.append(("python -c tableone (200 rows)", theirs))
        except ImportError:
            theirs = float("nan")
            print("tableone not installed (pip install -e '.[bench]'): its row is left out")
        if not args.skip_demo:
            out = d / "demo-out"
            demo = _best(serostudy + ["demo", "--out", str(out)], max(1, args.repeat // 2), d)
            shutil.rmtree(out, ignore_errors=True)
            rows.append(("serostudy demo", demo))
        width = max(len(r[0]) for r in rows)
        for name, t in rows:
            print(f"{name:<{width}}  {t:7.3f} s")
        print(f"\nserostudy table1 / import floor: {ours / floor:.2f}x   (target <= 1.10x)")
        if theirs == theirs:
            print(f"tableone / serostudy table1:     {theirs / ours:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
