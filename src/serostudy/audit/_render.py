"""The audit report as HTML (jinja2, autoescaped) and JSON.

Every string that comes from the summary file (study name, notes, printed numbers,
variable names) goes through jinja2's autoescape: a ``<script>`` in a study title is
shown as text.  The page is self-contained (inline CSS, no network).
"""

from __future__ import annotations

import math

from jinja2 import Environment

from serostudy.audit._checks import Finding
from serostudy.audit._run import AuditReport

__all__ = ["render_html", "render_fragment", "render_json", "VERDICT_LABELS"]

VERDICT_LABELS = {
    "consistent": "consistent",
    "consistent_under_variant": "consistent only under a variant",
    "inconsistent": "inconsistent",
    "gross": "gross (significance flips)",
    "not_checkable": "not checkable",
}

CHECK_LABELS = {
    "t_test": "t-test p from means, SDs, n",
    "anova": "ANOVA p from group summaries",
    "contingency": "chi-square / Fisher p from counts",
    "correlation": "correlation p from r and n",
    "statistic": "p from printed statistic (statcheck)",
    "percent": "percentage vs count and n",
    "count_total": "counts add up to n",
    "percent_total": "percentages add up to 100",
    "order": "min <= quartiles <= max, mean within range",
    "t_statistic": "printed t from means, SDs, n",
    "grim": "GRIM (mean of grid data)",
    "grimmer": "GRIMMER (SD of grid data)",
    "sd_range": "SD possible given min, max, mean",
    "subgroup_mean": "subgroup means pool to overall",
    "subgroup_sd": "subgroup SDs pool to overall",
    "identity": "declared identity",
    "carlisle": "Carlisle-Stouffer baseline screen",
}

_FRAGMENT = """\
<section class="audit">
<p class="audit-summary">{{ n }} checks of the printed numbers{% if study %} of <em>{{ study }}</em>{% endif %}:
{% for v, k in nonzero %}<span class="v-{{ v }}">{{ k }} {{ labels[v] }}</span>{% if not loop.last %}; {% endif %}{% endfor %}.
Each printed number is taken as the interval of values that round to it; p-values are
recomputed over those intervals (alpha = {{ alpha }} for "gross").</p>
{% if flagged %}<h3>What does not add up</h3>
<ul class="audit-flagged">{% for f in flagged %}<li class="v-{{ f.verdict }}"><strong>{{ labels[f.verdict] }}</strong>: {{ f.explanation }} <code>{{ f.item }}</code></li>{% endfor %}</ul>
<h3>All checks</h3>{% endif %}
<table class="audit-findings">
<thead><tr><th>Check</th><th>What</th><th>Printed</th><th>Recomputed</th><th>Variants tried</th><th>Verdict</th><th>Why</th></tr></thead>
<tbody>
{% for f in findings %}<tr class="v-{{ f.verdict }}">
<td>{{ checks.get(f.check, f.check) }}</td>
<td><code>{{ f.item }}</code>{% if f.variable %}<br>{{ f.variable }}{% if f.group %} ({{ f.group }}){% endif %}{% endif %}</td>
<td>{{ f.printed }}</td>
<td>{{ fmt_range(f.low, f.high) }}</td>
<td>{% for v in f.variants %}<span class="{{ 'match' if v.matches else 'nomatch' }}">{{ v.name }}: {{ fmt_range(v.low, v.high) }}{% if not v.primary %} (variant){% endif %}</span>{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ labels[f.verdict] }}</td>
<td>{{ f.explanation }}</td>
</tr>
{% endfor %}</tbody>
</table>
{% if notes %}<h3>Transcription notes</h3><ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
</section>
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Audit{% if study %}: {{ study }}{% endif %}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 80em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
tr.v-inconsistent td, span.v-inconsistent, li.v-inconsistent { background: #fde2e1; }
tr.v-gross td, span.v-gross, li.v-gross { background: #f8b4b0; }
tr.v-consistent_under_variant td, span.v-consistent_under_variant { background: #fff3cd; }
tr.v-not_checkable td { color: #777; }
span.match { font-weight: bold; }
code { font-size: 0.85em; }
</style>
</head>
<body>
<h1>Audit of printed statistics</h1>
{% if study %}<p><strong>{{ study }}</strong></p>{% endif %}
{% if source %}<p>{{ source }}</p>{% endif %}
{{ fragment }}
<p><small>serostudy {{ version }} &middot; verdicts: consistent / consistent only under a variant /
inconsistent / gross / not checkable (see docs/audit.md).</small></p>
</body>
</html>
"""


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    if x != 0 and abs(x) < 1e-4:
        return f"{x:.2g}"
    return f"{x:.4g}"


def _fmt_range(lo: float | None, hi: float | None) -> str:
    a, b = _fmt(lo), _fmt(hi)
    return a if a == b else f"{a} to {b}"


def _env() -> Environment:
    env = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
    env.globals.update(fmt_range=_fmt_range, labels=VERDICT_LABELS, checks=CHECK_LABELS)
    return env


def render_fragment(report: AuditReport, *, findings: tuple[Finding, ...] | None = None) -> str:
    """The findings table as an HTML fragment (for the study report's audit section)."""
    fs = report.findings if findings is None else findings
    return _env().from_string(_FRAGMENT).render(
        n=len(fs), study=report.study, nonzero=[(v, k) for v, k in report.counts().items() if k], alpha=report.alpha,
        findings=fs, notes=report.notes, flagged=[f for f in fs if f.flagged],
    )


def render_html(report: AuditReport) -> str:
    """A self-contained HTML page of the audit.

    Examples
    --------
    >>> from serostudy.audit import audit, seed_summary_path
    >>> html = render_html(audit(seed_summary_path()))
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    from markupsafe import Markup

    from serostudy._version import __version__

    return _env().from_string(_PAGE).render(
        study=report.study, source=report.source, fragment=Markup(render_fragment(report)), version=__version__
    )


def render_json(report: AuditReport) -> str:
    """The audit as JSON text (deterministic; schema ``serostudy-audit-report/1``)."""
    return report.to_json() + "\n"
