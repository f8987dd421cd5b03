"""Intervals for a cohort event rate (total events / total person-time) that allow for
overdispersion between people.

The exact (Garwood) Poisson interval assumes every person-year carries the same rate.
Relapse counts are overdispersed (some patients relapse far more often), and then the
exact interval is too narrow.  :func:`cohort_rate_intervals` computes, from per-person
counts and person-time:

* the exact Poisson interval (R ``poisson.test``);
* the Pearson dispersion ``X2 / (n - 1)`` of the intercept-only Poisson model with
  ``log(person-time)`` as offset (1 under the Poisson model);
* the quasi-Poisson interval: the same estimate, log-scale Wald interval with the
  standard error inflated by the Pearson dispersion, ``exp(log(rate) +- z sqrt(phi / total))``
  (R ``confint.default(glm(y ~ 1 + offset(log(T)), family = quasipoisson))``);
* the robust (sandwich, HC0) interval, ``se = sqrt(sum (y_i - rate T_i)^2) / total``
  (R ``sandwich::vcovHC(type = "HC0")``), recorded beside it;
* the negative binomial rate ``exp(b0)`` of ``glm.nb(y ~ 1 + offset(log(T)))`` with its
  profile-likelihood interval (theta re-estimated at every point).

The interval reported as *the* interval (``ci``) is an automatic choice, recorded in
``choice``: the exact Poisson interval when the dispersion is at most
``dispersion_threshold`` (default 1.5, the threshold at which serostudy's Poisson models
warn), else the quasi-Poisson interval.  Quasi-Poisson is preferred to the negative
binomial for the *cohort* rate because it keeps the estimate total/person-years (the NB
rate weights patients differently and is a different quantity), and to the sandwich
because HC0 underestimates the variance with few patients (one parameter of
over-dispersion is estimated instead of n squared residuals).

Validated against R 4.2.2 (stats, MASS 7.3-58, sandwich) on a demo-like cohort (n = 34,
dispersion 2.8) and a Poisson cohort (n = 40): tests/models/test_rate.py.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from serostudy._inference._results import ConfidenceInterval, _clean
from serostudy.exceptions import InputError

#: Pearson chi2/df above which the cohort rate's interval allows for overdispersion.
DISPERSION_THRESHOLD = 1.5


@dataclass(frozen=True, slots=True)
class CohortRateIntervals:
    """A cohort rate with exact, overdispersion-robust and negative binomial intervals.

    Attributes
    ----------
    rate
        Total events / total person-time.
    ci
        The interval chosen (see ``choice``).
    choice
        ``"exact Poisson"`` or ``"quasi-Poisson"``, and ``choice_reason`` in words.
    exact_poisson, quasi_poisson, sandwich
        The three intervals around ``rate``.
    dispersion, dispersion_threshold
        Pearson X2/(n - 1) of the intercept-only Poisson model, and the threshold.
    negbin_rate, negbin_ci, negbin_theta
        Negative binomial rate, its profile interval (theta re-estimated) and theta;
        ``None`` when theta diverges (no overdispersion) or there are no events.
    n, total_events, person_time
        Persons with positive person-time, their events and person-time.
    """

    rate: float
    ci: ConfidenceInterval
    choice: str
    choice_reason: str
    exact_poisson: ConfidenceInterval
    quasi_poisson: ConfidenceInterval | None
    sandwich: ConfidenceInterval | None
    dispersion: float
    dispersion_threshold: float
    negbin_rate: float | None
    negbin_ci: ConfidenceInterval | None
    negbin_theta: float | None
    n: int
    total_events: int
    person_time: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def confidence_interval(self) -> ConfidenceInterval:
        return self.ci

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


def exact_poisson_ci(count: int, exposure: float, confidence_level: float = 0.95) -> ConfidenceInterval:
    """Garwood interval of ``count / exposure`` (R ``poisson.test(count, exposure)``)."""
    a = 1 - confidence_level
    lo = 0.0 if count == 0 else float(stats.chi2.ppf(a / 2, 2 * count)) / (2 * exposure)
    hi = float(stats.chi2.ppf(1 - a / 2, 2 * count + 2)) / (2 * exposure)
    return ConfidenceInterval(lo, hi, confidence_level)


def cohort_rate_intervals(
    counts: np.ndarray | list[float],
    person_time: np.ndarray | list[float],
    *,
    confidence_level: float = 0.95,
    dispersion_threshold: float = DISPERSION_THRESHOLD,
) -> CohortRateIntervals:
    """Cohort rate with intervals that allow for between-person overdispersion.

    Parameters
    ----------
    counts, person_time
        Events and person-time of each person (person-time > 0; persons with none
        should be left out by the caller).
    confidence_level
        Level of every interval.
    dispersion_threshold
        Pearson X2/(n - 1) above which ``ci`` is the quasi-Poisson interval.

    Returns
    -------
    CohortRateIntervals

    Notes
    -----
    Matches R 4.2.2 to rtol 1e-9 (exact, quasi-Poisson, HC0 sandwich) and 1e-6 (the
    negative binomial profile interval against a tight root of the ``glm.nb`` profile).
    """
    from serostudy.models._profile import Profiler, nb_fit, signed_root_interval

    y = np.asarray(counts, dtype=float)
    T = np.asarray(person_time, dtype=float)
    if y.shape != T.shape or y.ndim != 1 or y.size == 0:
        raise InputError(f"counts and person-time must be two lists of the same length, got {y.shape} and {T.shape}")
    if not (np.all(np.isfinite(T)) and np.all(T > 0)):
        raise InputError("person-time must be finite and > 0 for every person")
    if not (np.all(np.isfinite(y)) and np.all(y >= 0) and np.all(y == np.floor(y))):
        raise InputError("counts must be whole numbers >= 0")
    if not (0 < confidence_level < 1):
        raise InputError(f"`confidence_level` must be between 0 and 1, got {confidence_level!r}")
    total = float(y.sum())
    pt = float(T.sum())
    n = int(y.size)
    rate = total / pt
    exact = exact_poisson_ci(int(total), pt, confidence_level)
    z = float(stats.norm.ppf(0.5 + confidence_level / 2))
    notes: list[str] = []
    mu = rate * T
    quasi: ConfidenceInterval | None
    sand: ConfidenceInterval | None
    if total > 0 and n > 1:
        x2 = float(np.sum((y - mu) ** 2 / mu))
        disp = x2 / (n - 1)
        se_q = math.sqrt(disp / total)
        quasi = ConfidenceInterval(math.exp(math.log(rate) - z * se_q), math.exp(math.log(rate) + z * se_q),
                                   confidence_level)
        se_hc0 = math.sqrt(float(np.sum((y - mu) ** 2))) / total
        sand = ConfidenceInterval(math.exp(math.log(rate) - z * se_hc0), math.exp(math.log(rate) + z * se_hc0),
                                  confidence_level)
    else:
        disp = math.nan
        quasi = sand = None
        notes.append("no events (or one person): only the exact Poisson interval exists")
    nb_rate = nb_theta = None
    nb_ci = None
    if total > 0 and n > 1:
        X = np.ones((n, 1))
        off = np.log(T)
        w = np.ones(n)
        fit = nb_fit(y, X, off, w)
        if math.isfinite(fit.theta):
            b0 = float(fit.beta[0])
            # SE of b0 at the ML theta (IRLS weights mu / (1 + mu/theta)) brackets the roots
            m = np.exp(b0 + off)
            se = 1 / math.sqrt(float(np.sum(m / (1 + m / fit.theta))))
            prof = Profiler("negbin", y, X, off, w, theta=fit.theta, profile_theta="estimated")
            lo, hi = signed_root_interval(lambda b: prof._neg2ll(0, b), b0, se, prof.neg2ll0, confidence_level)
            nb_rate, nb_theta = math.exp(b0), float(fit.theta)
            nb_ci = ConfidenceInterval(math.exp(lo), math.exp(hi), confidence_level)
        else:
            notes.append("negative binomial theta diverges (no overdispersion): no NB interval")
    if quasi is not None and disp > dispersion_threshold:
        choice = "quasi-Poisson"
        ci = quasi
        reason = (f"Pearson chi2/df = {disp:.2f} > {dispersion_threshold:g}: the events are overdispersed between "
                  "persons, so the interval is quasi-Poisson (standard error inflated by the Pearson dispersion) "
                  "instead of exact Poisson")
    else:
        choice = "exact Poisson"
        ci = exact
        reason = (f"Pearson chi2/df = {disp:.2f} <= {dispersion_threshold:g}: no overdispersion beyond the "
                  "threshold, exact Poisson interval" if math.isfinite(disp) else "exact Poisson interval")
    return CohortRateIntervals(
        rate=rate, ci=ci, choice=choice, choice_reason=reason, exact_poisson=exact, quasi_poisson=quasi,
        sandwich=sand, dispersion=disp, dispersion_threshold=float(dispersion_threshold),
        negbin_rate=nb_rate, negbin_ci=nb_ci, negbin_theta=nb_theta, n=n, total_events=int(total),
        person_time=pt, notes=tuple(notes),
    )
