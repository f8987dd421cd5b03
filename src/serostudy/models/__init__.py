"""Models that fit the data: count models, adjusted comparisons, ordinal outcomes,
multiplicity and power.

Public API (everything else lives in private modules):

* :func:`fit_model` -- one entry point for every family; :func:`fit_glm` (gaussian,
  poisson, negbin, logit) and :func:`fit_ordinal` (proportional odds, as ``MASS::polr``).
* :func:`p_adjust` -- adjusted p-values as R ``p.adjust`` (BH q-values by default).
* :func:`power_t2n`, :func:`power_r` -- power and smallest detectable effects as R
  ``pwr``; :func:`simulate_negbin_power` -- simulation power of the count model, and
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
from serostudy.models._results import FAMILIES, Family, ModelResult, ModelTerm, PowerResult, SimulatedPower

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from serostudy.models._glm import detect_separation, fit_glm
    from serostudy.models._multiplicity import p_adjust
    from serostudy.models._ordinal import fit_ordinal
    from serostudy.models._power import (
        detectable_rate_ratio,
        nb_fit_batch,
        power_r,
        power_t2n,
        simulate_negbin_power,
    )
    from serostudy.models._stage import models_stage

_LAZY = {
    "fit_glm": "serostudy.models._glm",
    "detect_separation": "serostudy.models._glm",
    "fit_ordinal": "serostudy.models._ordinal",
    "p_adjust": "serostudy.models._multiplicity",
    "power_t2n": "serostudy.models._power",
    "power_r": "serostudy.models._power",
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
    "detect_separation",
    "p_adjust",
    "power_t2n",
    "power_r",
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
        Passed on: ``on_separation`` (logit), ``levels`` (ordinal).

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
