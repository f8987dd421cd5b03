"""A subset of the real-data sweep through the command line:
``serostudy table1 FILE --by COL --json`` (default Welch policy, results.json numbers
rounded to 12 significant digits, infinite bounds written as null)."""

from __future__ import annotations

import pytest
from _sweep import compare, reference, run_cli, summary

# one grouping column of each of these (2, 3, 4, 6 and 8 groups; text and numeric groups)
CLI_CASES = [
    ("sm_anes96", "vote"),
    ("sm_star98", None),
    ("sm_fair", "religious"),
    ("r_birthwt", "race"),
    ("r_survey", "Smoke"),
    ("r_pbc", "stage"),
    ("r_esoph", "agegp"),
    ("r_Cars93", "Type"),
]


def _table(name, by):
    ref = reference(name)
    tables = [t for t in ref["tables"] if t["kind"] == "table1" and t["variant"] == "welch"]
    if by is not None:
        tables = [t for t in tables if t["by"] == by]
    assert tables, (name, by)
    return ref, tables[0]


@pytest.mark.parametrize("name,by", CLI_CASES)
def test_sweep_cli_matches_r(name, by):
    ref, table = _table(name, by)
    out = compare(ref, table, run_cli(ref, table), cli=True)
    assert out.ok, f"{summary([out])}\n" + "\n".join(out.problems[:40])
