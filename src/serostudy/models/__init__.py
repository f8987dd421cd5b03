"""Models that fit the data: count models, adjusted comparisons, ordinal outcomes,
multiplicity and power.

Public API (everything else lives in private modules):

* :func:`fit_model` -- one entry point for every family; :func:`fit_glm` (gaussian,
  poisson, negbin, logit) and :func:`fit_ordinal` (proportional odds, as ``MASS::polr``).
* :func:`lr_test` -- likelihood-ratio test of nested fits; ``ci_method="profile"`` on
  every fit gives profile-likelihood intervals and per-coefficient LR tests.
* :func:`cohort_rate_intervals` -- a cohort event rate (e.g. ARR) with exact Poisson,
  quasi-Poisson, sandwich and negative binomial intervals, and the automatic choice.
* :func:`null_calibration` -- simulated type I error (Wald and LR) of a negative binomial
  coefficient at the study's n, with parametric-bootstrap p-values.
* :func:`fit_clogit` -- conditional logistic regression for matched sets (exact
  conditional likelihood, as ``survival::clogit``).
* :func:`proportional_odds_test` -- LR test of proportional odds per term against the
  partial proportional-odds model (R ``ordinal::nominal_test``).
* :func:`mice_sensitivity` -- multiple imputation (statsmodels MICE) pooled by Rubin's
  rules beside the complete-case fit, as a sensitivity analysis.
* :func:`p_adjust` -- adjusted p-values as R ``p.adjust`` (BH q-values by default).
* :func:`power_t2n`, :func:`power_r`, :func:`power_chisq`, :func:`power_anova` -- power,
  smallest detectable effects and sample sizes as R ``pwr``; :func:`simulate_negbin_power` -- simulation power of the count model, and
  :func:`detectable_rate_ratio` -- the smallest rate ratio it detects.
* Result objects: :class:`ModelResult`, :class:`ModelTerm`, :class:`PowerResult`,
  :class:`SimulatedPower`; the ``models:`` part of ``study.yaml``: :class:`ModelsConfig`.

Every statistic is checked against R (tests/reference/models/make_reference.R).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Light at import (pydantic only): ``serostudy._io.config`` imports ModelsConfig.
# Everything numeric is imported on first use (PEP 562 ``__getattr__`` below).
from serostudy.models._config import ModelsConfig
from serostudy.models._results import (
    CI_METHODS,
    FAMILIES,
    CiMethod,
    Family,
    ModelResult,
    ModelTerm,
    PowerResult,
    SimulatedPower,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy.models._calibration import NullCalibration, null_calibration
    from serostudy.models._clogit import fit_clogit
    from serostudy.models._glm import detect_separation, fit_glm
    from serostudy.models._mice import MiceResult, PooledTerm, mice_sensitivity
    from serostudy.models._multiplicity import p_adjust
    from serostudy.models._ordinal import NominalTest, fit_ordinal, proportional_odds_test
    from serostudy.models._power import (
        detectable_rate_ratio,
        nb_fit_batch,
        power_anova,
        power_chisq,
        power_r,
        power_t2n,
        simulate_negbin_power,
    )
    from serostudy.models._profile import ProfileTheta, lr_test
    from serostudy.models._rate import CohortRateIntervals, cohort_rate_intervals
    from serostudy.models._stage import models_stage

_LAZY = {
    "fit_glm": "serostudy.models._glm",
    "detect_separation": "serostudy.models._glm",
    "fit_ordinal": "serostudy.models._ordinal",
    "proportional_odds_test": "serostudy.models._ordinal",
    "NominalTest": "serostudy.models._ordinal",
    "lr_test": "serostudy.models._profile",
    "cohort_rate_intervals": "serostudy.models._rate",
    "null_calibration": "serostudy.models._calibration",
    "fit_clogit": "serostudy.models._clogit",
    "mice_sensitivity": "serostudy.models._mice",
    "MiceResult": "serostudy.models._mice",
    "PooledTerm": "serostudy.models._mice",
    "NullCalibration": "serostudy.models._calibration",
    "CohortRateIntervals": "serostudy.models._rate",
    "ProfileTheta": "serostudy.models._profile",
    "p_adjust": "serostudy.models._multiplicity",
    "power_t2n": "serostudy.models._power",
    "power_r": "serostudy.models._power",
    "power_chisq": "serostudy.models._power",
    "power_anova": "serostudy.models._power",
    "simulate_negbin_power": "serostudy.models._power",
    "detectable_rate_ratio": "serostudy.models._power",
    "nb_fit_batch": "serostudy.models._power",
    "models_stage": "serostudy.models._stage",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'serostudy.models' has no attribute {name!r}")


__all__ = [
    "fit_model",
    "fit_glm",
    "fit_ordinal",
    "proportional_odds_test",
    "NominalTest",
    "detect_separation",
    "lr_test",
    "cohort_rate_intervals",
    "null_calibration",
    "fit_clogit",
    "mice_sensitivity",
    "MiceResult",
    "PooledTerm",
    "NullCalibration",
    "CohortRateIntervals",
    "CiMethod",
    "CI_METHODS",
    "ProfileTheta",
    "p_adjust",
    "power_t2n",
    "power_r",
    "power_chisq",
    "power_anova",
    "simulate_negbin_power",
    "detectable_rate_ratio",
    "nb_fit_batch",
    "models_stage",
    "ModelResult",
    "ModelTerm",
    "PowerResult",
    "SimulatedPower",
    "ModelsConfig",
    "Family",
    "FAMILIES",
]


def fit_model(
    data: "pd.DataFrame",
    formula: str,
    *,
    family: Family = "gaussian",
    exposure: str | None = None,
    confidence_level: float = 0.95,
    **options: Any,
) -> ModelResult:
    """Fit ``formula`` on ``data`` with the given family.

    Parameters
    ----------
    data
        One row per observation.
    formula
        ``"y ~ x + z"`` (the grammar in docs/models.md; parsed, never evaluated).
    family
        ``"gaussian"``, ``"poisson"``, ``"negbin"``, ``"logit"`` or ``"ordinal"``.
    exposure
        Count families: column whose log enters as offset (must be positive).
    confidence_level
        Level of the Wald intervals.
    **options
        Passed on: ``weights`` (frequency weights column), ``ci_method``
        (``"wald"``/``"profile"``), ``profile_theta`` (negbin), ``on_separation``
        (logit), ``levels`` (ordinal).

    Notes
    -----
    Dispatches to :func:`fit_glm` (validated against R ``glm`` and ``MASS::glm.nb``) or
    :func:`fit_ordinal` (validated against ``MASS::polr``).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.models import fit_model
    >>> d = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1], "x": [1, 2, 3, 4, 5]})
    >>> round(fit_model(d, "y ~ x").term("x").estimate, 2)
    1.03
    """
    from serostudy._typing import check_choice
    from serostudy.models._glm import fit_glm
    from serostudy.models._ordinal import fit_ordinal

    check_choice("family", family, FAMILIES)
    if family == "ordinal":
        if exposure is not None:
            from serostudy.exceptions import ModelError

            raise ModelError("`exposure` applies to count models (family 'poisson' or 'negbin'), not 'ordinal'")
        return fit_ordinal(data, formula, confidence_level=confidence_level, **options)
    return fit_glm(data, formula, family=family, exposure=exposure, confidence_level=confidence_level, **options)
