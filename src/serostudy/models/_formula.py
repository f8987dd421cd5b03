"""Model formulas (``"y ~ x + z"``) to design matrices: parsed, never evaluated.

A formula is *data*: it is read by a small tokenizer and parser against the grammar
below, every name is resolved against the data's columns, the values of each term are
computed here with numpy, and only then is patsy asked to code the terms (treatment
contrasts, interactions) -- through :class:`patsy.LookupFactor` objects that look values
up by name, so no text from the user (formula or column header) is ever run as Python.
Before this module parsed formulas itself, patsy evaluated every term as Python code
(issue 10): ``I(__import__('os').system(...))`` in a formula, or a column header holding
such text named as a study covariate, ran a shell command.

Grammar (documented in ``docs/models.md``)::

    formula  := response "~" terms
    response := column | func "(" column ")" | "I(" column op number ")"
    terms    := term (("+" | "-") term)*       (a leading "-" or "+" is allowed)
    term     := "0" | "1" | factor | term ":" term | term "*" term | "(" terms ")"
    factor   := column
              | func "(" column ")"            func: log log2 log10 log1p exp sqrt
                                               center standardize (also as np.log, ...)
              | "I(" column op number ")"      op: + - * /
              | "C(" column ")" | "C(" column "," "Treatment(" level ")" ")"
    column   := name | `any text` | Q("any text")
    name     := a letter or _, then letters, digits, _ or .
    level    := 'text' | "text" | number

Anything else (other functions, attribute access, ``**``, ``/`` or ``|`` between terms,
keyword arguments, nested calls) is a :class:`~serostudy.exceptions.ModelError` naming
the formula and the offending token.  Column names in the design are spelled as patsy
spells them (``sex[T.male]``, ``C(g, Treatment('c'))[T.a]``, ``I(b12 / 10)``,
``x:sex[T.male]``), so results match those of the earlier patsy-evaluated formulas and
of R.

Rows with a missing value in a column the model uses are excluded *and listed*
(``Design.excluded_rows``), never dropped silently.  Row numbers are as a spreadsheet
shows them, with the header as row 1: the first data row is row 2 (for a subset of a
table that kept its index, the original rows).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from serostudy._limits import MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, clip
from serostudy.exceptions import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _center(x: np.ndarray) -> np.ndarray:
    return x - x.mean()


def _standardize(x: np.ndarray) -> np.ndarray:
    # patsy's standardize: ddof=0
    return (x - x.mean()) / x.std()


_BASE_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "exp": np.exp, "sqrt": np.sqrt,
}
#: Functions a formula may apply to one column (``np.`` spellings too).
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **_BASE_FUNCS, **{f"np.{k}": v for k, v in _BASE_FUNCS.items()},
    "center": _center, "standardize": _standardize,
}
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
}
_NAME = re.compile(r"[^\W\d][\w.]*")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GRAMMAR_HINT = ("allowed: column names (`quoted` or Q(\"quoted\") when not a plain name), + - : * ( ) 0 1, "
                 "log/log2/log10/log1p/exp/sqrt/center/standardize(column), I(column op number), "
                 "C(column) and C(column, Treatment('level')); see docs/models.md")


def quote_name(column: str) -> str:
    """``column`` as it must be written in a formula (plain, `backquoted` or ``Q("...")``).

    The result always parses back to exactly ``column`` (a round trip tested over
    hostile headers: code, quotes, backquotes, newlines, unicode).
    """
    if _NAME.fullmatch(column) and column not in ("I", "C", "Q"):
        return column
    if "`" not in column:
        return f"`{column}`"
    return 'Q("' + column.replace("\\", "\\\\").replace('"', '\\"') + '")'


def term_column(term: str) -> str:
    """The column a plain (possibly quoted) term names, as :func:`quote_name` wrote it."""
    if len(term) >= 2 and term.startswith("`") and term.endswith("`"):
        return term[1:-1]
    if term.startswith('Q("') and term.endswith('")'):
        return re.sub(r"\\(.)", r"\1", term[3:-2])
    return term


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Token:
    kind: str  # "name" | "num" | "str" | "bq" | "op" | "end"
    text: str  # the token as written (for messages)
    pos: int  # 0-based character offset
    value: str = ""  # names/strings: the unquoted text


@dataclass(frozen=True)
class Factor:
    """One factor of a formula: a column, possibly transformed or declared categorical.

    Attributes
    ----------
    kind
        ``"column"``, ``"function"`` (``log(x)``, ...), ``"arith"`` (``I(x / 10)``) or
        ``"categorical"`` (``C(x)``).
    column
        The data column it reads (exactly as in the header).
    display
        Its name in the design, as patsy spells it (``"I(b12 / 10)"``).
    function, op, number
        For ``function``/``arith`` factors: what is applied.
    reference
        For ``categorical`` factors: the reference level as written (``None``: first level).
    """

    kind: str
    column: str
    display: str
    function: str | None = None
    op: str | None = None
    number: float | None = None
    reference: str | float | None = None


@dataclass(frozen=True)
class ParsedFormula:
    """A formula split into its response, its factors and a term structure over safe names.

    ``safe_rhs`` holds only generated names (``_f0``, ``_f1``, ...), the operators
    ``+ - : * ( )`` and the intercept literals ``0``/``1``: it is what patsy's formula
    *parser* sees (patsy never evaluates anything of it; the factors are
    :class:`patsy.LookupFactor` objects built from ``factors``).
    """

    formula: str
    response: Factor
    factors: dict[str, Factor]
    safe_rhs: str

    @property
    def columns(self) -> list[str]:
        out = [self.response.column]
        for f in self.factors.values():
            if f.column not in out:
                out.append(f.column)
        return out


def _fail(formula: str, what: str, tok: _Token | None = None) -> ModelError:
    where = f" {clip(tok.text, 60)} at character {tok.pos + 1}" if tok is not None and tok.kind != "end" else ""
    if tok is not None and tok.kind == "end":
        where = " (the formula ends there)"
    return ModelError(f"the formula {clip(formula)}: {what}{where}; {_GRAMMAR_HINT}")


def _tokenize(formula: str) -> list[_Token]:
    toks: list[_Token] = []
    i, n = 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "~+-*/:(),|^%=[]{}<>!&@.;":
            if ch == "*" and formula.startswith("**", i):
                toks.append(_Token("op", "**", i))
                i += 2
                continue
            if ch == "." and i + 1 < n and formula[i + 1].isdigit():
                pass  # a number like .5
            else:
                toks.append(_Token("op", ch, i))
                i += 1
                continue
        if ch in "'\"`":
            j, buf = i + 1, []
            while j < n and formula[j] != ch:
                if formula[j] == "\\" and ch != "`" and j + 1 < n:
                    j += 1
                buf.append(formula[j])
                j += 1
            if j >= n:
                raise _fail(formula, "a quote is never closed: it opens", _Token("str", ch, i))
            toks.append(_Token("bq" if ch == "`" else "str", formula[i: j + 1], i, "".join(buf)))
            i = j + 1
            continue
        m = _NUMBER.match(formula, i)
        if m:
            toks.append(_Token("num", m.group(), i, m.group()))
            i = m.end()
            continue
        m = _NAME.match(formula, i)
        if m:
            toks.append(_Token("name", m.group(), i, m.group()))
            i = m.end()
            continue
        raise _fail(formula, "unexpected character", _Token("op", ch, i))
    toks.append(_Token("end", "", n))
    return toks


class _Parser:
    def __init__(self, formula: str, toks: list[_Token]) -> None:
        self.formula = formula
        self.toks = toks
        self.i = 0

    def peek(self, k: int = 0) -> _Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self) -> _Token:
        t = self.peek()
        self.i += 1
        return t

    def expect(self, kind: str, text: str | None, what: str) -> _Token:
        t = self.peek()
        if t.kind != kind or (text is not None and t.text != text):
            raise _fail(self.formula, f"expected {what}, found", t)
        return self.take()

    def column(self, inside: str) -> tuple[str, str]:
        """(column, display) of a column reference."""
        t = self.peek()
        if t.kind == "bq":
            self.take()
            return t.value, quote_name(t.value)
        if t.kind == "name" and t.value == "Q" and self.peek(1).text == "(":
            self.take()
            self.take()
            s = self.expect("str", None, 'a quoted column name in Q("...")')
            self.expect("op", ")", "')' closing Q(")
            return s.value, 'Q("' + s.value.replace("\\", "\\\\").replace('"', '\\"') + '")'
        if t.kind == "name" and self.peek(1).text != "(":
            self.take()
            return t.value, t.value
        if t.kind == "name":
            raise _fail(self.formula, f"expected a column name {inside}, found a call of", t)
        raise _fail(self.formula, f"expected a column name {inside}, found", t)

    def factor(self) -> Factor:
        t = self.peek()
        if t.kind == "bq" or (t.kind == "name" and (t.value == "Q" or self.peek(1).text != "(")):
            col, disp = self.column("")
            return Factor("column", col, disp)
        if t.kind != "name":
            raise _fail(self.formula, "expected a term, found", t)
        fname = t.value
        self.take()
        self.take()  # "("
        if fname == "I":
            col, disp = self.column("inside I()")
            op = self.peek()
            if op.kind != "op" or op.text not in _OPS:
                raise _fail(self.formula, "I() takes column + - * / number; found", op)
            self.take()
            num = self.expect("num", None, "a number after " + op.text)
            value = float(num.value)
            if not np.isfinite(value) or (op.text == "/" and value == 0):
                raise _fail(self.formula, "the number must be finite (and not 0 for /):", num)
            self.expect("op", ")", "')' closing I(")
            return Factor("arith", col, f"I({disp} {op.text} {num.value})", op=op.text, number=value)
        if fname == "C":
            col, disp = self.column("inside C()")
            ref: str | float | None = None
            ref_text = ""
            if self.peek().text == ",":
                self.take()
                self.expect("name", "Treatment", "Treatment('level')")
                self.expect("op", "(", "'(' after Treatment")
                lv = self.take()
                if lv.kind == "str":
                    ref, ref_text = lv.value, repr(lv.value)
                elif lv.kind == "num":
                    ref, ref_text = lv.value, lv.value
                else:
                    raise _fail(self.formula, "Treatment() takes one level in quotes or a number; found", lv)
                self.expect("op", ")", "')' closing Treatment(")
            self.expect("op", ")", "')' closing C(")
            shown = f"C({disp}, Treatment({ref_text}))" if ref is not None else f"C({disp})"
            return Factor("categorical", col, shown, reference=ref)
        if fname in FUNCTIONS:
            col, disp = self.column(f"inside {fname}()")
            self.expect("op", ")", f"')' closing {fname}(")
            return Factor("function", col, f"{fname}({disp})", function=fname)
        raise _fail(self.formula, "unknown function", t)


def parse_formula(formula: str) -> ParsedFormula:
    """Parse ``formula`` against the grammar in this module's docstring.

    Raises
    ------
    ModelError
        Naming the formula and the offending token for anything outside the grammar.
    """
    if not isinstance(formula, str):
        raise ModelError(f"a model formula must be text like 'y ~ x + z', got {clip(formula)}")
    if len(formula) > MAX_FORMULA_CHARS:
        raise ModelError(f"the formula {clip(formula)} has {len(formula)} characters; at most "
                         f"{MAX_FORMULA_CHARS} are accepted")
    toks = _tokenize(formula)
    tildes = [t for t in toks if t.kind == "op" and t.text == "~"]
    if len(tildes) != 1:
        raise ModelError(f"a model formula must look like 'y ~ x + z' (one '~'), got {clip(formula)}")
    cut = toks.index(tildes[0])
    if cut == 0:
        raise ModelError(f"the formula {clip(formula)} has no response (nothing left of '~')")
    if toks[cut + 1].kind == "end":
        raise ModelError(f"the formula {clip(formula)} has no terms (nothing right of '~'); use 'y ~ 1' for none")
    lhs = _Parser(formula, toks[:cut] + [_Token("end", "", tildes[0].pos)])
    response = lhs.factor()
    if lhs.peek().kind != "end":
        raise _fail(formula, "the response must be one column or one transformed column; found", lhs.peek())
    if response.kind == "categorical":
        raise _fail(formula, "the response cannot be C(...); found", toks[0])
    p = _Parser(formula, toks[cut + 1:])
    factors: dict[str, Factor] = {}
    safe_of: dict[str, str] = {}
    out: list[str] = []
    depth = 0
    while p.peek().kind != "end":
        t = p.peek()
        if t.kind == "op" and t.text in "+-:*":
            out.append(p.take().text)
        elif t.kind == "op" and t.text == "(":
            depth += 1
            if depth > MAX_FORMULA_DEPTH:
                raise _fail(formula, f"parentheses nested deeper than {MAX_FORMULA_DEPTH} at", t)
            out.append(p.take().text)
        elif t.kind == "op" and t.text == ")":
            depth -= 1
            out.append(p.take().text)
        elif t.kind == "num":
            if t.value not in ("0", "1"):
                raise _fail(formula, "a number stands alone only as 0 or 1 (the intercept); found", t)
            out.append(p.take().text)
        elif t.kind in ("name", "bq"):
            f = p.factor()
            if f.display not in safe_of:
                safe_of[f.display] = f"_f{len(safe_of)}"
                factors[safe_of[f.display]] = f
            out.append(safe_of[f.display])
        else:
            raise _fail(formula, "unexpected", t)
    return ParsedFormula(formula=formula, response=response, factors=factors, safe_rhs=" ".join(out))


def formula_columns(formula: str) -> tuple[str, list[str]]:
    """The response (as spelled in the design) and the data columns a formula refers to.

    Raises
    ------
    ModelError
        If the formula is not of the form ``"y ~ terms"`` or falls outside the grammar.
    """
    parsed = parse_formula(formula)
    return parsed.response.display, parsed.columns


# --------------------------------------------------------------------------- design


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


def check_columns(data: "pd.DataFrame", columns: list[str], *, formula: str) -> None:
    """Raise :class:`ModelError` naming the first column not in ``data``."""
    have = [str(c) for c in data.columns]
    for col in columns:
        if col not in have:
            close = difflib.get_close_matches(col, have, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(clip(h, 60, quote=False) for h in have[:50]) + (f" and {len(have) - 50} more" if len(have) > 50 else "")
            raise ModelError(
                f"the formula {clip(formula)} names {clip(col)}, which is not a column of the data "
                f"(columns: {shown}){hint}",
                column=clip(col, 80, quote=False),
            )


def _numeric_values(f: Factor, sub: "pd.DataFrame", rowno: np.ndarray, formula: str) -> np.ndarray:
    """The values of a ``function``/``arith`` factor, or a ModelError naming row and column."""
    import pandas as pd

    raw = sub[f.column]
    x = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(x))
    if bad.size:
        j = int(bad[0])
        raise ModelError(f"{f.display} in the formula {clip(formula)} needs numbers; found {clip(raw.iloc[j])}",
                         row=int(rowno[j]), column=f.column)
    with np.errstate(all="ignore"):
        if f.kind == "function":
            v = FUNCTIONS[str(f.function)](x)
        else:
            v = _OPS[str(f.op)](x, float(f.number))  # type: ignore[arg-type]
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        j = int(bad[0])
        raise ModelError(f"{f.display} in the formula {clip(formula)} is not a finite number for the value "
                         f"{clip(raw.iloc[j])}", row=int(rowno[j]), column=f.column)
    return v


def _reference(f: Factor, values: "pd.Series", formula: str) -> Any:
    """The level of ``values`` that ``Treatment(...)`` names (matched by value or by its text)."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        levels = list(values.cat.categories)
    else:
        levels = list(pd.unique(values.dropna()))
    want = f.reference
    for lv in levels:
        if lv == want or str(lv) == str(want):
            return lv
        try:
            if float(lv) == float(str(want)):
                return lv
        except (TypeError, ValueError):
            pass
    shown = ", ".join(clip(lv, 40) for lv in levels[:20]) + (" ..." if len(levels) > 20 else "")
    raise ModelError(f"{f.display} in the formula {clip(formula)}: the reference level {clip(want)} is not "
                     f"among the levels of {clip(f.column)} ({shown})", column=f.column)


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
        ``"y ~ x + z"`` in the grammar of this module (a safe subset of patsy's).
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
        For a formula outside the grammar or naming a missing column, a transform that is
        not finite (``log`` of 0), a non-positive exposure, an empty or rank-deficient
        design.

    Notes
    -----
    Validated against patsy's own evaluation of the same formulas (names and values,
    ``tests/models/test_formula_no_eval.py``) and, through the model fits, against R.
    """
    import pandas as pd
    import patsy

    parsed = parse_formula(formula)
    columns = parsed.columns
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
        raise ModelError(f"no complete rows for {clip(formula)}: every row misses one of {clip(used)}")
    sub = frame.iloc[keep]
    subrow = rowno[keep]

    offset = None
    if exposure is not None:
        expo = pd.to_numeric(sub[exposure], errors="coerce")
        for pos, raw, val in zip(keep, sub[exposure], expo):
            if not np.isfinite(val) or val <= 0:
                raise ModelError(
                    f"exposure must be a positive number (its log is the offset), found {clip(raw)}",
                    row=int(rowno[pos]),
                    column=exposure,
                )
        offset = np.log(expo.to_numpy(dtype=float))

    # Values of every factor, keyed by its display name; patsy only looks them up.
    values: dict[str, Any] = {}
    lookup: dict[str, Any] = {}
    for safe, f in parsed.factors.items():
        if f.kind == "column":
            values[f.display] = sub[f.column]
            lookup[safe] = patsy.LookupFactor(f.display)
        elif f.kind == "categorical":
            values[f.display] = sub[f.column]
            contrast = None if f.reference is None else patsy.Treatment(reference=_reference(f, sub[f.column], formula))
            lookup[safe] = patsy.LookupFactor(f.display, force_categorical=True, contrast=contrast)
        else:
            values[f.display] = pd.Series(_numeric_values(f, sub, subrow, formula), index=sub.index)
            lookup[safe] = patsy.LookupFactor(f.display)
    try:
        # parses operators over generated names only (_f0 + _f1:_f2 - 1); evaluates nothing
        desc = patsy.ModelDesc.from_formula(parsed.safe_rhs)
    except patsy.PatsyError:
        raise ModelError(f"the formula {clip(formula)}: the terms are not joined correctly (terms are joined by "
                         f"+ - : *, with parentheses around groups); {_GRAMMAR_HINT}") from None
    terms = [patsy.Term([lookup[fac.code] for fac in term.factors]) for term in desc.rhs_termlist]
    try:
        X = patsy.dmatrix(patsy.ModelDesc([], terms), values, NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ModelError(f"cannot build the design for {clip(formula)}: {clip(exc.message, 300)[1:-1]}") from None

    r = parsed.response
    if r.kind == "column":
        y = sub[r.column]
    else:
        y = _numeric_values(r, sub, subrow, formula)
    y = pd.Series(np.asarray(y), index=sub.index, name=r.display)

    names = list(X.columns)
    Xa = X.to_numpy(dtype=float)
    if not intercept and "Intercept" in names:
        j = names.index("Intercept")
        Xa = np.delete(Xa, j, axis=1)
        names.pop(j)
    if Xa.shape[0] <= Xa.shape[1]:
        raise ModelError(
            f"{Xa.shape[0]} complete rows for {Xa.shape[1]} coefficients in {clip(formula)}: too few to fit"
        )
    if Xa.shape[1] > 0:
        rank = np.linalg.matrix_rank(Xa)
        if rank < Xa.shape[1]:
            aliased = _aliased(Xa, names)
            raise ModelError(
                f"the design of {clip(formula)} is rank deficient ({rank} of {Xa.shape[1]} columns "
                f"independent): {', '.join(aliased)} can be written from the other columns "
                "(a constant column, a duplicated variable, or a level present in no row)"
            )
    return Design(
        response=r.display,
        row_numbers=subrow,
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
