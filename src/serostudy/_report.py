"""Writing a run's output folder: tables, figures, ``results.json``, ``report.html``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from serostudy._stage import Section

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._pipeline import StudyRun
    from serostudy._stage import RunContext


def _participants_section(ctx: "RunContext") -> Section:
    from serostudy._records import Record
    from serostudy._render.html import render_template

    cfg = ctx.config
    rows, records = [], []
    for g, c in ctx.participant_counts().items():
        rows.append({"group": cfg.groups.label(g), **c})
        records += [Record("participants", "(participants)", k, float(c[k]), group=g)
                    for k in ("assessed", "excluded", "analysed")]
    html = render_template("participants.html.j2", rows=rows, excluded=ctx.excluded)
    return Section(id="participants", title="Participants", html=html, records=tuple(records), order=20)


def _write_analysis_data(ctx: "RunContext", path: Path) -> Path:
    """``analysis_data.csv``: one row per participant read, with ``analysed`` and
    ``exclusion`` (stage: reason), the codebook variables as analysed, then the rest."""
    import pandas as pd

    from serostudy._render.export import write_frame_csv

    cfg = ctx.config
    idcol, gcol = cfg.data.id, cfg.groups.variable
    reasons = {e.participant: f"{e.stage}: {e.reason}" for e in ctx.excluded}
    ids = ctx.data[idcol].astype(str)
    front = pd.DataFrame({idcol: ids, gcol: ctx.data[gcol].astype(str),
                          "analysed": ctx.analysed_mask(), "exclusion": [reasons.get(i, "") for i in ids]})
    names = [n for n in cfg.codebook if n in ctx.data.columns]
    derived = [rr.name for v in cfg.codebook.values() if (rr := v.reference_range) is not None and rr.name in ctx.data]
    rest = [c for c in ctx.data.columns if c not in {idcol, gcol, *names, *derived}]
    out = pd.concat([front, ctx.data[names + derived + rest].reset_index(drop=True)], axis=1)
    return write_frame_csv(out, path)


_FILE_NOTES = {
    "report.html": "the report: one self-contained page (open it in a browser; no network needed)",
    "results.json": "every number in the report, one record per number (docs/results.md)",
    "records.csv": "the same records as a table",
    "analysis_data.csv": "every participant read, analysed or excluded with the reason, with the values analysed",
}


def _readme_text(ctx: "RunContext", names: list[str]) -> str:
    lines = []
    if ctx.synthetic:
        lines += ["SYNTHETIC DATA: every file in this folder describes a made-up cohort.",
                  "No row is a real person; nothing here is a clinical finding.", ""]
    lines += [f"serostudy output for: {ctx.config.study.title}", f"seed: {ctx.seed}", "", "Files:"]
    for n in names:
        note = _FILE_NOTES.get(n)
        if note is None and n.endswith((".docx", ".xlsx", ".tex")):
            note = "journal-style table"
        elif note is None and n.endswith((".png", ".svg")):
            note = "figure"
        elif note is None and n.endswith(".csv"):
            note = "table (cells a spreadsheet would run as formulas are prefixed with ')"
        lines.append(f"  {n}: {note}")
    return "\n".join(lines) + "\n"


def write_outputs(ctx: "RunContext", out_dir: Path) -> "StudyRun":
    from serostudy._paths import OutputFolder
    from serostudy._pipeline import StudyRun, dumps_results, results_document, software_versions
    from serostudy._render.docx import write_docx
    from serostudy._render.export import table_latex, write_csv, write_records_csv, write_xlsx
    from serostudy._render.figures import figure_bytes
    from serostudy._render.html import png_data_uri, render_report
    from serostudy._render.text import key_results, methods_paragraph
    from serostudy._tables import DisplayTable

    out_dir.mkdir(parents=True, exist_ok=True)
    # every file name derived from a user name goes through one checked slug allocator
    folder = OutputFolder(out_dir, reserved=("report.html", "results.json", "records.csv", "analysis_data.csv",
                                             "README.txt"))
    files: list[Path] = []
    sections = [_participants_section(ctx), *ctx.sections]
    sections.sort(key=lambda s: s.order)
    versions = software_versions()

    # tables
    for s in sections:
        for name, t in s.tables.items():
            if isinstance(t, DisplayTable):
                stem = folder.stem(name, (".csv", ".docx", ".xlsx", ".tex"))
                files.append(write_csv(t, folder.path(f"{stem}.csv")))
                files.append(write_docx([t], folder.path(f"{stem}.docx")))
                files.append(write_xlsx(t, folder.path(f"{stem}.xlsx")))
                p = folder.path(f"{stem}.tex")
                p.write_text(table_latex(t), encoding="utf-8")
                files.append(p)
            else:  # a DataFrame
                from serostudy._render.export import write_frame_csv

                files.append(write_frame_csv(t, folder.path(f"{folder.stem(name, ('.csv',))}.csv")))
    # figures
    fig_html: dict[str, list[dict[str, Any]]] = {}
    for s in sections:
        for f in s.figures:
            png, svg = figure_bytes(f.figure)
            stem = folder.stem(f.name, (".png", ".svg"))
            png_path, svg_path = folder.path(f"{stem}.png"), folder.path(f"{stem}.svg")
            png_path.write_bytes(png)
            svg_path.write_text(svg, encoding="utf-8")
            files += [png_path, svg_path]
            fig_html.setdefault(s.id, []).append({"src": png_data_uri(png), "caption": f.caption, "alt": f.alt,
                                                  "name": f.name})
    # the analysed data: every participant, analysed or excluded with the reason
    files.append(_write_analysis_data(ctx, folder.path("analysis_data.csv")))
    # results.json and records.csv
    doc = results_document(ctx, sections)
    folder.path("results.json").write_text(dumps_results(doc), encoding="utf-8")
    files.append(folder.path("results.json"))
    files.append(write_records_csv([r for s in sections for r in s.records], folder.path("records.csv")))
    # report
    import yaml

    context = {
        "title": ctx.config.study.title,
        "description": ctx.config.study.description or "",
        "synthetic": ctx.synthetic,
        "methods": methods_paragraph(ctx, sections, versions),
        "key_results": key_results(ctx, sections),
        "sections": [{"id": s.id, "title": s.title, "html": Markup(s.html), "figures": fig_html.get(s.id, []),
                      "choices": list(s.choices)} for s in sections],
        "versions": versions,
        "inputs": [{"path": p, "sha256": h} for p, h in ctx.inputs],
        "config_yaml": yaml.safe_dump(ctx.config.model_dump(mode="json"), sort_keys=False, allow_unicode=True),
        "files": sorted(f.name for f in files) + ["report.html"],
        "seed": ctx.seed,
    }
    folder.path("report.html").write_text(render_report(context), encoding="utf-8")
    files.append(folder.path("report.html"))
    readme = folder.path("README.txt")
    readme.write_text(_readme_text(ctx, sorted(f.name for f in files)), encoding="utf-8")
    files.append(readme)
    return StudyRun(out_dir=out_dir, results=doc, sections=tuple(sections), files=tuple(files))
