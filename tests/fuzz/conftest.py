"""Print how many fuzz examples ran per target, and how many were refused with a
serostudy error, at the end of the session."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from _fuzz_helpers import COUNTS, MAX_EXAMPLES

    if not COUNTS:
        return
    tr = terminalreporter
    tr.write_sep("-", f"fuzz examples (hypothesis, derandomized, max_examples={MAX_EXAMPLES} per test)")
    targets = sorted({k.rsplit(" ", 1)[0] for k in COUNTS})
    for t in targets:
        n = COUNTS[t + " examples"]
        tr.write_line(f"{t:<36} {n:>5} examples: {COUNTS[t + ' refused']:>5} refused with a serostudy error, "
                      f"{COUNTS[t + ' accepted']:>5} accepted")
    tr.write_line(f"{'all':<36} {sum(COUNTS[t + ' examples'] for t in targets):>5} examples")
