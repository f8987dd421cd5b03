"""Proportional-odds (cumulative logit) model, parametrised as ``MASS::polr``.

``logit P(Y <= k) = zeta_k - x'beta``: a positive coefficient moves the outcome towards
*higher* categories, and ``exp(beta)`` is the cumulative odds ratio of being above any
cut-point.  statsmodels' ``OrderedModel`` (``distr="logit"``) uses the same sign
convention (``P(Y <= k) = F(cut_k - x'beta)``) but stores the thresholds as the first
cut-point followed by log increments; we fit with it and report the cut-points
themselves, with standard errors by the delta method.

Validated against ``MASS::polr`` (R 4.2.2, MASS 7.3-58) on ``MASS::housing`` (weights
expanded to rows) and an ordinal outcome from ``MASS::birthwt`` with continuous
covariates: estimates and thresholds to rtol 1e-6, standard errors to 1e-4
(tests/models/test_ordinal.py).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from serostudy._inference._results import ConfidenceInterval
from serostudy.exceptions import ConvergenceWarning, ModelError
from serostudy.models._formula import build_design
from serostudy.models._profile import Profiler, check_ci_method, polr_fit, profile_terms
from serostudy.models._results import EXP_NAMES, CiMethod, ModelResult, ModelTerm
from serostudy.models._weights import frequency_weights

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def fit_ordinal(
    data: "pd.DataFrame",
    formula: str,
    *,
    levels: Sequence[object] | None = None,
    confidence_level: float = 0.95,
    weights: str | None = None,
    ci_method: CiMethod = "wald",
) -> ModelResult:
    """Fit a proportional-odds logistic model (``MASS::polr`` parametrisation).

    Parameters
    ----------
    data
        One row per observation.
    formula
        ``"edss ~ b12 + age"``; the response is ordinal.
    levels
        The response's categories from lowest to highest.  Default: the categories of
        an ordered ``pandas.Categorical``, else the sorted distinct values (numbers in
        numeric order).  A value not in ``levels`` is a :class:`ModelError` naming the row.
    confidence_level
        Level of the intervals.
    weights
        Column of frequency weights (whole numbers >= 0), as ``polr(weights = )``:
        results equal those of the data with each row repeated.
    ci_method
        ``"wald"`` or ``"profile"``: coefficient intervals by profiling the likelihood
        (thresholds and the other coefficients re-fitted, as ``MASS::confint.polr``)
        and an LR test of each coefficient.  Thresholds keep Wald intervals.

    Returns
    -------
    ModelResult
        ``family="ordinal"``; coefficients (with ``exp`` = cumulative odds ratio) then
        thresholds named ``"low|mid"`` as polr names them.

    Notes
    -----
    Fitted by Newton's method with the analytic Hessian (standard errors from the
    observed information).  Matches ``MASS::polr`` (Hess = TRUE) to 1e-6 in the
    estimates and 1e-4 in the standard errors (polr's Hessian is numerical);
    profile intervals match ``confint(polr)`` (grid + spline) to 1e-4 and a tight root
    solve of the same equation in R to 1e-6 (tests/models/test_profile.py).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.models import fit_ordinal
    >>> d = pd.DataFrame({"edss": [0, 1, 1, 2, 2, 3, 1, 0, 3, 2, 1, 2],
    ...                   "b12": [90, 70, 60, 40, 65, 30, 80, 85, 35, 55, 50, 45]})
    >>> fit = fit_ordinal(d, "edss ~ b12")
    >>> fit.term("b12").estimate < 0
    True
    """
    check_ci_method(ci_method)
    if not (0 < confidence_level < 1):
        raise ModelError(f"`confidence_level` must be between 0 and 1, got {confidence_level!r}")
    design, design_X, codes, w, cats, notes = _prepare(data, formula, levels, weights)
    p = design_X.shape[1]
    K = len(cats) - 1
    params, llf, info, ok = polr_fit(codes, design_X, np.zeros(len(codes)), w, K)
    if not ok:
        msg = "the proportional-odds fit did not converge in 200 Newton steps"
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        notes.append(msg)
    cov_out = _covariance(info, names_of=list(design.names), p=p)
    est = params
    se = np.sqrt(np.clip(np.diag(cov_out), 0, None))
    names = list(design.names) + [f"{cats[k]}|{cats[k + 1]}" for k in range(K)]

    q = stats.norm.ppf(0.5 + confidence_level / 2)
    terms = []
    for i, (name, b, s) in enumerate(zip(names, est, se)):
        is_coef = i < p
        z = b / s if s > 0 else math.nan
        ci = ConfidenceInterval(float(b - q * s), float(b + q * s), confidence_level)
        terms.append(
            ModelTerm(
                term=name,
                estimate=float(b),
                se=float(s),
                ci=ci,
                statistic=float(z),
                statistic_name="z",
                pvalue=float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
                exp_estimate=_exp(b) if is_coef else None,
                exp_ci=ConfidenceInterval(_exp(ci.low), _exp(ci.high), confidence_level) if is_coef else None,
                exp_name=EXP_NAMES["ordinal"] if is_coef else None,
                kind="coefficient" if is_coef else "threshold",
            )
        )
    if ci_method == "profile":
        prof = Profiler("ordinal", codes, design_X, None, w, K=K)
        res_p = profile_terms(prof, names[:p], est[:p], se[:p], confidence_level)
        for i, (bounds, (lr, lrp)) in enumerate(res_p):
            terms[i] = replace(terms[i], ci=ConfidenceInterval(bounds[0], bounds[1], confidence_level),
                               exp_ci=ConfidenceInterval(math.exp(bounds[0]) if bounds[0] > -math.inf else 0.0,
                                                         math.exp(bounds[1]) if bounds[1] < 709 else math.inf,
                                                         confidence_level),
                               ci_method="profile", lr_statistic=lr, lr_pvalue=lrp)
    k_all = p + K
    n_obs = int(round(float(np.sum(w))))
    return ModelResult(
        family="ordinal",
        link="logit",
        formula=formula,
        terms=tuple(terms),
        n=n_obs,
        df_model=p,
        df_resid=float(n_obs - k_all),
        loglik=llf,
        aic=-2 * llf + 2 * k_all,
        excluded_rows=design.excluded_rows,
        confidence_level=confidence_level,
        method=(
            "Proportional-odds (cumulative logit) model, logit P(Y <= k) = zeta_k - x'beta as MASS::polr; "
            "maximum likelihood; "
            + ("profile-likelihood intervals and likelihood-ratio tests beside the Wald z"
               if ci_method == "profile" else "Wald intervals and z tests")
        ),
        warnings=tuple(notes),
        ci_method=ci_method,
        weights=weights,
    )

def _exp(v: float) -> float:
    """``exp(v)``, infinite above the float range (a Wald bound of a near-separated
    covariate can exceed 709.78; ``math.exp`` would raise OverflowError)."""
    return math.exp(v) if v < 709.78 else math.inf


def _covariance(info: np.ndarray, *, names_of: list[str], p: int) -> np.ndarray:
    """Inverse of the observed information; a singular or non-finite information
    matrix (coefficients not identified, e.g. a covariate collinear with the
    thresholds) is a :class:`ModelError`, not standard errors from a pseudo-inverse."""
    bad = ModelError(
        "the proportional-odds information matrix is singular: the coefficients "
        f"({', '.join(names_of) or 'none'}) are not identified (collinear covariates, or a "
        "covariate that separates the outcome levels, or one on an extreme scale: rescale it)"
    )
    if not np.all(np.isfinite(info)) or np.any(np.diag(info) <= 0):
        raise bad
    # singularity judged on the scale-free (unit-diagonal) matrix, so a covariate in
    # large or tiny units is not mistaken for a collinear one
    d = 1 / np.sqrt(np.diag(info))
    scaled = info * np.outer(d, d)
    try:
        if np.linalg.cond(scaled) > 1e13:
            raise bad
        cov = np.linalg.inv(scaled) * np.outer(d, d)
    except np.linalg.LinAlgError:
        raise bad from None
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) < 0):
        raise bad
    return cov


def _prepare(data, formula, levels, weights):
    """Design, codes 0..K, weights, categories and notes of an ordinal model."""
    design = build_design(data, formula, intercept=False)
    w = frequency_weights(data, weights, design.rows)
    notes: list[str] = []
    if design.excluded_rows:
        from serostudy.models._glm import _excluded_note

        notes.append(_excluded_note(design))
    y_raw = design.y
    cats, how = _levels(y_raw, levels)
    if how == "alphabetical":
        notes.append(
            f"levels of {design.response!r} ordered alphabetically ({', '.join(map(str, cats))}); "
            "pass `levels` (or an ordered categorical) to set the order"
        )
    lookup = {_key(c): i for i, c in enumerate(cats)}
    codes = np.empty(design.n, dtype=int)
    for k, (pos, v) in enumerate(zip(design.row_numbers, y_raw)):
        key = _key(v)
        if key not in lookup:
            raise ModelError(
                f"value {v!r} is not one of the ordinal levels {list(cats)}",
                row=int(pos),
                column=design.response,
            )
        codes[k] = lookup[key]
    present = np.unique(codes[w > 0])
    if present.size < 2:
        raise ModelError(f"the ordinal response {design.response!r} takes a single level: nothing to model")
    if present.size < len(cats):
        empty = [str(cats[i]) for i in range(len(cats)) if i not in set(present)]
        notes.append(f"levels with no observation dropped from the thresholds: {', '.join(empty)}")
        cats = [cats[i] for i in present]
        keep = np.isin(codes, present)
        remap = {old: new for new, old in enumerate(present)}
        codes = np.array([remap.get(c, 0) for c in codes])
        codes, w = codes[keep], w[keep]
        design_X = design.X[keep]
    else:
        design_X = design.X
    if design.X.shape[1] == 0:
        raise ModelError(f"the formula {formula!r} has no covariates; an ordinal model needs at least one")
    used = design_X[w > 0]
    for j, name in enumerate(design.names):
        col = used[:, j]
        if col.size and np.all(col == col[0]):
            raise ModelError(
                f"covariate {name!r} is constant ({col[0]:g}) in the rows used: its effect cannot be told "
                "apart from the thresholds (a proportional-odds model has no intercept)",
                column=str(name),
            )

    return design, design_X, codes, w, cats, notes


def _key(v: object) -> tuple[str, float] | tuple[str, str]:
    """Comparable key: numbers by value (2 == 2.0 == '2'), other values as text."""
    try:
        f = float(v)  # type: ignore[arg-type]  # any value; TypeError/ValueError caught below
        if math.isfinite(f):
            return ("num", f)
    except (TypeError, ValueError):
        pass
    return ("str", str(v))


def _levels(y: "pd.Series", levels: Sequence[object] | None) -> tuple[list[object], str]:
    """The ordered categories, and how the order was decided."""
    import pandas as pd

    if levels is not None:
        out = list(levels)
        if len(out) < 2:
            raise ModelError(f"`levels` must list at least 2 categories, got {out!r}")
        if len({_key(v) for v in out}) != len(out):
            raise ModelError(f"`levels` lists a category twice: {out!r}")
        return out, "given"
    if isinstance(y.dtype, pd.CategoricalDtype) and y.dtype.ordered:
        return list(y.dtype.categories), "categorical"
    vals = pd.unique(y)
    keys = [_key(v) for v in vals]
    if all(k[0] == "num" for k in keys):
        return [v for _, v in sorted(zip([k[1] for k in keys], vals), key=lambda t: t[0])], "numeric"
    return sorted(vals, key=str), "alphabetical"


@dataclass(frozen=True, slots=True)
class NominalTest:
    """Likelihood-ratio test of proportional odds for one term.

    Attributes
    ----------
    term
        The formula term (``"temp"``, ``"C(sex)"``), with ``columns`` its design columns.
    statistic, df, pvalue
        ``LR = 2 (l_partial - l_PO)`` on ``df = (K - 1) * len(columns)``, chi-square p.
    loglik, loglik_po
        Log-likelihoods of the partial proportional-odds model (this term's effect free
        at each threshold) and of the proportional-odds model.
    converged
        Whether the partial model converged (``False``: statistic and p are NaN).
    """

    term: str
    columns: tuple[str, ...]
    statistic: float
    df: int
    pvalue: float
    loglik: float
    loglik_po: float
    converged: bool = True

    def to_dict(self) -> dict[str, object]:
        from serostudy._inference._results import _clean

        return _clean(asdict(self))


def _term_columns(formula: str, names: Sequence[str]) -> dict[str, list[int]]:
    """Design columns of each right-hand-side term (``"x[T.b]"`` belongs to ``"x"``)."""
    import re

    import patsy

    terms = [t.name() for t in patsy.ModelDesc.from_formula(formula).rhs_termlist if t.name() != "Intercept"]
    out: dict[str, list[int]] = {t: [] for t in terms}
    for i, nm in enumerate(names):
        base = re.sub(r"\[[^\]]*\]", "", nm)
        if base in out:
            out[base].append(i)
    return {t: c for t, c in out.items() if c}


def proportional_odds_test(
    data: "pd.DataFrame",
    formula: str,
    *,
    levels: Sequence[object] | None = None,
    weights: str | None = None,
) -> tuple[NominalTest, ...]:
    """Test the proportional-odds assumption term by term (R ``ordinal::nominal_test``).

    For each term, the proportional-odds model is compared by a likelihood-ratio test
    with the partial proportional-odds model in which that term's effect differs between
    the K thresholds (``clm(..., nominal = ~ term)``): ``df = (K - 1)`` per design column.
    A small p-value says the term's odds ratio is not the same at every cut-point.

    Parameters
    ----------
    data, formula, levels, weights
        As for :func:`fit_ordinal`.

    Returns
    -------
    tuple of NominalTest
        One per formula term, in formula order.

    Notes
    -----
    Matches ``ordinal::nominal_test(clm(...))`` (R 4.2.2, ordinal 2022.11.16) on
    ``ordinal::wine`` and an ordinal outcome of ``MASS::birthwt``: LR statistics and
    p-values to rtol 1e-5 (tests/models/test_nominal.py).  The partial model can
    imply negative probabilities for covariate values outside the data; the fit is
    constrained to positive probabilities at the observed rows, as clm's is.
    """
    design, X, codes, w, cats, _notes = _prepare(data, formula, levels, weights)
    K = len(cats) - 1
    n = len(codes)
    off = np.zeros(n)
    par0, ll0, _, _ = polr_fit(codes, X, off, w, K)
    p = X.shape[1]
    out = []
    for term, cols in _term_columns(formula, design.names).items():
        keep = [i for i in range(p) if i not in cols]
        Xf = X[:, keep]
        Z = X[:, cols]
        start = np.concatenate([par0[keep], par0[p:p + K], np.tile(par0[cols], K)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _par, ll1, _, ok = polr_fit(codes, Xf, off, w, K, start=start, Z=Z)
        df = (K - 1) * len(cols)
        lr = max(2 * (ll1 - ll0), 0.0) if ok else math.nan
        out.append(NominalTest(
            term=term, columns=tuple(design.names[i] for i in cols), statistic=lr, df=df,
            pvalue=float(stats.chi2.sf(lr, df)) if ok and df > 0 else math.nan,
            loglik=float(ll1), loglik_po=float(ll0), converged=bool(ok),
        ))
    return tuple(out)
