"""Model formulas (``"y ~ x + z"``) to design matrices, with column checks.

Formulas are parsed by patsy, the formula engine statsmodels uses (so ``C(sex)``,
``I(b12 / 10)``, ``np.log(b12)``, ``a:b`` and ``a*b`` mean what they mean there).
Before patsy sees the data we check that every name in the formula is a column and
turn anything wrong into one :class:`~serostudy.exceptions.ModelError` that names the
column.  Rows with a missing value in a column the model uses are excluded *and
listed* (``Design.excluded_rows``), never dropped silently.

Row numbers are as a spreadsheet shows them, with the header as row 1: the first data
row is row 2 (for a subset of a table that kept its index, the original rows).
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from serostudy.exceptions import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# Functions a formula may call besides patsy's own (C, I, Q, center, standardize, ...).
_ENV: dict[str, Any] = {"np": np, "log": np.log, "exp": np.exp, "sqrt": np.sqrt, "log2": np.log2, "log10": np.log10}
_PATSY_BUILTINS = {"C", "I", "Q", "center", "standardize", "scale", "bs", "cr", "cc", "te",
                   "Treatment", "Sum", "Poly", "Diff", "Helmert", "T"}


@dataclass(frozen=True)
class Design:
    """A model's response, design matrix and offset, ready to fit.

    Attributes
    ----------
    response
        The formula's left-hand side.
    y
        Response values for the rows used (a pandas Series: ordinal models need the
        original labels).
    X
        Design matrix (float, one column per term, intercept first when present).
    names
        Column names of ``X`` as patsy spells them (``"sex[T.male]"``).
    offset
        ``log(exposure)`` for the rows used, or ``None``.
    rows
        0-based positions of the rows used in the input table.
    row_numbers
        Their row numbers as a spreadsheet shows them (see :func:`_row_numbers`).
    excluded_rows
        1-based rows (header = row 1) excluded for a missing value, in order.
    excluded_reasons
        One phrase per excluded row: which columns were missing.
    """

    response: str
    y: "pd.Series"
    X: np.ndarray
    names: tuple[str, ...]
    offset: np.ndarray | None
    rows: np.ndarray
    row_numbers: np.ndarray
    excluded_rows: tuple[int, ...]
    excluded_reasons: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def formula_columns(formula: str) -> tuple[str, list[str]]:
    """The response and the data columns a formula refers to.

    Raises
    ------
    ModelError
        If the formula is not of the form ``"y ~ terms"`` or patsy cannot parse it.
    """
    import patsy

    if not isinstance(formula, str) or formula.count("~") != 1:
        raise ModelError(f"a model formula must look like 'y ~ x + z' (one '~'), got {formula!r}")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not lhs:
        raise ModelError(f"the formula {formula!r} has no response (nothing left of '~')")
    if not rhs:
        raise ModelError(f"the formula {formula!r} has no terms (nothing right of '~'); use 'y ~ 1' for none")
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot parse the formula {formula!r}: {exc.message}") from None
    names: list[str] = []
    for term in list(desc.lhs_termlist) + list(desc.rhs_termlist):
        for factor in term.factors:
            for name in _names_in(factor.code):
                if name not in names:
                    names.append(name)
    return lhs, names


def _names_in(code: str) -> list[str]:
    """Variable names a patsy factor expression reads (not the functions it calls)."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        raise ModelError(f"cannot parse {code!r} in the formula") from None
    funcs: set[int] = set()
    quoted: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            funcs.add(id(node.func))
            if isinstance(node.func, ast.Name) and node.func.id == "Q" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    quoted.append(arg.value)
        if isinstance(node, ast.Attribute):
            funcs.add(id(node.value))  # np in np.log
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in funcs and node.id not in _PATSY_BUILTINS:
            if node.id not in out:
                out.append(node.id)
    return out + [q for q in quoted if q not in out]


def check_columns(data: "pd.DataFrame", columns: list[str], *, formula: str) -> None:
    """Raise :class:`ModelError` naming the first column not in ``data``."""
    have = [str(c) for c in data.columns]
    for col in columns:
        if col not in have:
            close = difflib.get_close_matches(col, have, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ModelError(
                f"the formula {formula!r} names {col!r}, which is not a column of the data "
                f"(columns: {', '.join(have)}){hint}",
                column=col,
            )


def build_design(
    data: "pd.DataFrame",
    formula: str,
    *,
    exposure: str | None = None,
    intercept: bool = True,
) -> Design:
    """Response, design matrix and offset for ``formula`` on ``data``.

    Parameters
    ----------
    data
        One row per observation.
    formula
        ``"y ~ x + z"`` in patsy/statsmodels syntax.
    exposure
        Column holding each row's exposure (e.g. follow-up years); its log is the offset.
        Must be positive: zero or negative exposure is a :class:`ModelError` naming the row.
    intercept
        Keep the intercept column (``False`` drops it *after* coding, so categorical
        terms keep treatment coding; used by ordinal models, whose thresholds play the
        intercept's part).

    Raises
    ------
    ModelError
        For a formula naming a missing column, a non-positive exposure, an empty or
        rank-deficient design.
    """
    import pandas as pd
    import patsy

    lhs, columns = formula_columns(formula)
    check_columns(data, columns, formula=formula)
    used = list(columns)
    if exposure is not None:
        check_columns(data, [exposure], formula=f"exposure={exposure!r}")
        if exposure not in used:
            used.append(exposure)

    rowno = _row_numbers(data)
    frame = data.reset_index(drop=True)
    missing = frame[used].isna()
    bad = missing.any(axis=1).to_numpy()
    excluded = tuple(int(rowno[i]) for i in np.flatnonzero(bad))
    reasons = tuple(
        "missing " + ", ".join(c for c in used if missing.at[i, c]) for i in np.flatnonzero(bad)
    )
    keep = np.flatnonzero(~bad)
    if keep.size == 0:
        raise ModelError(f"no complete rows for {formula!r}: every row misses one of {used}")
    sub = frame.iloc[keep]

    offset = None
    if exposure is not None:
        expo = pd.to_numeric(sub[exposure], errors="coerce")
        for pos, raw, val in zip(keep, sub[exposure], expo):
            if not np.isfinite(val) or val <= 0:
                raise ModelError(
                    f"exposure must be a positive number (its log is the offset), found {raw!r}",
                    row=int(rowno[pos]),
                    column=exposure,
                )
        offset = np.log(expo.to_numpy(dtype=float))

    env = patsy.EvalEnvironment([_ENV])
    rhs = formula.split("~", 1)[1]
    try:
        X = patsy.dmatrix(rhs, sub, eval_env=env, NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot build the design for {formula!r}: {exc.message}") from None
    except Exception as exc:  # evaluation errors inside a term, e.g. np.log of text
        raise ModelError(f"cannot evaluate the terms of {formula!r}: {exc}") from None
    if lhs in sub.columns:
        y = sub[lhs]
    else:
        try:
            ymat = patsy.dmatrix("0 + " + lhs, sub, eval_env=env, NA_action="raise", return_type="dataframe")
        except patsy.PatsyError as exc:
            raise ModelError(f"cannot evaluate the response {lhs!r}: {exc.message}") from None
        if ymat.shape[1] != 1:
            raise ModelError(f"the response {lhs!r} must be one numeric column, got {ymat.shape[1]} columns")
        y = ymat.iloc[:, 0]
    y = pd.Series(np.asarray(y), index=sub.index, name=lhs)

    names = list(X.columns)
    Xa = X.to_numpy(dtype=float)
    if not intercept and "Intercept" in names:
        j = names.index("Intercept")
        Xa = np.delete(Xa, j, axis=1)
        names.pop(j)
    if Xa.shape[0] <= Xa.shape[1]:
        raise ModelError(
            f"{Xa.shape[0]} complete rows for {Xa.shape[1]} coefficients in {formula!r}: too few to fit"
        )
    if Xa.shape[1] > 0:
        rank = np.linalg.matrix_rank(Xa)
        if rank < Xa.shape[1]:
            aliased = _aliased(Xa, names)
            raise ModelError(
                f"the design of {formula!r} is rank deficient ({rank} of {Xa.shape[1]} columns "
                f"independent): {', '.join(aliased)} can be written from the other columns "
                "(a constant column, a duplicated variable, or a level present in no row)"
            )
    return Design(
        response=lhs,
        row_numbers=rowno[keep],
        y=y,
        X=Xa,
        names=tuple(names),
        offset=offset,
        rows=keep,
        excluded_rows=excluded,
        excluded_reasons=reasons,
    )


def _row_numbers(data: "pd.DataFrame") -> np.ndarray:
    """Spreadsheet row numbers (header = row 1) of each row of ``data``.

    A table read from a file has index 0, 1, 2, ...: row = index + 2.  A subset of it
    (e.g. one group) keeps the original index, so the numbers still point at the file's
    rows.  Any other index: row = position + 2.
    """
    import pandas as pd

    idx = data.index
    if pd.api.types.is_integer_dtype(idx) and idx.is_unique and (len(idx) == 0 or idx.min() >= 0):
        return np.asarray(idx, dtype=int) + 2
    return np.arange(len(idx)) + 2


def _aliased(X: np.ndarray, names: list[str]) -> list[str]:
    """Columns that add nothing to the columns before them (as R's NA coefficients)."""
    out = []
    kept: list[int] = []
    for j in range(X.shape[1]):
        cand = kept + [j]
        if np.linalg.matrix_rank(X[:, cand]) < len(cand):
            out.append(names[j])
        else:
            kept.append(j)
    return out
