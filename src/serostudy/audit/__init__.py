"""Audit a paper's printed statistics, and make synthetic data consistent with them.

Public API
----------
load_summary
    Read a published-summary YAML file (numbers kept as printed strings).
audit
    Run every applicable check -> :class:`AuditReport` of :class:`Finding` objects.
render_html, render_json
    The report as a self-contained HTML page or JSON text.
synthesize
    Individual-level synthetic data reproducing a printed Table 1 ->
    :class:`SynthResult` (``.data`` DataFrame and a cell-by-cell match report).
audit_stage
    Pipeline stage producing the report section ``"audit"``.

Single checks are available too (``check_ttest``, ``grim_consistent``, ...), each
taking printed numbers as :class:`Printed` intervals (see :func:`parse_printed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from serostudy._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from serostudy.audit._checks import (
        VERDICTS,
        Finding,
        Variant,
        check_anova,
        check_carlisle,
        check_contingency,
        check_correlation,
        check_count_total,
        check_grim,
        check_grimmer,
        check_identity,
        check_order,
        check_percent,
        check_percent_total,
        check_printed_statistic,
        check_sd_range,
        check_subgroup,
        check_t_statistic,
        check_ttest,
        grim_consistent,
        grimmer_consistent,
        sd_bounds,
        ttest_p_range,
    )
    from serostudy.audit._interval import Printed, parse_printed
    from serostudy.audit._render import render_fragment, render_html, render_json
    from serostudy.audit._run import AuditReport, audit, load_seed, seed_summary_path
    from serostudy.audit._schema import PublishedSummary, load_summary
    from serostudy.audit._stage import audit_stage
    from serostudy.audit._synth import CellMatch, DerivedCategory, SynthResult, sprite, synthesize

_EXPORTS = {
    "AuditReport": "serostudy.audit._run",
    "CellMatch": "serostudy.audit._synth",
    "SynthResult": "serostudy.audit._synth",
    "Finding": "serostudy.audit._checks",
    "Printed": "serostudy.audit._interval",
    "PublishedSummary": "serostudy.audit._schema",
    "VERDICTS": "serostudy.audit._checks",
    "Variant": "serostudy.audit._checks",
    "audit": "serostudy.audit._run",
    "audit_stage": "serostudy.audit._stage",
    "check_anova": "serostudy.audit._checks",
    "check_carlisle": "serostudy.audit._checks",
    "check_contingency": "serostudy.audit._checks",
    "check_correlation": "serostudy.audit._checks",
    "check_count_total": "serostudy.audit._checks",
    "check_grim": "serostudy.audit._checks",
    "check_grimmer": "serostudy.audit._checks",
    "check_identity": "serostudy.audit._checks",
    "check_percent": "serostudy.audit._checks",
    "check_order": "serostudy.audit._checks",
    "check_percent_total": "serostudy.audit._checks",
    "check_printed_statistic": "serostudy.audit._checks",
    "check_t_statistic": "serostudy.audit._checks",
    "check_sd_range": "serostudy.audit._checks",
    "check_subgroup": "serostudy.audit._checks",
    "check_ttest": "serostudy.audit._checks",
    "grim_consistent": "serostudy.audit._checks",
    "grimmer_consistent": "serostudy.audit._checks",
    "load_seed": "serostudy.audit._run",
    "load_summary": "serostudy.audit._schema",
    "parse_printed": "serostudy.audit._interval",
    "render_fragment": "serostudy.audit._render",
    "render_html": "serostudy.audit._render",
    "render_json": "serostudy.audit._render",
    "sd_bounds": "serostudy.audit._checks",
    "seed_summary_path": "serostudy.audit._run",
    "sprite": "serostudy.audit._synth",
    "synthesize": "serostudy.audit._synth",
    "DerivedCategory": "serostudy.audit._synth",
    "ttest_p_range": "serostudy.audit._checks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = [
    "AuditReport",
    "CellMatch",
    "SynthResult",
    "Finding",
    "Printed",
    "PublishedSummary",
    "VERDICTS",
    "Variant",
    "audit",
    "audit_stage",
    "check_anova",
    "check_carlisle",
    "check_contingency",
    "check_correlation",
    "check_count_total",
    "check_grim",
    "check_grimmer",
    "check_identity",
    "check_percent",
    "check_order",
    "check_percent_total",
    "check_printed_statistic",
    "check_t_statistic",
    "check_sd_range",
    "check_subgroup",
    "check_ttest",
    "grim_consistent",
    "grimmer_consistent",
    "load_seed",
    "load_summary",
    "parse_printed",
    "render_fragment",
    "render_html",
    "render_json",
    "sd_bounds",
    "seed_summary_path",
    "sprite",
    "synthesize",
    "DerivedCategory",
    "ttest_p_range",
]
