"""The contract between the pipeline and the parts that plug into it.

A run flows through *stages*.  Each stage receives the :class:`RunContext` built so far
and returns a :class:`StageOutput`: possibly an updated participant table (new derived
columns, exclusions) and a report :class:`Section`.  The pipeline
(:mod:`serostudy._pipeline`) calls the stages in a fixed order; a stage never writes
files itself: it hands figures and tables to the pipeline, which writes them.

Layering: stages are "analyses" (layer 3).  They call the inference and domain layers
and the renderers' fragment functions; they do no file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from serostudy._records import Record

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from serostudy._io.config import StudyConfig


@dataclass(frozen=True)
class Exclusion:
    """One participant left out of the analysis, and why (never a silent drop)."""

    participant: str
    group: str | None
    stage: str
    reason: str


@dataclass(frozen=True)
class FigureSpec:
    """A matplotlib figure to be written as ``<name>.png`` and ``<name>.svg``."""

    name: str
    figure: "Figure"
    caption: str
    alt: str


@dataclass(frozen=True)
class Section:
    """A part of the report, with the numbers behind it.

    Attributes
    ----------
    id
        Short identifier, also the key in ``results.json`` ``sections``.
    title
        Heading in the report.
    html
        HTML fragment for the report body.  Must be produced by a renderer that escapes
        every user-provided string (jinja2 with autoescape, or ``markupsafe.escape``).
    records
        Every number the fragment shows, as :class:`~serostudy._records.Record`.
    figures
        Figures to write (the pipeline writes them and embeds them in the report).
    tables
        Tables to export, mapping name -> table: a
        :class:`~serostudy._tables.DisplayTable` is written as ``<name>.csv``,
        ``.docx``, ``.xlsx`` and ``.tex``; a DataFrame as ``<name>.csv`` (formula-safe).
    choices
        Automatic choices made while computing the section, in words.
    payload
        Extra JSON-ready data for ``results.json`` ``sections[id]`` (must be deterministic).
    order
        Position in the report (smaller first).
    """

    id: str
    title: str
    html: str
    records: tuple[Record, ...] = ()
    figures: tuple[FigureSpec, ...] = ()
    tables: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    payload: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass
class RunContext:
    """What a stage can see: the validated config, the data, and what came before.

    Attributes
    ----------
    config
        The validated study configuration.
    base_dir
        Folder the config's relative paths are resolved against.
    data
        The participant table (one row per participant, codebook applied).  Stages may
        return an updated copy; rows are never dropped, they are marked excluded.
    excluded
        Participants excluded so far, with reasons.
    sections
        Sections produced so far.
    inputs
        Input files read: list of ``(path as given, sha256)``.
    seed
        Seed for everything random in this run.
    synthetic
        True when the data are synthetic (the demo): every output says so.
    extra
        Free slot for stage-to-stage data (e.g. assay results used by later sections).
    """

    config: "StudyConfig"
    base_dir: Path
    data: "pd.DataFrame"
    excluded: list[Exclusion] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    inputs: list[tuple[str, str]] = field(default_factory=list)
    seed: int = 0
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def analysed_mask(self) -> "pd.Series":
        """True for each row of :attr:`data` not excluded."""
        ids = {e.participant for e in self.excluded}
        return ~self.data[self.config.data.id].astype(str).isin(ids)

    def analysed(self) -> "pd.DataFrame":
        """Participants not excluded (the analysis set)."""
        return self.data[self.analysed_mask()]

    def participant_counts(self) -> dict[str, dict[str, int]]:
        """Per group: participants ``assessed`` (rows read), ``excluded`` and ``analysed``."""
        group = self.data[self.config.groups.variable]
        kept = self.analysed_mask()
        out = {}
        for g in self.config.groups.order:
            in_g = group == g
            assessed, analysed = int(in_g.sum()), int((in_g & kept).sum())
            out[g] = {"assessed": assessed, "excluded": assessed - analysed, "analysed": analysed}
        return out
