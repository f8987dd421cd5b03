"""Clinical measures and the participant flow.

Relapses and the annualized relapse rate, ages and durations from dates, the EDSS from
functional system scores, the 2015 IPND criteria for NMOSD (and a MOGAD flag),
eligibility rules and the participant flow diagram, and matching of controls to cases.
Conventions and defaults are documented in ``docs/clinical.md``.
"""

from serostudy.clinical._dates import PartialDate, derive_dates, parse_date, years_between
from serostudy.clinical._edss import EDSS_STEPS, EdssOptions, EdssResult, edss, edss_detail, edss_frame
from serostudy.clinical._eligibility import (
    Condition,
    EligibilityResult,
    Flow,
    FlowStep,
    Rule,
    apply_eligibility,
    evaluate,
)
from serostudy.clinical._flow import flow_figure, flow_text
from serostudy.clinical._ipnd import (
    CORE_CHARACTERISTICS,
    MOG_SUPPORTING_FEATURES,
    IpndVerdict,
    MriFindings,
    ipnd_2015,
    ipnd_frame,
)
from serostudy.clinical._matching import MatchResult, balance_table, match_controls
from serostudy.clinical._relapses import (
    ArrResult,
    PatientAttacks,
    annualized_relapse_rate,
    merge_attacks,
    poisson_rate_ci,
)
from serostudy.clinical._simulate import SimulatedClinical, demo_config, simulate_clinical

__all__ = [
    "ArrResult",
    "CORE_CHARACTERISTICS",
    "Condition",
    "EDSS_STEPS",
    "EdssOptions",
    "EdssResult",
    "EligibilityResult",
    "Flow",
    "FlowStep",
    "IpndVerdict",
    "MOG_SUPPORTING_FEATURES",
    "MatchResult",
    "MriFindings",
    "PartialDate",
    "PatientAttacks",
    "Rule",
    "SimulatedClinical",
    "annualized_relapse_rate",
    "apply_eligibility",
    "balance_table",
    "demo_config",
    "derive_dates",
    "edss",
    "edss_detail",
    "edss_frame",
    "evaluate",
    "flow_figure",
    "flow_text",
    "ipnd_2015",
    "ipnd_frame",
    "match_controls",
    "merge_attacks",
    "parse_date",
    "poisson_rate_ci",
    "run_clinical",
    "run_eligibility",
    "simulate_clinical",
    "years_between",
]


def __getattr__(name: str):
    # The stages pull in pydantic (the config models): imported on first use only.
    if name in ("run_clinical", "run_eligibility"):
        from serostudy.clinical import _stage

        return getattr(_stage, name)
    raise AttributeError(f"module 'serostudy.clinical' has no attribute {name!r}")
