"""CSV, XLSX and LaTeX exports of display tables and records.

Spreadsheet safety: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is run as a formula by Excel/LibreOffice (CSV injection).  Such cells
are prefixed with a single quote, unless the cell is a plain number (``-0.5``,
``+3``), which is left as it is so numbers stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy._tables import DisplayTable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+\-\u2212]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


def safe_cell(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would evaluate as a formula."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def _rows(table: "DisplayTable") -> Iterable[list[str]]:
    yield [table.title]
    for i, p in enumerate(table.panels):
        if p.title:
            yield [p.title]
        yield list(p.header)
        for r in p.rows:
            yield [("  " * r.indent) + r.label, *r.cells]
        if i < len(table.panels) - 1:
            yield []
    for f in table.footnotes:
        yield [f]


def write_csv(table: "DisplayTable", path: str | Path) -> Path:
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for row in _rows(table):
            w.writerow([safe_cell(c) for c in row])
    return path


def write_frame_csv(df: "pd.DataFrame", path: str | Path) -> Path:
    """A DataFrame as CSV, every cell *and header* a spreadsheet would run as a formula
    neutralised (headers come from participant files too)."""
    path = Path(path)
    out = df.map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    out.to_csv(path, index=False, lineterminator="\n")
    return path


def write_records_csv(records: Iterable[Any], path: str | Path) -> Path:
    """All records as a tidy CSV (one number per row)."""
    from serostudy._records import records_to_frame

    df = records_to_frame(records)
    df = df.map(safe_cell)
    path = Path(path)
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def write_xlsx(table: "DisplayTable", path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    # Excel refuses sheet titles with \ / * ? : [ ] or longer than 31 characters
    ws.title = re.sub(r"[\\/*?:\[\]]", "_", table.name)[:31] or "table"
    for row in _rows(table):
        ws.append([safe_cell(c) for c in row])
    ws["A1"].font = Font(bold=True)
    path = Path(path)
    wb.save(path)
    return path


_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                  "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
                  "\u00b1": r"$\pm$", "\u2212": "$-$", "\u2013": "--", "\u03c1": r"$\rho$"}


def latex_escape(s: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in s)


def table_latex(table: "DisplayTable") -> str:
    """A booktabs ``table`` environment; every cell LaTeX-escaped."""
    out = ["\\begin{table}[ht]", "\\centering", f"\\caption{{{latex_escape(table.title)}}}"]
    for p in table.panels:
        ncol = len(p.header)
        out.append("\\begin{tabular}{l" + "r" * (ncol - 1) + "}")
        out.append("\\toprule")
        if p.title:
            out.append(f"\\multicolumn{{{ncol}}}{{l}}{{{latex_escape(p.title)}}} \\\\")
        out.append(" & ".join(latex_escape(h) for h in p.header) + " \\\\")
        out.append("\\midrule")
        for r in p.rows:
            label = ("\\quad " * r.indent) + latex_escape(r.label)
            out.append(" & ".join([label, *(latex_escape(c) for c in r.cells)]) + " \\\\")
        out.append("\\bottomrule")
        out.append("\\end{tabular}")
    for f in table.footnotes:
        out.append(f"\\par\\footnotesize {latex_escape(f)}")
    out.append("\\end{table}")
    return "\n".join(out) + "\n"
