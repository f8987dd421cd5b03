"""The ``models:`` part of ``study.yaml`` (schema, pydantic).

Example (the demo study)::

    models:
      exposure: b12_pmol_l          # the biomarker the models are about
      per: 10                       # rate ratios per 10 pmol/L
      relapses:
        count: relapses
        follow_up: follow_up_years
        adjust: [age, sex, disease_duration]
        published: {r: -0.284, p: 0.04, rate: arr}
      group_comparison:
        outcome: b12_pmol_l
        adjust: [age, sex]
        scale: auto                 # log when the codebook declares the outcome skewed
      ordinal:
        outcome: edss
        adjust: []
      multiplicity: {method: BH, family: table2}
      power:
        power: 0.8
        n_sim: 1000
        rate_ratios: [0.7, 0.8, 0.9]    # hypothetical effects, never observed ones

Every part is optional; a part left out is not run (and the report says so).
Documented in ``docs/models.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublishedCorrelation(_Strict):
    """The paper's correlation of the exposure with the relapse rate, kept for comparison."""

    r: float = Field(ge=-1, le=1, description="Published Pearson r.")
    p: float | None = Field(None, ge=0, le=1, description="Published p-value.")
    rate: str | None = Field(
        None, description="Column with the rate the paper correlated (e.g. arr); recomputed on our data when given."
    )


class RelapseModelSpec(_Strict):
    """``models.relapses``: the relapse count model."""

    count: str = Field("relapses", description="Column with the number of relapses (whole numbers >= 0).")
    follow_up: str = Field("follow_up_years", description="Column with the follow-up time; log enters as offset.")
    adjust: list[str] = Field(
        default_factory=lambda: ["age", "sex", "disease_duration"],
        description="Covariates of the adjusted model (the unadjusted model is always fitted too).",
    )
    published: PublishedCorrelation | None = None


class GroupComparisonSpec(_Strict):
    """``models.group_comparison``: the biomarker by group, adjusted."""

    outcome: str | None = Field(None, description="Default: models.exposure.")
    adjust: list[str] = Field(default_factory=lambda: ["age", "sex"])
    scale: Literal["auto", "log", "linear"] = Field(
        "auto",
        description="log: ratio of geometric means; linear: mean difference; auto: log when the codebook "
        "declares the outcome skewed.",
    )


class OrdinalSpec(_Strict):
    """``models.ordinal``: an ordinal clinical outcome (EDSS) against the exposure."""

    outcome: str = "edss"
    adjust: list[str] = Field(default_factory=list, description="Covariates (analysis_plan's declared ones win).")
    min_level_count: int = Field(
        3, ge=1, description="Levels with fewer patients are merged with the adjacent level toward the median "
        "(1: never merge).")


class MultiplicitySpec(_Strict):
    """``models.multiplicity``: adjusting the Table 2 family of tests."""

    method: Literal["BH", "BY", "holm", "hochberg", "bonferroni"] = "BH"
    family: Literal["table2"] = Field(
        "table2",
        description="table2: the correlations of the exposure with each Table 2 variable, one family per "
        "correlation method.",
    )


class PowerSpec(_Strict):
    """``models.power``: power and sensitivity."""

    power: float = Field(0.8, gt=0, lt=1, description="Target power for the smallest detectable effects.")
    alpha: float | None = Field(None, gt=0, lt=1, description="Default: tests.alpha.")
    n_sim: int = Field(1000, ge=10, le=1_000_000, description="Simulated studies for the count model.")
    rate_ratios: list[float] = Field(
        default_factory=lambda: [0.7, 0.8, 0.9], description="True rate ratios per `per` units to simulate."
    )
    theta: float | None = Field(None, gt=0, description="True NB shape for the simulation; default: the fitted one.")
    detectable_rate_ratio: bool = Field(
        True, description="Also search (by simulation) the smallest rate ratio detected with `power`."
    )
    @model_validator(mode="before")
    @classmethod
    def _no_observed_power(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in ("published_r", "published_groups"):
                if key in data:
                    raise ValueError(
                        f"models.power.{key} is no longer supported: power computed from an observed or "
                        "published effect (observed, post-hoc power) is not reported; declare the effect the "
                        "study is designed to detect in analysis_plan.primary.effect for its a-priori power"
                    )
        return data

    @field_validator("rate_ratios")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(x <= 0 for x in v):
            raise ValueError(f"rate ratios must be positive, got {v}")
        return v


class ModelsConfig(_Strict):
    """``models:`` -- the models run on the study (all parts optional)."""

    exposure: str = Field("b12_pmol_l", description="The biomarker column the models are about.")
    per: float = Field(10.0, gt=0, description="Rate/odds ratios are given per this many units of the exposure.")
    group: str | None = Field(None, description="Group for within-group models; default: groups.cases.")
    relapses: RelapseModelSpec | None = Field(default_factory=RelapseModelSpec)
    group_comparison: GroupComparisonSpec | None = Field(default_factory=GroupComparisonSpec)
    ordinal: OrdinalSpec | None = Field(default_factory=OrdinalSpec)
    multiplicity: MultiplicitySpec | None = Field(default_factory=MultiplicitySpec)
    power: PowerSpec | None = Field(default_factory=PowerSpec)
