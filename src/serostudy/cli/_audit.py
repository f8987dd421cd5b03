"""`serostudy audit FILE ...`: audit a paper's printed statistics.

Examples::

    serostudy audit paper.yaml --out audit/          # audit.html + audit.json
    serostudy audit paper.yaml --json                # JSON on stdout
    serostudy audit --seed-paper --json              # the packaged seed paper
    serostudy audit paper.yaml --synth data.csv --seed 1   # synthetic data + cells report
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `audit` command."""
    p = sub.add_parser(
        "audit",
        help="audit a paper's printed statistics (p-values, GRIM, GRIMMER, percentages, ...)",
        description=(
            "Recompute every printed test and check every number that must agree, from a "
            "published-summary YAML file (format: docs/audit.md). Writes an HTML page and JSON "
            "with --out, or JSON to stdout with --json."
        ),
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="published-summary YAML file")
    p.add_argument("--seed-paper", action="store_true", help="audit the packaged seed paper (Baradaran et al. 2025)")
    p.add_argument("--out", metavar="DIR", help="write audit.html and audit.json into DIR")
    p.add_argument("--json", action="store_true", help="print the audit as JSON to stdout")
    p.add_argument("--alpha", type=float, default=None, help="significance level for 'gross' verdicts (default: the file's, 0.05)")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when any number is inconsistent")
    p.add_argument("--synth", metavar="CSV", help="also write synthetic individual-level data reproducing the summary")
    p.add_argument("--seed", type=int, default=0, help="seed for --synth (default 0)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from serostudy.audit import audit, load_summary, render_html, render_json, seed_summary_path
    from serostudy.exceptions import InputError

    if args.seed_paper == (args.file is not None):
        raise InputError("give either FILE or --seed-paper (exactly one)")
    if args.alpha is not None and not (0 < args.alpha < 1):
        raise InputError(f"--alpha must be between 0 and 1, got {args.alpha}")
    path = seed_summary_path() if args.seed_paper else Path(args.file)
    if args.out:
        from serostudy._outdir import check_out_dir, output_folder

        check_out_dir(args.out)  # refuse a bad --out before the work
    summary = load_summary(path)
    report = audit(summary, alpha=args.alpha)
    if args.out:
        with output_folder(args.out) as out:  # written whole, or not at all
            (out / "audit.html").write_text(render_html(report), encoding="utf-8")
            (out / "audit.json").write_text(render_json(report), encoding="utf-8")
    if args.synth:
        from serostudy._render.export import write_frame_csv
        from serostudy.audit import synthesize

        res = synthesize(summary, seed=args.seed, report=report)
        write_frame_csv(res.data, args.synth)
        cells_path = Path(args.synth).with_suffix(".cells.csv")
        write_frame_csv(res.report(), cells_path)
        print(f"synthetic data: {args.synth} ({len(res.data)} rows); {len(res.matched)}/{len(res.cells)} "
              f"printed cells matched, report in {cells_path}", file=sys.stderr)
    if args.json:
        sys.stdout.write(render_json(report))
    if not args.json:
        c = report.counts()
        print(
            f"{len(report.findings)} checks: {c['consistent']} consistent, {c['consistent_under_variant']} only under "
            f"a variant, {c['inconsistent']} inconsistent, {c['gross']} gross, {c['not_checkable']} not checkable"
            + (f"; written to {args.out}" if args.out else ""),
        )
    return 1 if args.strict and report.flagged else 0
