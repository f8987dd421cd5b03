"""Is the primary test calibrated at the study's n?  A parametric-bootstrap check.

With 34 patients the Wald test of a negative binomial coefficient can reject a true null
more often than its nominal 5% (issue 11, finding 1: 7.2% in a simulation).
:func:`null_calibration` answers, for the user's own fitted model:

1. fit the model without the exposure term (the null: its coefficient 0; the other
   coefficients and theta at their ML values under the null);
2. simulate ``n_sim`` data sets of counts from that null model (gamma-Poisson mixture,
   ``numpy.random.Generator(PCG64(seed))``) with the same covariates and exposure;
3. refit the full and the null model to each (batched IRLS / Newton, as
   :func:`serostudy.models.nb_fit_batch`);
4. report how often the Wald z test and the likelihood-ratio test reject at ``alpha``
   (Clopper-Pearson interval), and the parametric-bootstrap p-values of the observed
   statistics, ``(1 + #{T* >= T_obs}) / (1 + B)``.

Deterministic for a seed.  B = 1000 at n = 34 takes about a second
(tests/models/test_calibration.py measures it).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special, stats

from serostudy._inference._results import ConfidenceInterval, _clean
from serostudy.exceptions import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True, slots=True)
class NullCalibration:
    """Type I error of the Wald and LR tests of one coefficient, by simulation under the null.

    Attributes
    ----------
    term
        The coefficient tested (a design column, e.g. ``"b12"``).
    wald_rejection, wald_ci
        Share of simulated null data sets in which the Wald z test rejected at ``alpha``,
        with its exact (Clopper-Pearson) interval.
    lr_rejection, lr_ci
        The same for the likelihood-ratio test (theta re-estimated in both fits).
    observed_z, observed_wald_p, observed_lr, observed_lr_p
        The statistics and their asymptotic p-values on the data.
    bootstrap_p_wald, bootstrap_p_lr
        Parametric-bootstrap p-values: ``(1 + #{|z*| >= |z|}) / (1 + B)``, and the same for LR.
    null_theta, null_coefficients
        The null model the data sets were drawn from.
    n, n_sim, n_converged, alpha, seed
        Participants, data sets simulated and fitted to convergence in both models,
        the level, the seed.
    elapsed_seconds
        Wall time (not in ``to_dict()``: not deterministic).
    method
        The design, in words.
    """

    term: str
    wald_rejection: float
    wald_ci: ConfidenceInterval
    lr_rejection: float
    lr_ci: ConfidenceInterval
    observed_z: float
    observed_wald_p: float
    observed_lr: float
    observed_lr_p: float
    bootstrap_p_wald: float
    bootstrap_p_lr: float
    null_theta: float
    null_coefficients: dict[str, float]
    n: int
    n_sim: int
    n_converged: int
    alpha: float
    seed: int
    method: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    elapsed_seconds: float = field(default=math.nan, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = _clean(asdict(self))
        d.pop("elapsed_seconds", None)
        return d


def _clopper_pearson(k: int, m: int, level: float = 0.95) -> ConfidenceInterval:
    a = 1 - level
    lo = float(stats.beta.ppf(a / 2, k, m - k + 1)) if k > 0 else 0.0
    hi = float(stats.beta.ppf(1 - a / 2, k + 1, m - k)) if k < m else 1.0
    return ConfidenceInterval(lo, hi, level)


def _nb_ll_batch(y: np.ndarray, mu: np.ndarray, theta: np.ndarray) -> np.ndarray:
    t = theta[:, None]
    pois = special.xlogy(y, mu) - mu - special.gammaln(y + 1)
    tt = np.where(np.isinf(t), 1.0, t)
    nb = (special.gammaln(y + tt) - special.gammaln(tt) - special.gammaln(y + 1) + tt * np.log(tt)
          + special.xlogy(y, mu) - (tt + y) * np.log(tt + mu))
    return np.where(np.isinf(t), pois, nb).sum(axis=1)


def null_calibration(
    data: pd.DataFrame,
    formula: str,
    term: str,
    *,
    exposure: str | None = None,
    n_sim: int = 1000,
    seed: int = 20240601,
    alpha: float = 0.05,
) -> NullCalibration:
    """Simulated type I error of the Wald and LR tests of ``term`` in a negative binomial model.

    Parameters
    ----------
    data, formula, exposure
        The primary analysis, as passed to :func:`serostudy.models.fit_glm` with
        ``family="negbin"``.
    term
        The design column whose coefficient is tested (``"b12"``, ``"I(b12 / 10)"``,
        ``"sex[T.male]"``).
    n_sim
        Data sets to simulate (>= 100).
    seed
        Seed of the ``numpy.random.Generator``; the same seed gives the same result.
    alpha
        Level of the tests.

    Returns
    -------
    NullCalibration

    Notes
    -----
    The fits reuse :func:`serostudy.models.nb_fit_batch` (equal to ``fit_glm`` and so to
    ``MASS::glm.nb`` data set by data set).  Data sets whose fits did not converge in both
    models are left out of the rates and counted (``n_converged``).  Validated by
    simulation: with a correctly specified model at n = 400 the rejection rates are
    within their binomial interval of alpha (tests/models/test_calibration.py).
    """
    from serostudy.models._formula import build_design
    from serostudy.models._glm import fit_glm
    from serostudy.models._power import nb_fit_batch
    from serostudy.models._profile import nb_fit

    t0 = time.perf_counter()
    if not (isinstance(n_sim, (int, np.integer)) and n_sim >= 100):
        raise ModelError(f"`n_sim` must be a whole number >= 100, got {n_sim!r}")
    if not (0 < alpha < 1):
        raise ModelError(f"`alpha` must be between 0 and 1, got {alpha!r}")
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise ModelError(f"`seed` must be a whole number >= 0, got {seed!r}")
    fit = fit_glm(data, formula, family="negbin", exposure=exposure)
    design = build_design(data, formula, exposure=exposure)
    names = list(design.names)
    if term not in names:
        raise ModelError(f"{term!r} is not a coefficient of {formula!r}; the coefficients are {names}")
    if term == "Intercept":
        raise ModelError("the intercept cannot be the tested term")
    j = names.index(term)
    obs = fit.term(term)
    y = np.asarray(design.y, dtype=float)
    n = y.size
    X = design.X
    off = np.zeros(n) if design.offset is None else np.asarray(design.offset, dtype=float)
    X0 = np.delete(X, j, axis=1)
    null = nb_fit(y, X0, off, np.ones(n))
    if not math.isfinite(null.theta):
        raise ModelError("the null model shows no overdispersion (theta diverges): simulate from a Poisson model "
                         "instead; the negative binomial calibration does not apply")
    mu0 = np.exp(X0 @ null.beta + off)
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    lam = rng.gamma(shape=null.theta, scale=mu0 / null.theta, size=(int(n_sim), n))
    ystar = rng.poisson(lam).astype(float)
    B = int(n_sim)
    Xb = np.broadcast_to(X, (B, *X.shape))
    X0b = np.broadcast_to(X0, (B, *X0.shape))
    offb = np.broadcast_to(off, (B, n))
    full = nb_fit_batch(ystar, np.ascontiguousarray(Xb), np.ascontiguousarray(offb))
    red = nb_fit_batch(ystar, np.ascontiguousarray(X0b), np.ascontiguousarray(offb))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        mu_f = np.exp(np.clip(np.einsum("bnp,bp->bn", Xb, full["beta"]) + offb, -700, 700))
        mu_r = np.exp(np.clip(np.einsum("bnp,bp->bn", X0b, red["beta"]) + offb, -700, 700))
        lr = np.maximum(2 * (_nb_ll_batch(ystar, mu_f, full["theta"]) - _nb_ll_batch(ystar, mu_r, red["theta"])), 0)
        z = full["beta"][:, j] / full["se"][:, j]
    ok = full["converged"] & red["converged"] & np.isfinite(z) & np.isfinite(lr)
    m = int(ok.sum())
    if m == 0:
        raise ModelError("no simulated data set could be fitted: the calibration is not available")
    qz = stats.norm.ppf(1 - alpha / 2)
    qlr = stats.chi2.ppf(1 - alpha, 1)
    k_w = int(np.sum(np.abs(z[ok]) > qz))
    k_lr = int(np.sum(lr[ok] > qlr))
    z_obs = obs.statistic
    lr_obs = max(2 * (fit.loglik - null.loglik), 0.0)
    bp_w = (1 + int(np.sum(np.abs(z[ok]) >= abs(z_obs)))) / (1 + m)
    bp_lr = (1 + int(np.sum(lr[ok] >= lr_obs))) / (1 + m)
    notes = []
    if m < B:
        notes.append(f"{B - m} of {B} simulated data sets did not converge in both fits and were left out")
    return NullCalibration(
        term=term,
        wald_rejection=k_w / m,
        wald_ci=_clopper_pearson(k_w, m),
        lr_rejection=k_lr / m,
        lr_ci=_clopper_pearson(k_lr, m),
        observed_z=float(z_obs),
        observed_wald_p=float(obs.pvalue),
        observed_lr=lr_obs,
        observed_lr_p=float(stats.chi2.sf(lr_obs, 1)),
        bootstrap_p_wald=bp_w,
        bootstrap_p_lr=bp_lr,
        null_theta=float(null.theta),
        null_coefficients={nm: float(b) for nm, b in zip([x for i, x in enumerate(names) if i != j], null.beta)},
        n=int(n),
        n_sim=B,
        n_converged=m,
        alpha=float(alpha),
        seed=int(seed),
        method=(
            f"Parametric bootstrap under the null ({term} = 0): {B} data sets of negative binomial counts "
            "drawn from the null fit (other coefficients and theta at their ML values), each refitted with and "
            f"without {term}; rejection rates of the Wald z and likelihood-ratio tests at alpha = {alpha:g} "
            "with exact binomial 95% CIs; bootstrap p = (1 + #{T* >= T}) / (1 + B)"
        ),
        notes=tuple(notes),
        elapsed_seconds=time.perf_counter() - t0,
    )
