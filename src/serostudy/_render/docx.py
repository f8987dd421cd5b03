"""Journal-style Word tables (python-docx): three horizontal rules, no vertical lines,
title above, footnotes below, first column left-aligned, numbers centred."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._tables import DisplayTable


def _border(cell, **edges: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcPr = cell._tc.get_or_add_tcPr()
    borders = tcPr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcPr.append(borders)
    for edge, val in edges.items():
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), "8" if val != "nil" else "0")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)


def write_docx(tables: Sequence["DisplayTable"], path: str | Path, *, landscape: bool = True) -> Path:
    """Write one or more tables into a .docx, each with title and footnotes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    # deterministic core properties (python-docx would stamp the current time)
    import datetime as _dt

    fixed = _dt.datetime(2000, 1, 1)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.core_properties.last_modified_by = "serostudy"
    doc.core_properties.author = "serostudy"
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    if landscape:
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for t_i, table in enumerate(tables):
        if t_i:
            doc.add_paragraph()
        title = doc.add_paragraph()
        run = title.add_run(table.title)
        run.bold = True
        if table.synthetic:
            warn = title.add_run("  [SYNTHETIC DATA]")
            warn.bold = True
        for p in table.panels:
            if p.title:
                para = doc.add_paragraph()
                para.add_run(p.title).italic = True
            ncol = len(p.header)
            tab = doc.add_table(rows=1 + len(p.rows), cols=ncol)
            tab.alignment = WD_TABLE_ALIGNMENT.CENTER
            for j, h in enumerate(p.header):
                cell = tab.rows[0].cells[j]
                cell.text = ""
                r = cell.paragraphs[0].add_run(h)
                r.bold = True
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                _border(cell, top="single", bottom="single", left="nil", right="nil")
            for i, row in enumerate(p.rows, start=1):
                vals = [("    " * row.indent) + row.label, *row.cells]
                for j, v in enumerate(vals):
                    cell = tab.rows[i].cells[j]
                    cell.text = v
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                    if row.kind == "variable" and j == 0:
                        for r in cell.paragraphs[0].runs:
                            r.bold = False
                    last = i == len(p.rows)
                    _border(cell, top="nil", bottom="single" if last else "nil", left="nil", right="nil")
        for f in table.footnotes:
            para = doc.add_paragraph()
            para.paragraph_format.space_after = Pt(0)
            r = para.add_run(f)
            r.font.size = Pt(8)
    path = Path(path)
    doc.save(str(path))
    return path
