"""The audit as a pipeline stage: the report section ``"audit"``.

Enabled by an ``audit:`` entry in ``study.yaml`` naming a published-summary file
(relative to the ``study.yaml``), or ``seed-paper`` for the packaged summary of
Baradaran et al. 2025 (the demo uses it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from serostudy._stage import Section

if TYPE_CHECKING:  # pragma: no cover
    from serostudy._stage import RunContext

__all__ = ["audit_stage", "resolve_audit_path", "SEED_KEYWORD"]

SEED_KEYWORD = "seed-paper"


def resolve_audit_path(value: str, base_dir: Path) -> Path:
    """The published-summary file an ``audit:`` config entry names."""
    from serostudy.audit._run import seed_summary_path

    if value.strip() == SEED_KEYWORD:
        return seed_summary_path()
    p = Path(value)
    return p if p.is_absolute() else base_dir / p


def audit_stage(ctx: "RunContext") -> Section | None:
    """Audit the published summary named by the config's ``audit:`` entry.

    Returns ``None`` when the config has no ``audit:`` entry.  The section carries one
    record per finding (``analysis="audit"``), the findings table for CSV export
    (``audit_findings``) and the whole audit as ``payload`` (results.json).
    """
    import pandas as pd

    from serostudy._io.readers import file_sha256
    from serostudy.audit._render import VERDICT_LABELS, render_fragment
    from serostudy.audit._run import audit
    from serostudy.audit._schema import load_summary

    value = getattr(ctx.config, "audit", None)
    if not value:
        return None
    path = resolve_audit_path(str(value), ctx.base_dir)
    summary = load_summary(path, name=str(value))
    report = audit(summary)
    shown = str(value) if str(value).strip() == SEED_KEYWORD else str(value)
    ctx.inputs.append((shown, file_sha256(path)))
    table = pd.DataFrame(
        [
            {
                "check": f.check,
                "item": f.item,
                "printed": f.printed,
                "recomputed_low": f.low,
                "recomputed_high": f.high,
                "variants": "; ".join(f"{v.name}{' (match)' if v.matches else ''}" for v in f.variants),
                "verdict": VERDICT_LABELS[f.verdict],
                "explanation": f.explanation,
            }
            for f in report.findings
        ]
    )
    c = report.counts()
    choices = (
        f"Audit of the published summary {shown}: {len(report.findings)} checks, {c['inconsistent']} inconsistent, "
        f"{c['gross']} gross, {c['consistent_under_variant']} consistent only under a variant.",
    )
    return Section(
        id="audit",
        title="Audit of the published statistics",
        html=render_fragment(report),
        records=report.to_records(),
        tables={"audit_findings": table},
        choices=choices,
        payload=report.to_dict(),
        order=90,
    )
