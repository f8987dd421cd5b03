"""The ``clinical:``, ``eligibility:`` and ``matching:`` parts of ``study.yaml``.

Pydantic models, strict (unknown keys are errors) and frozen like the rest of the
study schema (:mod:`serostudy._io.config`).  Documented in ``docs/clinical.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "DatesConfig",
    "RelapsesConfig",
    "EdssConfig",
    "DiagnosisConfig",
    "ClinicalConfig",
    "RuleConfig",
    "EligibilityConfig",
    "MatchingConfig",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatesConfig(_Strict):
    """``clinical.dates:`` -- dates from which age, age at onset and duration are derived."""

    birth: str | None = Field(None, description="Column with the date of birth.")
    onset: str | None = Field(None, description="Column with the date of disease onset.")
    sampling: str | None = Field(None, description="Column with the sampling (visit) date.")
    imputation: Literal["mid", "start", "none"] = Field(
        "mid", description="Partial dates: mid (1 July / 15th), start (1 January / 1st) or none (error)."
    )


class RelapsesConfig(_Strict):
    """``clinical.relapses:`` -- the events table and the ARR rules."""

    events: str = Field(description="Events table (CSV/XLSX), one row per attack, relative to study.yaml.")
    id: str | None = Field(None, description="Participant id column of the events table (default: data.id).")
    date: str = Field("onset_date", description="Attack onset date column of the events table.")
    merge_window_days: int = Field(31, ge=0, description="Onsets fewer than this many days apart merge.")
    merge_reference: Literal["first", "previous"] = "first"
    count_onset_attack: bool = Field(False, description="Whether the attack at disease onset enters the ARR.")
    min_follow_up_years: float = Field(1.0, ge=0, description="Shorter follow-up: no per-patient ARR.")
    end: str | None = Field(None, description="End of observation column (default: clinical.dates.sampling).")
    group: str | None = Field(None, description="Group whose relapses are counted (default: groups.cases).")
    output: str = Field("arr", description="Name of the derived per-patient ARR column.")


class EdssConfig(_Strict):
    """``clinical.edss:`` -- FS columns, the recorded EDSS and the options of the ambiguous steps."""

    recorded: str | None = Field("edss", description="Column with the EDSS recorded by the rater.")
    columns: dict[str, str] = Field(default_factory=dict, description="FS name -> column (default fs_<name>).")
    cerebral_grade_1: Literal["ignore", "count"] = "ignore"
    convert_visual: bool = True
    convert_bowel_bladder: bool = True
    ambulation_1_floor: Literal[0.0, 1.0, 1.5, 2.0] = 2.0
    grade4_with_grade3: Literal[4.5, 5.0] = 4.5
    tolerance: float = Field(0.0, ge=0, description="Differences up to this are not flagged.")

    @field_validator("columns")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        allowed = {"visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral", "ambulation"}
        bad = sorted(set(v) - allowed)
        if bad:
            raise ValueError(f"unknown FS name(s) {bad}; expected names from {sorted(allowed)}")
        return v


class DiagnosisConfig(_Strict):
    """``clinical.diagnosis:`` -- columns read by the IPND 2015 procedure."""

    aqp4: str = Field("aqp4_igg", description="AQP4-IgG status column: positive/negative/unknown.")
    core_prefix: str = "core_"
    mri_prefix: str = "mri_"
    mog: str | None = "mog_igg"
    alternatives_excluded: str | None = Field(None, description="Yes/no column; default: assumed excluded.")
    group: str | None = Field(None, description="Group diagnosed (default: groups.cases).")


class ClinicalConfig(_Strict):
    """``clinical:`` -- every part optional."""

    dates: DatesConfig | None = None
    relapses: RelapsesConfig | None = None
    edss: EdssConfig | None = None
    diagnosis: DiagnosisConfig | None = None


class RuleConfig(_Strict):
    """One entry of ``eligibility.rules:``."""

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: Literal["inclusion", "exclusion"]
    label: str
    when: dict[str, Any]
    groups: list[str] | None = None
    missing: Literal["exclude", "keep"] = "exclude"

    @field_validator("when")
    @classmethod
    def _condition(cls, v: dict[str, Any]) -> dict[str, Any]:
        from serostudy.clinical._eligibility import Condition
        from serostudy.exceptions import ConfigError

        try:
            Condition.from_mapping(v)
        except ConfigError as exc:
            raise ValueError(exc.reason) from None
        return v

    def to_rule(self):
        """The :class:`~serostudy.clinical.Rule` this entry declares."""
        from serostudy.clinical._eligibility import Condition, Rule

        return Rule(
            id=self.id,
            kind=self.type,
            label=self.label,
            when=Condition.from_mapping(self.when),
            groups=tuple(self.groups) if self.groups is not None else None,
            missing=self.missing,
        )


class EligibilityConfig(_Strict):
    """``eligibility:`` -- inclusion and exclusion rules, applied in the order listed."""

    rules: list[RuleConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "EligibilityConfig":
        ids = [r.id for r in self.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"eligibility rule ids must be unique, repeated: {dup}")
        return self


class MatchingConfig(_Strict):
    """``matching:`` -- controls matched to cases on age and sex."""

    method: Literal["nearest", "frequency"] = "nearest"
    case: str | None = Field(None, description="Case group (default: groups.cases).")
    control: str | None = Field(None, description="Control group (default: the other group).")
    age: str = "age"
    sex: str = "sex"
    ratio: int = Field(1, ge=1)
    caliper: float | None = Field(5.0, gt=0, description="Largest age difference in years (nearest).")
    age_band_width: float = Field(10.0, gt=0, description="Age band width in years (frequency).")
    seed: int | None = Field(None, ge=0, le=2**32 - 1, description="Default: study.seed (a whole number 0 to 4294967295).")
    action: Literal["exclude", "report"] = Field(
        "exclude",
        description="exclude: unselected controls leave the analysis (a flow step); "
        "report: the balance table is shown, nobody is excluded.",
    )
