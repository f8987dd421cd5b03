"""Display tables: the neutral structure between analyses and renderers.

An analysis builds a :class:`DisplayTable` (text cells already formatted, plus the
records behind them); renderers turn it into HTML, DOCX, CSV, XLSX or LaTeX.  No
statistics happen here and no rendering happens in the analyses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from serostudy._records import Record

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

RowKind = Literal["variable", "level", "missing", "header"]


@dataclass(frozen=True, slots=True)
class Row:
    """One display row: a label and one text cell per column after the first."""

    label: str
    cells: tuple[str, ...]
    kind: RowKind = "variable"
    variable: str | None = None
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Panel:
    """A block of a table with its own column header (e.g. Table 2 A and B)."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    title: str | None = None


@dataclass(frozen=True)
class DisplayTable:
    """A journal-style table: title, panels, footnotes, and the records behind it.

    Attributes
    ----------
    name
        File stem for exports (``table1`` -> ``table1.csv``, ``table1.docx``).
    title
        Caption printed above the table.
    panels
        One or more blocks of rows.
    footnotes
        Printed under the table: every test named, denominators, abbreviations.
    records
        Every number in the cells, as :class:`~serostudy._records.Record`.
    choices
        Automatic choices made while building the table.
    synthetic
        If true, every rendering says the data are synthetic.
    """

    name: str
    title: str
    panels: tuple[Panel, ...]
    footnotes: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()
    choices: tuple[str, ...] = ()
    synthetic: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    # -- conversions (renderers are imported lazily) ------------------------------
    def to_frame(self, panel: int = 0) -> "pd.DataFrame":
        """The displayed cells of one panel as a DataFrame of strings."""
        import pandas as pd

        p = self.panels[panel]
        rows = [[("    " * r.indent) + r.label, *r.cells] for r in p.rows]
        return pd.DataFrame(rows, columns=list(p.header))

    def records_frame(self) -> "pd.DataFrame":
        """The numbers behind the table, one record per row (tidy)."""
        from serostudy._records import records_to_frame

        return records_to_frame(self.records)

    def to_html(self) -> str:
        """A standalone HTML fragment (a ``<table>`` with caption and footnotes)."""
        from serostudy._render.html import table_html

        return table_html(self)

    def to_docx(self, path: str | Path) -> Path:
        """Write a journal-style Word table; returns the path."""
        from serostudy._render.docx import write_docx

        return write_docx([self], path)

    def to_csv(self, path: str | Path) -> Path:
        """Write the displayed cells as CSV (cells a spreadsheet would run as formulas are neutralised)."""
        from serostudy._render.export import write_csv

        return write_csv(self, path)

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the displayed cells to an XLSX workbook (one sheet per panel)."""
        from serostudy._render.export import write_xlsx

        return write_xlsx(self, path)

    def to_latex(self) -> str:
        """LaTeX ``tabular`` (booktabs) of the table."""
        from serostudy._render.export import table_latex

        return table_latex(self)

    def _repr_html_(self) -> str:  # Jupyter
        return self.to_html()

    def __str__(self) -> str:
        lines = [self.title]
        for p in self.panels:
            if p.title:
                lines.append(p.title)
            lines.append(self.to_frame(self.panels.index(p)).to_string(index=False))
        lines.extend(self.footnotes)
        return "\n".join(lines)
