"""The published-summary format: what a paper printed, as a YAML file.

The file is read with PyYAML's ``BaseLoader``, which keeps **every scalar as a string**:
``0.20`` stays ``"0.20"`` (two printed decimals), so quoting numbers is not needed.
Each printed number is then parsed into a :class:`~serostudy.audit._interval.Printed`
interval.  The format is documented in ``docs/audit.md``; the seed paper ships as
``serostudy/data/audit/baradaran2025.yaml``.

Skeleton::

    format: serostudy-audit/1
    study: "..."
    alpha: 0.05
    groups:
      nmosd: {n: 35, label: NMOSD patients}
      control: {n: 53}
    variables:
      age_years:                 # continuous: per-group summaries
        granularity: 1           # data are whole numbers (GRIM / GRIMMER apply)
        baseline: true           # enters the Carlisle-Stouffer screen
        summaries:
          nmosd: {mean: 42.1, sd: 12.1, min: 18, max: 74}
          control: {mean: 46.1, sd: 16.2}
        test: {test: independent t-test, p: 0.22}
      sex:                       # categorical: per-group counts and/or percentages
        type: categorical
        levels: [male, female]
        counts:
          nmosd: {male: {n: 12, pct: 34.3}, female: {n: 23, pct: 65.7}}
        test: {test: chi-square, p: 0.74}
    correlations:
      - {x: arr, y: b12, group: nmosd, r: -0.284, p: 0.04}
    subgroups:
      - {variable: b12, group: nmosd, by: sex, parts: {male: {mean: 53.3, sd: 24.2}, ...}}
    identities:
      - {lhs: age_years.nmosd.mean, rhs: onset.nmosd.mean + duration.nmosd.mean}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from serostudy._limits import clip
from serostudy._typing import Alternative
from serostudy.audit._interval import Printed, parse_printed
from serostudy.exceptions import AuditInputError

__all__ = [
    "PublishedSummary",
    "GroupSpec",
    "ContinuousCell",
    "LevelCell",
    "PrintedTest",
    "VariableSpec",
    "CorrelationSpec",
    "SubgroupSpec",
    "IdentitySpec",
    "load_summary",
    "FORMAT",
]

FORMAT = "serostudy-audit/1"


def _printed(kind: str):
    def conv(v: Any) -> Any:
        if v is None or isinstance(v, Printed):
            return v
        if isinstance(v, (dict, list)):
            raise ValueError(f"expected a printed number, got a {type(v).__name__}")
        try:
            return parse_printed(v, kind=kind)  # type: ignore[arg-type]
        except AuditInputError as exc:
            raise ValueError(exc.reason.split(": ", 1)[-1]) from None

    return BeforeValidator(conv)


Number = Annotated[Printed, _printed("number")]
PValue = Annotated[Printed, _printed("p")]
SD = Annotated[Printed, _printed("nonnegative")]
Percent = Annotated[Printed, _printed("percent")]
RValue = Annotated[Printed, _printed("r")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class GroupSpec(_Model):
    """A study group and its size as printed."""

    n: int = Field(gt=0)
    label: str | None = None


class ContinuousCell(_Model):
    """Summary of a continuous variable in one group (any subset of the fields)."""

    n: int | None = Field(default=None, gt=0)
    mean: Number | None = None
    sd: SD | None = None
    median: Number | None = None
    q1: Number | None = None
    q3: Number | None = None
    min: Number | None = None
    max: Number | None = None


class LevelCell(_Model):
    """Count and/or percentage of one category level in one group."""

    n: int | None = Field(default=None, ge=0)
    pct: Percent | None = None


StatName = Literal["t", "F", "chi2", "z", "r"]


class PrintedTest(_Model):
    """A printed test: its p-value, and its statistic and df where printed.

    ``test`` is the test as the paper names it (free text, e.g. ``"independent t-test"``,
    ``"Welch"``, ``"chi-square"``, ``"Fisher"``, ``"ANOVA"``); ``alternative`` is the
    direction the paper states (leave empty when not stated).
    """

    test: str | None = None
    p: PValue | None = None
    statistic: Number | None = None
    statistic_name: StatName | None = None
    df: Number | None = None
    df2: Number | None = None
    alternative: Alternative | None = None
    groups: list[str] | None = None

    @model_validator(mode="after")
    def _stat_named(self) -> "PrintedTest":
        if self.statistic is not None and self.statistic_name is None:
            raise ValueError("`statistic_name` (t, F, chi2, z or r) is required when `statistic` is given")
        return self


class VariableSpec(_Model):
    """One printed variable: per-group summaries (continuous) or counts (categorical)."""

    label: str | None = None
    unit: str | None = None
    where: str | None = None
    type: Literal["continuous", "categorical"] = "continuous"
    granularity: Number | None = None
    items: int = Field(default=1, gt=0)
    shape: Literal["normal", "lognormal"] | None = None
    baseline: bool = False
    same_as: str | None = None
    levels: list[str] | None = None
    summaries: dict[str, ContinuousCell] = Field(default_factory=dict)
    counts: dict[str, dict[str, LevelCell]] = Field(default_factory=dict)
    test: PrintedTest | None = None

    @model_validator(mode="after")
    def _shape(self) -> "VariableSpec":
        if self.type == "continuous" and self.counts:
            raise ValueError("a continuous variable has `summaries`, not `counts`")
        if self.type == "categorical":
            if self.summaries:
                raise ValueError("a categorical variable has `counts`, not `summaries`")
            if not self.levels:
                raise ValueError("a categorical variable needs `levels`")
            for g, cells in self.counts.items():
                extra = set(cells) - set(self.levels)
                if extra:
                    raise ValueError(
                        f"counts for group {g!r} name levels {sorted(extra)} not in levels {self.levels}"
                    )
        return self


class CorrelationSpec(_Model):
    """A printed correlation coefficient with its p-value."""

    x: str
    y: str
    group: str | None = None
    r: RValue
    p: PValue | None = None
    n: int | None = Field(default=None, gt=2)
    method: Literal["pearson", "spearman"] = "pearson"
    alternative: Alternative | None = None


class SubgroupSpec(_Model):
    """Summaries of a variable within subgroups of one group (e.g. B12 by sex).

    Subgroup sizes come from ``parts.<level>.n`` or, with ``by``, from that categorical
    variable's counts in the same group.
    """

    variable: str
    group: str | None = None
    by: str | None = None
    parts: dict[str, ContinuousCell]
    test: PrintedTest | None = None


class IdentitySpec(_Model):
    """An identity the printed numbers must satisfy: ``lhs = rhs``.

    Both sides are sums and differences of references ``variable.group.statistic``
    (statistic: mean, sd, min, max, median, q1, q3) or plain numbers, e.g.
    ``age_years.nmosd.mean = age_at_onset_years.nmosd.mean + disease_duration_years.nmosd.mean``.
    """

    lhs: str
    rhs: str
    description: str | None = None


class PublishedSummary(_Model):
    """Everything a paper printed that the audit checks."""

    format: Literal["serostudy-audit/1"] = FORMAT
    study: str | None = None
    source: str | None = None
    alpha: float = Field(default=0.05, gt=0, lt=1)
    groups: dict[str, GroupSpec]
    variables: dict[str, VariableSpec] = Field(default_factory=dict)
    correlations: list[CorrelationSpec] = Field(default_factory=list)
    subgroups: list[SubgroupSpec] = Field(default_factory=list)
    identities: list[IdentitySpec] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> "PublishedSummary":
        groups = set(self.groups)
        for name, v in self.variables.items():
            for g in list(v.summaries) + list(v.counts):
                if g not in groups:
                    raise ValueError(f"variables.{name}: unknown group {g!r}; groups are {sorted(groups)}")
            if v.same_as is not None and v.same_as not in self.variables:
                raise ValueError(f"variables.{name}.same_as: unknown variable {v.same_as!r}")
        for i, c in enumerate(self.correlations):
            if c.group is not None and c.group not in groups:
                raise ValueError(f"correlations[{i}]: unknown group {c.group!r}")
            if c.group is None and c.n is None:
                raise ValueError(f"correlations[{i}]: give `group` or `n`")
        for i, s in enumerate(self.subgroups):
            if s.variable not in self.variables:
                raise ValueError(f"subgroups[{i}]: unknown variable {s.variable!r}")
            if s.by is not None:
                by = self.variables.get(s.by)
                if by is None or by.type != "categorical":
                    raise ValueError(f"subgroups[{i}].by: {s.by!r} is not a categorical variable")
            if s.group is not None and s.group not in groups:
                raise ValueError(f"subgroups[{i}]: unknown group {s.group!r}")
        for i, ident in enumerate(self.identities):
            for side in (ident.lhs, ident.rhs):
                for ref in parse_expression(side, where=f"identities[{i}]"):
                    if isinstance(ref[1], str):
                        self.lookup(ref[1], where=f"identities[{i}]")
        return self

    def group_n(self, group: str) -> int:
        return self.groups[group].n

    def lookup(self, ref: str, *, where: str = "") -> Printed:
        """The printed number a reference ``variable.group.statistic`` points to."""
        parts = ref.split(".")
        if len(parts) != 3:
            raise ValueError(f"{where}: reference {ref!r} must be 'variable.group.statistic'")
        var, grp, stat = parts
        v = self.variables.get(var)
        if v is None:
            raise ValueError(f"{where}: unknown variable {var!r} in {ref!r}")
        cell = v.summaries.get(grp)
        if cell is None:
            raise ValueError(f"{where}: variable {var!r} has no summary for group {grp!r}")
        if stat not in ContinuousCell.model_fields or stat == "n":
            raise ValueError(f"{where}: unknown statistic {stat!r} in {ref!r}")
        val = getattr(cell, stat)
        if val is None:
            raise ValueError(f"{where}: {ref!r} was not printed")
        return val


_TERM = re.compile(r"\s*([+-])?\s*([A-Za-z_][\w.]*|[-+]?\d+(?:\.\d*)?|\.\d+)\s*")


def parse_expression(text: str, *, where: str = "") -> list[tuple[int, str | Printed]]:
    """Parse ``a + b - 3.5`` into ``[(sign, reference or Printed), ...]``."""
    out: list[tuple[int, str | Printed]] = []
    pos = 0
    first = True
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m is None or m.end() == pos or (not first and m.group(1) is None):
            raise ValueError(f"{where}: cannot read expression {text!r} at position {pos}")
        sign = -1 if m.group(1) == "-" else 1
        tok = m.group(2)
        if tok[0].isalpha() or tok[0] == "_":
            out.append((sign, tok))
        else:
            out.append((sign, parse_printed(tok, where=where)))
        pos = m.end()
        first = False
    if not out:
        raise ValueError(f"{where}: empty expression")
    return out


# --------------------------------------------------------------------------- loading


def _node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at pydantic location ``loc`` (deepest found)."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if k.value == str(key):
                    nxt = v
                    break
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def load_summary(source: str | Path | dict[str, Any], *, name: str | None = None) -> PublishedSummary:
    """Read and validate a published-summary file.

    Parameters
    ----------
    source
        Path to a YAML file, YAML text (a string containing a newline), or an already
        parsed mapping (values should be strings to keep printed decimals).
    name
        Name used in error messages (defaults to the path).

    Returns
    -------
    PublishedSummary

    Raises
    ------
    AuditInputError
        Naming the file, line and key of the first problem, what was found and what was
        expected.

    Examples
    --------
    >>> s = load_summary("groups: {a: {n: 8}}\\nvariables:\\n  x: {summaries: {a: {mean: 2.13}}}\\n")
    >>> s.variables["x"].summaries["a"].mean.text
    '2.13'
    """
    node = None
    if isinstance(source, dict):
        data = source
        fname = name
    else:
        from serostudy._io.safe_yaml import load_yaml, read_text_capped

        if isinstance(source, Path) or "\n" not in str(source):
            path = Path(source)
            fname = name or str(path)
        else:
            path = None
            fname = name or "<text>"

        def fail(message: str, line: int | None) -> AuditInputError:
            return AuditInputError(message, file=fname, row=line)

        if path is not None:
            if not path.is_file():
                raise AuditInputError("file not found", file=fname)
            text = read_text_capped(path, fail, what="a published-summary file")
        else:
            text = str(source)
        data, node = load_yaml(text, fail, base=True)
    if not isinstance(data, dict):
        raise AuditInputError(
            f"expected a mapping with `groups`, `variables`, ... at the top, got {type(data).__name__}",
            file=fname,
        )
    try:
        return PublishedSummary.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        key = ".".join(str(k) for k in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        found = err.get("input")
        found_txt = ""
        if loc and not isinstance(found, (dict, list)) and repr(found) not in msg:
            found_txt = f" (found {clip(found, 80)})"
        msg = clip(msg, 400, quote=False)
        raise AuditInputError(f"{msg}{found_txt}", file=fname, row=_node_line(node, loc), column=key) from None
