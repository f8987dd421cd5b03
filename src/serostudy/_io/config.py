"""The study configuration (``study.yaml``): schema, loading and error messages.

The schema is a set of pydantic models.  :func:`load_config` reads the YAML, validates
it, and turns every validation problem into one :class:`~serostudy.exceptions.ConfigError`
that names the key (``codebook.b12.unit``), the line in the file, what was found and
what is allowed.  The schema is documented in ``docs/config.md``; keep the two in step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from serostudy._io.na import NA_VALUES
from serostudy._io.plan import AnalysisPlan
from serostudy._limits import clip
from serostudy._typing import CategoricalTest, CorrelationMethod
from serostudy.assay._config import AssayConfig
from serostudy.clinical._config import ClinicalConfig, EligibilityConfig, MatchingConfig
from serostudy.exceptions import ConfigError
from serostudy.models._config import ModelsConfig


class _Keyed(ValueError):
    """A cross-field problem that knows which key it is about (for the error message)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StudyMeta(_Strict):
    """``study:`` -- what the study is."""

    title: str
    description: str | None = None
    synthetic: bool = Field(False, description="True for made-up data: every output says so.")
    seed: int = Field(20201, ge=0, le=2**32 - 1,
                      description="Seed for everything random in the run (a whole number 0 to 4294967295).")
    authors: list[str] = Field(default_factory=list)


class DataSpec(_Strict):
    """``data:`` -- the participant table."""

    participants: str = Field(description="Path to CSV, XLSX, SPSS .sav or Stata .dta, relative to study.yaml.")
    id: str = Field("id", description="Column holding the participant id (unique).")
    sheet: str | int | None = Field(None, description="Sheet name or 0-based index for XLSX.")
    na_values: list[str] = Field(
        default_factory=lambda: list(NA_VALUES),
        description="Cell texts read as missing.",
    )
    encoding: str | None = Field(
        None,
        description="Text encoding of a CSV/TSV file (utf-8, utf-16, windows-1256, iso-8859-6, ...); "
        "default: detected by the documented rule (docs/config.md), and recorded as an automatic choice.",
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from serostudy._io.text import check_encoding_name

        try:
            check_encoding_name(v)
        except LookupError:
            raise ValueError(f"unknown text encoding {v!r}; expected e.g. utf-8, utf-16, windows-1256, iso-8859-6") from None
        return v


class ReferenceRange(_Strict):
    """A named set of cut-offs deriving a category variable from a continuous one.

    Values ``< low`` are ``labels[0]``, ``low <= x <= high`` ``labels[1]``, ``> high``
    ``labels[2]``.  Either bound may be omitted (then there are two categories).
    """

    name: str = Field(description="Name of the derived categorical variable, e.g. b12_category.")
    low: float | None = None
    high: float | None = None
    labels: list[str] = Field(default_factory=lambda: ["low", "normal", "high"])
    unit: str = Field(description="Unit of the cut-offs; must equal the variable's unit.")
    source: str | None = Field(None, description="Where the range comes from (kit insert, guideline).")
    label: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "ReferenceRange":
        if self.low is None and self.high is None:
            raise ValueError("a reference range needs `low`, `high` or both")
        need = 1 + (self.low is not None) + (self.high is not None)
        if len(self.labels) != need:
            raise ValueError(f"`labels` must have {need} entries for these cut-offs, got {len(self.labels)}")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"`low` ({self.low}) must be below `high` ({self.high})")
        return self


VariableTypeName = Literal["continuous", "categorical", "ordinal", "count", "binary"]


class Variable(_Strict):
    """One entry of ``codebook:``."""

    type: VariableTypeName
    label: str | None = None
    unit: str | None = None
    levels: list[str] | None = Field(
        None, description="Allowed values, in display order (categorical/ordinal/binary)."
    )
    level_labels: dict[str, str] = Field(default_factory=dict)
    summary: Literal["mean_sd", "median_iqr"] | None = Field(
        None, description="Table 1 summary; default mean_sd for continuous, median_iqr for ordinal/count."
    )
    skewed: bool = Field(False, description="Declared skewed: compared by Mann-Whitney under the default policy.")
    censored: bool = Field(False, description="Cells like '<21' or '>123' are read as censored values.")
    censored_as: Literal["limit", "half-limit", "missing"] = Field(
        "limit",
        description="How censored values enter means and tests: the limit itself, half the limit "
        "(below-limit values only), or missing, in Table 1. Categories use the censoring exactly; with 'limit', "
        "rank tests see censored values tied at the limit (exact when one limit applies). Table 2 "
        "correlations and the models use the limit.",
    )
    min: float | None = Field(None, description="Smallest plausible value; smaller is an error.")
    max: float | None = Field(None, description="Largest plausible value; larger is an error.")
    reference_range: ReferenceRange | None = None
    groups: list[str] | None = Field(None, description="Groups in which the variable is recorded (e.g. patients only).")
    derived_by: Literal["assay", "clinical"] | None = Field(
        None,
        description="Not read from the participant file: produced by that stage (e.g. B12 from the plates). "
        "The run stops with an error if the stage does not produce it.",
    )
    ratio_of: list[str] | None = Field(
        None,
        description="Derived as the ratio of two codebook variables, e.g. [relapses, follow_up_years] for an "
        "annualized rate; the column need not be in the data file.",
    )

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_to_str(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(x) for x in v]
        return v

    @model_validator(mode="after")
    def _check(self) -> "Variable":
        if self.type in ("categorical", "binary") and self.censored:
            raise ValueError("`censored` applies to continuous or count variables only")
        if self.type == "binary" and self.levels is not None and len(self.levels) != 2:
            raise ValueError(f"a binary variable has exactly 2 `levels`, got {len(self.levels)}")
        if self.reference_range is not None:
            if self.type != "continuous":
                raise ValueError("`reference_range` needs a continuous variable")
            if self.unit is None:
                raise ValueError("a variable with a `reference_range` must declare its `unit`")
            if self.reference_range.unit != self.unit:
                raise ValueError(
                    f"reference_range.unit {self.reference_range.unit!r} differs from the variable's "
                    f"unit {self.unit!r}; serostudy never converts units silently"
                )
        if self.ratio_of is not None and (len(self.ratio_of) != 2 or self.type != "continuous"):
            raise ValueError("`ratio_of` takes exactly [numerator, denominator] and needs type continuous")
        if self.type == "ordinal" and self.levels is None and self.censored:
            raise ValueError("`censored` applies to continuous or count variables only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` ({self.min}) is above `max` ({self.max})")
        return self

    @property
    def is_numeric(self) -> bool:
        """Continuous, count, or an ordinal score without declared levels (e.g. EDSS)."""
        return self.type in ("continuous", "count") or (self.type == "ordinal" and self.levels is None)

    def default_summary(self) -> str:
        if self.summary is not None:
            return self.summary
        return "median_iqr" if (self.type in ("ordinal", "count") or self.skewed) else "mean_sd"


class Groups(_Strict):
    """``groups:`` -- the grouping variable (cases vs controls)."""

    variable: str
    order: list[str] = Field(min_length=2, description="Group values in column order; the first is 'group 1' in differences.")
    labels: dict[str, str] = Field(default_factory=dict)
    cases: str | None = Field(None, description="The patient group for within-group analyses (Table 2).")

    @field_validator("order", mode="before")
    @classmethod
    def _order_to_str(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _check(self) -> "Groups":
        if len(set(self.order)) != len(self.order):
            raise ValueError("`order` lists a group twice")
        if self.cases is not None and self.cases not in self.order:
            raise ValueError(f"`cases` must be one of {self.order}, got {self.cases!r}")
        unknown = set(self.labels) - set(self.order)
        if unknown:
            raise ValueError(f"`labels` names groups not in `order`: {sorted(unknown)}")
        return self

    def label(self, g: str) -> str:
        return self.labels.get(g, g)


class TestPolicy(_Strict):
    """``tests:`` -- which test for which variable, declared before the data are seen."""

    __test__ = False  # not a pytest class

    continuous: Literal["welch", "student"] = Field(
        "welch", description="Test for continuous variables summarised by mean (Student reproduces SPSS papers)."
    )
    skewed: Literal["mann-whitney", "welch", "student"] = Field(
        "mann-whitney", description="Test for declared-skewed, ordinal and count variables."
    )
    categorical: CategoricalTest = Field(
        "auto", description="auto: chi-square without correction if every expected count >= 5, else Fisher."
    )
    alpha: float = Field(0.05, gt=0, lt=1)
    confidence_level: float = Field(0.95, gt=0, lt=1)
    odds_ratio: Literal["auto", "conditional", "sample"] = Field(
        "auto",
        description="2x2 odds ratio: auto = conditional MLE with exact CI where Fisher's test is used, "
        "sample OR with Woolf CI where the chi-square test is used (the OR matches its test).",
    )


class Table1Spec(_Strict):
    """``analyses.table1:``."""

    variables: list[str] = Field(min_length=1)
    overall: bool = True
    smd: bool = False
    missing: Literal["ifany", "always", "no"] = "ifany"
    title: str = "Table 1. Characteristics of the participants by group"


def _pearson_and_spearman() -> list[CorrelationMethod]:
    return ["pearson", "spearman"]


class Table2Spec(_Strict):
    """``analyses.table2:`` -- correlations of an exposure with clinical variables in one group."""

    group: str
    exposure: str
    variables: list[str] = Field(min_length=1)
    methods: list[CorrelationMethod] = Field(default_factory=_pearson_and_spearman)
    compare_by: str | None = Field(
        None, description="A binary variable (e.g. sex) by which to compare the exposure within each group."
    )
    title: str = "Table 2. Correlation of the exposure with clinical variables"


class FiguresSpec(_Strict):
    """``analyses.figures:``."""

    by_group: str | None = Field(None, description="Variable for the box plot by group.")
    scatter: list[str] | None = Field(None, description="[x, y] for the scatter in the cases group.")


class Analyses(_Strict):
    table1: Table1Spec
    table2: Table2Spec | None = None
    figures: FiguresSpec = Field(default_factory=FiguresSpec)


class StudyConfig(_Strict):
    """The whole ``study.yaml``."""

    version: Literal[1] = 1
    study: StudyMeta
    data: DataSpec
    groups: Groups
    codebook: dict[str, Variable]
    analyses: Analyses
    tests: TestPolicy = Field(default_factory=TestPolicy)
    # Optional parts, each documented with its own module:
    # stage config: assay
    assay: AssayConfig | None = Field(None, description="Plate-reader files to concentrations: curves, QC, censoring (docs/assay.md).")
    # stage config: clinical
    clinical: ClinicalConfig | None = Field(None, description="Clinical measures: dates, relapses, EDSS, diagnosis (docs/clinical.md).")
    eligibility: EligibilityConfig | None = Field(None, description="Inclusion/exclusion rules, applied in order (docs/clinical.md).")
    matching: MatchingConfig | None = Field(None, description="Matching of controls to cases on age and sex (docs/clinical.md).")
    # stage config: models
    models: ModelsConfig | None = Field(None, description="Count, adjusted and ordinal models, multiplicity and power (docs/models.md).")
    # the declared analysis plan (schema in serostudy._io.plan)
    analysis_plan: AnalysisPlan | None = Field(
        None, description="Declared primary, secondary and sensitivity analyses, multiplicity family and "
        "biomarker scales (docs/config.md#analysis_plan).")
    # stage config: audit
    audit: str | None = Field(None, description="Published-summary YAML whose printed statistics are audited, relative to the study.yaml, or 'seed-paper' for the packaged Baradaran et al. 2025 summary (docs/audit.md).")

    @model_validator(mode="after")
    def _cross_check(self) -> "StudyConfig":
        names = set(self.codebook)
        derived = {v.reference_range.name for v in self.codebook.values() if v.reference_range}
        known = names | derived
        if self.groups.variable in self.codebook:
            raise _Keyed("groups.variable", f"{self.groups.variable!r} must not also be in the codebook")
        for vname, var in self.codebook.items():
            for src in var.ratio_of or []:
                if src not in names or not self.codebook[src].is_numeric:
                    raise _Keyed(f"codebook.{vname}.ratio_of", f"names {src!r}, which is not a numeric codebook variable")
        for key, lst in (
            ("analyses.table1.variables", self.analyses.table1.variables),
            ("analyses.table2.variables", self.analyses.table2.variables if self.analyses.table2 else []),
        ):
            for v in lst:
                if v not in known:
                    raise _Keyed(f"{key}.{lst.index(v)}", f"names {v!r}, which is not in the codebook (known: {sorted(known)})")
        t2 = self.analyses.table2
        if t2 is not None:
            if t2.group not in self.groups.order:
                raise _Keyed("analyses.table2.group", f"must be one of {self.groups.order}, got {t2.group!r}")
            if t2.exposure not in names:
                raise _Keyed("analyses.table2.exposure", f"{t2.exposure!r} is not in the codebook")
            if t2.compare_by is not None:
                if t2.compare_by not in names or self.codebook[t2.compare_by].type not in ("categorical", "binary"):
                    raise _Keyed("analyses.table2.compare_by",
                                 f"{t2.compare_by!r} must be a categorical variable of the codebook")
        f = self.analyses.figures
        for fv in [f.by_group] + list(f.scatter or []):
            if fv is not None and fv not in known:
                key = "analyses.figures.by_group" if fv == f.by_group else "analyses.figures.scatter"
                raise _Keyed(key, f"names {fv!r}, which is not in the codebook")
        if f.scatter is not None and len(f.scatter) != 2:
            raise _Keyed("analyses.figures.scatter", "must be [x, y]")
        return self

    @model_validator(mode="after")
    def _check_plan(self) -> "StudyConfig":
        plan = self.analysis_plan
        if plan is None:
            return self
        names = set(self.codebook)
        for role, a, key in _plan_entries(plan):
            for field, value in (("outcome", a.outcome), ("exposure", a.exposure)):
                if value is not None and value not in names:
                    raise _Keyed(f"{key}.{field}", f"names {value!r}, which is not in the codebook "
                                 f"(known: {sorted(names)})")
            for i, c in enumerate(a.adjusted_for):
                if c not in names:
                    raise _Keyed(f"{key}.adjusted_for.{i}", f"names {c!r}, which is not in the codebook")
            if a.effect is not None and role != "primary":
                raise _Keyed(f"{key}.effect", "only the primary analysis declares an effect (for its a-priori power)")
            if a.effect is not None:
                want = {"negbin": "rate_ratio", "poisson": "rate_ratio", "correlation": "r",
                        "group_comparison": "d"}.get(a.analysis)
                if want is None or getattr(a.effect, want) is None:
                    raise _Keyed(f"{key}.effect", f"a {a.analysis} analysis takes "
                                 + (f"effect.{want}" if want else "no declared effect (no a-priori power for it)"))
        for name in plan.scale:
            if name not in names or not self.codebook[name].is_numeric:
                raise _Keyed(f"analysis_plan.scale.{name}", f"{name!r} is not a numeric codebook variable")
        return self

    def variable(self, name: str) -> Variable:
        """Codebook entry for ``name``, including variables derived from reference ranges."""
        if name in self.codebook:
            return self.codebook[name]
        for src in self.codebook.values():
            rr = src.reference_range
            if rr is not None and rr.name == name:
                return Variable(type="ordinal", label=rr.label or name, levels=list(rr.labels),
                                level_labels=_range_labels(rr))
        raise KeyError(name)

    def label(self, name: str) -> str:
        v = self.variable(name)
        return v.label or name


def _plan_entries(plan: AnalysisPlan) -> list[tuple[str, Any, str]]:
    out: list[tuple[str, Any, str]] = [("primary", plan.primary, "analysis_plan.primary")]
    out += [("secondary", a, f"analysis_plan.secondary.{i}") for i, a in enumerate(plan.secondary)]
    out += [("sensitivity", a, f"analysis_plan.sensitivity.{i}") for i, a in enumerate(plan.sensitivity)]
    return out


def _range_labels(rr: ReferenceRange) -> dict[str, str]:
    """Display labels that state the cut-offs: 'low (< 21 pmol/L)', 'normal (21-123)'."""
    labels = list(rr.labels)
    out: dict[str, str] = {}
    i = 0
    if rr.low is not None:
        out[labels[0]] = f"{labels[0]} (< {rr.low:g} {rr.unit})"
        i = 1
    lo = f"{rr.low:g}" if rr.low is not None else None
    hi = f"{rr.high:g}" if rr.high is not None else None
    mid = f"{lo}\u2013{hi}" if lo and hi else (f"\u2265 {lo}" if lo else f"\u2264 {hi}")
    out[labels[i]] = f"{labels[i]} ({mid})"
    if rr.high is not None:
        out[labels[-1]] = f"{labels[-1]} (> {rr.high:g} {rr.unit})"
    return out


# --------------------------------------------------------------------------- loading


def load_config(path: str | Path) -> StudyConfig:
    """Read and validate a ``study.yaml``.

    Raises
    ------
    ConfigError
        For a missing file, invalid YAML, or a schema violation; the message names the
        key path, the line, what was found and what is allowed.
    """
    from serostudy._io.safe_yaml import load_yaml, read_text_capped

    path = Path(path)
    if not path.is_file():
        raise ConfigError("file not found", file=str(path))

    def fail(message: str, line: int | None) -> ConfigError:
        return ConfigError(message, file=str(path))

    text = read_text_capped(path, fail, what="a study.yaml")
    raw, node = load_yaml(text, fail)
    if not isinstance(raw, dict):
        raise ConfigError(f"expected a mapping of keys at the top level, found {type(raw).__name__}", file=str(path))
    return config_from_dict(raw, file=str(path), node=node)


def config_from_dict(raw: dict[str, Any], *, file: str | None = None, node: Any = None) -> StudyConfig:
    """Validate an already-parsed config mapping (see :func:`load_config`).

    Numbers must be finite: ``.inf``, ``.nan`` and ``1e999`` (which overflows) anywhere
    in the config are a :class:`ConfigError` naming the key and line, here at load time
    rather than as non-finite JSON at the end of a run.
    """
    _refuse_non_finite(raw, (), file=file, node=node)
    try:
        cfg = StudyConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        keyed = err.get("ctx", {}).get("error")
        if isinstance(keyed, _Keyed):
            err = {**err, "loc": tuple(int(p) if p.isdigit() else p for p in keyed.key.split("."))}
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc) if loc else "(top level)"
        line = _line_of(node, err["loc"]) if node is not None else None
        found = err.get("input")
        msg = _describe_error(err, found)
        if line is not None:
            msg = f"{msg} (line {line})"
        more = len(exc.errors()) - 1
        if more:
            msg += f"; and {more} more problem{'s' if more > 1 else ''}"
        raise ConfigError(msg, file=file, key=key) from None
    _refuse_non_finite(cfg.model_dump(), (), file=file, node=node)
    return cfg


_NUMBER_TEXT = re.compile(r"[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)")


def _refuse_non_finite(value: Any, loc: tuple[Any, ...], *, file: str | None, node: Any) -> None:
    """Raise ConfigError at the first non-finite number (or number text that overflows)."""
    bad = False
    if isinstance(value, float):
        bad = not math.isfinite(value)
    elif isinstance(value, str) and len(value) < 400 and _NUMBER_TEXT.fullmatch(value.strip()):
        bad = not math.isfinite(float(value.replace("_", "")))
    if bad:
        line = _line_of(node, loc) if node is not None else None
        key = ".".join(str(p) for p in loc) or "(top level)"
        raise ConfigError(f"must be a finite number, found {clip(value, 60)}" + (f" (line {line})" if line else ""),
                          file=file, key=key)
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_non_finite(v, (*loc, k), file=file, node=node)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _refuse_non_finite(v, (*loc, i), file=file, node=node)


def _describe_error(err: Mapping[str, Any], found: Any) -> str:
    typ = err["type"]
    if typ == "missing":
        return "required key is missing"
    if typ == "extra_forbidden":
        return "unknown key (check the spelling; see docs/config.md for the allowed keys)"
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, found {clip(found, 80)}"
    if typ == "value_error":
        return clip(str(err.get("ctx", {}).get("error", err["msg"])), 400, quote=False)
    return f"{err['msg']}, found {clip(found, 80)}"


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (or of its deepest existing parent)."""
    import yaml

    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1
            nxt = None
            for k, v in node.value:
                if str(k.value) == str(part):
                    nxt = v
                    line = k.start_mark.line + 1
                    break
            if nxt is None:
                return line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
