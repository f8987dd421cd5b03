"""Four- and five-parameter logistic standard curves: fit, predict, back-calculate.

Parameterisation (used everywhere in serostudy)::

    y = bottom + (top - bottom) / (1 + (ec50 / x) ** hill) ** asymmetry

``asymmetry`` is fixed at 1 for the 4PL.  For the 4PL the fit is reported in the
canonical form ``bottom <= top``; the sign of ``hill`` then gives the direction
(``hill > 0`` rising, as in sandwich assays; ``hill < 0`` falling, as in competitive
assays).  This is GraphPad Prism's "variable slope" form.  For the 5PL no such
canonicalisation exists (swapping the asymptotes is not an identity when
``asymmetry != 1``): ``bottom`` is the asymptote approached where ``(ec50/x)**hill``
grows without bound (x -> 0 when ``hill > 0``), and ``ec50`` is the midpoint parameter,
not the concentration giving a half-maximal response unless ``asymmetry == 1``.

Conversions (see :class:`CurveParameters`):

* R ``drc`` ``LL.4``/``LL.5``: ``c + (d - c) / (1 + exp(b (log x - log e)))^f`` ->
  ``b = -hill``, ``c = bottom``, ``d = top``, ``e = ec50``, ``f = asymmetry``.
* R ``SSfpl(log(x), A, B, xmid, scal)``: ``A = bottom``, ``B = top``,
  ``xmid = log(ec50)``, ``scal = 1 / hill``.
* Prism: ``Bottom``, ``Top``, ``LogEC50 = log10(ec50)``, ``HillSlope = hill``; Prism's
  asymmetric 5PL uses ``LogXb = log10(ec50)`` and ``S = asymmetry``.

Fitting is weighted least squares (the same criterion as R ``nls`` with ``weights=``):
single curves with :func:`scipy.optimize.least_squares` (MINPACK Levenberg-Marquardt,
analytic Jacobian); many curves at once with a vectorised Levenberg-Marquardt in numpy
(:func:`fit_curves`), which agrees with a loop of :func:`scipy.optimize.curve_fit` to
1e-6 (``benchmarks/bench_assay.py``).  Validated against R 4.2 ``nls`` with ``SSfpl``
and a written-out 5PL, weighted and unweighted, on R's ``DNase`` ELISA runs and on
simulated curves: parameters to rtol 1e-5 (``tests/reference/assay/``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from serostudy._typing import check_choice
from serostudy.exceptions import AssayError, ConvergenceWarning, FitError

CurveModel = Literal["4pl", "5pl"]
Weighting = Literal["none", "1/y", "1/y2", "1/var"]
MODELS: tuple[str, ...] = ("4pl", "5pl")
WEIGHTINGS: tuple[str, ...] = ("none", "1/y", "1/y2", "1/var")

_NAMES = ("bottom", "top", "ec50", "hill", "asymmetry")


@dataclass(frozen=True, slots=True)
class CurveParameters:
    """Parameters of a 4PL/5PL curve in serostudy's parameterisation.

    Examples
    --------
    >>> p = CurveParameters(bottom=0.05, top=2.5, ec50=40.0, hill=1.2)
    >>> round(p.to_drc()["b"], 3), round(p.to_ssfpl()["scal"], 4)
    (-1.2, 0.8333)
    """

    bottom: float
    top: float
    ec50: float
    hill: float
    asymmetry: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return {n: float(getattr(self, n)) for n in _NAMES}

    def to_drc(self) -> dict[str, float]:
        """``drc::LL.5`` (``LL.4`` when ``f == 1``) parameters ``b, c, d, e, f``."""
        return {"b": -self.hill, "c": self.bottom, "d": self.top, "e": self.ec50, "f": self.asymmetry}

    def to_ssfpl(self) -> dict[str, float]:
        """R ``SSfpl(log(x), A, B, xmid, scal)`` parameters (4PL only)."""
        return {"A": self.bottom, "B": self.top, "xmid": math.log(self.ec50), "scal": 1.0 / self.hill}

    def to_prism(self) -> dict[str, float]:
        """GraphPad Prism ``Bottom, Top, LogEC50, HillSlope`` (+ ``LogXb, S`` for 5PL)."""
        out = {"Bottom": self.bottom, "Top": self.top, "LogEC50": math.log10(self.ec50), "HillSlope": self.hill}
        if self.asymmetry != 1.0:
            del out["LogEC50"]
            out.update({"LogXb": math.log10(self.ec50), "S": self.asymmetry})
        return out

    @classmethod
    def from_drc(cls, *, b: float, c: float, d: float, e: float, f: float = 1.0) -> "CurveParameters":
        return cls(bottom=c, top=d, ec50=e, hill=-b, asymmetry=f)

    @classmethod
    def from_ssfpl(cls, *, A: float, B: float, xmid: float, scal: float) -> "CurveParameters":
        return cls(bottom=A, top=B, ec50=math.exp(xmid), hill=1.0 / scal)


# --------------------------------------------------------------------------- model core
# Internal parameter vector theta = (bottom, top, log(ec50), hill[, log(asymmetry)]),
# arrays broadcast over a leading batch axis.  x may contain 0 (a zero standard).


def _logx(x: NDArray) -> NDArray:
    with np.errstate(divide="ignore"):
        return np.log(x)


def _model_parts(theta: NDArray, lx: NDArray):
    b, t, L, h = (theta[..., i, None] for i in range(4))
    g = np.exp(theta[..., 4, None]) if theta.shape[-1] == 5 else np.ones_like(b)
    with np.errstate(invalid="ignore"):
        z = h * (lx - L)
    z = np.where(np.isnan(z), 0.0, z)  # only when h == 0
    s = special.expit(z)
    sg = s**g
    return b, t, L, h, g, z, s, sg


def _predict_theta(theta: NDArray, lx: NDArray) -> NDArray:
    b, t, _, _, _, _, _, sg = _model_parts(theta, lx)
    return b + (t - b) * sg


def _jacobian_theta(theta: NDArray, lx: NDArray) -> NDArray:
    b, t, L, h, g, z, s, sg = _model_parts(theta, lx)
    dfdz = (t - b) * g * sg * (1.0 - s)
    with np.errstate(invalid="ignore"):
        d_h = np.where(dfdz == 0.0, 0.0, dfdz * (lx - L))
    cols = [1.0 - sg, sg, -dfdz * h, d_h]
    if theta.shape[-1] == 5:
        with np.errstate(divide="ignore", invalid="ignore"):
            d_g = np.where(sg == 0.0, 0.0, (t - b) * sg * np.log(s) * g)
        cols.append(d_g)
    return np.stack(np.broadcast_arrays(*cols), axis=-1)


def _theta_from_params(p: CurveParameters, model: str) -> NDArray:
    th = [p.bottom, p.top, math.log(p.ec50), p.hill]
    if model == "5pl":
        th.append(math.log(p.asymmetry))
    return np.asarray(th, dtype=float)


def _params_from_theta(theta: NDArray, model: str) -> CurveParameters:
    g = float(np.exp(theta[4])) if model == "5pl" else 1.0
    return CurveParameters(float(theta[0]), float(theta[1]), float(np.exp(theta[2])), float(theta[3]), g)


def _canonical_4pl(theta: NDArray) -> NDArray:
    """Swap asymptotes (and negate hill) so that bottom <= top; an identity for the 4PL."""
    theta = np.array(theta, dtype=float, copy=True)
    swap = theta[..., 0] > theta[..., 1]
    b = theta[..., 0].copy()
    theta[..., 0] = np.where(swap, theta[..., 1], b)
    theta[..., 1] = np.where(swap, b, theta[..., 1])
    theta[..., 3] = np.where(swap, -theta[..., 3], theta[..., 3])
    return theta


def predict(params: CurveParameters, conc: ArrayLike) -> NDArray:
    """Response of the curve at ``conc``.

    Examples
    --------
    >>> p = CurveParameters(bottom=0.0, top=2.0, ec50=10.0, hill=1.0)
    >>> float(predict(p, 10.0))
    1.0
    """
    x = np.asarray(conc, dtype=float)
    model = "5pl" if params.asymmetry != 1.0 else "4pl"
    th = _theta_from_params(params, model)
    return _predict_theta(th, _logx(x).reshape(-1)).reshape(x.shape)


def inverse(params: CurveParameters, response: ArrayLike) -> NDArray:
    """Concentration giving ``response``; ``nan`` where the response is outside the asymptotes.

    Examples
    --------
    >>> p = CurveParameters(bottom=0.0, top=2.0, ec50=10.0, hill=1.0)
    >>> round(float(inverse(p, 1.0)), 10)
    10.0
    """
    y = np.asarray(response, dtype=float)
    lx, _ = _inverse_log(params, y)
    return np.exp(lx)


def _inverse_log(params: CurveParameters, y: NDArray):
    b, t, h, g = params.bottom, params.top, params.hill, params.asymmetry
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (y - b) / (t - b)
        inside = (q > 0) & (q < 1)
        qq = np.where(inside, q, 0.5)
        s = qq ** (1.0 / g)
        z = np.log(s) - np.log1p(-s)
        lx = math.log(params.ec50) + z / h
    return np.where(inside, lx, np.nan), q


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class BackCalculation:
    """Back-calculated concentrations with their confidence interval.

    ``side`` is ``"below"`` / ``"above"`` where the response lies beyond the asymptote on
    the low- / high-concentration side (no finite concentration), else ``""``.
    """

    concentration: NDArray
    ci_low: NDArray
    ci_high: NDArray
    se_log: NDArray
    side: NDArray
    confidence_level: float


@dataclass(frozen=True, eq=False)
class CurveFit:
    """A fitted standard curve.

    Attributes
    ----------
    model, weights
        ``"4pl"``/``"5pl"`` and the weighting scheme.
    params, se
        Estimates and their standard errors (``se.asymmetry`` is 0 for the 4PL).
    cov
        Covariance matrix of ``(bottom, top, ec50, hill[, asymmetry])``,
        ``sigma**2 (J' W J)^-1`` as R ``vcov.nls``.
    residual_sd
        ``sqrt(weighted RSS / df_residual)`` (R ``summary.nls()$sigma``).
    rss, df_residual, n, loglik, aic
        As R ``nls`` (``logLik.nls`` including the weights term; ``AIC`` with
        ``p + 1`` parameters).
    conc, response, w
        Data the curve was fitted to (the weights actually used).
    """

    model: str
    weights: str
    params: CurveParameters
    se: CurveParameters
    cov: NDArray
    residual_sd: float
    rss: float
    df_residual: int
    n: int
    loglik: float
    aic: float
    conc: NDArray
    response: NDArray
    w: NDArray
    notes: tuple[str, ...] = field(default_factory=tuple)
    _wfun: object = None

    def predict(self, conc: ArrayLike) -> NDArray:
        return predict(self.params, conc)

    def inverse(self, response: ArrayLike) -> NDArray:
        return inverse(self.params, response)

    @property
    def rising(self) -> bool:
        """True when the response increases with concentration."""
        return bool((self.params.top - self.params.bottom) * self.params.hill > 0)

    def response_variance(self, response: ArrayLike) -> NDArray:
        """Variance of a single response at ``response`` under the fitted weighting."""
        y = np.asarray(response, dtype=float)
        s2 = self.residual_sd**2
        if self.weights == "none":
            return np.full_like(y, s2)
        if self.weights == "1/y":
            return s2 * np.abs(y)
        if self.weights == "1/y2":
            return s2 * y**2
        # 1/var: variance interpolated between the standards' replicate variances.
        order = np.argsort(self.response)
        return s2 * np.interp(y, self.response[order], 1.0 / self.w[order])

    def back_calculate(
        self, response: ArrayLike, *, n_replicates: ArrayLike = 1, confidence_level: float = 0.95
    ) -> BackCalculation:
        """Concentration for each (mean) response, with a Wald interval on the log scale.

        The standard error of ``log(x_hat)`` is the delta method applied to the inverse
        curve, combining the covariance of the curve parameters with the variance of the
        mean response (``response_variance / n_replicates``); the interval is
        ``exp(log x_hat +/- t_{df_residual} * se)``.  Responses outside the asymptotes give
        ``nan`` and ``side`` says on which side they are.

        Validated against the same delta method computed in R 4.2 (symbolic ``deriv()``
        of the inverse, ``vcov.nls``, ``qt``): rtol 1e-5
        (``tests/reference/assay/backcalc_reference.csv``).
        """
        y = np.atleast_1d(np.asarray(response, dtype=float))
        m = np.broadcast_to(np.asarray(n_replicates, dtype=float), y.shape)
        p = self.params
        lx, q = _inverse_log(p, y)
        b, t, h, g = p.bottom, p.top, p.hill, p.asymmetry
        with np.errstate(divide="ignore", invalid="ignore"):
            s = q ** (1.0 / g)
            z = np.log(s) - np.log1p(-s)
            dz_dq = 1.0 / ((1.0 - s) * g * q)
            d_b = dz_dq * (y - t) / (t - b) ** 2 / h
            d_t = dz_dq * (-q / (t - b)) / h
            d_e = np.full_like(y, 1.0 / p.ec50)  # d log x / d ec50
            d_h = -z / h**2
            grads = [d_b, d_t, d_e, d_h]
            if self.model == "5pl":
                d_g = (-np.log(q) / (g * (1.0 - s))) / h / g  # d/d asymmetry
                grads.append(d_g)
            G = np.stack(grads, axis=-1)
            d_y = dz_dq / (t - b) / h
            var = np.einsum("ij,jk,ik->i", G, self.cov, G) + d_y**2 * self.response_variance(y) / m
        se = np.sqrt(var)
        tq = stats.t.ppf(0.5 + confidence_level / 2.0, self.df_residual)
        # Beyond the `bottom` asymptote means below the range when hill > 0 (bottom is
        # approached as x -> 0), above it when hill < 0; and conversely for `top`.
        side = np.full(y.shape, "", dtype=object)
        outside = np.isnan(lx) & ~np.isnan(y)
        low_side = outside & ((q <= 0) == (h > 0))
        side[low_side] = "below"
        side[outside & ~low_side] = "above"
        return BackCalculation(
            concentration=np.exp(lx),
            ci_low=np.exp(lx - tq * se),
            ci_high=np.exp(lx + tq * se),
            se_log=se,
            side=side,
            confidence_level=confidence_level,
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (the CLI's ``--json``)."""
        out: dict[str, object] = {"model": self.model, "weights": self.weights}
        names = _NAMES if self.model == "5pl" else _NAMES[:4]
        for n in names:
            out[n] = getattr(self.params, n)
            out[f"se_{n}"] = getattr(self.se, n)
        out.update(
            residual_sd=self.residual_sd, rss=self.rss, df_residual=self.df_residual, n=self.n,
            loglik=self.loglik, aic=self.aic,
        )
        return out


# --------------------------------------------------------------------------- fitting


def _weights(conc: NDArray, y: NDArray, scheme: str) -> NDArray:
    if scheme == "none":
        return np.ones_like(y)
    if scheme in ("1/y", "1/y2"):
        bad = np.flatnonzero(y <= 0)
        if bad.size:
            i = bad[0]
            raise AssayError(
                f"weights {scheme!r} need positive responses, found {y[i]:g} at concentration "
                f"{conc[i]:g}; use weights='none' (blank subtraction can make low standards <= 0)"
            )
        return 1.0 / y if scheme == "1/y" else 1.0 / y**2
    # 1/var of replicates at each concentration
    w = np.empty_like(y)
    for c in np.unique(conc):
        idx = conc == c
        if idx.sum() < 2:
            raise AssayError(
                f"weights '1/var' need at least 2 replicates per concentration; "
                f"concentration {c:g} has {int(idx.sum())}"
            )
        v = float(np.var(y[idx], ddof=1))
        if not v > 0:
            raise AssayError(f"weights '1/var': replicates at concentration {c:g} have zero variance")
        w[idx] = 1.0 / v
    return w


def _start_4pl(lx: NDArray, y: NDArray) -> NDArray:
    """Robust start: asymptotes from the ends, hill and ec50 from a logit regression."""
    finite = np.isfinite(lx)
    order = np.argsort(lx, kind="stable")
    lxs, ys = lx[order], y[order]
    lo_x, hi_x = lxs[0], lxs[-1]
    b0 = float(np.mean(ys[lxs == lo_x]))
    t0 = float(np.mean(ys[lxs == hi_x]))
    rng = t0 - b0
    if rng == 0:
        rng = float(np.ptp(y)) or 1.0
    b = b0 - 0.05 * rng
    t = t0 + 0.05 * rng
    q = np.clip((y - b) / (t - b), 1e-3, 1 - 1e-3)
    zz = np.log(q / (1 - q))
    use = finite
    if use.sum() >= 2 and np.ptp(lx[use]) > 0:
        slope, intercept = np.polyfit(lx[use], zz[use], 1)
    else:
        slope, intercept = 1.0, 0.0
    if not np.isfinite(slope) or abs(slope) < 1e-3:
        slope = 1.0
        intercept = -float(np.median(lx[use]))
    L = -intercept / slope
    lo, hi = np.min(lx[use]), np.max(lx[use])
    L = float(np.clip(L, lo - 2.0, hi + 2.0))
    return np.array([b, t, L, slope], dtype=float)


def _start_4pl_batch(LX: NDArray, Y: NDArray) -> NDArray:
    """:func:`_start_4pl` for many curves at once (same rules, vectorised)."""
    if not np.isfinite(LX).all():
        return np.stack([_start_4pl(LX[i], Y[i]) for i in range(Y.shape[0])])
    lo = LX == LX.min(axis=1, keepdims=True)
    hi = LX == LX.max(axis=1, keepdims=True)
    b0 = (Y * lo).sum(1) / lo.sum(1)
    t0 = (Y * hi).sum(1) / hi.sum(1)
    rng = t0 - b0
    rng = np.where(rng == 0, np.where(np.ptp(Y, axis=1) > 0, np.ptp(Y, axis=1), 1.0), rng)
    b = b0 - 0.05 * rng
    t = t0 + 0.05 * rng
    q = np.clip((Y - b[:, None]) / (t - b)[:, None], 1e-3, 1 - 1e-3)
    zz = np.log(q / (1 - q))
    xm = LX.mean(1, keepdims=True)
    zm = zz.mean(1, keepdims=True)
    sxx = ((LX - xm) ** 2).sum(1)
    slope = np.where(sxx > 0, ((LX - xm) * (zz - zm)).sum(1) / np.where(sxx > 0, sxx, 1), 1.0)
    intercept = zm[:, 0] - slope * xm[:, 0]
    flat = ~np.isfinite(slope) | (np.abs(slope) < 1e-3)
    intercept = np.where(flat, -np.median(LX, axis=1), intercept)
    slope = np.where(flat, 1.0, slope)
    L = np.clip(-intercept / slope, LX.min(1) - 2.0, LX.max(1) + 2.0)
    return np.column_stack([b, t, L, slope])


def _ls_fit(lx, y, sw, theta0, *, xtol=1e-14):
    def fun(th):
        return sw * (_predict_theta(th, lx) - y)

    def jac(th):
        return sw[:, None] * _jacobian_theta(th, lx)

    with np.errstate(over="ignore"):
        res = optimize.least_squares(
            fun, theta0, jac=jac, method="lm", xtol=xtol, ftol=1e-14, gtol=1e-14, max_nfev=20000
        )
    return res


def fit_curve(
    conc: ArrayLike,
    response: ArrayLike,
    *,
    model: CurveModel = "4pl",
    weights: Weighting = "none",
    start: CurveParameters | None = None,
) -> CurveFit:
    """Fit a 4PL or 5PL standard curve by (weighted) least squares.

    Parameters
    ----------
    conc, response
        Standard concentrations (``>= 0``; a zero standard is allowed) and responses
        (optical densities), one entry per well (replicates as separate entries).
    model
        ``"4pl"`` or ``"5pl"``.
    weights
        ``"none"``, ``"1/y"``, ``"1/y2"`` (from the observed responses, as R ``nls(weights=)``)
        or ``"1/var"`` (1 / variance of the replicates at each concentration).  Prism's
        "1/Y^2" weights by the fitted rather than the observed response, so its estimates
        differ slightly.
    start
        Starting values; by default robust ones from the data (asymptotes from the lowest
        and highest standards, hill and ec50 from a regression of logit response on log
        concentration); the 5PL starts from the 4PL fit with ``asymmetry = 1`` and also
        from ``asymmetry`` 0.5 and 2, keeping the smallest residual sum of squares.

    Returns
    -------
    CurveFit

    Notes
    -----
    Validated against R 4.2 ``nls`` (``SSfpl`` for the 4PL, a written-out 5PL), with
    weights none, 1/y, 1/y^2 and 1/variance, on R's ``DNase`` runs 1-3 and on simulated
    rising, falling and asymmetric curves: parameters to rtol 1e-5, standard errors,
    residual SD and AIC likewise (``tests/reference/assay/fit_reference.R``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1, 3, 10, 30, 100, 300.0])
    >>> y = predict(CurveParameters(0.05, 2.5, 30.0, 1.2), x) * np.array([1.01, .99, 1, 1.02, .98, 1])
    >>> fit = fit_curve(x, y, model="4pl")
    >>> round(fit.params.ec50)
    30
    """
    check_choice("model", model, MODELS)
    check_choice("weights", weights, WEIGHTINGS)
    x = np.asarray(conc, dtype=float).ravel()
    y = np.asarray(response, dtype=float).ravel()
    if x.shape != y.shape:
        raise AssayError(f"conc and response must have the same length, got {x.size} and {y.size}")
    keep = np.isfinite(x) & np.isfinite(y)
    notes: list[str] = []
    if not keep.all():
        notes.append(f"{int((~keep).sum())} point(s) with a missing concentration or response not used")
        x, y = x[keep], y[keep]
    if np.any(x < 0):
        raise AssayError(f"standard concentrations must be >= 0, found {x[x < 0][0]:g}")
    p = 4 if model == "4pl" else 5
    if x.size < p + 1:
        raise AssayError(f"a {model} fit needs at least {p + 1} standard points, got {x.size}")
    if np.unique(x[x > 0]).size < p - 1:
        raise AssayError(
            f"a {model} fit needs at least {p - 1} distinct positive concentrations, "
            f"got {np.unique(x[x > 0]).size}"
        )
    w = _weights(x, y, weights)
    sw = np.sqrt(w)
    lx = _logx(x)

    th4 = _start_4pl(lx, y) if start is None or model == "5pl" else _theta_from_params(start, "4pl")
    res = _ls_fit(lx, y, sw, th4)
    best = res
    if model == "5pl":
        base = res.x if res.success else th4
        starts = [np.append(base, 0.0), np.append(base, math.log(0.5)), np.append(base, math.log(2.0))]
        if start is not None:
            starts.insert(0, _theta_from_params(start, "5pl"))
        best = None
        for th0 in starts:
            r = _ls_fit(lx, y, sw, th0)
            if r.success and np.all(np.isfinite(r.x)) and (best is None or r.cost < best.cost * (1 - 1e-12)):
                best = r
        if best is None:
            raise FitError(f"the 5pl fit did not converge ({r.message})")
    if not best.success or not np.all(np.isfinite(best.x)):
        raise FitError(f"the {model} fit did not converge ({best.message})")
    theta = best.x
    if model == "4pl":
        theta = _canonical_4pl(theta)
    return _finish(model, weights, theta, x, y, w, notes)


def _finish(model, weights, theta, x, y, w, notes) -> CurveFit:
    lx = _logx(x)
    sw = np.sqrt(w)
    r = sw * (_predict_theta(theta, lx) - y)
    rss = float(r @ r)
    n, p = x.size, theta.size
    df = n - p
    J = sw[:, None] * _jacobian_theta(theta, lx)
    # natural parameters: ec50 = exp(L), asymmetry = exp(log g)
    D = np.ones(p)
    D[2] = math.exp(theta[2])
    if p == 5:
        D[4] = math.exp(theta[4])
    Jn = J / D  # chain rule: d f / d ec50 = d f / d L / ec50
    s2 = rss / df if df > 0 else float("nan")
    try:
        cov = s2 * np.linalg.inv(Jn.T @ Jn)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
        notes = [*notes, "singular information matrix: standard errors not available"]
        warnings.warn("singular information matrix: standard errors not available", ConvergenceWarning, stacklevel=3)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    params = _params_from_theta(theta, model)
    se_p = CurveParameters(bottom=float(se[0]), top=float(se[1]), ec50=float(se[2]), hill=float(se[3]),
                           asymmetry=float(se[4]) if p == 5 else 0.0)
    if rss > 0:
        loglik = -n * (math.log(2 * math.pi) + 1 - math.log(n) - float(np.sum(np.log(w))) / n + math.log(rss)) / 2
    else:  # a perfect fit (noise-free data)
        loglik = math.inf
    aic = -2 * loglik + 2 * (p + 1)
    return CurveFit(
        model=model, weights=weights, params=params, se=se_p, cov=cov, residual_sd=math.sqrt(s2),
        rss=rss, df_residual=df, n=n, loglik=loglik, aic=aic, conc=x, response=y, w=w,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- batched


@dataclass(frozen=True, eq=False)
class BatchFit:
    """Many curves fitted at once: parameter arrays of shape ``(n_curves,)``."""

    model: str
    bottom: NDArray
    top: NDArray
    ec50: NDArray
    hill: NDArray
    asymmetry: NDArray
    rss: NDArray
    converged: NDArray
    n_iter: NDArray

    def params(self, i: int) -> CurveParameters:
        return CurveParameters(
            float(self.bottom[i]), float(self.top[i]), float(self.ec50[i]), float(self.hill[i]),
            float(self.asymmetry[i]),
        )


def _lm_batch(lx, y, sw, theta, *, maxiter=200, xtol=1e-12):
    """Vectorised Levenberg-Marquardt (Marquardt's diagonal scaling), one lambda per curve."""
    B, p = theta.shape
    lam = np.full(B, 1e-3)
    active = np.ones(B, dtype=bool)
    conv = np.zeros(B, dtype=bool)
    nit = np.zeros(B, dtype=int)

    def cost_of(th, idx):
        r = sw[idx] * (_predict_theta(th, lx[idx]) - y[idx])
        return r, (r * r).sum(axis=1)

    r, cost = cost_of(theta, np.arange(B))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(maxiter):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            th = theta[idx]
            J = sw[idx][..., None] * _jacobian_theta(th, lx[idx])
            Jt = J.transpose(0, 2, 1)
            A = Jt @ J
            g = (Jt @ r[idx][..., None])[..., 0]
            dA = np.maximum(np.diagonal(A, axis1=1, axis2=2), 1e-12)
            M = A + (lam[idx, None] * dA)[:, :, None] * np.eye(p)
            try:
                delta = -np.linalg.solve(M, g[..., None])[..., 0]
            except np.linalg.LinAlgError:
                delta = -np.einsum("bij,bj->bi", np.linalg.pinv(M), g)
            new = th + delta
            rn, cn = cost_of(new, idx)
            ok = np.isfinite(cn) & (cn <= cost[idx])
            acc = idx[ok]
            theta[acc] = new[ok]
            r[acc] = rn[ok]
            small = np.all(np.abs(delta) <= xtol * (np.abs(th) + xtol), axis=1)
            rel = np.where(cost[idx] > 0, (cost[idx] - np.where(ok, cn, cost[idx])) / np.maximum(cost[idx], 1e-300), 0)
            cost[acc] = cn[ok]
            lam[acc] = np.maximum(lam[acc] / 10.0, 1e-12)
            rej = idx[~ok]
            lam[rej] = lam[rej] * 10.0
            nit[idx] += 1
            done = (ok & (small | (rel < 1e-15))) | (lam[idx] > 1e16)
            conv[idx[done]] = ok[done] | (lam[idx[done]] > 1e16)
            active[idx[done]] = False
    return theta, cost, conv & ~active, nit


def fit_curves(
    conc: ArrayLike,
    responses: ArrayLike,
    *,
    model: CurveModel = "4pl",
    weights: Literal["none", "1/y", "1/y2"] = "none",
    maxiter: int = 200,
) -> BatchFit:
    """Fit many standard curves at once (vectorised Levenberg-Marquardt in numpy).

    Parameters
    ----------
    conc
        Concentrations, shape ``(n_points,)`` (shared) or ``(n_curves, n_points)``.
    responses
        Responses, shape ``(n_curves, n_points)``.
    model, weights
        As :func:`fit_curve` (``"1/var"`` is not offered here).

    Returns
    -------
    BatchFit
        Canonical parameters (4PL: ``bottom <= top``).  Curves on which the vectorised
        iteration did not converge are refitted one by one with :func:`fit_curve`.

    Notes
    -----
    Agrees with a loop of :func:`scipy.optimize.curve_fit` to 1e-6 in the parameters and
    with :func:`fit_curve` (see ``benchmarks/bench_assay.py`` and ``tests/assay``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1, 3, 10, 30, 100, 300.0])
    >>> y = np.stack([predict(CurveParameters(0.05, 2.5, e, 1.2), x) for e in (20.0, 40.0)])
    >>> np.round(fit_curves(x, y).ec50, 6).tolist()
    [20.0, 40.0]
    """
    check_choice("model", model, MODELS)
    check_choice("weights", weights, ("none", "1/y", "1/y2"))
    Y = np.atleast_2d(np.asarray(responses, dtype=float))
    X = np.broadcast_to(np.asarray(conc, dtype=float), Y.shape)
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise AssayError("fit_curves needs complete data (no missing responses); use fit_curve per curve")
    B = Y.shape[0]
    W = np.ones_like(Y) if weights == "none" else np.stack([_weights(X[i], Y[i], weights) for i in range(B)])
    LX = _logx(X)
    SW = np.sqrt(W)
    th0 = _start_4pl_batch(LX, Y)
    theta, cost, conv, nit = _lm_batch(LX, Y, SW, th0, maxiter=maxiter)
    if model == "5pl":
        th5 = np.concatenate([theta, np.zeros((B, 1))], axis=1)
        theta, cost, conv, nit = _lm_batch(LX, Y, SW, th5, maxiter=maxiter)
    else:
        theta = _canonical_4pl(theta)
    bad = np.flatnonzero(~conv)
    for i in bad:  # fall back to the one-curve fitter
        try:
            f = fit_curve(X[i], Y[i], model=model, weights=weights)
        except FitError:
            continue
        theta[i] = _theta_from_params(f.params, model)
        cost[i] = f.rss
        conv[i] = True
    g = np.exp(theta[:, 4]) if model == "5pl" else np.ones(B)
    return BatchFit(
        model=model, bottom=theta[:, 0], top=theta[:, 1], ec50=np.exp(theta[:, 2]), hill=theta[:, 3],
        asymmetry=g, rss=cost, converged=conv, n_iter=nit,
    )
