"""Conditional logistic regression for individually matched sets (R ``survival::clogit``).

Each matched set (stratum) contributes its conditional likelihood given the number of
cases in it, ``exp(sum_{cases} x'b) / sum_{S : |S| = m} exp(sum_{i in S} x_i'b)``: the
denominator runs over every subset of the set with as many members as it has cases.
That is the *exact* conditional likelihood, R ``clogit(method = "exact")`` (its
default), for 1:M and M:N sets alike.  The sum over subsets is computed by the
recursion of Gail, Lubin and Rubinstein (1981), ``D(k, i) = D(k, i-1) + r_i D(k-1, i-1)``,
together with its first and second derivatives, so the fit is Newton's method with
the exact Hessian.  Sets with only cases or only controls carry no information and are
counted, not used.

Validated against R 4.2.2 / survival (``clogit``): ``datasets::infert``, a synthetic 1:2
matched set and M:N sets (tests/models/test_clogit.py).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from serostudy._inference._results import ConfidenceInterval, TestResult
from serostudy.exceptions import ConvergenceWarning, DataError, ModelError
from serostudy.models._profile import check_ci_method, signed_root_interval
from serostudy.models._results import CiMethod, ModelResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _set_loglik(X: np.ndarray, eta: np.ndarray, case: np.ndarray, with_derivs: bool):
    """Log conditional likelihood of one set, and its gradient and Hessian in b."""
    m = int(case.sum())
    n, p = X.shape
    shift = eta.max()
    r = np.exp(eta - shift)
    D = np.zeros(m + 1)
    D[0] = 1.0
    G = np.zeros((m + 1, p))
    H = np.zeros((m + 1, p, p))
    for i in range(n):
        x = X[i]
        ri = r[i]
        for k in range(min(m, i + 1), 0, -1):
            if with_derivs:
                H[k] += ri * (H[k - 1] + np.outer(x, G[k - 1]) + np.outer(G[k - 1], x) + np.outer(x, x) * D[k - 1])
                G[k] += ri * (G[k - 1] + x * D[k - 1])
            D[k] += ri * D[k - 1]
    ll = float(eta[case].sum() - (math.log(D[m]) + m * shift))
    if not with_derivs:
        return ll, None, None
    g_bar = G[m] / D[m]
    grad = X[case].sum(axis=0) - g_bar
    hess = -(H[m] / D[m] - np.outer(g_bar, g_bar))
    return ll, grad, hess


def _clogit_fit(X: np.ndarray, offset: np.ndarray, sets: list[np.ndarray], case: np.ndarray,
                start: np.ndarray | None = None, maxiter: int = 100):
    """Newton's method with step halving; returns (beta, loglik, information, converged)."""
    p = X.shape[1]
    b = np.zeros(p) if start is None else np.asarray(start, dtype=float).copy()

    def total(b: np.ndarray, derivs: bool):
        ll = 0.0
        g = np.zeros(p)
        h = np.zeros((p, p))
        for idx in sets:
            Xi = X[idx]
            # centring within the set leaves the conditional likelihood unchanged
            Xc = Xi - Xi.mean(axis=0) if p else Xi
            eta = (Xc @ b if p else np.zeros(len(idx))) + offset[idx]
            l_s, g_s, h_s = _set_loglik(Xc, eta, case[idx], derivs)
            ll += l_s
            if derivs:
                g += g_s
                h += h_s
        return ll, g, h

    cur, g, h = total(b, True)
    converged = p == 0
    for _ in range(maxiter if p else 0):
        try:
            step = np.linalg.solve(-h, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(-h, g, rcond=None)[0]
        for _h in range(60):
            new_ll = total(b + step, False)[0]
            if new_ll >= cur - 1e-12 * (1 + abs(cur)):
                break
            step = step / 2
        b = b + step
        prev = cur
        cur, g, h = total(b, True)
        if abs(cur - prev) < 1e-13 * (1 + abs(cur)) and np.max(np.abs(step)) < 1e-9 * (1 + np.max(np.abs(b))):
            converged = True
            break
    return b, cur, -h, converged


def fit_clogit(
    data: pd.DataFrame,
    formula: str,
    strata: str,
    *,
    confidence_level: float = 0.95,
    ci_method: CiMethod = "wald",
) -> ModelResult:
    """Conditional logistic regression of a 0/1 case indicator within matched sets.

    Parameters
    ----------
    data
        One row per participant.
    formula
        ``"case ~ b12 + smoker"``: the response is 1 for a case, 0 for a control (no
        intercept: it cancels within sets).
    strata
        Column naming each participant's matched set.
    confidence_level
        Level of the intervals.
    ci_method
        ``"wald"`` (as R's ``confint`` on a clogit fit) or ``"profile"``.

    Returns
    -------
    ModelResult
        ``family="clogit"``; coefficients with ``exp`` = conditional odds ratio;
        ``loglik`` the conditional log-likelihood; ``lr_test`` the likelihood-ratio test
        of all coefficients = 0 (R ``summary(clogit)$logtest``); ``n`` participants in
        informative sets.

    Notes
    -----
    Exact conditional likelihood (R ``clogit(method = "exact")``, the default).  Matches
    ``survival::clogit`` (R 4.2.2) to rtol 1e-7 in estimates, 1e-6 in SEs, Wald CIs,
    log-likelihoods and the LR test (tests/models/test_clogit.py).

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.models import fit_clogit
    >>> d = pd.DataFrame({"set": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...                   "case": [1, 0, 0] * 4,
    ...                   "x": [2.0, 1.0, 1.5, 0.5, 1.0, 0.2, 1.1, 1.4, 0.3, 0.9, 0.1, 1.2]})
    >>> round(fit_clogit(d, "case ~ x", "set").term("x").estimate, 3)
    1.247
    """
    import pandas as pd

    from serostudy.models._formula import _row_numbers, build_design
    from serostudy.models._glm import _excluded_note, _terms

    check_ci_method(ci_method)
    if not (0 < confidence_level < 1):
        raise ModelError(f"`confidence_level` must be between 0 and 1, got {confidence_level!r}")
    if strata not in [str(c) for c in data.columns]:
        raise DataError(f"the strata column {strata!r} is not a column of the data", column=str(strata))
    design = build_design(data, formula, intercept=False)
    if design.X.shape[1] == 0:
        raise ModelError(f"the formula {formula!r} has no covariates")
    notes: list[str] = []
    if design.excluded_rows:
        notes.append(_excluded_note(design))
    rowno = _row_numbers(data)
    svals = data[strata].reset_index(drop=True).iloc[design.rows]
    for pos, v in zip(design.rows, svals):
        if pd.isna(v):
            raise DataError("a participant without a matched set", row=int(rowno[pos]), column=strata)
    yv = pd.to_numeric(design.y, errors="coerce").to_numpy(dtype=float)
    for pos, raw, v in zip(design.rows, design.y, yv):
        if v not in (0.0, 1.0):
            raise ModelError(f"the case indicator must be 0 or 1, found {raw!r}", row=int(rowno[pos]),
                             column=design.response)
    case = yv == 1.0
    codes, uniq = pd.factorize(svals.astype(str))
    sets_all = [np.flatnonzero(codes == k) for k in range(len(uniq))]
    sets = [s for s in sets_all if 0 < case[s].sum() < len(s)]
    n_uninf = len(sets_all) - len(sets)
    if not sets:
        raise ModelError("no matched set has both a case and a control: nothing to estimate")
    if n_uninf:
        notes.append(f"{n_uninf} matched set(s) with only cases or only controls carry no information")
    X = design.X
    within = np.zeros(X.shape[1])
    for sidx in sets:
        within += np.ptp(X[sidx], axis=0)
    constant = [nm for nm, v in zip(design.names, within) if v == 0]
    if constant:
        raise ModelError(
            f"{', '.join(constant)} do(es) not vary within any matched set (a matching variable?): its effect "
            "cancels from the conditional likelihood and cannot be estimated; remove it from the formula "
            "(R's clogit reports NA for it)"
        )
    off = np.zeros(len(yv))
    beta, ll, info, ok = _clogit_fit(X, off, sets, case)
    if not ok:
        msg = "the conditional logistic fit did not converge (the estimates may be infinite: separation?)"
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        notes.append(msg)
    cov = np.linalg.pinv(info)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    terms = list(_terms(design.names, beta, se, family="clogit", confidence_level=confidence_level))
    ll0 = _clogit_fit(X[:, :0], off, sets, case)[1]
    p = X.shape[1]
    lr = max(2 * (ll - ll0), 0.0)
    if ci_method == "profile":
        starts: dict[int, np.ndarray] = {}
        for j, t in enumerate(terms):
            Xj = np.delete(X, j, axis=1)

            def neg2ll(b: float, j: int = j, Xj: np.ndarray = Xj) -> float:
                fit = _clogit_fit(Xj, off + X[:, j] * b, sets, case, start=starts.get(j))
                starts[j] = fit[0]
                return -2 * fit[1]

            lo, hi = signed_root_interval(neg2ll, t.estimate, t.se, -2 * ll, confidence_level)
            lr_j = max(neg2ll(0.0) + 2 * ll, 0.0)
            terms[j] = replace(t, ci=ConfidenceInterval(lo, hi, confidence_level),
                               exp_ci=ConfidenceInterval(math.exp(lo) if lo > -math.inf else 0.0,
                                                         math.exp(hi) if hi < 709 else math.inf, confidence_level),
                               ci_method="profile", lr_statistic=lr_j, lr_pvalue=float(stats.chi2.sf(lr_j, 1)))
    n_used = int(sum(len(s) for s in sets))
    n_cases = int(sum(case[s].sum() for s in sets))
    return ModelResult(
        family="clogit",
        link="logit",
        formula=formula,
        terms=tuple(terms),
        n=n_used,
        df_model=p,
        df_resid=float(n_used - p),
        loglik=ll,
        aic=-2 * ll + 2 * p,
        excluded_rows=design.excluded_rows,
        confidence_level=confidence_level,
        method=(
            f"Conditional logistic regression within {len(sets)} matched sets ({n_cases} cases, "
            f"{n_used - n_cases} controls; strata {strata!r}), exact conditional likelihood as "
            "survival::clogit(method = 'exact'); "
            + ("profile-likelihood intervals and LR tests beside the Wald z" if ci_method == "profile"
               else "Wald intervals and z tests")
        ),
        warnings=tuple(notes),
        ci_method=ci_method,
        lr_test=TestResult(
            statistic=lr, pvalue=float(stats.chi2.sf(lr, p)),
            method="Likelihood-ratio test of all coefficients = 0 (conditional likelihood)",
            statistic_name="LR", df=float(p), alternative="greater", n=n_used,
        ),
    )
