"""Strategies and checks shared by the property tests."""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import strategies as st

from serostudy.exceptions import SerostudyError

#: examples per test target under ``make test`` (x10 with HYPOTHESIS_PROFILE=long)
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1
EXAMPLES = {
    "table1": 40 * SCALE,
    "table2": 30 * SCALE,
    "ttest": 150 * SCALE,
    "hedges_g": 100 * SCALE,
    "mannwhitney": 60 * SCALE,
    "contingency": 60 * SCALE,
    "odds_ratio": 80 * SCALE,
    "cramers_v": 80 * SCALE,
    "correlation": 100 * SCALE,
    "summarize": 100 * SCALE,
    "models": 25 * SCALE,
}

SCALES = (1e-300, 1e-150, 1e-8, 1.0, 1e8, 1e150, 1e300)
NUMERIC_MODES = ("normal", "separated", "constant", "single", "all_missing", "ties", "group_constant")
CATEGORICAL_MODES = ("random", "zero_cells", "separated", "constant", "single", "all_missing")


def _num(v) -> float:
    return math.nan if v is None else float(v)


def check_pvalue(p, where: str) -> None:
    p = _num(p)
    assert math.isnan(p) or 0.0 <= p <= 1.0, f"{where}: p = {p} outside [0, 1]"


def check_interval(est, lo, hi, where: str) -> None:
    """Every interval contains its estimate (None/NaN parts: nothing to check)."""
    est, lo, hi = _num(est), _num(lo), _num(hi)
    if math.isnan(est) or math.isnan(lo) or math.isnan(hi):
        return
    assert lo <= hi, f"{where}: interval [{lo}, {hi}] reversed"
    slack = 1e-12 * max(1.0, abs(est)) if math.isfinite(est) else 0.0
    assert lo - slack <= est <= hi + slack, f"{where}: interval [{lo}, {hi}] excludes the estimate {est}"


def check_records(records, where: str) -> None:
    for r in records:
        tag = f"{where}: {r.variable} {r.statistic} {r.group or ''} {r.term or ''}"
        check_pvalue(r.pvalue, tag)
        check_interval(r.estimate, r.ci_low, r.ci_high, tag)


def check_error(err: Exception, names: list[str] | None = None) -> None:
    """A documented serostudy error (serostudy.exceptions) whose message says what is wrong,
    naming one of ``names`` (the columns involved) when given."""
    assert isinstance(err, SerostudyError), f"not a serostudy error: {type(err).__name__}: {err}"
    msg = str(err)
    assert msg.strip(), f"{type(err).__name__} without a message"
    if names:
        assert any(repr(n) in msg or n in msg for n in names), f"error names none of {names}: {msg}"


@st.composite
def group_sizes(draw, *, min_groups: int = 2, max_groups: int = 8):
    k = draw(st.integers(min_groups, max_groups))
    return [draw(st.sampled_from([1, 2, 3, 5, 8, 13, 30])) for _ in range(k)]


@st.composite
def numeric_column(draw, sizes: list[int]):
    """One numeric column over groups of the given sizes, in one of NUMERIC_MODES."""
    mode = draw(st.sampled_from(NUMERIC_MODES))
    scale = draw(st.sampled_from(SCALES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    gid = np.repeat(np.arange(len(sizes)), sizes)
    if mode == "normal":
        x = rng.normal(0, 1, n)
    elif mode == "separated":
        # a group difference of up to 100 (pooled) SDs: |t| up to ~100 and beyond
        shift = draw(st.floats(0.5, 100))
        x = rng.normal(0, 1, n) + shift * gid
    elif mode == "constant":
        x = np.full(n, 3.25)
    elif mode == "single":
        x = np.full(n, np.nan)
        x[rng.integers(n)] = 1.5
    elif mode == "all_missing":
        x = np.full(n, np.nan)
    elif mode == "ties":
        x = rng.choice([0.5, 1.5, 2.5, 7.25], n)
    else:  # constant within each group, different between groups
        x = gid * 1.25 + 0.5
    x = x * scale
    if mode in ("normal", "separated", "ties") and draw(st.booleans()):
        x[rng.random(n) < 0.2] = np.nan
    return mode, x


@st.composite
def categorical_column(draw, sizes: list[int]):
    mode = draw(st.sampled_from(CATEGORICAL_MODES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    gid = np.repeat(np.arange(len(sizes)), sizes)
    levels = np.array(["lo", "mid", "hi", "x4", "x5"], dtype=object)
    k = draw(st.integers(2, 5))
    if mode == "random":
        v = levels[rng.integers(0, k, n)]
    elif mode == "zero_cells":
        v = np.where(gid == 0, levels[0], levels[rng.integers(0, k, n)])
    elif mode == "separated":
        v = levels[gid % k]
    elif mode == "constant":
        v = np.full(n, "only", dtype=object)
    elif mode == "single":
        v = np.full(n, None, dtype=object)
        v[rng.integers(n)] = "one"
    else:
        v = np.full(n, None, dtype=object)
    return mode, v


@st.composite
def frames(draw, *, max_numeric: int = 3, max_categorical: int = 2):
    """A participant frame: group column ``g`` (2-8 groups of 1-30 rows), numeric
    columns ``x0..`` and categorical ``c0..`` in the modes above."""
    import pandas as pd

    sizes = draw(group_sizes())
    names = [f"grp{i}" for i in range(len(sizes))]
    data = {"g": np.repeat(np.array(names, dtype=object), sizes)}
    modes = {}
    for i in range(draw(st.integers(1, max_numeric))):
        mode, x = draw(numeric_column(sizes))
        data[f"x{i}"] = x
        modes[f"x{i}"] = mode
    for i in range(draw(st.integers(0, max_categorical))):
        mode, v = draw(categorical_column(sizes))
        data[f"c{i}"] = v
        modes[f"c{i}"] = mode
    return pd.DataFrame(data), modes
