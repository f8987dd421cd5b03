"""The declared analysis plan (``analysis_plan:`` in ``study.yaml``): schema only.

Declared before the data are analysed, the plan says which analysis is primary, which are
secondary, which analyses form the multiplicity family, on which scale each biomarker is
analysed, and which sensitivity analyses are run.  Every inferential result the report
prints is labelled primary, secondary or exploratory from it (``Record.role``), and
generated sentences never claim more than the label allows.  Documented in
``docs/config.md`` (``analysis_plan``); loadable without pandas or scipy.

Example (the demo study)::

    analysis_plan:
      primary:
        outcome: relapses
        exposure: b12_pmol_l
        analysis: negbin
        adjusted_for: [age, sex]
        effect: {rate_ratio: 0.8, source: "smallest clinically relevant effect, declared before analysis"}
      secondary:
      - {outcome: edss, exposure: b12_pmol_l, analysis: ordinal}
      - {outcome: b12_pmol_l, analysis: group_comparison}
      multiplicity: {method: holm, family: within_patient}
      scale: {b12_pmol_l: log}
      sensitivity:
      - {analysis: negbin, outcome: relapses, adjusted_for: [age, sex, disease_duration],
         label: "adjusted also for disease duration"}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PlanAnalysis = Literal["negbin", "poisson", "ordinal", "linear", "group_comparison", "correlation"]
"""The analyses a plan can declare.  negbin/poisson: count model of ``outcome`` (a count,
with the follow-up of ``models.relapses`` as offset) on ``exposure``; ordinal: proportional
odds; linear: linear regression of ``outcome`` on ``exposure``; group_comparison:
``outcome`` between the groups of ``groups:``; correlation: Table 2 correlation."""

WITHIN_PATIENT: tuple[str, ...] = ("negbin", "poisson", "ordinal", "linear", "correlation")
"""Analyses within the patient group (the default multiplicity family)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedEffect(_Strict):
    """The effect the primary analysis is designed to detect (for its a-priori power).

    Exactly one of ``rate_ratio``, ``r`` and ``d``; never an effect observed in this
    study's data (that would be observed, post-hoc, power).
    """

    rate_ratio: float | None = Field(
        None, gt=0, description="Rate ratio per `models.per` units of the exposure (negbin, poisson)."
    )
    r: float | None = Field(None, gt=-1, lt=1, description="Correlation (correlation analyses).")
    d: float | None = Field(None, description="Standardised mean difference (group_comparison).")
    source: str | None = Field(None, description="Where the value comes from (literature, clinical relevance).")

    @model_validator(mode="after")
    def _exactly_one(self) -> "PlannedEffect":
        given = [k for k in ("rate_ratio", "r", "d") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of rate_ratio, r, d; found {given or 'none'}")
        return self


class PlannedAnalysis(_Strict):
    """One declared analysis: what is related to what, how, adjusted for what."""

    outcome: str = Field(description="Codebook variable analysed (for count models: the count column).")
    exposure: str | None = Field(None, description="The biomarker; default `models.exposure`.")
    analysis: PlanAnalysis = Field(description="negbin, poisson, ordinal, linear, group_comparison or correlation.")
    adjusted_for: list[str] = Field(default_factory=list, description="Covariates of the declared model.")
    effect: PlannedEffect | None = Field(None, description="Effect for the a-priori power (primary only).")
    label: str | None = Field(None, description="Name shown in the report (default: built from the fields).")


class PlanMultiplicity(_Strict):
    """``analysis_plan.multiplicity``: the family whose p-values are adjusted together."""

    method: Literal["holm", "BH", "BY", "hochberg", "bonferroni"] = Field(
        "holm", description="Adjustment over the family (holm: family-wise error rate)."
    )
    family: Literal["within_patient", "secondary", "none"] = Field(
        "within_patient",
        description="within_patient: every within-patient analysis (Table 2 correlations and the models); "
        "secondary: the declared secondary analyses; none: no adjustment (all non-primary results exploratory).",
    )


class SensitivityAnalysis(PlannedAnalysis):
    """``analysis_plan.sensitivity`` entries: the same kinds as the primary, run beside it."""


class AnalysisPlan(_Strict):
    """``analysis_plan:`` -- the declared primary, secondary and sensitivity analyses."""

    primary: PlannedAnalysis = Field(description="The one primary analysis.")
    secondary: list[PlannedAnalysis] = Field(default_factory=list, description="Declared secondary analyses.")
    multiplicity: PlanMultiplicity = Field(default_factory=PlanMultiplicity)
    scale: dict[str, Literal["raw", "log"]] = Field(
        default_factory=dict,
        description="Per biomarker: raw, or log (analyses on the log scale, ratios of geometric means).",
    )
    sensitivity: list[SensitivityAnalysis] = Field(default_factory=list, description="Sensitivity analyses.")

    def all_declared(self) -> list[tuple[str, PlannedAnalysis]]:
        """``[(role, analysis), ...]``: primary first, then secondary, then sensitivity."""
        return ([("primary", self.primary)] + [("secondary", a) for a in self.secondary]
                + [("sensitivity", a) for a in self.sensitivity])
