"""`serostudy model DATA --formula "y ~ x + z" --family ...`: fit one regression model.

Heavy imports (pandas, statsmodels) happen inside the handler so ``serostudy --help``
stays fast.
"""

from __future__ import annotations

import argparse

_FAMILIES = ("gaussian", "poisson", "negbin", "logit", "ordinal")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `model` command."""
    p = sub.add_parser(
        "model",
        help="fit a regression model (gaussian, poisson, negbin, logit, ordinal) to a CSV/XLSX table",
        description=(
            "Fit one regression model to a data table and print its terms with estimate, standard "
            "error, confidence interval and p-value (and exp(estimate) as rate or odds ratio where it "
            "applies). negbin estimates theta by maximum likelihood as R MASS::glm.nb; ordinal is the "
            "proportional-odds model of MASS::polr. Rows with missing values in the model's columns are "
            "excluded and listed."
        ),
    )
    p.add_argument("data", metavar="DATA", help="CSV or XLSX file, one row per observation")
    p.add_argument("--formula", required=True, help='model formula, e.g. "relapses ~ I(b12 / 10) + age + sex"')
    p.add_argument("--family", required=True, choices=_FAMILIES, help="model family")
    p.add_argument("--exposure", metavar="COL", default=None,
                   help="column with each row's exposure (follow-up time); its log enters as offset (count families)")
    p.add_argument("--weights", metavar="COL", default=None,
                   help="column of frequency weights (whole numbers >= 0): each row counts as that many observations")
    p.add_argument("--confidence-level", type=float, default=0.95, metavar="LEVEL",
                   help="level of the Wald confidence intervals (default 0.95)")
    p.add_argument("--levels", default=None, metavar="A,B,C",
                   help="ordinal family: the response's categories from lowest to highest, comma-separated")
    p.add_argument("--on-separation", choices=("error", "warn"), default="error",
                   help="logit family: stop (default) or fit with a warning when the outcome is perfectly separated")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first sheet)")
    p.add_argument("--encoding", default=None, metavar="NAME",
                   help="text encoding of a CSV/TSV (utf-8, utf-16, windows-1256, ...; default: detected)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import json
    import sys
    import warnings

    from serostudy._analysis.api import naming_file
    from serostudy.exceptions import InputError, SerostudyWarning
    from serostudy.models import fit_model

    data = _read(args.data, args.sheet, args.encoding)
    options: dict[str, object] = {"weights": args.weights} if args.weights is not None else {}
    if args.family == "logit":
        options["on_separation"] = args.on_separation
    if args.levels is not None:
        if args.family != "ordinal":
            from serostudy.exceptions import ModelError

            raise ModelError("--levels applies to --family ordinal only")
        options["levels"] = [s.strip() for s in args.levels.split(",")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SerostudyWarning)
        try:
            fit = fit_model(data, args.formula, family=args.family, exposure=args.exposure,
                            confidence_level=args.confidence_level, **options)
        except InputError as exc:  # every input error names the file
            raise naming_file(exc, args.data) from None
    for w in caught:
        if issubclass(w.category, SerostudyWarning):
            print(f"serostudy: warning: {w.message}", file=sys.stderr)
    if args.json:
        print(json.dumps(_as_json(fit, args.data), indent=2, allow_nan=False))
    else:
        print(_as_text(fit))
    return 0


def _read(path: str, sheet: str | None, encoding: str | None = None):
    """Read the table as ``serostudy table1 DATA`` does (one reader, one NA vocabulary).

    Cells "NA", "", "N/A", "." ... (:data:`serostudy._io.na.NA_VALUES`) are missing;
    columns whose every non-missing cell is a number become numeric, the rest stay text
    (categorical terms in the formula).  Rows missing a value the model uses are then
    excluded by the model and listed by spreadsheet row (``excluded_rows``).
    """
    from serostudy._analysis.api import read_data_frame

    return read_data_frame(path, sheet=sheet, encoding=encoding)


def _as_json(fit, source: str) -> dict:
    d = fit.to_dict()
    terms = []
    for t in d["terms"]:
        row = {
            "term": t["term"],
            "kind": t["kind"],
            "estimate": t["estimate"],
            "se": t["se"],
            "ci_low": t["ci"]["low"],
            "ci_high": t["ci"]["high"],
            "statistic": t["statistic"],
            "statistic_name": t["statistic_name"],
            "p": t["pvalue"],
        }
        if t["exp_estimate"] is not None:
            row.update(exp_name=t["exp_name"], exp_estimate=t["exp_estimate"],
                       exp_ci_low=t["exp_ci"]["low"], exp_ci_high=t["exp_ci"]["high"])
        terms.append(row)
    out = {
        "data": source,
        "formula": d["formula"],
        "family": d["family"],
        "link": d["link"],
        "exposure": d["exposure"],
        "weights": d["weights"],
        "n": d["n"],
        "df_resid": d["df_resid"],
        "confidence_level": d["confidence_level"],
        "terms": terms,
        "loglik": d["loglik"],
        "aic": d["aic"],
        "deviance": d["deviance"],
        "method": d["method"],
        "excluded_rows": d["excluded_rows"],
        "warnings": d["warnings"],
    }
    if fit.family == "negbin":
        out["theta"] = d["theta"]
        out["theta_se"] = d["theta_se"]
    if fit.family == "gaussian":
        out["sigma"] = float(f"{fit.scale ** 0.5:.12g}")
    if d["overdispersion"] is not None:
        od = d["overdispersion"]
        out["overdispersion"] = {"test": od["method"], "statistic": od["statistic"], "df": od["df"],
                                 "p": od["pvalue"], "estimate": (od["estimate"] or {}).get("estimate")}
    return out


def _as_text(fit) -> str:
    from serostudy import _format as F

    lvl = f"{fit.confidence_level * 100:g}%"
    exp_name = next((t.exp_name for t in fit.terms if t.exp_name), None)
    head = ["term", "estimate", "se", f"{lvl} CI", fit.terms[0].statistic_name if fit.terms else "z", "p"]
    if exp_name:
        head += [exp_name, f"{lvl} CI"]
    rows = []
    for t in fit.terms:
        r = [t.term, f"{t.estimate:.4g}", f"{t.se:.4g}", f"{t.ci.low:.4g} to {t.ci.high:.4g}",
             f"{t.statistic:.3f}", F.pvalue(t.pvalue)]
        if exp_name:
            r += ([f"{t.exp_estimate:.4g}", f"{t.exp_ci.low:.4g} to {t.exp_ci.high:.4g}"]
                  if t.exp_estimate is not None and t.exp_ci is not None else ["", ""])
        rows.append(r)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    lines = [f"{fit.method}", f"formula: {fit.formula}    n = {fit.n}" +
             (f"    exposure (offset): log({fit.exposure})" if fit.exposure else ""), ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    lines.append("")
    extra = f"log-likelihood = {fit.loglik:.4f}    AIC = {fit.aic:.2f}"
    if fit.theta is not None:
        extra += f"    theta = {fit.theta:.4g} (SE {fit.theta_se:.3g})"
    lines.append(extra)
    if fit.overdispersion is not None:
        od = fit.overdispersion
        lines.append(f"{od.method}: {od.statistic_name} = {od.statistic:.3f}, df = {od.df:g}, p = {F.pvalue(od.pvalue)}"
                     + (f"; {od.estimate.name} = {od.estimate.estimate:.3f}" if od.estimate and
                        od.estimate.name.startswith("dispersion") else ""))
    for w in fit.warnings:
        lines.append(f"note: {w}")
    return "\n".join(lines)
