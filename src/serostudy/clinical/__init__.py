"""Clinical measures and the participant flow.

Relapses and the annualized relapse rate, ages and durations from dates, the EDSS from
functional system scores, the 2015 IPND criteria for NMOSD (and a MOGAD flag),
eligibility rules and the participant flow diagram, and matching of controls to cases.
Conventions and defaults are documented in ``docs/clinical.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from serostudy._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
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

_EXPORTS = {
    "ArrResult": "serostudy.clinical._relapses",
    "CORE_CHARACTERISTICS": "serostudy.clinical._ipnd",
    "Condition": "serostudy.clinical._eligibility",
    "EDSS_STEPS": "serostudy.clinical._edss",
    "EdssOptions": "serostudy.clinical._edss",
    "EdssResult": "serostudy.clinical._edss",
    "EligibilityResult": "serostudy.clinical._eligibility",
    "Flow": "serostudy.clinical._eligibility",
    "FlowStep": "serostudy.clinical._eligibility",
    "IpndVerdict": "serostudy.clinical._ipnd",
    "MOG_SUPPORTING_FEATURES": "serostudy.clinical._ipnd",
    "MatchResult": "serostudy.clinical._matching",
    "MriFindings": "serostudy.clinical._ipnd",
    "PartialDate": "serostudy.clinical._dates",
    "PatientAttacks": "serostudy.clinical._relapses",
    "Rule": "serostudy.clinical._eligibility",
    "SimulatedClinical": "serostudy.clinical._simulate",
    "annualized_relapse_rate": "serostudy.clinical._relapses",
    "apply_eligibility": "serostudy.clinical._eligibility",
    "balance_table": "serostudy.clinical._matching",
    "demo_config": "serostudy.clinical._simulate",
    "derive_dates": "serostudy.clinical._dates",
    "edss": "serostudy.clinical._edss",
    "edss_detail": "serostudy.clinical._edss",
    "edss_frame": "serostudy.clinical._edss",
    "evaluate": "serostudy.clinical._eligibility",
    "flow_figure": "serostudy.clinical._flow",
    "flow_text": "serostudy.clinical._flow",
    "ipnd_2015": "serostudy.clinical._ipnd",
    "ipnd_frame": "serostudy.clinical._ipnd",
    "match_controls": "serostudy.clinical._matching",
    "merge_attacks": "serostudy.clinical._relapses",
    "parse_date": "serostudy.clinical._dates",
    "poisson_rate_ci": "serostudy.clinical._relapses",
    "run_clinical": "serostudy.clinical._stage",
    "run_eligibility": "serostudy.clinical._stage",
    "simulate_clinical": "serostudy.clinical._simulate",
    "years_between": "serostudy.clinical._dates",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

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
