"""Assay figures (one standard curve per plate) and the report's HTML fragment.

Renderers only: no statistics here.  Every user string goes through jinja2 autoescape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from serostudy.assay._quantify import PlateResult


def curve_figure(res: "PlateResult") -> "Figure":
    """Standards (accepted filled, rejected open), fitted curve, samples, LLOQ/ULOQ lines."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    w = res.wells
    std = w[(w["role"] == "standard") & w["used"]].merge(
        res.standards[["id", "nominal", "passed"]], on="id", how="left")
    ok = std["passed"] == True  # noqa: E712
    ax.scatter(std.loc[ok, "nominal"], std.loc[ok, "response"], s=28, color="#1f4e79", label="standards (accepted)", zorder=3)
    if (~ok).any():
        ax.scatter(std.loc[~ok & (std["nominal"] > 0), "nominal"], std.loc[~ok & (std["nominal"] > 0), "response"],
                   s=36, facecolors="none", edgecolors="#c0392b", label="standards (rejected)", zorder=3)
    pos = std.loc[std["nominal"] > 0, "nominal"]
    lo = float(pos.min()) / 2 if len(pos) else 1.0
    hi = float(pos.max()) * 2 if len(pos) else 100.0
    if res.curve is not None:
        xs = np.geomspace(lo, hi, 200)
        ax.plot(xs, res.curve.predict(xs), color="#1f4e79", lw=1.2, label=f"{res.curve.model.upper()} fit")
    s = res.samples
    q = s[(s["censored"] == "") & s["concentration"].notna()]
    if len(q):
        ax.scatter(q["concentration"] / q["dilution"], q["mean_response"], s=14, marker="D", color="#7f8c8d",
                   label="samples (in range)", zorder=2)
    for side, x in (("<LLOQ", res.lloq), (">ULOQ", res.uloq)):
        c = s[s["censored"] == side]
        if len(c) and np.isfinite(x):
            ax.scatter(np.full(len(c), x), c["mean_response"], s=16, marker="<" if side == "<LLOQ" else ">",
                       color="#e67e22", label=f"samples {side}", zorder=2)
    for name, x in (("LLOQ", res.lloq), ("ULOQ", res.uloq)):
        if np.isfinite(x):
            ax.axvline(x, ls="--", lw=0.8, color="#555555")
            ax.text(x, ax.get_ylim()[1], f" {name} {x:g}", rotation=90, va="top", ha="right", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel(f"Concentration in the well ({res.unit})")
    ax.set_ylabel("Optical density")
    status = "accepted" if res.passed else "REJECTED"
    ax.set_title(f"{res.plate}: {status}", fontsize=10)
    ax.legend(fontsize=7, loc="best", frameon=False)
    fig.tight_layout()
    return fig


_TEMPLATE = """
<p>{{ n_plates }} plate(s) read; {{ n_passed }} accepted under QC rule set <strong>{{ rules }}</strong>.
Curve: {{ model }} fitted by weighted least squares (weights {{ weights }}); blanks: {{ blank }}.
Back-calculated concentrations carry a {{ level }} interval (delta method on the log scale).
Results below the lowest or above the highest accepted standard are censored, never extrapolated.</p>
<table class="assay-plates">
<thead><tr><th>Plate</th><th>Status</th><th>bottom</th><th>top</th><th>ec50</th><th>hill</th>{% if show_asym %}<th>asymmetry</th>{% endif %}<th>Residual SD</th><th>AIC 4PL / 5PL</th><th>LLOQ</th><th>ULOQ</th><th>Reasons / warnings</th></tr></thead>
<tbody>
{% for p in plates %}<tr><td>{{ p.plate }}</td><td>{{ p.status }}</td><td>{{ p.bottom }}</td><td>{{ p.top }}</td><td>{{ p.ec50 }}</td><td>{{ p.hill }}</td>{% if show_asym %}<td>{{ p.asymmetry }}</td>{% endif %}<td>{{ p.rsd }}</td><td>{{ p.aic }}</td><td>{{ p.lloq }}</td><td>{{ p.uloq }}</td><td>{{ p.notes }}</td></tr>
{% endfor %}</tbody></table>
<h4>QC</h4>
<table class="assay-qc">
<thead><tr><th>Plate</th><th>Rule</th><th>Subject</th><th>Value</th><th>Limit</th><th>Result</th><th>Reason</th></tr></thead>
<tbody>
{% for r in qc %}<tr><td>{{ r.plate }}</td><td>{{ r.rule }}</td><td>{{ r.subject }}</td><td>{{ r.value }}</td><td>{{ r.limit }}</td><td>{{ r.result }}</td><td>{{ r.reason }}</td></tr>
{% endfor %}</tbody></table>
<ul>{% for line in rules_text %}{% if line %}<li>{{ line }}</li>{% endif %}{% endfor %}</ul>
<h4>Censored values and how the analysis treats them</h4>
<p>{{ n_below }} result(s) below the LLOQ and {{ n_above }} above the ULOQ. {{ censor_policy }}</p>
{% if censored %}<table class="assay-censored"><thead><tr><th>Sample</th><th>Plate</th><th>Reported</th></tr></thead><tbody>
{% for c in censored %}<tr><td>{{ c.id }}</td><td>{{ c.plate }}</td><td>{{ c.reported }} {{ unit }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if not_reported %}<h4>Samples without a reported value</h4>
<table class="assay-missing"><thead><tr><th>Sample</th><th>Plate</th><th>Status</th><th>Reason</th></tr></thead><tbody>
{% for c in not_reported %}<tr><td>{{ c.id }}</td><td>{{ c.plate }}</td><td>{{ c.status }}</td><td>{{ c.reason }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if notes %}<ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
"""


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None:
        return ""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "" if not np.isfinite(f) else f"{f:.{digits}g}"


def assay_html(
    results: list["PlateResult"],
    samples: Any,
    *,
    model: str,
    weights: str,
    blank: str,
    censor_policy: str,
    not_reported: list[dict[str, Any]],
    notes: list[str],
    unit: str,
    confidence_level: float = 0.95,
) -> str:
    """The assay section's HTML fragment (jinja2, autoescaped)."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    plates = []
    for r in results:
        p = r.curve.params if r.curve is not None else None
        plates.append({
            "plate": r.plate, "status": "accepted" if r.passed else "rejected",
            "bottom": _fmt(p.bottom) if p else "", "top": _fmt(p.top) if p else "",
            "ec50": _fmt(p.ec50) if p else "", "hill": _fmt(p.hill) if p else "",
            "asymmetry": _fmt(p.asymmetry) if p else "",
            "rsd": _fmt(r.curve.residual_sd) if r.curve is not None else "",
            "aic": " / ".join(_fmt(r.aic.get(m), 5) for m in ("4pl", "5pl")),
            "lloq": _fmt(r.lloq), "uloq": _fmt(r.uloq),
            "notes": "; ".join([*r.reasons, *r.warnings, *r.fit_notes]),
        })
    qc = []
    for r in results:
        for row in r.qc_table.itertuples(index=False):
            qc.append({"plate": row.plate, "rule": row.rule, "subject": row.subject, "value": _fmt(row.value),
                       "limit": row.limit, "result": "pass" if row.passed else "FAIL", "reason": row.reason})
    cens = samples[samples["censored"] != ""] if len(samples) else samples
    return env.from_string(_TEMPLATE).render(
        n_plates=len(results), n_passed=sum(r.passed for r in results),
        rules=results[0].rules.label if results else "", model=model.upper(), weights=weights, blank=blank,
        level=f"{confidence_level:.0%}", plates=plates, show_asym=model == "5pl", qc=qc,
        rules_text=results[0].rules.describe() if results else [],
        n_below=int((samples["censored"] == "<LLOQ").sum()) if len(samples) else 0,
        n_above=int((samples["censored"] == ">ULOQ").sum()) if len(samples) else 0,
        censor_policy=censor_policy,
        censored=[{"id": c.id, "plate": c.plate, "reported": c.reported} for c in cens.itertuples()],
        not_reported=not_reported, notes=notes, unit=unit,
    )
