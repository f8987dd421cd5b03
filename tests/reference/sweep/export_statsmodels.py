"""Export every dataset shipped by ``statsmodels.datasets`` to CSV for the real-data sweep.

Run once (``.venv/bin/python tests/reference/sweep/export_statsmodels.py``); the CSVs are
committed, and ``make_reference.R`` reads the very same bytes as the Python tests.
Each dataset is ``statsmodels.api.datasets.<name>.load_pandas().data`` (no network: the
data ship inside the package), written with pandas' shortest round-trip float text.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data"


def main() -> None:
    import statsmodels
    import statsmodels.api as sm
    import statsmodels.datasets as smd

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for mod in pkgutil.iter_modules(smd.__path__):
        if not mod.ispkg or not hasattr(sm.datasets, mod.name):
            continue  # 'tests' and modules without a loader
        df = getattr(sm.datasets, mod.name).load_pandas().data
        path = OUT / f"sm_{mod.name}.csv"
        df.to_csv(path, index=False, lineterminator="\n")
        written.append(f"{mod.name} {df.shape[0]}x{df.shape[1]}")
    (OUT / "statsmodels_version.txt").write_text(
        f"statsmodels {statsmodels.__version__}\n" + "\n".join(written) + "\n", encoding="utf-8"
    )
    print("\n".join(written))


if __name__ == "__main__":
    main()
