"""Table 1 / Table 2 wiring of the inference layer on the inputs issue 9 found
(strong effects, zero cells, 3+ groups under the Welch policy, Kendall's tau)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import serostudy


def _records(table, variable, statistic):
    return [r for r in table.records if r.variable == variable and r.statistic == statistic]


def test_table1_strong_effect_keeps_table_and_hedges_g_interval():
    """Issue 9 finding 1: |t| = 9.2 killed the whole table (NaN in the nct root search)."""
    rng = np.random.default_rng(1)
    a = rng.normal(0, 1, 100)
    b = rng.normal(1.3, 1, 100)
    df = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 100, "x": np.r_[a, b]})
    t = serostudy.table1(df, by="g", continuous=["x"])
    (tr,) = _records(t, "x", "t")
    assert abs(tr.estimate) > 8
    (g,) = _records(t, "x", "hedges_g")
    assert g.ci_low < g.estimate < g.ci_high < 0
