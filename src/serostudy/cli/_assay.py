"""`serostudy assay ...` commands: fit a standard curve; quantify plates.

Heavy imports (numpy, pandas, scipy, matplotlib) happen inside the handlers.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from serostudy.assay._curves import CurveModel


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `assay` command group."""
    p = sub.add_parser("assay", help="ELISA plates: fit standard curves, quantify samples with QC.",
                       description="ELISA plates: fit standard curves, quantify samples with QC (docs/assay.md).")
    asub = p.add_subparsers(dest="assay_command", metavar="SUBCOMMAND")

    f = asub.add_parser("fit", help="Fit a 4PL/5PL curve to standards in a CSV file.",
                        description="Fit a 4PL or 5PL standard curve and print the parameters with standard "
                                    "errors and the residual SD.")
    f.add_argument("standards", metavar="STANDARDS.csv", help="CSV with one row per standard well.")
    f.add_argument("--conc", required=True, metavar="COL", help="Column with the nominal concentration.")
    f.add_argument("--response", required=True, metavar="COL", help="Column with the response (OD).")
    f.add_argument("--model", choices=["4pl", "5pl"], default="4pl")
    f.add_argument("--weights", choices=["none", "1/y", "1/y2", "1/var"], default="none")
    f.add_argument("--json", action="store_true", help="Print JSON (keys bottom, top, ec50, hill, ...).")
    f.set_defaults(handler=_fit)

    q = asub.add_parser("quantify", help="Quantify plates: concentrations, QC and plots.",
                        description="Read plate-reader files, fit each plate's standard curve, apply the QC rule "
                                    "set and write concentrations, QC tables and curve plots.")
    q.add_argument("plates", nargs="+", metavar="PLATE", help="Plate-reader export(s).")
    q.add_argument("--layout", required=True, action="append", metavar="FILE",
                   help="Plate layout (TOML); give once for all plates or once per plate.")
    q.add_argument("--out", required=True, metavar="DIR", help="Output folder.")
    q.add_argument("--format", choices=["auto", "grid", "mars", "gen5", "softmax"], default="auto")
    q.add_argument("--model", choices=["4pl", "5pl"], default="4pl")
    q.add_argument("--weights", choices=["none", "1/y", "1/y2", "1/var"], default="1/y2")
    q.add_argument("--blank", choices=["zero-standard", "subtract", "none"], default="zero-standard")
    q.add_argument("--rules", default="ich-m10-lba", help="QC rule set (default ich-m10-lba).")
    q.add_argument("--unit", default=None, help="Report concentrations in this unit (default: the layout's).")
    q.set_defaults(handler=_quantify)
    p.set_defaults(handler=lambda args: (p.print_help(), 0)[1])


def _fit(args: argparse.Namespace) -> int:
    import json
    import math

    import pandas as pd

    from serostudy.assay import fit_curve
    from serostudy.exceptions import AssayError, FitError

    try:
        df = pd.read_csv(args.standards)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise AssayError(f"cannot read as CSV ({exc})", file=args.standards) from None
    for col in (args.conc, args.response):
        if col not in df.columns:
            raise AssayError(f"no column {col!r}; columns are {list(df.columns)}", file=args.standards, column=col)
    x = pd.to_numeric(df[args.conc], errors="coerce")
    y = pd.to_numeric(df[args.response], errors="coerce")
    for col, raw, num in ((args.conc, df[args.conc], x), (args.response, df[args.response], y)):
        bad = num.isna() & raw.notna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise AssayError(f"found {raw.iloc[i]!r}, expected a number", file=args.standards, row=i + 2, column=col)
    fit = fit_curve(x.to_numpy(), y.to_numpy(), model=args.model, weights=args.weights)
    d = fit.to_dict()
    other: CurveModel = "5pl" if args.model == "4pl" else "4pl"
    try:
        d[f"aic_{other}"] = fit_curve(x.to_numpy(), y.to_numpy(), model=other, weights=args.weights).aic
    except (AssayError, FitError):
        d[f"aic_{other}"] = float("nan")
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}, indent=2))
        return 0
    names = ["bottom", "top", "ec50", "hill"] + (["asymmetry"] if args.model == "5pl" else [])
    print(f"{args.model.upper()} fit to {fit.n} points (weights {args.weights})")
    print(f"{'parameter':<10} {'estimate':>14} {'std. error':>14}")
    for n in names:
        print(f"{n:<10} {d[n]:>14.6g} {d['se_' + n]:>14.6g}")
    print(f"residual SD {fit.residual_sd:.6g} on {fit.df_residual} df; AIC {fit.aic:.4f} "
          f"({other.upper()} on the same data: AIC {d[f'aic_{other}']:.4f})")
    for note in fit.notes:
        print(f"note: {note}")
    return 0


def _quantify(args: argparse.Namespace) -> int:

    import pandas as pd

    from serostudy.assay import combine_samples, convert, quantify_plate, read_layout, read_plate
    from serostudy.assay._quantify import plate_names
    from serostudy.assay._report import curve_figure
    from serostudy.exceptions import AssayError

    if len(args.layout) not in (1, len(args.plates)):
        raise AssayError(f"give --layout once for all plates or once per plate; got {len(args.layout)} layouts "
                         f"for {len(args.plates)} plates")
    layouts = args.layout * len(args.plates) if len(args.layout) == 1 else args.layout
    from serostudy._outdir import check_out_dir, output_folder

    check_out_dir(args.out)  # refuse a bad --out before reading the plates
    readings = [read_plate(p, format=args.format) for p in args.plates]
    lays = [read_layout(lay) for lay in layouts]
    names = plate_names(list(args.plates), lays)
    results = [
        quantify_plate(rd, lay, model=args.model, weights=args.weights, blank=args.blank, rules=args.rules, name=nm)
        for rd, lay, nm in zip(readings, lays, names)
    ]
    samples = combine_samples(results)
    if args.unit and len(samples):
        for col in ("concentration", "ci_low", "ci_high", "limit"):
            samples[col] = [float(convert(v, u, args.unit)) for v, u in zip(samples[col], samples["unit"])]
        samples["unit"] = args.unit
        samples["reported"] = [
            (f"<{lim:.3g}" if c == "<LLOQ" else f">{lim:.3g}" if c == ">ULOQ" else (f"{v:.3g}" if v == v else ""))
            for c, lim, v in zip(samples["censored"], samples["limit"], samples["concentration"])
        ]
    with output_folder(args.out) as out:  # written whole, or not at all
        from serostudy._paths import OutputFolder
        from serostudy._render.export import write_frame_csv

        folder = OutputFolder(out, reserved=("concentrations.csv", "qc.csv", "standards.csv", "wells.csv"))

        def write(df: pd.DataFrame, name: str) -> None:
            write_frame_csv(df, folder.path(name))

        write(samples, "concentrations.csv")
        write(pd.concat([r.qc_table for r in results], ignore_index=True), "qc.csv")
        write(pd.concat([r.standards.assign(plate=r.plate) for r in results], ignore_index=True), "standards.csv")
        write(pd.concat([r.wells.assign(plate=r.plate) for r in results], ignore_index=True), "wells.csv")
        for r in results:
            fig = curve_figure(r)
            # plate names come from file names and layouts: slugged, distinct, checked inside --out
            stem = folder.stem(f"curve_{r.plate}", (".png", ".svg"))
            fig.savefig(folder.path(f"{stem}.png"), dpi=150)
            fig.savefig(folder.path(f"{stem}.svg"))
    for r in results:
        status = "accepted" if r.passed else "REJECTED"
        print(f"{r.plate}: {status}; LLOQ {r.lloq:g}, ULOQ {r.uloq:g} {r.unit}")
        for why in r.reasons:
            print(f"  reason: {why}")
        for w in r.warnings:
            print(f"  warning: {w}")
    if len(samples):
        n = samples["censored"].value_counts()
        print(f"{len(samples)} samples: {int((samples['passed'] & (samples['censored'] == '')).sum())} quantified, "
              f"{int(n.get('<LLOQ', 0))} <LLOQ, {int(n.get('>ULOQ', 0))} >ULOQ, "
              f"{int((~samples['passed']).sum())} without a value")
    print(f"wrote {args.out}/concentrations.csv, qc.csv, standards.csv, wells.csv and curve plots")
    return 0
