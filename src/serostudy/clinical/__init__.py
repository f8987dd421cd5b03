"""Clinical measures and the participant flow.

Relapses and the annualized relapse rate, ages and durations from dates, the EDSS from
functional system scores, the 2015 IPND criteria for NMOSD (and a MOGAD flag),
eligibility rules and the participant flow, and matching of controls to cases.
Conventions and defaults are documented in ``docs/clinical.md``.
"""

from serostudy.clinical._dates import PartialDate, derive_dates, parse_date, years_between
from serostudy.clinical._edss import EdssOptions, EdssResult, edss, edss_detail, edss_frame
from serostudy.clinical._ipnd import (
    CORE_CHARACTERISTICS,
    MOG_SUPPORTING_FEATURES,
    IpndVerdict,
    MriFindings,
    ipnd_2015,
    ipnd_frame,
)
from serostudy.clinical._relapses import (
    ArrResult,
    PatientAttacks,
    annualized_relapse_rate,
    merge_attacks,
    poisson_rate_ci,
)

__all__ = [
    "CORE_CHARACTERISTICS",
    "MOG_SUPPORTING_FEATURES",
    "IpndVerdict",
    "MriFindings",
    "ipnd_2015",
    "ipnd_frame",
    "ArrResult",
    "EdssOptions",
    "EdssResult",
    "PartialDate",
    "PatientAttacks",
    "annualized_relapse_rate",
    "derive_dates",
    "edss",
    "edss_detail",
    "edss_frame",
    "merge_attacks",
    "parse_date",
    "poisson_rate_ci",
    "years_between",
]
