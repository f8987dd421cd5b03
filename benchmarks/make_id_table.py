"""Write a participant CSV with an identifier column, for the Table 1 cost check.

Issue 10, finding 4: the default ``serostudy table1 FILE.csv --by group`` used to
tabulate the identifier column as a categorical variable with one level per row and
give it a Monte Carlo Fisher test (2,000 rows: 2 GB; 20,000 rows: 19 GB; 10^6 rows:
MemoryError).  Measure peak memory and wall time with::

    python benchmarks/make_id_table.py 20000 /tmp/ids_20000.csv
    /usr/bin/time -v serostudy table1 /tmp/ids_20000.csv --by group > /dev/null

Columns: ``participant_id`` (text, unique per row, as ``P000001``), ``group`` (case /
control), ``age`` and ``b12`` (continuous), ``sex`` and ``stage`` (categorical),
``site`` (40 sites: a legitimate many-level categorical), ``visits`` (small counts).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def make_frame(n: int, seed: int = 10) -> pd.DataFrame:
    """A frame of ``n`` participants with an identifier column (see module docstring)."""
    rng = np.random.default_rng(seed)
    width = max(6, len(str(n)))
    return pd.DataFrame({
        "participant_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
        "group": rng.choice(["case", "control"], n, p=[0.4, 0.6]),
        "age": rng.normal(45, 14, n).round(),
        "b12": rng.lognormal(5.5, 0.4, n).round(1),
        "sex": rng.choice(["female", "male"], n, p=[0.7, 0.3]),
        "stage": rng.choice(["I", "II", "III", "IV"], n),
        "site": rng.choice([f"S{k:02d}" for k in range(40)], n),
        "visits": rng.poisson(2, n),
    })


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python benchmarks/make_id_table.py ROWS OUT.csv", file=sys.stderr)
        return 2
    n, path = int(float(argv[0])), argv[1]
    make_frame(n).to_csv(path, index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
