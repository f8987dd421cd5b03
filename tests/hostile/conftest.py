"""Print the corpus result per category at the end of the session."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

RESULTS: list[dict[str, Any]] = []


@pytest.fixture(scope="session")
def corpus_results() -> list[dict[str, Any]]:
    """Per-case outcomes, filled by test_corpus.py and summarised below."""
    return RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RESULTS:
        return
    tr = terminalreporter
    total, passed = Counter(), Counter()
    seconds = 0.0
    for r in RESULTS:
        total[r["category"]] += 1
        passed[r["category"]] += r["passed"]
        seconds += r["seconds"]
    tr.write_sep("-", "hostile-input corpus")
    for cat in sorted(total):
        tr.write_line(f"{cat:<14} {passed[cat]:>3} / {total[cat]:<3} passed")
    tr.write_line(f"{'all':<14} {sum(passed.values()):>3} / {sum(total.values()):<3} passed in {seconds:.0f} s of subprocess time")
    slow = sorted(RESULTS, key=lambda r: -r["seconds"])[:5]
    tr.write_line("slowest: " + ", ".join(f"{r['id']} {r['seconds']:.1f}s" for r in slow))
