"""Load the R reference values written by tests/reference/stats/make_reference.R."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "stats"

ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def num(v):
    """JSON value -> float (R's Inf is stored as a string, NA as null)."""
    if v is None:
        return math.nan
    if isinstance(v, str):
        return {"Inf": math.inf, "-Inf": -math.inf}[v]
    return float(v)


def vec(values) -> np.ndarray:
    return np.array([num(v) for v in values], dtype=float)


@lru_cache(maxsize=1)
def reference() -> dict:
    with open(REF_DIR / "reference.json", encoding="utf-8") as fh:
        return json.load(fh)


def cases(section: str) -> list[dict]:
    return reference()[section]


def case_id(case: dict) -> str:
    keys = [k for k in ("case", "method", "var_equal", "exact", "correct", "adjust", "alternative") if k in case]
    return "-".join(str(case[k]) for k in keys)


def pair(name: str) -> tuple[np.ndarray, np.ndarray]:
    v = reference()["vectors"][name]
    return vec(v["x"]), vec(v["y"])


def table(name: str) -> np.ndarray:
    return np.array(reference()["tables"][name], dtype=float)
