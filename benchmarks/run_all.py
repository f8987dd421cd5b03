"""Run every benchmark, one after the other, each printing its own ratios.

    python benchmarks/run_all.py            (or: make bench)

Each script compares serostudy with the tool a user would otherwise pick, in one
process, on the same inputs; nothing here asserts a time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_latency.py", "bench_table1.py", "bench_stats.py", "bench_assay.py", "bench_power.py", "bench_audit.py"]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        rc = subprocess.call([sys.executable, str(path)])
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
