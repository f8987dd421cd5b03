"""Issue 10, finding 4: the cost of the default Table 1 must not explode with the rows.

An identifier column used to be tabulated as a categorical variable with one level per
row and given a Monte Carlo Fisher test: 2,000 rows took 2 GB and 47 s, 20,000 rows
19 GB, 10^6 rows a MemoryError.  Identifier-like and high-cardinality columns are now
left out of an inferred table (with a notice), refused when listed without a type,
and tabulated when declared categorical, with Fisher's test bounded by table size.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import serostudy
from serostudy._analysis._varspec import MIN_IDENTIFIER_VALUES, max_inferred_levels
from serostudy._analysis.table1 import FISHER_MAX_CELLS
from serostudy.exceptions import InputError


def _frame(n: int, seed: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "participant_id": [f"P{i:06d}" for i in range(1, n + 1)],
        "group": rng.choice(["case", "control"], n, p=[0.4, 0.6]),
        "age": rng.normal(45, 14, n).round(),
        "sex": rng.choice(["female", "male"], n, p=[0.7, 0.3]),
        "site": rng.choice([f"S{k:02d}" for k in range(40)], n),
    })


def _variables(t) -> set[str]:
    return {r.variable for r in t.records}


def test_identifier_column_is_left_out_of_an_inferred_table_with_a_notice():
    df = _frame(600)
    t0 = time.perf_counter()
    t = serostudy.table1(df, by="group")
    assert time.perf_counter() - t0 < 20
    assert "participant_id" not in _variables(t)
    assert {"age", "sex", "site"} <= _variables(t)  # 40 sites in 600 rows: a real categorical
    note = next(c for c in t.choices if c.startswith("participant_id"))
    assert "left out" in note and "identifier" in note and "600" in note
    assert "categorical" in note  # says how to include it
    assert any("participant_id" in f and "Not shown" in f for f in t.footnotes)


def test_high_cardinality_text_column_is_left_out_but_a_site_column_is_kept():
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({
        "group": np.repeat(["a", "b"], n // 2),
        # ~40 distinct free-text values in 60 rows, some repeated: not an id, but too many levels
        "comment": rng.choice([f"note {k}" for k in range(50)], n),
        "site": rng.choice(["north", "south", "east"], n),
    })
    assert df["comment"].nunique() > max_inferred_levels(n)
    t = serostudy.table1(df, by="group")
    assert "comment" not in _variables(t)
    assert "site" in _variables(t)
    note = next(c for c in t.choices if c.startswith("comment"))
    assert "left out" in note and "distinct values" in note


def test_sequential_numeric_id_is_left_out():
    df = _frame(300).assign(participant_id=np.arange(1, 301, dtype=float))
    t = serostudy.table1(df, by="group")
    assert "participant_id" not in _variables(t)
    assert any(c.startswith("participant_id") and "left out" in c for c in t.choices)


def test_small_tables_keep_all_distinct_text_columns():
    """Below MIN_IDENTIFIER_VALUES values a column of distinct labels is still shown."""
    n = MIN_IDENTIFIER_VALUES - 1
    df = pd.DataFrame({"group": ["a", "b"] * (n // 2) + ["a"] * (n % 2),
                       "name": [f"x{i}" for i in range(n)]})
    t = serostudy.table1(df, by="group")
    assert "name" in _variables(t)


def test_identifier_column_listed_in_include_without_a_type_is_refused():
    df = _frame(300)
    with pytest.raises(InputError) as ei:
        serostudy.table1(df, by="group", include=["participant_id", "age"])
    msg = str(ei.value)
    assert "participant_id" in msg and "300" in msg
    assert "categorical" in msg  # how to include it anyway
    assert ei.value.column == "participant_id"


def test_declared_categorical_identifier_is_tabulated_with_bounded_time_and_memory():
    n = 2_000
    df = _frame(n)
    tracemalloc.start()
    t0 = time.perf_counter()
    t = serostudy.table1(df, by="group", include=["participant_id", "sex"], categorical=["participant_id"])
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # before: 47 s and 2 GB (a 2000 x 2 Monte Carlo Fisher test)
    assert wall < 15
    assert peak < 200 * 2**20
    test = next(r for r in t.records if r.variable == "participant_id" and r.pvalue is not None)
    assert test.method == "Pearson chi-squared test"
    assert any("Fisher" in w and "not attempted" in w for w in test.warnings)
    assert any(c.startswith("participant_id") and "Fisher" in c for c in t.choices)
    counts = [r for r in t.records if r.variable == "participant_id" and r.statistic == "count" and r.group != "overall"]
    assert len(counts) == 2 * n


def test_fisher_is_used_below_the_cell_limit_and_chi2_above_it():
    rng = np.random.default_rng(5)
    small_levels = 4
    big_levels = FISHER_MAX_CELLS // 2 + 1  # 2 groups: more cells than the limit
    rows = []
    for k, levels in (("small", small_levels), ("big", big_levels)):
        n = 3 * levels
        rows.append(pd.DataFrame({"group": rng.choice(["a", "b"], n),
                                  "v": [f"l{i % levels}" for i in range(n)], "which": k}))
    small, big = rows
    ts = serostudy.table1(small, by="group", include=["v"], categorical=["v"])
    tb = serostudy.table1(big, by="group", include=["v"], categorical=["v"])
    ps = next(r for r in ts.records if r.pvalue is not None)
    pb = next(r for r in tb.records if r.pvalue is not None)
    assert "Fisher" in ps.method  # expected counts < 5, few cells: Fisher as before
    assert pb.method == "Pearson chi-squared test"
    assert any(str(FISHER_MAX_CELLS) in w for w in pb.warnings)
    # the footnote names the test that was used and why
    assert any("Pearson" in f for f in tb.footnotes)


def test_monte_carlo_fisher_memory_is_bounded_for_a_wide_table():
    """The Monte Carlo Fisher test drew 20,000 random tables at once: 20,000 x cells x
    8 bytes (a 2 x 2,000 table: 640 MB per chunk, several copies).  Chunks are now
    bounded in bytes."""
    from serostudy.stats import fisher_test

    table = np.ones((1_000, 2), dtype=np.int64)
    tracemalloc.start()
    res = fisher_test(table, method="monte-carlo", n_resamples=20_000, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0 < res.pvalue <= 1
    assert peak < 150 * 2**20
