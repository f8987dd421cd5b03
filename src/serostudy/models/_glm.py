"""Generalised linear models: gaussian, Poisson, negative binomial and logistic.

The fitting is statsmodels' (``GLM`` by iteratively reweighted least squares, ``OLS``
for gaussian); this module adds what a clinical analysis needs around it:

* the negative binomial shape ``theta`` estimated by maximum likelihood, alternating
  with the GLM fit at fixed ``theta`` until both settle, as ``MASS::glm.nb`` does, and
  standard errors taken from the GLM at the ML ``theta`` (glm.nb's convention);
* ``log(exposure)`` as offset, with exposure checked positive;
* an overdispersion check beside every Poisson fit;
* detection of (quasi-)complete separation in logistic models, by the linear program
  of Konis (2007), before statsmodels runs off to infinite estimates;
* one :class:`~serostudy.models.ModelResult` for every family.

Validated against R 4.2.2 (``glm``, ``MASS::glm.nb`` 7.3-58) on ``MASS::quine``,
``datasets::Seatbelts`` (with an offset) and ``MASS::birthwt``; see
``tests/reference/models/make_reference.R`` and ``tests/models/test_glm.py``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import special, stats

from serostudy._inference._results import ConfidenceInterval, Estimate, TestResult
from serostudy._typing import check_choice
from serostudy.exceptions import ConvergenceWarning, ModelError, SerostudyWarning
from serostudy.models._formula import Design, build_design
from serostudy.models._profile import (
    PROFILE_THETAS,
    Profiler,
    ProfileTheta,
    check_ci_method,
    profile_terms,
)
from serostudy.models._results import EXP_NAMES, CiMethod, ModelResult, ModelTerm
from serostudy.models._weights import frequency_weights

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

GlmFamily = Literal["gaussian", "poisson", "negbin", "logit"]
GLM_FAMILIES: tuple[str, ...] = ("gaussian", "poisson", "negbin", "logit")
SeparationAction = Literal["error", "warn"]

#: theta above this is reported as "no overdispersion": NB has reduced to Poisson.
THETA_MAX = 1e7


def fit_glm(
    data: "pd.DataFrame",
    formula: str,
    *,
    family: GlmFamily = "gaussian",
    exposure: str | None = None,
    confidence_level: float = 0.95,
    on_separation: SeparationAction = "error",
    weights: str | None = None,
    ci_method: CiMethod = "wald",
    profile_theta: ProfileTheta = "estimated",
) -> ModelResult:
    """Fit a gaussian, Poisson, negative binomial or logistic regression.

    Parameters
    ----------
    data
        One row per observation.
    formula
        ``"y ~ x + z"`` (patsy/statsmodels syntax: ``C(sex)``, ``I(b12 / 10)``, ...).
    family
        ``"gaussian"`` (identity link, t-based inference as R ``lm``), ``"poisson"``
        (log link), ``"negbin"`` (log link, theta by ML as ``MASS::glm.nb``) or
        ``"logit"`` (binomial, logit link; response coded 0/1 or boolean).
    exposure
        Column with each row's exposure (follow-up time); ``log(exposure)`` enters as
        offset.  Count families only; must be positive.
    confidence_level
        Level of the Wald intervals.
    on_separation
        What to do when a logistic model is perfectly separated: ``"error"`` raises
        :class:`~serostudy.exceptions.ModelError`; ``"warn"`` fits anyway, warns
        (:class:`~serostudy.exceptions.SerostudyWarning`) and records the warning.
    weights
        Column of frequency weights (whole numbers >= 0): each row counts as that many
        identical observations; estimates, SEs and tests equal those of the expanded
        data.  A missing, negative, fractional or non-finite weight is a
        :class:`~serostudy.exceptions.DataError` naming the column and row.
    ci_method
        ``"wald"`` (default) or ``"profile"``: coefficient intervals by inverting the
        likelihood-ratio test (profile likelihood), and an LR test of each coefficient
        (``ModelTerm.lr_statistic``, ``lr_pvalue``).
    profile_theta
        ``negbin`` with ``ci_method="profile"``: ``"estimated"`` (default) re-estimates
        theta at every profiled value (the profile likelihood; the LR tests always do);
        ``"fixed"`` holds theta at its ML value, which is what ``confint()`` on a
        ``MASS::glm.nb`` fit does.

    Returns
    -------
    ModelResult
        Coefficients with SEs, Wald CIs, z (t for gaussian) and p; ``exp`` of each as
        rate or odds ratio; theta for ``negbin``; the overdispersion test for
        ``poisson`` (Pearson chi-square) and ``negbin`` (likelihood ratio against
        Poisson, on the boundary).

    Notes
    -----
    Matches R on the reference data sets (tests/reference/models/): ``MASS::glm.nb``
    estimates to rtol 1e-6, standard errors and theta to 1e-5 (against a fit R ran with
    ``epsilon = 1e-12``; 1e-4 / 1e-3 against glm.nb's default fit); ``glm`` poisson and
    binomial estimates to 1e-6, standard errors to 1e-4 (R stops IRLS at epsilon 1e-8);
    gaussian to 1e-9.  Wald intervals are R's ``confint.default`` (gaussian: t on the
    residual df, R ``confint.lm``).  Profile intervals match ``MASS::confint`` (R 4.2.2,
    MASS 7.3-58; grid + spline) to rtol 2e-4 and a tight root solve of the same
    equation in R to 1e-6 (poisson, binomial, glm.nb with theta fixed or re-estimated);
    for gaussian the profile interval is the exact t interval (``confint.lm``), while
    ``MASS::confint.glm`` gives estimate +- z * SE there.  Frequency weights match R
    on the expanded data (tests/models/test_weights.py).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.models import fit_glm
    >>> d = pd.DataFrame({"relapses": [0, 2, 1, 4, 0, 3, 1, 6], "b12": [80, 40, 60, 30, 90, 45, 70, 25],
    ...                   "years": [2, 3, 2, 4, 3, 5, 2, 4]})
    >>> fit = fit_glm(d, "relapses ~ I(b12 / 10)", family="poisson", exposure="years")
    >>> round(fit.term("I(b12 / 10)").exp_estimate, 3)
    0.655
    """
    check_choice("family", family, GLM_FAMILIES)
    check_choice("on_separation", on_separation, ("error", "warn"))
    _check_level(confidence_level)
    if exposure is not None and family not in ("poisson", "negbin"):
        raise ModelError(
            f"`exposure` applies to count models (family 'poisson' or 'negbin'), not {family!r}"
        )
    check_ci_method(ci_method)
    check_choice("profile_theta", profile_theta, PROFILE_THETAS)
    design = build_design(data, formula, exposure=exposure)
    w = frequency_weights(data, weights, design.rows)
    notes: list[str] = []
    if design.excluded_rows:
        notes.append(_excluded_note(design))
    y = _numeric_response(design, family)

    if family == "gaussian":
        fit = _fit_gaussian(design, y, formula, confidence_level, notes, w)
    elif family == "logit":
        fit = _fit_logit(design, y, formula, confidence_level, notes, on_separation, w)
    elif family == "poisson":
        fit = _fit_poisson(design, y, formula, confidence_level, notes, exposure, w)
    else:
        fit = _fit_negbin(design, y, formula, confidence_level, notes, exposure, w)
    if weights is not None:
        fit = replace(fit, weights=weights)
    if ci_method == "profile":
        fit = _with_profile(fit, design, y, w, profile_theta)
    return fit


def _with_profile(fit: ModelResult, design: Design, y: np.ndarray, w: np.ndarray,
                  profile_theta: ProfileTheta) -> ModelResult:
    """Replace the Wald intervals by profile-likelihood ones; add LR tests."""
    theta = fit.theta if fit.theta is not None else math.inf
    prof = Profiler(fit.family, y, design.X, design.offset, w, theta=theta, profile_theta=profile_theta)
    coefs = fit.coefficients
    res = profile_terms(prof, [t.term for t in coefs], [t.estimate for t in coefs], [t.se for t in coefs],
                        fit.confidence_level, df_resid=fit.df_resid)
    # LR tests always re-estimate theta (as anova() on glm.nb fits does)
    lr_prof = prof
    if fit.family == "negbin" and profile_theta == "fixed":
        lr_prof = Profiler("negbin", y, design.X, design.offset, w, theta=theta, profile_theta="estimated")
    new_terms = []
    level = fit.confidence_level
    for t, (ci, _lr) in zip(coefs, res):
        j = [c.term for c in coefs].index(t.term)
        stat, p = lr_prof.lr_test(j) if lr_prof is not prof else _lr
        ci_obj = ConfidenceInterval(ci[0], ci[1], level)
        exp_ci = (ConfidenceInterval(_safe_exp(ci[0]) if ci[0] > -math.inf else 0.0, _safe_exp(ci[1]), level)
                  if t.exp_ci is not None else None)
        new_terms.append(replace(t, ci=ci_obj, exp_ci=exp_ci, ci_method="profile", lr_statistic=stat, lr_pvalue=p))
    how = ("profile-likelihood intervals (theta re-estimated at each point)" if fit.family == "negbin"
           and profile_theta == "estimated" else
           "profile-likelihood intervals (theta held at its ML value, as MASS::confint)" if fit.family == "negbin"
           else "exact t intervals (the profile of the residual sum of squares)" if fit.family == "gaussian"
           else "profile-likelihood intervals")
    method = fit.method.replace("Wald intervals and z tests", f"{how}; likelihood-ratio tests beside the Wald z")
    method = method.replace("t-based Wald intervals and tests", f"{how}; likelihood-ratio tests beside the t tests")
    return replace(fit, terms=tuple(new_terms) + fit.thresholds, ci_method="profile", method=method)


# --------------------------------------------------------------------------- checks


def _check_level(confidence_level: float) -> None:
    if not (isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1):
        raise ModelError(f"`confidence_level` must be between 0 and 1, got {confidence_level!r}")


def _excluded_note(design: Design) -> str:
    rows = ", ".join(str(r) for r in design.excluded_rows[:10])
    more = f" and {len(design.excluded_rows) - 10} more" if len(design.excluded_rows) > 10 else ""
    kinds = sorted(set(design.excluded_reasons))
    return (
        f"{len(design.excluded_rows)} row(s) excluded for missing values ({'; '.join(kinds)}): "
        f"rows {rows}{more}"
    )


def _numeric_response(design: Design, family: str) -> np.ndarray:
    import pandas as pd

    col = design.response
    raw = design.y
    if family == "logit" and raw.dtype == bool:
        return raw.to_numpy(dtype=float)
    num = pd.to_numeric(raw, errors="coerce")
    for pos, r, v in zip(design.row_numbers, raw, num):
        if not np.isfinite(v):
            raise ModelError(f"the response must be numeric, found {r!r}", row=int(pos), column=col)
    y = num.to_numpy(dtype=float)
    if family in ("poisson", "negbin"):
        for pos, v in zip(design.row_numbers, y):
            if v < 0:
                raise ModelError(
                    f"a count cannot be negative, found {_fmt(v)} (family {family!r} needs counts 0, 1, 2, ...)",
                    row=int(pos),
                    column=col,
                )
            if v != math.floor(v):
                raise ModelError(
                    f"a count must be a whole number, found {_fmt(v)}; model a rate as count ~ ... with "
                    "the follow-up time as `exposure`",
                    row=int(pos),
                    column=col,
                )
        if not np.any(y > 0):
            raise ModelError(f"every count in {col!r} is 0: there is nothing to model (the rate is estimated as 0)")
    if family == "logit":
        for pos, v in zip(design.row_numbers, y):
            if v not in (0.0, 1.0):
                raise ModelError(
                    f"a logistic model needs the response coded 0/1 (or true/false), found {_fmt(v)}",
                    row=int(pos),
                    column=col,
                )
        if np.all(y == y[0]):
            raise ModelError(f"the response {col!r} takes only the value {_fmt(y[0])}: nothing to model")
    return y


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


# --------------------------------------------------------------------------- terms


def _terms(
    names: tuple[str, ...],
    params: np.ndarray,
    bse: np.ndarray,
    *,
    family: str,
    confidence_level: float,
    df_t: float | None = None,
) -> tuple[ModelTerm, ...]:
    """Wald statistics, p-values and intervals for each coefficient."""
    a = 1 - confidence_level
    if df_t is None:
        q = stats.norm.ppf(1 - a / 2)
        sf = stats.norm.sf
        sname = "z"
    else:
        q = stats.t.ppf(1 - a / 2, df_t)
        sf = lambda x: stats.t.sf(x, df_t)  # noqa: E731
        sname = "t"
    exp_name = EXP_NAMES.get(family)
    out = []
    for name, b, s in zip(names, params, bse):
        b = float(b)
        s = float(s)
        stat = b / s if s > 0 else math.nan
        p = float(2 * sf(abs(stat))) if math.isfinite(stat) else math.nan
        ci = ConfidenceInterval(b - q * s, b + q * s, confidence_level)
        exp_est = exp_ci = None
        this_exp = None
        if exp_name is not None and name != "Intercept":
            exp_est = _safe_exp(b)
            exp_ci = ConfidenceInterval(_safe_exp(ci.low), _safe_exp(ci.high), confidence_level)
            this_exp = exp_name
        out.append(
            ModelTerm(
                term=name,
                estimate=b,
                se=s,
                ci=ci,
                statistic=stat,
                statistic_name=sname,
                pvalue=p,
                exp_estimate=exp_est,
                exp_ci=exp_ci,
                exp_name=this_exp,
            )
        )
    return tuple(out)


def _safe_exp(x: float) -> float:
    return math.exp(x) if x < 709 else math.inf


def _sm_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "converge" in str(w.message).lower()]


# --------------------------------------------------------------------------- families


def _fit_gaussian(design: Design, y: np.ndarray, formula: str, level: float, notes: list[str],
                  w: np.ndarray) -> ModelResult:
    X = design.X
    p = X.shape[1]
    N = float(np.sum(w))
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    beta, *_ = np.linalg.lstsq(Xw, y * sw, rcond=None)
    resid = y - X @ beta
    ssr = float(np.sum(w * resid**2))
    df_resid = N - p
    if df_resid <= 0:
        raise ModelError(f"{_fmt(N)} observations for {p} coefficients in {formula!r}: no residual df")
    scale = ssr / df_resid
    xtx_inv = np.linalg.pinv(Xw.T @ Xw)
    bse = np.sqrt(np.clip(np.diag(xtx_inv) * scale, 0, None))
    llf = -N / 2 * (math.log(2 * math.pi * ssr / N) + 1) if ssr > 0 else math.inf
    return ModelResult(
        family="gaussian",
        link="identity",
        formula=formula,
        terms=_terms(design.names, beta, bse, family="gaussian", confidence_level=level, df_t=df_resid),
        n=_n(w),
        df_model=p,
        df_resid=df_resid,
        loglik=llf,
        aic=-2 * llf + 2 * (p + 1),
        deviance=ssr,
        scale=scale,
        excluded_rows=design.excluded_rows,
        confidence_level=level,
        method="Linear regression (ordinary least squares); t-based Wald intervals and tests",
        warnings=tuple(notes),
    )


def _n(w: np.ndarray) -> int:
    return int(round(float(np.sum(w))))


def _glm(y: np.ndarray, X: np.ndarray, family, offset: np.ndarray | None, start=None, w: np.ndarray | None = None):
    import statsmodels.api as sm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.GLM(y, X, family=family, offset=offset, freq_weights=w).fit(
            start_params=start, tol=1e-12, maxiter=200)
    return res, _sm_warnings(caught)


def _pearson_test(y: np.ndarray, mu: np.ndarray, df_resid: float, w: np.ndarray | None = None) -> TestResult:
    w = np.ones_like(y) if w is None else w
    x2 = float(np.sum(w * (y - mu) ** 2 / mu))
    ratio = x2 / df_resid if df_resid > 0 else math.nan
    return TestResult(
        statistic=x2,
        pvalue=float(stats.chi2.sf(x2, df_resid)) if df_resid > 0 else math.nan,
        method="Pearson chi-square goodness-of-fit test of the Poisson model (overdispersion check)",
        statistic_name="chi2",
        df=df_resid,
        alternative="greater",
        estimate=Estimate(name="dispersion ratio (Pearson chi2 / df)", estimate=ratio,
                          method="Pearson chi-square divided by the residual df; 1 under the Poisson model"),
        n=int(round(float(np.sum(w)))),
    )


def _fit_poisson(design, y, formula, level, notes, exposure, fw) -> ModelResult:
    import statsmodels.api as sm

    res, w = _glm(y, design.X, sm.families.Poisson(), design.offset, w=fw)
    notes = notes + w
    mu = np.asarray(res.mu)
    p = design.X.shape[1]
    df_resid = float(np.sum(fw) - p)
    od = _pearson_test(y, mu, df_resid, fw)
    if od.estimate is not None and od.estimate.estimate > 1.5:
        notes.append(
            f"overdispersion: Pearson chi2/df = {od.estimate.estimate:.2f} "
            f"(p = {od.pvalue:.3g}); Poisson standard errors are too small, prefer the negative binomial model"
        )
    llf = float(res.llf)
    return ModelResult(
        family="poisson",
        link="log",
        formula=formula,
        terms=_terms(design.names, res.params, res.bse, family="poisson", confidence_level=level),
        n=_n(fw),
        df_model=p,
        df_resid=df_resid,
        loglik=llf,
        aic=-2 * llf + 2 * p,
        deviance=float(res.deviance),
        overdispersion=od,
        exposure=exposure,
        excluded_rows=design.excluded_rows,
        confidence_level=level,
        method=(
            "Poisson regression (log link"
            + (f", log({exposure}) as offset" if exposure else "")
            + "), maximum likelihood by IRLS; Wald intervals and z tests"
        ),
        warnings=tuple(notes),
    )


# ----- negative binomial


def nb_loglik(y: np.ndarray, mu: np.ndarray, theta: float | np.ndarray, axis: int | None = None) -> np.ndarray:
    """Negative binomial (NB2) log-likelihood, ``var = mu + mu^2 / theta``; summed over ``axis``."""
    return _nb_terms(y, mu, theta).sum(axis=axis)


def _nb_terms(y: np.ndarray, mu: np.ndarray, theta: float | np.ndarray) -> np.ndarray:
    """Per-observation NB2 log-likelihood contributions."""
    t = theta
    return (
        special.gammaln(y + t)
        - special.gammaln(t)
        - special.gammaln(y + 1)
        + t * np.log(t)
        + special.xlogy(y, mu)
        - (t + y) * np.log(t + mu)
    )


def theta_ml(
    y: np.ndarray,
    mu: np.ndarray,
    *,
    start: float | None = None,
    maxiter: int = 100,
    weights: np.ndarray | None = None,
) -> tuple[float, float, bool]:
    """ML estimate of theta given the means, its standard error, and whether it converged.

    Newton's method on ``log(theta)`` with step halving, from the moment estimate
    ``n / sum((y/mu - 1)^2)`` (the start ``MASS::theta.ml`` uses).  The standard error
    is ``1/sqrt(observed information)``, as ``glm.nb`` reports ``SE.theta``.
    ``weights`` are frequency weights (``MASS::theta.ml(y, mu, sum(w), w)``).
    Returns ``theta = inf`` when the likelihood keeps increasing past :data:`THETA_MAX`
    (no overdispersion: the model is Poisson).
    """
    w = np.ones_like(y, dtype=float) if weights is None else np.asarray(weights, dtype=float)
    n = float(np.sum(w))
    if start is None or not np.isfinite(start) or start <= 0:
        denom = float(np.sum(w * (y / mu - 1) ** 2))
        start = n / denom if denom > 0 else 1.0
    t = math.log(min(max(start, 1e-8), THETA_MAX))
    converged = False

    def ll(tt: float) -> float:
        return float(np.sum(w * _nb_terms(y, mu, math.exp(tt))))

    cur = ll(t)
    for _ in range(maxiter):
        th = math.exp(t)
        score = float(np.sum(w * (special.digamma(y + th) - special.digamma(th) + math.log(th) + 1
                             - np.log(th + mu) - (y + th) / (th + mu))))
        hess = float(np.sum(w * (special.polygamma(1, y + th) - special.polygamma(1, th) + 1 / th
                                 - 2 / (th + mu) + (y + th) / (th + mu) ** 2)))
        g = th * score
        h = th * score + th * th * hess
        step = -g / h if h < 0 else (1.0 if g > 0 else -1.0)
        step = max(min(step, 5.0), -5.0)
        new = t + step
        new_ll = ll(new)
        k = 0
        while new_ll < cur - 1e-12 and k < 40:
            step /= 2
            new = t + step
            new_ll = ll(new)
            k += 1
        t, cur = new, new_ll
        if abs(step) < 1e-12 or abs(g) < 1e-10 * max(1.0, abs(cur)):
            converged = True
            break
        if math.exp(t) > THETA_MAX:
            return math.inf, math.nan, True
    th = math.exp(t)
    info = -float(np.sum(w * (special.polygamma(1, y + th) - special.polygamma(1, th) + 1 / th
                              - 2 / (th + mu) + (y + th) / (th + mu) ** 2)))
    se = 1 / math.sqrt(info) if info > 0 else math.nan
    return th, se, converged


def _fit_negbin(design, y, formula, level, notes, exposure, fw) -> ModelResult:
    import statsmodels.api as sm

    notes = list(notes)
    pois, w = _glm(y, design.X, sm.families.Poisson(), design.offset, w=fw)
    notes += w
    ll_pois = float(pois.llf)
    mu = np.asarray(pois.mu)
    theta, theta_se, ok = theta_ml(y, mu, weights=fw)
    params = np.asarray(pois.params)
    res = pois
    ll_old = math.inf
    converged = False
    for _ in range(100):
        if not math.isfinite(theta):
            break
        res, w = _glm(y, design.X, sm.families.NegativeBinomial(alpha=1 / theta), design.offset, start=params, w=fw)
        params = np.asarray(res.params)
        mu = np.asarray(res.mu)
        th_new, theta_se, ok = theta_ml(y, mu, start=theta, weights=fw)
        ll = float(np.sum(fw * _nb_terms(y, mu, th_new))) if math.isfinite(th_new) else ll_pois
        d_theta = abs(th_new - theta) / theta if math.isfinite(th_new) else math.inf
        theta = th_new
        if d_theta < 1e-9 and abs(ll - ll_old) < 1e-9:
            converged = True
            break
        ll_old = ll
    notes += w
    p = design.X.shape[1]
    if not math.isfinite(theta):
        # No overdispersion: the ML negative binomial is the Poisson model.
        notes.append(
            "theta diverges (no overdispersion): the negative binomial reduces to the Poisson model, "
            "whose estimates are reported"
        )
        res = pois
        llf = ll_pois
        theta_se = math.nan
    else:
        llf = float(np.sum(fw * _nb_terms(y, mu, theta)))
        if not converged or not ok:
            msg = "the alternating fit of coefficients and theta did not converge in 100 rounds"
            warnings.warn(msg, ConvergenceWarning, stacklevel=3)
            notes.append(msg)
    lr = max(2 * (llf - ll_pois), 0.0)
    od = TestResult(
        statistic=lr,
        pvalue=float(0.5 * stats.chi2.sf(lr, 1)) if lr > 0 else 0.5 if math.isfinite(theta) else 1.0,
        method=(
            "Likelihood-ratio test of the negative binomial against the Poisson model "
            "(theta = infinity on the boundary: p is half the chi-square(1) tail)"
        ),
        statistic_name="LR",
        df=1.0,
        alternative="greater",
        estimate=Estimate(name="theta", estimate=float(theta), se=theta_se,
                          method="maximum likelihood, as MASS::glm.nb"),
        n=_n(fw),
    )
    return ModelResult(
        family="negbin",
        link="log",
        formula=formula,
        terms=_terms(design.names, res.params, res.bse, family="negbin", confidence_level=level),
        n=_n(fw),
        df_model=p,
        df_resid=float(np.sum(fw) - p),
        loglik=llf,
        aic=-2 * llf + 2 * (p + 1),
        deviance=float(res.deviance),
        theta=float(theta),
        theta_se=theta_se,
        overdispersion=od,
        exposure=exposure,
        excluded_rows=design.excluded_rows,
        confidence_level=level,
        method=(
            "Negative binomial regression (log link"
            + (f", log({exposure}) as offset" if exposure else "")
            + "), theta by maximum likelihood alternating with IRLS as in MASS::glm.nb; "
            "standard errors of the GLM at the ML theta; Wald intervals and z tests"
        ),
        warnings=tuple(notes),
    )


# ----- logistic


def detect_separation(X: np.ndarray, y: np.ndarray, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Check a logistic design for separation by linear programming (Konis 2007).

    Looks for a direction ``b`` with ``s_i x_i'b >= 0`` for every row (``s_i = +1`` for
    events, ``-1`` otherwise) and not all zero: if one exists the likelihood keeps
    increasing along ``b`` and the maximum-likelihood estimates do not exist.

    Returns
    -------
    kind, terms
        ``kind`` is ``"none"``, ``"quasi-complete"`` or ``"complete"``; ``terms`` the
        design columns along which the estimates run off to infinity.
    """
    from scipy.optimize import linprog

    s = 2 * y - 1
    scale = np.where(np.ptp(X, axis=0) > 0, X.std(axis=0), 1.0)
    scale[scale == 0] = 1.0
    A = (X / scale) * s[:, None]
    p = X.shape[1]
    # maximise sum(A b) subject to A b >= 0, -1 <= b <= 1
    r = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(y)), bounds=[(-1, 1)] * p, method="highs")
    if r.status != 0 or -r.fun <= 1e-7 * len(y):
        return "none", ()
    b = r.x
    involved = tuple(n for n, bj in zip(names, b) if abs(bj) > 1e-6 and n != "Intercept")
    # complete separation: a direction with A b >= t > 0 for every row
    c = np.zeros(p + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A, np.ones((len(y), 1))])
    r2 = linprog(c, A_ub=A_ub, b_ub=np.zeros(len(y)), bounds=[(-1, 1)] * p + [(None, 1)], method="highs")
    kind = "complete" if (r2.status == 0 and -r2.fun > 1e-7) else "quasi-complete"
    if kind == "complete":
        involved = tuple(n for n, bj in zip(names, r2.x[:p]) if abs(bj) > 1e-6 and n != "Intercept") or involved
    return kind, involved or tuple(n for n in names if n != "Intercept")


def _fit_logit(design, y, formula, level, notes, on_separation, fw) -> ModelResult:
    import statsmodels.api as sm

    notes = list(notes)
    pos = fw > 0
    kind, terms = detect_separation(design.X[pos], y[pos], design.names)
    if kind != "none":
        msg = (
            f"{kind} separation: the outcome {design.response!r} is perfectly predicted "
            f"(for some rows) by {', '.join(terms)}; the maximum-likelihood estimates do not exist "
            "(they run off to infinity). Remove or merge that variable or its sparse levels, or use a "
            "penalised (Firth) logistic regression"
        )
        if on_separation == "error":
            raise ModelError(msg)
        warnings.warn(msg, SerostudyWarning, stacklevel=3)
        notes.append(msg)
    res, w = _glm(y, design.X, sm.families.Binomial(), None, w=fw)
    notes += w
    p = design.X.shape[1]
    llf = float(res.llf)
    return ModelResult(
        family="logit",
        link="logit",
        formula=formula,
        terms=_terms(design.names, res.params, res.bse, family="logit", confidence_level=level),
        n=_n(fw),
        df_model=p,
        df_resid=float(np.sum(fw) - p),
        loglik=llf,
        aic=-2 * llf + 2 * p,
        deviance=float(res.deviance),
        excluded_rows=design.excluded_rows,
        confidence_level=level,
        method="Logistic regression (binomial, logit link), maximum likelihood by IRLS; Wald intervals and z tests",
        warnings=tuple(notes),
    )
