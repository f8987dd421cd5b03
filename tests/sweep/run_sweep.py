"""``make sweep``: the whole real-data sweep, through the API and (every default-policy
Table 1) the command line, with a summary: tables, completed, numbers compared,
mismatches, the largest relative difference per statistic, and the crashes and
mismatches grouped by cause.

    .venv/bin/python tests/sweep/run_sweep.py [--no-cli] [--only NAME,...] [--json FILE]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sweep import Outcome, compare, datasets, reference, run_cli, summary, sweep_dataset, table_id  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-cli", action="store_true", help="API only")
    ap.add_argument("--only", help="comma-separated dataset names")
    ap.add_argument("--json", help="write the outcomes to this file")
    args = ap.parse_args(argv)
    names = args.only.split(",") if args.only else datasets()
    api: list[Outcome] = []
    cli: list[Outcome] = []
    t0 = time.perf_counter()
    for name in names:
        t1 = time.perf_counter()
        outs = sweep_dataset(name)
        api += outs
        bad = sum(1 for o in outs if not o.ok)
        print(f"{name:24s} {len(outs):4d} tables  {bad:3d} not ok  {time.perf_counter() - t1:6.1f}s", flush=True)
        if not args.no_cli:
            ref = reference(name)
            for table in ref["tables"]:
                if table["kind"] == "table1" and table["variant"] == "welch":
                    try:
                        cli.append(compare(ref, table, run_cli(ref, table), cli=True))
                    except Exception as exc:  # noqa: BLE001
                        cli.append(Outcome(table_id(ref, table) + ":cli", error=f"{type(exc).__name__}: {exc}"[:500]))
    print(f"\n{len(names)} datasets, {time.perf_counter() - t0:.0f}s")
    print("API:", summary(api))
    if cli:
        print("CLI:", summary(cli))
    causes: collections.Counter[str] = collections.Counter()
    for o in api + cli:
        if o.error:
            causes["CRASH " + re.sub(r"-?\d[\d.e+-]*", "#", o.error)[:160]] += 1
        for p in o.problems:
            m = re.match(r"\S+ (\S+) group=\S+ level=.* term=.* (\w+): serostudy", p)
            tag = f"{m.group(1)}.{m.group(2)}" if m else re.sub(r"-?\d[\d.e+-]*", "#", p)[:120]
            causes[f"MISMATCH {tag}" + (" [welch_anova]" if "welch_anova" in p else "")] += 1
    if causes:
        print("\nby cause:")
        for k, v in causes.most_common():
            print(f"{v:6d}  {k}")
    if args.json:
        Path(args.json).write_text(json.dumps([o.__dict__ for o in api + cli], indent=1, default=str))
    return 0 if all(o.ok for o in api + cli) else 1


if __name__ == "__main__":
    raise SystemExit(main())
