"""How each variable is summarised and tested: from the codebook, or inferred.

Inference follows gtsummary's rules (a numeric column with few distinct whole-number
values is categorical), and every inference is written down as a *choice* that the
table, the CLI and ``results.json`` report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._io.config import StudyConfig, TestPolicy

MAX_CATEGORICAL_LEVELS = 10
"""Numeric columns with at most this many distinct whole numbers are inferred categorical
(gtsummary uses "fewer than 10 unique values"; we include 10 and say so)."""

MIN_IDENTIFIER_VALUES = 20
"""A column with at least this many non-missing values, every one distinct (text), or
distinct consecutive whole numbers (numeric), is *identifier-like*: a participant id or
row number, not a characteristic.  An inferred Table 1 leaves it out with a notice."""

MAX_INFERRED_LEVELS = 100
"""Upper bound of :func:`max_inferred_levels`."""


def max_inferred_levels(n: int) -> int:
    """Most distinct values a column inferred categorical may have: ``min(100, max(20, n // 2))``.

    ``n`` is the number of non-missing values.  Above it (on average fewer than two
    participants per level, or more than 100 rows of levels) the column is left out of
    an inferred Table 1 with a notice; declaring it categorical shows it anyway.
    gtsummary and tableone tabulate every level of such a column; their users drop
    identifiers and free text by hand, which is what this rule does for them, and says.
    """
    return min(MAX_INFERRED_LEVELS, max(20, n // 2))


@dataclass(frozen=True)
class VarSpec:
    """What a table needs to know about one variable."""

    name: str
    label: str
    kind: Literal["continuous", "categorical"]
    summary: Literal["mean_sd", "median_iqr"] = "mean_sd"
    test: Literal["welch", "student", "mann-whitney", "chi2", "chi2-yates", "fisher", "auto"] = "welch"
    unit: str | None = None
    levels: tuple[str, ...] | None = None
    level_labels: dict[str, str] = field(default_factory=dict)
    decimals: int = 1
    censor_col: str | None = None
    censored_as: str = "limit"
    groups: tuple[str, ...] | None = None
    log_scale: bool = False
    """Compared on the log scale (``analysis_plan.scale: log``): t-test of the logs, ratio of
    geometric means; the summary stays on the original scale."""

    @property
    def display_label(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        what = {"mean_sd": "mean \u00b1 SD", "median_iqr": "median [Q1, Q3]"}[self.summary]
        if self.kind == "categorical":
            what = "n (%)"
        return f"{self.label}{unit}, {what}"


def _test_for(kind: str, summary: str, skewed: bool, policy: "TestPolicy") -> str:
    if kind == "categorical":
        return policy.categorical
    if skewed or summary == "median_iqr":
        return policy.skewed
    return policy.continuous


def specs_from_config(config: "StudyConfig", names: Sequence[str]) -> list[VarSpec]:
    """Variable specs for ``names`` as the codebook declares them."""
    from serostudy._io.readers import CENSOR_SUFFIX

    out = []
    for name in names:
        var = config.variable(name)
        numeric = var.is_numeric
        kind: Literal["continuous", "categorical"] = "continuous" if numeric else "categorical"
        summary = var.default_summary() if numeric else "mean_sd"
        skewed = var.skewed or var.type in ("count", "ordinal")
        levels = tuple(var.levels) if var.levels is not None else None
        out.append(
            VarSpec(
                name=name,
                label=var.label or name,
                kind=kind,
                summary=summary,  # type: ignore[arg-type]
                test=_test_for(kind, summary, skewed, config.tests),  # type: ignore[arg-type]
                unit=var.unit if numeric else None,
                levels=levels,
                level_labels=dict(var.level_labels),
                decimals=_decimals_for(var),
                censor_col=(name + CENSOR_SUFFIX) if getattr(var, "censored", False) else None,
                censored_as=getattr(var, "censored_as", "limit"),
                groups=tuple(var.groups) if var.groups else None,
                log_scale=numeric and _declared_log(config, name),
            )
        )
    return out


def _declared_log(config: "StudyConfig", name: str) -> bool:
    plan = getattr(config, "analysis_plan", None)
    return plan is not None and plan.scale.get(name) == "log"


def _decimals_for(var: Any) -> int:
    unit = (var.unit or "").lower()
    if unit in ("kg/m2", "kg/m\u00b2"):
        return 2
    if "relapses/year" in unit:
        return 2
    return 1


def infer_specs(
    data: "pd.DataFrame",
    *,
    by: str,
    include: Sequence[str] | None,
    categorical: Sequence[str] | None,
    continuous: Sequence[str] | None = None,
    nonnormal: Sequence[str] | None = None,
    policy: "TestPolicy",
) -> tuple[list[VarSpec], list[str], list[tuple[str, str]]]:
    """Infer variable specs from the columns' contents.

    Returns ``(specs, choices, left_out)``: the specs, every inference in words, and the
    ``(column, reason)`` pairs of columns left out of the table.

    Columns whose type is not declared are inferred as gtsummary does, with two more
    rules that keep the cost of the table bounded by the size of the data:

    * identifier-like columns (:data:`MIN_IDENTIFIER_VALUES`) and text columns with more
      distinct values than :func:`max_inferred_levels` are left out when the variables
      are not listed (``include=None``), and refused with a message saying how to show
      them when they are listed without a declared type;
    * numeric columns holding ``inf`` or ``-inf`` are refused, naming the file (when the
      frame came from :func:`~serostudy._analysis.api.read_data_frame`), row and column.

    Validated by ``tests/core/test_table1_cost.py`` (2,000-row id column) and
    ``tests/core/test_table1_api.py``.
    """
    import numpy as np
    import pandas as pd

    listed = include is not None
    cols = list(include) if include is not None else [c for c in data.columns if c != by]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(
            f"column(s) {missing} not found; columns are {list(data.columns)}", column=missing[0]
        )
    if by in cols:
        raise InputError(f"`by` column {by!r} cannot also be a table variable", column=by)
    forced_cat = set(categorical or [])
    forced_cont = set(continuous or [])
    skewed = set(nonnormal or [])
    for name, group in (("categorical", forced_cat), ("continuous", forced_cont), ("nonnormal", skewed)):
        unknown = group - set(cols)
        if unknown:
            raise InputError(f"`{name}` names {sorted(unknown)}, which are not among the table's variables {cols}")
    both = forced_cat & forced_cont
    if both:
        raise InputError(f"{sorted(both)} listed as both categorical and continuous")
    specs: list[VarSpec] = []
    choices: list[str] = []
    left_out: list[tuple[str, str]] = []

    def leave_out(c: str, reason: str) -> None:
        how = (f"to tabulate it anyway, list it and declare it categorical (categorical=[{c!r}] in Python, "
               f"--categorical {c} on the command line)")
        if listed:
            raise InputError(f"listed as a table variable, but {reason}; {how}", column=c, file=_source_path(data))
        left_out.append((c, reason))
        choices.append(f"{c}: left out of the table ({reason}); {how}")

    for c in cols:
        s = data[c]
        is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if is_num and c not in forced_cat:
            _check_finite(data, c)
        if c in forced_cat:
            kind = "categorical"
        elif c in forced_cont:
            if not is_num:
                raise InputError(f"column {c!r} was declared continuous but holds non-numeric values", column=c)
            kind = "continuous"
        elif not is_num:
            nonnull = s.dropna().to_numpy()
            n_values = int(nonnull.size)
            n_levels = int(pd.unique(nonnull).size)  # hash-based, O(n)
            limit = max_inferred_levels(n_values)
            if n_values >= MIN_IDENTIFIER_VALUES and n_levels == n_values:
                leave_out(c, f"identifier-like: all {n_values} values are distinct")
                continue
            if n_levels > limit:
                leave_out(c, f"{n_levels} distinct values in {n_values}, more than the {limit} an inferred "
                             f"categorical variable may have (min({MAX_INFERRED_LEVELS}, max(20, n/2)))")
                continue
            kind = "categorical"
            choices.append(f"{c}: categorical (non-numeric values)")
        else:
            v = s.dropna().to_numpy(dtype=float)
            if _is_sequential_id(v):
                leave_out(c, f"identifier-like: {v.size} distinct consecutive whole numbers "
                             f"({_text(float(v.min()))} to {_text(float(v.max()))})")
                continue
            # cheap early answers before counting distinct values of a long column
            head = pd.unique(v[:10_000])
            if head.size > MAX_CATEGORICAL_LEVELS or not np.all(np.mod(head, 1) == 0):
                uniq = head if head.size > MAX_CATEGORICAL_LEVELS else pd.unique(v)
                whole = False
            else:
                uniq = pd.unique(v)  # hash-based, O(n)
                whole = bool(np.all(np.mod(uniq, 1) == 0)) if uniq.size else True
            if whole and uniq.size <= MAX_CATEGORICAL_LEVELS:
                kind = "categorical"
                what = "0/1" if set(uniq.tolist()) <= {0.0, 1.0} else f"{uniq.size} distinct whole numbers"
                choices.append(f"{c}: categorical ({what}; numeric columns with at most {MAX_CATEGORICAL_LEVELS} distinct whole-number values are treated as categorical)")
            else:
                kind = "continuous"
                many = f"more than {MAX_CATEGORICAL_LEVELS}" if uniq.size > MAX_CATEGORICAL_LEVELS else str(uniq.size)
                choices.append(f"{c}: continuous (numeric, {many} distinct values)")
        summary = "median_iqr" if (kind == "continuous" and c in skewed) else "mean_sd"
        levels = None  # found when the table is built (one factorisation per column)
        if kind == "categorical" and isinstance(s.dtype, pd.CategoricalDtype):
            levels = tuple(str(x) for x in s.cat.categories)
        specs.append(
            VarSpec(
                name=c,
                label=c,
                kind=kind,  # type: ignore[arg-type]
                summary=summary,  # type: ignore[arg-type]
                test=_test_for(kind, summary, c in skewed, policy),  # type: ignore[arg-type]
                levels=levels,
            )
        )
    return specs, choices, left_out


def _source_path(data: "pd.DataFrame") -> str | None:
    src = data.attrs.get("source")
    return getattr(src, "path", None)


def _check_finite(data: "pd.DataFrame", c: str) -> None:
    """Refuse ``inf``/``-inf`` in a numeric column, naming file, row and column.

    A CSV read by serostudy cannot hold them (the reader refuses the text), but a float
    infinity can come from an XLSX, SAV or DTA file or a DataFrame built in Python.
    NaN is a missing value; an infinity is not a measurement, so it is an error, not a
    silent drop."""
    import numpy as np

    x = data[c].to_numpy(dtype=float, na_value=np.nan)
    bad = np.isinf(x)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    src = data.attrs.get("source")
    label = data.index[i]
    row = None
    where = ""
    if src is not None and isinstance(label, (int, np.integer)):
        row = int(getattr(src, "first_data_row", 2)) + int(label)
    else:
        where = f" (row with index {label!r})"
    raise DataError(  # bad content of the data (a file's cell, or a frame's): DataError, an InputError
        f"found {float(x[i])!r}{where} in a numeric column ({int(bad.sum())} infinite value(s)); expected finite "
        "numbers (leave the cell empty for a missing value)",
        file=_source_path(data), row=row, column=c, row_word=getattr(src, "row_word", "row"),
    )


def _is_sequential_id(v: Any) -> bool:
    """Distinct consecutive whole numbers (a row number or running id), at least
    :data:`MIN_IDENTIFIER_VALUES` of them."""
    import numpy as np
    import pandas as pd

    if v.size < MIN_IDENTIFIER_VALUES:
        return False
    lo, hi = float(v.min()), float(v.max())
    if hi - lo + 1 != v.size or not np.all(np.mod(v, 1) == 0):
        return False
    return int(pd.unique(v).size) == v.size


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
