"""Readers for participant tables, with the codebook applied.

Every value is checked against the codebook with the file, the spreadsheet row and the
column named in the error.  Rows are never dropped here: a participant with a missing
value stays in the table with ``NaN``; who is analysed is decided (and logged) later.

Formats: CSV (``,``, ``;`` or tab separated; UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1256 / ISO-8859-6 by the detection rule of :mod:`serostudy._io.text`, or a
declared encoding), XLSX (openpyxl),
SPSS ``.sav`` and Stata ``.dta`` (pyreadstat; value labels are applied, so a coded
``1 = male`` arrives as ``male``).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serostudy.exceptions import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._io.config import StudyConfig, Variable

CENSOR_SUFFIX = "__censor"
"""Suffix of the column holding ``"<"``/``">"`` for censored values of a variable."""

_CENSORED = re.compile(r"^\s*(<=?|>=?|≤|≥)\s*([+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?)\s*$")
_SUPPORTED = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV", ".xlsx": "XLSX", ".xlsm": "XLSX", ".sav": "SPSS", ".zsav": "SPSS", ".dta": "Stata"}


@dataclass(frozen=True)
class TableSource:
    """Where a table came from: shown in errors, hashed in the report."""

    path: str
    sha256: str
    format: str
    first_data_row: int  # spreadsheet row number of the first data row (header = row 1)
    row_word: str = "row"
    encoding: str | None = None  # codec a text file was decoded with
    encoding_choice: str = ""  # the automatic choice, when the encoding was detected


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_table(path: str | Path, *, sheet: str | int | None = None, na_values: list[str] | None = None,
               encoding: str | None = None) -> "pd.DataFrame":
    """Read a CSV, XLSX, SPSS or Stata file into a DataFrame of raw values.

    CSV cells are kept as text (so ``"<21"`` or ``"1,5"`` can be reported exactly);
    numeric conversion happens in :func:`apply_codebook`.  ``df.attrs["source"]`` holds
    a :class:`TableSource`.

    A text file (``.csv``, ``.tsv``, ``.txt``) is decoded by ``encoding`` when given,
    else by the rule of :mod:`serostudy._io.text` (byte-order mark, valid UTF-8,
    Arabic-script Windows-1256 / ISO-8859-6, else an error); the encoding and, when it
    was detected, a sentence for the automatic choices are in the source.  Its
    separator is the most frequent of tab, ``;`` and ``,`` in the header (tab always
    for ``.tsv``).

    Raises
    ------
    DataError
        Missing, empty or unreadable file, unknown format, duplicate column names.
    """
    import pandas as pd

    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise DataError("file not found", file=shown)
    if path.is_dir():
        raise DataError("is a folder, expected a data file", file=shown)
    ext = path.suffix.lower()
    fmt = _SUPPORTED.get(ext)
    if fmt is None:
        raise DataError(
            f"unknown file type {ext or '(none)'!r}; expected one of {sorted(_SUPPORTED)}", file=shown
        )
    if path.stat().st_size == 0:
        raise DataError("the file is empty; expected a header row and one row per participant", file=shown)
    na = list(na_values or [])
    row_word = "row"
    decoded = None
    try:
        if fmt == "CSV":
            import io

            from serostudy._io.text import decode_text, utf8_file

            decoded = None if encoding is not None else utf8_file(path, file=shown)
            if decoded is not None:  # UTF-8: pandas reads the file (no second copy in memory)
                _check_text_bytes(path, shown)
                with open(path, encoding="utf-8-sig") as fh:
                    sep = "\t" if ext == ".tsv" else _sniff_separator(fh.readline())
                df = _read_csv_strict(path, sep, shown)
            else:
                decoded = decode_text(path.read_bytes(), file=shown, encoding=encoding)
                if "\x00" in decoded.text:
                    line = decoded.text.count("\n", 0, decoded.text.index("\x00")) + 1
                    raise DataError(f"contains a NUL character (binary data?) after decoding as {decoded.encoding}; "
                                    "expected text", file=shown, row=line)
                sep = "\t" if ext == ".tsv" else _sniff_separator(decoded.text)
                df = _read_csv_strict(io.StringIO(decoded.text), sep, shown)
        elif fmt == "XLSX":
            _check_inflation(path, shown)
            df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=object, engine="openpyxl")
            if bool(df.isna().to_numpy().any()):
                _check_uncached_formulas(path, sheet if sheet is not None else 0, shown)
        else:
            import pyreadstat

            reader = pyreadstat.read_sav if fmt == "SPSS" else pyreadstat.read_dta
            df, _meta = reader(str(path), apply_value_formats=True)
            row_word = "case"
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(f"cannot be read as UTF-8 text ({exc.reason}); save it as UTF-8 CSV", file=shown) from None
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty; expected a header row and one row per participant", file=shown) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"cannot be parsed as {fmt}: {exc}", file=shown) from None
    except ValueError as exc:  # e.g. unknown sheet
        raise DataError(f"cannot be read as {fmt}: {exc}", file=shown) from None
    except Exception as exc:  # backend errors (zip, pyreadstat) translated into ours
        raise DataError(f"cannot be read as {fmt}: {type(exc).__name__}: {exc}", file=shown) from None

    df.columns = [str(c).strip() for c in df.columns]
    seen = Counter(df.columns)
    dup = sorted(c for c, k in seen.items() if k > 1)
    if dup:
        raise DataError(f"duplicate column name(s) {dup}; every column needs a unique name", file=shown)
    unnamed = [c for c in df.columns if c.startswith("Unnamed:")]
    if unnamed:
        raise DataError(f"{len(unnamed)} column(s) have no header; give every column a name", file=shown)
    if len(df) == 0:
        raise DataError("the file has a header but no data rows", file=shown)
    df = _blank_to_missing(df, na)
    df.attrs["source"] = TableSource(
        path=shown, sha256=file_sha256(path), format=fmt, first_data_row=2 if row_word == "row" else 1, row_word=row_word,
        encoding=decoded.encoding if decoded else None, encoding_choice=decoded.detail if decoded else "",
    )
    return df


def _sniff_separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {",": header.count(","), ";": header.count(";"), "\t": header.count("\t")}
    if counts["\t"] > max(counts[","], counts[";"]):
        return "\t"  # Excel's "Unicode text" and TSV files
    return ";" if counts[";"] > counts[","] else ","


def _blank_to_missing(df: "pd.DataFrame", na: list[str]) -> "pd.DataFrame":
    """Cells equal to one of ``na`` and blank text cells become ``None`` (every format).

    One pass over the text columns' values (``DataFrame.replace`` and ``.map`` cost a
    block operation per column: minutes for a 20,000-column file).
    """
    import numpy as np
    import pandas as pd

    missing = set(na)
    text_cols = [i for i, t in enumerate(df.dtypes) if pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t)]
    if not text_cols:
        return df

    def clean(v: Any) -> Any:
        if isinstance(v, str) and (v in missing or v.strip() == ""):
            return None
        return v

    values = np.frompyfunc(clean, 1, 1)(df.iloc[:, text_cols].to_numpy(dtype=object))
    if len(text_cols) == df.shape[1]:
        return pd.DataFrame(values, columns=df.columns, dtype=object)
    out = df.copy()
    for j, i in enumerate(text_cols):
        out.isetitem(i, pd.Series(values[:, j], index=df.index, dtype=object))
    return out


def _check_text_bytes(path: Path, shown: str) -> None:
    """Refuse a UTF-8 text table holding NUL bytes (a binary file, or UTF-16 without a
    byte-order mark), naming the row.  (UTF-16 with a byte-order mark is decoded by
    :mod:`serostudy._io.text` and never reaches here.)

    pandas would keep a NUL inside a cell, and it would reach labels and tables.
    """
    with open(path, "rb") as fh:
        line = 1
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            at = chunk.find(b"\x00")
            if at >= 0:
                line += chunk.count(b"\n", 0, at)
                raise DataError(
                    "contains a NUL byte (binary data, or a UTF-16 file without a byte-order mark); "
                    "expected UTF-8 text",
                    file=shown, row=line,
                )
            line += chunk.count(b"\n")


XLSX_MAX_INFLATED = 50 << 20
"""Bytes an XLSX may inflate to before its compression ratio is checked."""
XLSX_MAX_RATIO = 100
"""Largest inflated/compressed ratio accepted above :data:`XLSX_MAX_INFLATED` (spreadsheets
compress about 5-20 times; a zip bomb hundreds or thousands of times)."""


def _check_inflation(path: Path, shown: str) -> None:
    """Refuse an XLSX that would inflate to far more than its size (a zip bomb), before
    reading it.  Corrupt archives are left to the reader, which reports them."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            inflated = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    size = max(path.stat().st_size, 1)
    if inflated > XLSX_MAX_INFLATED and inflated / size > XLSX_MAX_RATIO:
        raise DataError(
            f"the workbook inflates from {size / 1e6:.2f} MB to {inflated / 1e6:.0f} MB "
            f"({inflated / size:.0f} times; spreadsheets compress 5-20 times): refused as a possible zip bomb; "
            f"save it again from a spreadsheet program or as CSV",
            file=shown,
        )


def _check_uncached_formulas(path: Path, sheet: str | int, shown: str) -> None:
    """Refuse formula cells that have no saved result.

    openpyxl reads the result Excel saved with a formula; a file written by a script and
    never opened in Excel has none, and the cell would silently read as empty.  Checked
    only when the table has empty cells (a second, streaming pass over the sheet).
    """
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        name = sheet if isinstance(sheet, str) else formulas.sheetnames[sheet]
        header: list[Any] = []
        for r, (frow, vrow) in enumerate(zip(formulas[name].iter_rows(values_only=True),
                                             values[name].iter_rows(values_only=True)), start=1):
            if r == 1:
                header = list(vrow)
                continue
            for c, (f, v) in enumerate(zip(frow, vrow)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    col = str(header[c]).strip() if c < len(header) and header[c] is not None else f"column {c + 1}"
                    shown_f = f if len(f) <= 60 else f[:57] + "..."
                    raise DataError(
                        f"holds the formula {shown_f!r} without a saved result, so its value is unknown; open the "
                        f"file in a spreadsheet program and save it (or paste the values) so results are stored",
                        file=shown, row=r, column=col,
                    )
    finally:
        formulas.close()
        values.close()


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_csv_strict(source: "Path | io.StringIO", sep: str, shown: str) -> "pd.DataFrame":
    """Read a CSV of text cells with the header as row 1, kept exactly.

    Read without a header and split off the first row, so that pandas neither renames
    duplicate headers (``age``, ``age.1``) nor turns the first columns into an index when
    a row has more fields than the header; such a row is an error naming it.  Rows with
    fewer fields have their last cells missing.
    """
    import pandas as pd

    try:
        if isinstance(source, Path):
            raw = pd.read_csv(source, sep=sep, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:  # text already decoded by serostudy._io.text
            raw = pd.read_csv(source, sep=sep, header=None, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        m = _FIELDS.search(str(exc))
        if m is None:
            raise
        want, line, saw = (int(g) for g in m.groups())
        raise DataError(
            f"this row has {saw} fields, the header has {want}; check for an unquoted separator "
            f"({sep!r}) inside a cell",
            file=shown, row=line,
        ) from None
    header = ["" if (isinstance(h, float) or h is None) else str(h) for h in raw.iloc[0].tolist()]
    empty = [i + 1 for i, h in enumerate(header) if h.strip() == ""]
    if empty:
        raise DataError(
            f"{len(empty)} column(s) have no header (column number(s) {empty[:10]}); give every column a name",
            file=shown, row=1,
        )
    df = raw.iloc[1:].reset_index(drop=True)
    df.columns = header
    return df


# --------------------------------------------------------------------------- codebook


def apply_codebook(raw: "pd.DataFrame", config: "StudyConfig") -> "pd.DataFrame":
    """Check and convert a raw participant table according to ``config``.

    Returns a new DataFrame with the id and group as strings, continuous and count
    variables as floats (censored cells as their limit, with a ``<name>__censor`` column
    holding ``"<"`` or ``">"``), categorical variables as strings, and the categories
    derived from reference ranges.

    Raises
    ------
    DataError
        Naming file, row and column: missing column, duplicate or empty id, unknown group,
        non-numeric cell, censored value where the codebook does not allow one, value
        outside the declared plausible range or levels.
    """
    import numpy as np
    import pandas as pd

    src: TableSource | None = raw.attrs.get("source")
    file = src.path if src else None
    first = src.first_data_row if src else 2
    word = src.row_word if src else "row"

    def err(msg: str, *, i: int | None = None, col: str | None = None) -> DataError:
        return DataError(msg, file=file, row=None if i is None else first + i, column=col, row_word=word)

    needed = [config.data.id, config.groups.variable,
              *(k for k, v in config.codebook.items() if v.ratio_of is None and v.derived_by is None)]
    raw = _match_headers(raw, needed)
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        c = missing[0]
        near = _close(c, list(raw.columns))
        hint = f"; did you mean {near!r}?" if near else ""
        raise err(
            f"required column is missing (the codebook/config names it){hint} Columns found: {_clip(list(raw.columns))}",
            col=c,
        )

    out = pd.DataFrame(index=raw.index)
    # id
    ids = raw[config.data.id]
    for i, v in enumerate(ids):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            raise err("empty participant id; every row needs an id", i=i, col=config.data.id)
    ids_s = ids.map(_as_text)
    dups = ids_s[ids_s.duplicated(keep="first")]
    if len(dups):
        pos = int(np.flatnonzero(ids_s.duplicated(keep="first").to_numpy())[0])
        firstpos = int(np.flatnonzero((ids_s == ids_s.iloc[pos]).to_numpy())[0])
        raise err(
            f"duplicate participant id {ids_s.iloc[pos]!r} (first seen at {word} {first + firstpos}); ids must be unique",
            i=pos,
            col=config.data.id,
        )
    out[config.data.id] = ids_s.to_numpy()
    # group
    gcol = config.groups.variable
    allowed = config.groups.order
    # a list, not Series.map: pandas 3 infers its `str` dtype from the mapped labels and turns
    # None (an empty group cell) into NaN, which then reached the label matcher as a float
    gvals = [None if v is None or (isinstance(v, float) and np.isnan(v)) else _as_text(v)
             for v in raw[gcol].to_numpy(dtype=object)]
    gmatch = _label_matcher(list(allowed))
    for i, v in enumerate(gvals):
        if v is None:
            raise err(f"empty group; expected one of {allowed}", i=i, col=gcol)
        if v not in allowed:
            v = gvals[i] = gmatch(v) or v
        if v not in allowed:
            raise err(f"unknown group label {_clip(v)}; expected one of {allowed} (groups.order in the config)", i=i, col=gcol)
    out[gcol] = np.asarray(gvals, dtype=object)

    derived = [(k, v.ratio_of) for k, v in config.codebook.items() if v.ratio_of is not None]
    for name, var in config.codebook.items():
        if var.ratio_of is not None or var.derived_by is not None:
            continue
        col = raw[name]
        if var.is_numeric:
            values, censor = _parse_numeric(col, name, var, err)
            out[name] = values
            if var.censored:
                out[name + CENSOR_SUFFIX] = censor
        else:
            out[name] = _parse_categorical(col, name, var, err)
        if var.groups is not None:
            bad = out[name].notna() & ~out[gcol].isin(var.groups)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise err(
                    f"value recorded for group {out[gcol].iloc[i]!r}, but the codebook says {name!r} is "
                    f"recorded only in {var.groups}",
                    i=i,
                    col=name,
                )
        if var.reference_range is not None:
            rr = var.reference_range
            cens = out[name + CENSOR_SUFFIX] if var.censored else None
            out[rr.name] = derive_category(out[name].to_numpy(), cens, rr)
    for name, (num, den) in derived:
        a, b = out[num].to_numpy(dtype=float), out[den].to_numpy(dtype=float)
        bad = (b <= 0) & ~np.isnan(b) & ~np.isnan(a)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise err(f"found {b[i]:g}; {name!r} = {num}/{den} needs {den} > 0", i=i, col=den)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = a / b
    # keep the extra (non-codebook) columns as raw text for stages that use them
    for c in raw.columns:
        if c not in out.columns:
            out[c] = raw[c].to_numpy()
    out.attrs["source"] = src
    return out.reset_index(drop=True)


def derive_category(values: Any, censor: Any, rr: Any) -> "pd.Series":
    """Classify values by a reference range.

    Below ``low`` is the first label, above ``high`` the last, in between (bounds
    included) the middle one.  A censored value is classified only when every value it
    may stand for falls in one category (``<21`` with ``low = 21`` is low; ``<50`` is
    unknown, so missing).
    """
    import numpy as np
    import pandas as pd

    x = np.asarray(values, dtype=float)
    cen = np.asarray(censor if censor is not None else [""] * len(x), dtype=object)
    labels = list(rr.labels)
    last = len(labels) - 1

    def point(v: float) -> int:
        if rr.low is not None and v < rr.low:
            return 0
        if rr.high is not None and v > rr.high:
            return last
        return 0 if rr.low is None else 1

    cats = np.full(len(x), None, dtype=object)
    for i, v in enumerate(x):
        if np.isnan(v):
            continue
        c = cen[i] or ""
        if c.startswith("<"):
            # true value in (-inf, v): known only if all of it is in the first category
            top = rr.low if rr.low is not None else rr.high
            if v <= top:
                cats[i] = labels[0]
        elif c.startswith(">"):
            bottom = rr.high if rr.high is not None else rr.low
            if v >= bottom:
                cats[i] = labels[last]
        else:
            cats[i] = labels[point(v)]
    return pd.Series(pd.Categorical(cats, categories=labels, ordered=True))


def _parse_numeric(col: "pd.Series", name: str, var: "Variable", err: Any) -> tuple[Any, Any]:
    import numpy as np

    from serostudy._io.text import normalize_number_text

    n = len(col)
    values = np.full(n, np.nan)
    censor = np.full(n, "", dtype=object)
    for i, v in enumerate(col.to_numpy()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            x = float(v)
        else:
            s = str(v).strip()
            try:
                x = parse_number(s)
            except ValueError:
                s = normalize_number_text(s)  # '<۲۱' is censored like '<21'
            try:
                x = parse_number(s)
            except ValueError:
                m = _CENSORED.match(s)
                if m:
                    if not var.censored:
                        raise err(
                            f"found {_clip(s)}, a value censored at a limit, in a numeric column; if values below/above "
                            f"a quantification limit are expected, declare `censored: true` for {name!r} in the "
                            f"codebook, so they are kept as censored values rather than guessed",
                            i=i,
                            col=name,
                        ) from None
                    x = float(m.group(2).replace(",", "."))
                    censor[i] = "<" if m.group(1) in ("<", "<=", "≤") else ">"
                else:
                    unit = f" in {var.unit}" if var.unit else ""
                    hint = ""
                    if var.unit and s.lower().endswith(var.unit.lower()):
                        hint = "; write the number alone (the unit is declared in the codebook)"
                    elif "," in s and s.replace(",", "", 1).replace("-", "", 1).isdigit():
                        hint = "; use a decimal point, not a comma"
                    elif "\u066c" in s:
                        hint = "; '٬' separates thousands only in groups of three digits (۱٬۲۳۴)"
                    elif s.endswith("%"):
                        hint = "; write the number without a percent sign"
                    if "_" in s and _NUMBER_TEXT.fullmatch(s.replace("_", "")):
                        hint = "; digit separators such as '_' are not part of a number a spreadsheet writes"
                    raise err(f"found {_clip(s)}, expected a number{unit}{hint}", i=i, col=name) from None
        if not np.isfinite(x):
            raise err(f"found {_clip(v)}, expected a finite number (infinity and NaN are not values; leave the "
                      "cell empty for a missing value)", i=i, col=name)
        if var.type == "count" and (x < 0 or x != int(x)):
            raise err(f"found {_clip(v)}, expected a whole number >= 0 (a count)", i=i, col=name)
        if var.min is not None and x < var.min and censor[i] != "<":
            raise err(f"found {x:g}, below the smallest plausible value {var.min:g} declared in the codebook", i=i, col=name)
        if var.max is not None and x > var.max and censor[i] != ">":
            raise err(f"found {x:g}, above the largest plausible value {var.max:g} declared in the codebook", i=i, col=name)
        values[i] = x
    return values, censor


#: A number as a spreadsheet writes it: ASCII digits (after :func:`parse_number` maps other
#: scripts' decimal digits), one optional sign, point and exponent.  Not ``1_000``,
#: ``inf``, ``nan``, ``0x1A`` -- all of which Python's ``float()`` would accept.
_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def parse_number(text: str) -> float:
    """``text`` as a float, only if it is written as a spreadsheet writes numbers.

    Decimal digits of other scripts (Persian ``۲۷``, Arabic-Indic, ...) are read as
    their ASCII digits, as ``float()`` always did, and the Persian decimal separator
    ``٫`` and thousands separator ``٬`` (in groups of three only) as in
    :func:`serostudy._io.text.normalize_number_text`; anything outside
    :data:`_NUMBER_TEXT` raises ``ValueError``.  ``1e999`` parses (to ``inf``) and is
    refused by the caller as not finite.
    """
    from serostudy._io.text import normalize_number_text

    text = normalize_number_text(text)
    if not _NUMBER_TEXT.fullmatch(text):
        raise ValueError(text)
    return float(text)


def to_numeric_or_nan(col: "pd.Series") -> "pd.Series":
    """Each cell as a float by :func:`parse_number` (numbers kept), NaN where it is not one.

    The config-free readers (``serostudy table1``, ``serostudy model``) use it to decide
    which columns are numeric, so Persian digits count as numbers there too.
    """
    import numpy as np
    import pandas as pd

    base = pd.to_numeric(col, errors="coerce")  # what these readers always accepted
    if not any(isinstance(v, str) and not v.isascii() for v in col.to_numpy()):
        return base.astype(float)

    def one(v: Any, b: float) -> float:
        if isinstance(v, str) and not v.isascii():
            try:
                return parse_number(v.strip())
            except ValueError:
                return np.nan
        return b

    return pd.Series([one(v, b) for v, b in zip(col.to_numpy(), base.to_numpy(dtype=float))],
                     index=col.index, dtype=float)


def _clip(value: Any) -> str:
    from serostudy._limits import clip

    return clip(value, 80)


def _parse_categorical(col: "pd.Series", name: str, var: "Variable", err: Any) -> Any:
    import numpy as np
    import pandas as pd

    vals = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else _as_text(v) for v in col.to_numpy()]
    if var.levels is not None:
        lv = list(var.levels)
        folded = _label_matcher(lv)
        for i, v in enumerate(vals):
            if v is None:
                continue
            if v not in lv:
                # case (Male/male) and Persian/Arabic spelling variants (ي/ی, ك/ک, ZWNJ,
                # tatweel) match the codebook's level, whose spelling is kept
                hit = folded(v)
                if hit is not None:
                    vals[i] = hit
                    continue
                raise err(f"found {_clip(v)}, expected one of {lv} (levels in the codebook)", i=i, col=name)
        return pd.Categorical(vals, categories=lv, ordered=var.type == "ordinal")
    return np.asarray(vals, dtype=object)


def _match_headers(raw: "pd.DataFrame", needed: list[str]) -> "pd.DataFrame":
    """Rename columns whose header differs from a needed name only in Persian/Arabic
    spelling variants (see :func:`~serostudy._io.text.fold_label`) to that name."""
    from serostudy._io.text import fold_label

    absent = [c for c in needed if c not in raw.columns]
    if not absent:
        return raw
    by_key: dict[str, list[str]] = {}
    for c in raw.columns:
        by_key.setdefault(fold_label(str(c)), []).append(c)
    ren = {}
    for c in absent:
        hits = by_key.get(fold_label(c), [])
        if len(hits) == 1 and hits[0] not in needed:
            ren[hits[0]] = c
    if not ren:
        return raw
    out = raw.rename(columns=ren)
    out.attrs = dict(raw.attrs)
    return out


def _label_matcher(levels: list[str]) -> Any:
    """``label -> codebook level`` by :func:`~serostudy._io.text.fold_label`, or None.

    Two levels that fold to the same key are matched only exactly (never guessed).
    """
    from serostudy._io.text import fold_label

    keys: dict[str, str | None] = {}
    for x in levels:
        k = fold_label(x)
        keys[k] = None if k in keys else x
    return lambda v: keys.get(fold_label(v)) if isinstance(v, str) else None


def _as_text(v: Any) -> str:
    """Text form of a cell: 1.0 -> '1' (XLSX and SPSS store integers as floats)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _close(name: str, options: list[str]) -> str | None:
    import difflib

    m = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    if m:
        return m[0]
    low = {o.lower(): o for o in options}
    return low.get(name.lower())
