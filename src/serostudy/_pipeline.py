"""One run: a ``study.yaml`` and its data in, one output folder out.

Order of stages (each sees what the previous ones produced, see ``_stage.py``)::

    read participants -> assay -> clinical -> eligibility -> Table 1 -> Table 2
    -> figures -> models -> audit -> write outputs

The run is deterministic: the same inputs and seed give a byte-identical
``results.json`` (no timestamps; floats rounded to 12 significant digits; fixed key
order).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serostudy._io.config import StudyConfig, load_config
from serostudy._records import Record
from serostudy._stage import RunContext, Section
from serostudy._version import __version__

RESULTS_SCHEMA_VERSION = "1.0.0"

# Section order in the report.
ORDER = {
    "methods": 10, "participants": 20, "assay": 30, "flow": 40, "clinical": 45, "matching": 47,
    "table1": 50, "table2": 60, "figures": 70, "models": 80, "power": 85, "audit": 90,
}


@dataclass(frozen=True)
class StudyRun:
    """What a run produced."""

    out_dir: Path
    results: dict[str, Any]
    sections: tuple[Section, ...]
    files: tuple[Path, ...]


def load_context(config: StudyConfig, base_dir: Path, *, seed: int | None = None,
                 synthetic: bool | None = None) -> RunContext:
    """Read the participant table named by ``config`` and apply the codebook."""
    from serostudy._io.readers import apply_codebook, read_table

    path = (base_dir / config.data.participants)
    raw = read_table(path, sheet=config.data.sheet, na_values=config.data.na_values, encoding=config.data.encoding)
    src = raw.attrs["source"]
    data = apply_codebook(raw, config)
    ctx = RunContext(
        config=config,
        base_dir=base_dir,
        data=data,
        seed=config.study.seed if seed is None else seed,
        synthetic=config.study.synthetic if synthetic is None else synthetic,
    )
    ctx.inputs.append((config.data.participants, src.sha256))
    if src.encoding_choice:  # shown with the participants section's choices
        # named as in study.yaml, so results.json does not depend on where the study lives
        ctx.extra["read_choices"] = [src.encoding_choice.replace(src.path, config.data.participants, 1)]
    return ctx


def _stages() -> list[tuple[str, Callable[[RunContext], Any]]]:
    """The stages after reading, in order.  Optional parts register here."""
    from serostudy._analysis.core_stages import check_derived_stage, figures_stage, table1_stage, table2_stage

    stages: list[tuple[str, Callable[[RunContext], Any]]] = []
    # stage: assay
    from serostudy.assay._stage import assay_stage

    stages.append(("assay", assay_stage))
    # stage: clinical
    from serostudy.clinical._stage import run_clinical, run_eligibility

    stages.append(("clinical", run_clinical))
    # stage: eligibility
    stages.append(("eligibility", run_eligibility))
    stages += [("derived variables", check_derived_stage), ("table1", table1_stage), ("table2", table2_stage), ("figures", figures_stage)]
    # stage: models
    from serostudy.models._stage import models_stage

    stages.append(("models", models_stage))
    # stage: analysis plan (labels the records above: primary / secondary / exploratory)
    from serostudy._analysis.plan_stage import plan_stage

    stages.append(("analysis plan", plan_stage))
    # stage: audit
    from serostudy.audit._stage import audit_stage

    stages.append(("audit", audit_stage))
    return stages


def run_study(
    config: StudyConfig | str | Path,
    *,
    out_dir: str | Path,
    base_dir: str | Path | None = None,
    seed: int | None = None,
    synthetic: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> StudyRun:
    """Run a whole study and write its output folder.

    Parameters
    ----------
    config
        A validated :class:`StudyConfig` or the path of a ``study.yaml``.
    out_dir
        Folder to write (created if needed).  The outputs are written into a temporary
        folder beside it and moved into place when complete; an earlier serostudy
        output folder there is replaced whole; a second run into the same folder at the
        same time is refused (see :mod:`serostudy._outdir`).
    base_dir
        Folder against which the config's relative paths are resolved (default: the
        folder of the ``study.yaml``).
    seed, synthetic
        Override ``study.seed`` and ``study.synthetic``.
    progress
        Called with a short message as each stage starts (the CLI prints them).

    Raises
    ------
    OutputError
        ``out_dir`` is a file or a folder serostudy did not write, another run is
        writing it, or it cannot be written (full disk, read-only file system).
    """
    from serostudy._outdir import output_folder

    with output_folder(out_dir) as tmp:
        run = _run_into(config, tmp, base_dir=base_dir, seed=seed, synthetic=synthetic, progress=progress)
    return relocated(run, Path(out_dir))


def _run_into(
    config: StudyConfig | str | Path,
    folder: Path,
    *,
    base_dir: str | Path | None,
    seed: int | None,
    synthetic: bool | None,
    progress: Callable[[str], None] | None,
) -> StudyRun:
    """The stages of :func:`run_study`, writing into ``folder`` (the temporary folder)."""
    if not isinstance(config, StudyConfig):
        cpath = Path(config)
        config = load_config(cpath)
        base_dir = cpath.parent if base_dir is None else base_dir
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    say = progress or (lambda _m: None)
    say("reading participants")
    ctx = load_context(config, base, seed=seed, synthetic=synthetic)
    for name, stage in _stages():
        say(name)
        result = stage(ctx)
        if result is None:
            continue
        if isinstance(result, Section):
            ctx.sections.append(result)
        else:  # a sequence of sections
            ctx.sections.extend(result)
    say("writing outputs")
    from serostudy._report import write_outputs

    return write_outputs(ctx, folder)


def relocated(run: StudyRun, out_dir: Path) -> StudyRun:
    """``run`` with its paths moved from the temporary folder to ``out_dir``."""
    from dataclasses import replace

    files = tuple(out_dir / f.relative_to(run.out_dir) for f in run.files)
    return replace(run, out_dir=out_dir, files=files)


def software_versions() -> dict[str, str]:
    """Versions of Python and the libraries that computed or rendered the results."""
    import importlib.metadata as md

    out = {"python": platform.python_version(), "serostudy": __version__}
    for pkg in ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "jinja2", "pydantic",
                "python-docx", "openpyxl", "pyreadstat"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            continue
    return out


def results_document(ctx: RunContext, sections: list[Section]) -> dict[str, Any]:
    """The ``results.json`` document (see ``docs/results.md`` and ``docs/results.schema.json``)."""
    cfg = ctx.config
    counts = ctx.participant_counts()
    records: list[Record] = [r for s in sections for r in s.records]
    choices = [c for s in sections for c in s.choices]
    return {
        "schema": "serostudy.results",
        "schema_version": RESULTS_SCHEMA_VERSION,
        "serostudy_version": __version__,
        "study": {
            "title": cfg.study.title,
            "synthetic": bool(ctx.synthetic),
            "seed": int(ctx.seed),
            "groups": [{"value": g, "label": cfg.groups.label(g)} for g in cfg.groups.order],
        },
        "inputs": [{"path": p, "sha256": h} for p, h in ctx.inputs],
        "software": software_versions(),
        "config": cfg.model_dump(mode="json"),
        "participants": {
            "assessed": {g: c["assessed"] for g, c in counts.items()},
            "analysed": {g: c["analysed"] for g, c in counts.items()},
            "excluded": [
                {"participant": e.participant, "group": e.group, "stage": e.stage, "reason": e.reason}
                for e in ctx.excluded
            ],
        },
        "choices": choices,
        "sections": [
            {"id": s.id, "title": s.title, "n_records": len(s.records), "choices": list(s.choices),
             "payload": s.payload}
            for s in sections
        ],
        "records": [r.to_dict() for r in records],
    }


def dumps_results(doc: dict[str, Any]) -> str:
    """Serialise ``results.json`` deterministically."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False, sort_keys=False) + "\n"
