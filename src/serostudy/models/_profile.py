"""Profile-likelihood intervals and likelihood-ratio tests for the regression models.

The engines here are small, exact fitters of the constrained models a profile needs:
iteratively reweighted least squares for Poisson, logistic and negative binomial
(theta fixed, or re-estimated at every point) regressions, weighted least squares for
gaussian, and Newton's method with the analytic Hessian for the proportional-odds model.
Every fitter takes an offset and frequency weights, so "coefficient j fixed at b" is
the model without column j and with ``X_j * b`` added to the offset.

An interval bound is the root of the signed square root of the likelihood-ratio
statistic, ``r(b) = sign(b - bhat) * sqrt(2 * (l(bhat) - l_j(b)))``, at
``r = -+ z_{1 - alpha/2}``, solved by Brent's method to ``xtol = 1e-12`` (R's
``MASS::confint`` interpolates the same function on a grid of at most 9 points per side
with ``spline()``; the difference is about 1e-5 relative, see
tests/reference/models/make_inference.R).

Validated against R 4.2.2 / MASS 7.3-58: ``confint`` on ``glm`` (poisson, binomial),
``glm.nb`` and ``polr``, ``drop1(test = "Chisq")`` and ``anova`` for nested models
(tests/models/test_profile.py).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import optimize, special, stats

from serostudy.exceptions import ConvergenceWarning, ModelError
from serostudy.models._results import (
    CI_METHODS,  # the vocabulary lives with the result objects
)

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._inference._results import TestResult
    from serostudy.models._results import ModelResult


ProfileTheta = Literal["estimated", "fixed"]
"""Negative binomial profiles: theta re-estimated at every point (the profile
likelihood) or held at its ML value (what ``MASS::confint`` does on a ``glm.nb`` fit)."""
PROFILE_THETAS: tuple[str, ...] = ("estimated", "fixed")


# ------------------------------------------------------------------------- fitters


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    loglik: float
    theta: float = math.nan


def _poisson_ll(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * (special.xlogy(y, mu) - mu - special.gammaln(y + 1))))


def _binom_ll(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * (special.xlogy(y, mu) + special.xlogy(1 - y, 1 - mu))))


def nb_loglik_w(y: np.ndarray, mu: np.ndarray, theta: float, w: np.ndarray) -> float:
    """Weighted NB2 log-likelihood (``var = mu + mu^2/theta``)."""
    t = theta
    ll = (special.gammaln(y + t) - special.gammaln(t) - special.gammaln(y + 1) + t * np.log(t)
          + special.xlogy(y, mu) - (t + y) * np.log(t + mu))
    return float(np.sum(w * ll))


def irls(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    w: np.ndarray,
    family: str,
    *,
    theta: float = math.inf,
    start: np.ndarray | None = None,
    tol: float = 1e-13,
    maxiter: int = 200,
) -> _Fit:
    """Maximum-likelihood fit of a Poisson / logistic / NB (fixed theta) GLM by IRLS.

    Step-halving on the log-likelihood guards each iteration.  ``X`` may have no
    columns (everything in the offset).
    """
    n, p = X.shape

    def mean(eta: np.ndarray) -> np.ndarray:
        if family == "logit":
            return special.expit(eta)
        return np.exp(np.minimum(eta, 700))

    def ll(mu: np.ndarray) -> float:
        if family == "logit":
            return _binom_ll(y, mu, w)
        if family == "poisson" or not math.isfinite(theta):
            return _poisson_ll(y, mu, w)
        return nb_loglik_w(y, mu, theta, w)

    if p == 0:
        mu = mean(offset)
        return _Fit(np.zeros(0), ll(mu), theta)
    if start is None:
        if family == "logit":
            ybar = (np.sum(w * y) + 0.5) / (np.sum(w) + 1)
            eta = np.full(n, math.log(ybar / (1 - ybar)))
        else:
            eta = np.log(y + 0.5)
        # one weighted LS step from a working response about the start
        z = eta - offset
        sw = np.sqrt(w)
        beta = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
    else:
        beta = np.asarray(start, dtype=float).copy()
    eta = X @ beta + offset
    mu = mean(eta)
    cur = ll(mu)
    for _ in range(maxiter):
        if family == "logit":
            var = mu * (1 - mu)
            wt = w * var
            z = (eta - offset) + (y - mu) / np.maximum(var, 1e-300)
        else:
            if math.isfinite(theta) and family == "negbin":
                wt = w * mu / (1 + mu / theta)
            else:
                wt = w * mu
            z = (eta - offset) + (y - mu) / np.maximum(mu, 1e-300)
        sw = np.sqrt(wt)
        new = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]
        step = new - beta
        for _h in range(60):
            cand = beta + step
            eta_c = X @ cand + offset
            mu_c = mean(eta_c)
            ll_c = ll(mu_c)
            if np.isfinite(ll_c) and ll_c >= cur - 1e-12 * (1 + abs(cur)):
                break
            step = step / 2
        beta, eta, mu = cand, eta_c, mu_c
        done = abs(ll_c - cur) <= tol * (abs(ll_c) + 0.1) and np.max(np.abs(step)) < 1e-8 * (1 + np.max(np.abs(beta)))
        cur = ll_c
        if done:
            break
    return _Fit(beta, cur, theta)


def nb_fit(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    w: np.ndarray,
    *,
    start: np.ndarray | None = None,
    theta_start: float | None = None,
) -> _Fit:
    """Negative binomial fit with theta by ML (alternating, as ``MASS::glm.nb``)."""
    from serostudy.models._glm import theta_ml

    fit = irls(y, X, offset, w, "poisson", start=start)
    mu = np.exp(X @ fit.beta + offset)
    theta = theta_start if theta_start is not None else theta_ml(y, mu, weights=w)[0]
    ll_old = -math.inf
    for _ in range(200):
        if not math.isfinite(theta):
            return _Fit(fit.beta, fit.loglik, math.inf)
        fit = irls(y, X, offset, w, "negbin", theta=theta, start=fit.beta)
        mu = np.exp(X @ fit.beta + offset)
        th_new = theta_ml(y, mu, start=theta, weights=w)[0]
        ll = nb_loglik_w(y, mu, th_new, w) if math.isfinite(th_new) else _poisson_ll(y, mu, w)
        conv = abs(ll - ll_old) < 1e-12 * (1 + abs(ll)) and (
            not math.isfinite(th_new) or abs(th_new - theta) < 1e-10 * theta)
        theta = th_new
        ll_old = ll
        if conv:
            break
    return _Fit(fit.beta, ll_old, theta)


def wls_fit(y: np.ndarray, X: np.ndarray, offset: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted least squares: coefficients and the weighted residual sum of squares."""
    r0 = y - offset
    if X.shape[1] == 0:
        return np.zeros(0), float(np.sum(w * r0**2))
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(X * sw[:, None], r0 * sw, rcond=None)[0]
    r = r0 - X @ beta
    return beta, float(np.sum(w * r**2))


# ----- proportional odds


def polr_fit(
    codes: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    w: np.ndarray,
    K: int,
    *,
    start: np.ndarray | None = None,
    maxiter: int = 200,
    Z: np.ndarray | None = None,
) -> tuple[np.ndarray, float, np.ndarray, bool]:
    """Proportional-odds fit, ``logit P(Y <= k) = zeta_k - (x'b + offset)``.

    With ``Z`` (n x q), the partial proportional-odds model
    ``zeta_k - x'b - z'gamma_k`` (nominal effects, as ``ordinal::clm(nominal = ~ z)``):
    parameters ``(b, zeta, gamma_1, ..., gamma_K)``.

    Newton's method on ``(b, zeta)`` with the analytic Hessian and step halving
    (the log-likelihood is concave).  ``codes`` are 0..K (K thresholds).

    Returns
    -------
    params, loglik, information, converged
        ``(b, zeta)``, the weighted log-likelihood, the observed information matrix
        (its inverse is the covariance of ``params``) and whether it converged.
    """
    n, p = X.shape
    Zm = np.zeros((X.shape[0], 0)) if Z is None else Z
    q = Zm.shape[1]
    if start is None:
        counts = np.bincount(codes, weights=w, minlength=K + 1)
        cum = np.cumsum(counts)[:-1] / np.sum(counts)
        cum = np.clip(cum, 1e-6, 1 - 1e-6)
        start = np.concatenate([np.zeros(p), special.logit(cum), np.zeros(K * q)])
    par = np.asarray(start, dtype=float).copy()
    up_idx = codes  # threshold index of the upper bound (K means +inf)
    lo_idx = codes - 1  # -1 means -inf

    def pieces(par: np.ndarray):
        b, z = par[:p], par[p:p + K]
        eta = X @ b + offset
        zz = np.concatenate([[-np.inf], z, [np.inf]])
        u = zz[up_idx + 1] - eta
        lo = zz[lo_idx + 1] - eta
        if q:
            gam = par[p + K:].reshape(K, q)
            zg = Zm @ gam.T  # (n, K): z'gamma_k
            zg = np.concatenate([np.zeros((n, 1)), zg, np.zeros((n, 1))], axis=1)
            u = u - zg[rows, up_idx + 1]
            lo = lo - zg[rows, lo_idx + 1]
        Fu = special.expit(u)
        Fl = special.expit(lo)
        P = Fu - Fl
        return u, lo, Fu, Fl, P

    def loglik(par: np.ndarray) -> float:
        if q == 0 and np.any(np.diff(par[p:p + K]) <= 0):
            return -math.inf
        *_, P = pieces(par)
        if np.any(P <= 0):
            return -math.inf
        return float(np.sum(w * np.log(P)))

    Du = np.zeros((n, p + K + K * q))
    Dl = np.zeros((n, p + K + K * q))
    Du[:, :p] = -X
    Dl[:, :p] = -X
    rows = np.arange(n)
    has_u = up_idx < K
    has_l = lo_idx >= 0
    Du[rows[has_u], p + up_idx[has_u]] = 1.0
    Dl[rows[has_l], p + lo_idx[has_l]] = 1.0
    for c in range(q):
        Du[rows[has_u], p + K + up_idx[has_u] * q + c] = -Zm[has_u, c]
        Dl[rows[has_l], p + K + lo_idx[has_l] * q + c] = -Zm[has_l, c]

    def derivs(par: np.ndarray):
        _u, _lo, Fu, Fl, P = pieces(par)
        fu = np.where(has_u, Fu * (1 - Fu), 0.0)
        fl = np.where(has_l, Fl * (1 - Fl), 0.0)
        dfu = np.where(has_u, fu * (1 - 2 * Fu), 0.0)
        dfl = np.where(has_l, fl * (1 - 2 * Fl), 0.0)
        gu = fu / P
        gl = -fl / P
        grad = Du.T @ (w * gu) + Dl.T @ (w * gl)
        huu = dfu / P - gu**2
        hll = -dfl / P - gl**2
        hul = fu * fl / P**2
        H = (Du.T * (w * huu)) @ Du + (Dl.T * (w * hll)) @ Dl
        C = (Du.T * (w * hul)) @ Dl
        H = H + C + C.T
        return grad, H

    cur = loglik(par)
    converged = False
    for _ in range(maxiter):
        g, H = derivs(par)
        try:
            step = np.linalg.solve(-H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(-H, g, rcond=None)[0]
        for _h in range(60):
            cand = par + step
            ll_c = loglik(cand)
            if ll_c >= cur - 1e-12 * (1 + abs(cur)):
                break
            step = step / 2
        par, prev, cur = cand, cur, ll_c
        if np.max(np.abs(g)) < 1e-9 * max(1.0, float(np.sum(w))) ** 0.5 and abs(cur - prev) < 1e-13 * (1 + abs(cur)):
            converged = True
            break
        if np.max(np.abs(step)) < 1e-14:
            converged = True
            break
    g, H = derivs(par)
    return par, cur, -H, converged


# ------------------------------------------------------------------------- profiling


def signed_root_interval(
    neg2ll_at: Callable[[float], float],
    bhat: float,
    se: float,
    neg2ll0: float,
    confidence_level: float,
    *,
    scale: float = 1.0,
    quantile: float | None = None,
) -> tuple[float, float]:
    """Both roots of ``sign(b - bhat) * sqrt((neg2ll(b) - neg2ll0) / scale) = -+ q``.

    The bracket is widened from ``bhat +- se`` by doubling (up to 2^12 standard
    errors); a side where the statistic never reaches ``q`` (separation, a boundary)
    gives an infinite bound.
    """
    q = quantile if quantile is not None else float(stats.norm.ppf(0.5 + confidence_level / 2))
    step = se if (math.isfinite(se) and se > 0) else max(1.0, abs(bhat))

    def r(b: float) -> float:
        d = (neg2ll_at(b) - neg2ll0) / scale
        return math.sqrt(max(d, 0.0))

    out = []
    for sgn in (-1.0, 1.0):
        lo_b = bhat
        k = 1.0
        found = None
        while k <= 4096:
            b = bhat + sgn * k * step
            if r(b) >= q:
                found = b
                break
            lo_b = b
            k *= 2
        if found is None:
            out.append(sgn * math.inf)
            continue
        a, c = (found, lo_b) if sgn < 0 else (lo_b, found)
        root = optimize.brentq(lambda b: r(b) - q, a, c, xtol=1e-13 * (1 + abs(bhat)), rtol=1e-15, maxiter=200)
        out.append(float(root))
    return out[0], out[1]


class Profiler:
    """Constrained refits of one model: ``-2 log L`` with coefficient ``j`` fixed at ``b``.

    Parameters
    ----------
    family
        ``"gaussian"``, ``"poisson"``, ``"logit"``, ``"negbin"`` or ``"ordinal"``.
    y, X, offset, w
        Response (ordinal: codes 0..K), design, offset and frequency weights.
    theta
        Negative binomial: theta of the full fit, and ``profile_theta`` whether it is
        re-estimated at each point.
    K
        Ordinal: number of thresholds.
    """

    def __init__(
        self,
        family: str,
        y: np.ndarray,
        X: np.ndarray,
        offset: np.ndarray | None,
        w: np.ndarray,
        *,
        theta: float = math.inf,
        profile_theta: ProfileTheta = "estimated",
        K: int = 0,
    ) -> None:
        self.family = family
        self.y = y
        self.X = X
        self.offset = np.zeros(len(y)) if offset is None else offset
        self.w = w
        self.theta = theta
        self.profile_theta = profile_theta
        self.K = K
        self._starts: dict[int, np.ndarray] = {}
        self._thetas: dict[int, float] = {}
        full = self._neg2ll(None, 0.0)
        self.neg2ll0 = full

    def _neg2ll(self, j: int | None, b: float) -> float:
        X, off = self.X, self.offset
        if j is not None:
            off = off + X[:, j] * b
            X = np.delete(X, j, axis=1)
        start = self._starts.get(-1 if j is None else j)
        fam = self.family
        if fam == "gaussian":
            _, rss = wls_fit(self.y, X, off, self.w)
            return rss  # "deviance"; scaled by the caller
        if fam == "ordinal":
            par, ll, _, _ = polr_fit(self.y, X, off, self.w, self.K, start=start)
            self._starts[-1 if j is None else j] = par
            return -2 * ll
        if fam == "negbin" and self.profile_theta == "estimated" and math.isfinite(self.theta):
            key = -1 if j is None else j
            fit = nb_fit(self.y, X, off, self.w, start=start, theta_start=self._thetas.get(key, self.theta))
            if math.isfinite(fit.theta):
                self._thetas[key] = fit.theta
        elif fam == "negbin":
            fit = irls(self.y, X, off, self.w, "negbin", theta=self.theta, start=start)
        else:
            fit = irls(self.y, X, off, self.w, fam, start=start)
        self._starts[-1 if j is None else j] = fit.beta
        return -2 * fit.loglik

    def lr_test(self, j: int) -> tuple[float, float]:
        """LR statistic and chi-square(1) p-value of coefficient ``j`` = 0."""
        d = self._neg2ll(j, 0.0) - self.neg2ll0
        if self.family == "gaussian":
            n = float(np.sum(self.w))
            d = n * math.log(self._neg2ll(j, 0.0) / self.neg2ll0) if self.neg2ll0 > 0 else math.inf
        d = max(d, 0.0)
        return d, float(stats.chi2.sf(d, 1))

    def interval(self, j: int, bhat: float, se: float, confidence_level: float,
                 *, scale: float = 1.0, quantile: float | None = None) -> tuple[float, float]:
        return signed_root_interval(lambda b: self._neg2ll(j, b), bhat, se, self.neg2ll0, confidence_level,
                                    scale=scale, quantile=quantile)


def profile_terms(profiler: Profiler, names, estimates, ses, confidence_level: float, *,
                  df_resid: float | None = None) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Profile interval and LR test of every coefficient, in order.

    Gaussian: the signed root of the RSS increase over ``s^2`` against the t quantile
    on ``df_resid`` df, i.e. the exact t interval (as ``confint.lm``).
    """
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for j in range(len(names)):
            if profiler.family == "gaussian":
                s2 = profiler.neg2ll0 / df_resid if df_resid else math.nan
                q = float(stats.t.ppf(0.5 + confidence_level / 2, df_resid))
                ci = profiler.interval(j, estimates[j], ses[j], confidence_level, scale=s2, quantile=q)
            else:
                ci = profiler.interval(j, estimates[j], ses[j], confidence_level)
            out.append((ci, profiler.lr_test(j)))
    if any(not (math.isfinite(c[0][0]) and math.isfinite(c[0][1])) for c in out):
        warnings.warn("a profile-likelihood bound is infinite (the likelihood never drops far enough)",
                      ConvergenceWarning, stacklevel=3)
    return out


def check_ci_method(ci_method: object) -> None:
    if ci_method not in CI_METHODS:
        raise ModelError(f"`ci_method` must be one of {set(CI_METHODS)}, got {ci_method!r}")


def lr_test(full: ModelResult, reduced: ModelResult) -> TestResult:
    """Likelihood-ratio test of a reduced model against the full model it is nested in.

    Parameters
    ----------
    full, reduced
        Fits of the same family on the same rows (same ``n``, same excluded rows, same
        exposure and weights), ``reduced`` with fewer coefficients.  Nesting of the
        terms themselves is the caller's responsibility (as in R ``anova``).

    Returns
    -------
    TestResult
        ``LR = 2 (logLik(full) - logLik(reduced))`` on ``df`` = difference in the number of
        coefficients, chi-square p-value.  Negative binomial: theta estimated in each fit
        (R ``anova(<glm.nb>, <glm.nb>)``); gaussian: sigma profiled out, i.e.
        ``n log(RSS_reduced / RSS_full)`` (R ``drop1(<glm>, test = "Chisq")``).

    Notes
    -----
    Validated against R 4.2.2: ``drop1(glm, test = "Chisq")`` (poisson, binomial,
    gaussian), ``anova`` on ``MASS::glm.nb`` and ``MASS::polr`` fits, rtol 1e-6
    (tests/models/test_profile.py).
    """
    from serostudy._inference._results import TestResult

    problems = []
    if full.family != reduced.family:
        problems.append(f"families differ ({full.family!r} vs {reduced.family!r})")
    if full.n != reduced.n or full.excluded_rows != reduced.excluded_rows:
        problems.append(f"they use different rows (n = {full.n} vs {reduced.n}); fit both on the same complete rows")
    if full.exposure != reduced.exposure or full.weights != reduced.weights:
        problems.append("exposure or weights differ")
    k_full = len(full.terms)
    k_red = len(reduced.terms)
    if k_red >= k_full:
        problems.append(f"the reduced model has {k_red} parameters, the full one {k_full}: not nested")
    if problems:
        raise ModelError("cannot compare the models by a likelihood-ratio test: " + "; ".join(problems))
    df = float(k_full - k_red)
    lr = max(2 * (full.loglik - reduced.loglik), 0.0)
    return TestResult(
        statistic=lr,
        pvalue=float(stats.chi2.sf(lr, df)),
        method=(f"Likelihood-ratio test of {reduced.formula!r} against {full.formula!r} ({full.family}"
                + ("; theta estimated in each model" if full.family == "negbin" else "") + ")"),
        statistic_name="LR",
        df=df,
        alternative="greater",
        n=full.n,
    )

