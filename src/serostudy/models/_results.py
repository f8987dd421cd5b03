"""Frozen result objects of :mod:`serostudy.models`.

Like :mod:`serostudy._inference._results` (and ``scipy.stats``): named attributes,
never bare tuples; ``to_dict()`` gives a JSON-ready, deterministic mapping.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from serostudy._inference._results import ConfidenceInterval, TestResult, _clean

Family = Literal["gaussian", "poisson", "negbin", "logit", "ordinal"]
"""Model families understood by :func:`serostudy.models.fit_model`."""

FAMILIES: tuple[str, ...] = ("gaussian", "poisson", "negbin", "logit", "ordinal")

CiMethod = Literal["wald", "profile"]
"""How coefficient intervals are computed: ``"wald"`` (estimate +- q * SE) or
``"profile"`` (inverting the likelihood-ratio test)."""
CI_METHODS: tuple[str, ...] = ("wald", "profile")

#: What ``exp(estimate)`` means in each family (``None``: not reported).
EXP_NAMES: dict[str, str | None] = {
    "gaussian": None,
    "poisson": "rate ratio",
    "negbin": "rate ratio",
    "logit": "odds ratio",
    "ordinal": "cumulative odds ratio",
    "clogit": "odds ratio",
}


@dataclass(frozen=True, slots=True)
class ModelTerm:
    """One coefficient (or, for ordinal models, one threshold) of a fitted model.

    Attributes
    ----------
    term
        Name as the design matrix spells it (``"age"``, ``"sex[T.male]"``,
        ``"Low|Medium"`` for an ordinal threshold).
    estimate, se
        Coefficient on the linear-predictor scale and its standard error.
    ci
        Wald confidence interval (``estimate +- q * se``; ``q`` from the t distribution
        with the residual df for ``gaussian``, the normal distribution otherwise).
    statistic, statistic_name
        ``estimate / se`` and its symbol, ``"t"`` or ``"z"``.
    pvalue
        Two-sided p-value of the Wald test.
    exp_estimate, exp_ci, exp_name
        ``exp(estimate)`` and its interval where that is meaningful (rate ratio for
        count models, odds ratio for logit, cumulative odds ratio for ordinal models);
        ``None`` otherwise (and for the intercept and thresholds).
    kind
        ``"coefficient"`` or ``"threshold"``.
    ci_method
        ``"wald"`` or ``"profile"``: how ``ci`` (and ``exp_ci``) were computed.  Profile
        intervals invert the likelihood-ratio test (see :func:`serostudy.models.fit_glm`);
        thresholds of ordinal models keep Wald intervals (as ``MASS::confint.polr``).
    lr_statistic, lr_pvalue
        Likelihood-ratio test of this coefficient = 0 (chi-square, 1 df; the model
        refitted without it, negative binomial theta re-estimated); computed with
        ``ci_method="profile"``, ``None`` otherwise.
    """

    term: str
    estimate: float
    se: float
    ci: ConfidenceInterval
    statistic: float
    statistic_name: str
    pvalue: float
    exp_estimate: float | None = None
    exp_ci: ConfidenceInterval | None = None
    exp_name: str | None = None
    kind: Literal["coefficient", "threshold"] = "coefficient"
    ci_method: CiMethod = "wald"
    lr_statistic: float | None = None
    lr_pvalue: float | None = None

    def confidence_interval(self) -> ConfidenceInterval:
        return self.ci


@dataclass(frozen=True, slots=True)
class ModelResult:
    """A fitted regression model.

    Attributes
    ----------
    family, link
        The family (``"negbin"`` ...) and its link (``"log"``, ``"logit"``, ...).
    formula
        The model formula as given.
    terms
        Coefficients, then (ordinal models) thresholds, as :class:`ModelTerm`.
    n
        Observations used.
    df_model, df_resid
        Number of estimated coefficients (excluding theta/thresholds) and residual df.
    loglik, aic
        Log-likelihood and AIC counted as R counts them (``negbin``: theta is a
        parameter; ``gaussian``: sigma is a parameter).
    deviance
        Residual deviance (``None`` for ordinal models).
    theta, theta_se
        Negative binomial shape (``var = mu + mu^2/theta``), estimated by maximum
        likelihood as ``MASS::glm.nb`` does, and its standard error; ``None`` otherwise.
    scale
        Residual variance for ``gaussian`` (sigma^2); 1 otherwise.
    overdispersion
        For ``poisson`` (and ``negbin``: of the Poisson fit it replaces): the Pearson
        chi-square goodness-of-fit test, statistic X2 with ``df_resid`` df, and
        ``estimate`` = X2/df (the dispersion ratio).
    exposure
        Column whose log entered as offset, or ``None``.
    excluded_rows
        1-based data rows (header = row 1) left out for missing values.
    confidence_level
        Level of every interval.
    ci_method
        ``"wald"`` or ``"profile"`` (coefficient intervals and LR tests by profiling).
    weights
        Column of frequency weights, or ``None``; ``n`` is then their sum.
    lr_test
        Likelihood-ratio test of all coefficients = 0 where reported (``clogit``:
        R ``summary(clogit)$logtest``); ``None`` otherwise.
    method
        How the model was fitted, in words a methods section can use.
    warnings
        Everything a reader should know (separation, theta diverging, rows excluded).
    """

    family: str
    link: str
    formula: str
    terms: tuple[ModelTerm, ...]
    n: int
    df_model: int
    df_resid: float
    loglik: float
    aic: float
    deviance: float | None = None
    theta: float | None = None
    theta_se: float | None = None
    scale: float = 1.0
    overdispersion: TestResult | None = None
    exposure: str | None = None
    excluded_rows: tuple[int, ...] = ()
    confidence_level: float = 0.95
    method: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    ci_method: CiMethod = "wald"
    weights: str | None = None
    lr_test: TestResult | None = None

    def term(self, name: str) -> ModelTerm:
        """The term called ``name`` (``KeyError`` listing the terms if absent)."""
        for t in self.terms:
            if t.term == name:
                return t
        raise KeyError(f"no term {name!r}; terms are {[t.term for t in self.terms]}")

    @property
    def coefficients(self) -> tuple[ModelTerm, ...]:
        return tuple(t for t in self.terms if t.kind == "coefficient")

    @property
    def thresholds(self) -> tuple[ModelTerm, ...]:
        return tuple(t for t in self.terms if t.kind == "threshold")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; floats rounded to 12 significant digits, non-finite -> None."""
        return _round(_clean(asdict(self)))


@dataclass(frozen=True, slots=True)
class PowerResult:
    """Power of a test, or the smallest effect detectable with a given power.

    Attributes
    ----------
    test
        ``"two-sample t"``, ``"correlation"``, ``"chi-squared"`` or ``"one-way ANOVA"``.
    effect, effect_name
        The effect size (Cohen's d, r, w or f) used or solved for.
    power
        Probability of rejecting at ``alpha`` when the effect is ``effect``.
    n
        Sample sizes: ``(n1, n2)`` or ``(n,)`` (ANOVA: per group).  A solved ``n`` is a
        real number, as R ``pwr`` gives it; round it up for a design.
    alpha, alternative
        Significance level and direction of the test (``"two-sided"`` for the
        chi-squared and F tests, whose rejection region is the upper tail).
    solved_for
        ``"power"``, ``"effect"`` or ``"n"``.
    method
        Formula used, in words (and the R function it matches).
    df
        Degrees of freedom of the chi-squared test (``None`` otherwise).
    groups
        Number of groups ``k`` of the one-way ANOVA (``None`` otherwise).
    """

    test: str
    effect: float
    effect_name: str
    power: float
    n: tuple[float, ...]
    alpha: float
    alternative: str
    solved_for: str
    method: str
    df: int | None = None
    groups: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return _round(_clean(asdict(self)))


@dataclass(frozen=True, slots=True)
class SimulatedPower:
    """Power of the negative binomial count model estimated by simulation.

    Attributes
    ----------
    power
        Share of simulated studies in which the Wald test of the exposure coefficient
        rejected at ``alpha`` (among the studies whose fit converged).
    ci
        Exact (Clopper-Pearson) interval for that share.
    n_sim, n_converged
        Studies simulated, and fitted to convergence.
    n
        Participants per simulated study.
    rate_ratio, per
        True rate ratio per ``per`` units of the exposure.
    theta
        True negative binomial shape.
    alpha, seed
        Significance level; seed of the ``numpy.random.Generator``.
    mean_estimate
        Mean of the estimated rate ratios (on the log scale, back-transformed).
    elapsed_seconds
        Wall time of the simulation (not part of ``to_dict()``: not deterministic).
    method
        The simulation design, in words.
    """

    power: float
    ci: ConfidenceInterval
    n_sim: int
    n_converged: int
    n: int
    rate_ratio: float
    per: float
    theta: float
    alpha: float
    seed: int
    mean_estimate: float
    method: str
    elapsed_seconds: float = field(default=math.nan, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = _round(_clean(asdict(self)))
        d.pop("elapsed_seconds", None)
        return d


def _round(obj: Any) -> Any:
    """Round floats to 12 significant digits (byte-stable JSON across BLAS builds)."""
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    if isinstance(obj, float):
        return float(f"{obj:.12g}")
    return obj
