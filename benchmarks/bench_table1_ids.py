"""Peak memory and wall time of the default ``serostudy table1 FILE.csv --by group`` on
tables with an identifier column (issue 10, finding 4), measured with ``/usr/bin/time -v``.

Run: ``python benchmarks/bench_table1_ids.py [rows ...]`` (default 2000 20000 1000000).
Each run is capped at 12 GB of address space and 300 s.  Prints rows, exit status, wall
time and peak resident memory; no assertion (the bounds are tested in
``tests/core/test_table1_cost.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(rows: int, folder: Path) -> tuple[int, str, float]:
    csv = folder / f"ids_{rows}.csv"
    subprocess.run([sys.executable, str(HERE / "make_id_table.py"), str(rows), str(csv)], check=True)
    exe = Path(sys.executable).with_name("serostudy")
    cmd = f"ulimit -v 12000000; timeout 300 /usr/bin/time -v {exe} table1 {csv} --by group > /dev/null"
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return p.returncode, wall.group(1) if wall else "?", int(rss.group(1)) / 1024 if rss else float("nan")


def main(sizes: list[int]) -> None:
    print(f"{'rows':>10} {'exit':>5} {'wall':>9} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            rc, wall, mb = measure(n, Path(d))
            print(f"{n:>10} {rc:>5} {wall:>9} {mb:>12.0f}", flush=True)


if __name__ == "__main__":
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs GNU time: apt-get install -y time")
    main([int(float(a)) for a in sys.argv[1:]] or [2_000, 20_000, 1_000_000])
