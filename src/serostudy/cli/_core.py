"""`serostudy demo`, `serostudy run` and `serostudy table1`."""

from __future__ import annotations

import argparse
import sys
from typing import get_args

from serostudy._typing import CategoricalTest  # the config's vocabulary (typing only: --help stays fast)


def _seed(text: str) -> int:
    """``--seed``: a whole number 0 to 2**32 - 1, as ``study.seed`` (argparse reports the error)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number 0 to 4294967295, got {text[:40]!r}") from None
    if not 0 <= value <= 2**32 - 1:
        raise argparse.ArgumentTypeError(f"must be a whole number 0 to 4294967295, got {value}")
    return value

def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the embedded synthetic demo study (B12 in NMOSD vs controls)",
        description="Run the embedded demo study: synthetic data shaped after a published "
        "B12-NMOSD study, from raw files to report.html, tables, figures and results.json.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--seed", type=_seed, default=None, help="override the study seed (0 to 4294967295)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=_demo)

    p = sub.add_parser(
        "run",
        help="run a study from its study.yaml",
        description="Run a study: read the data named in STUDY.yaml, analyse, write the output folder.",
    )
    p.add_argument("study", metavar="STUDY.yaml")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--seed", type=_seed, default=None, help="override study.seed (0 to 4294967295)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=_run)

    p = sub.add_parser(
        "table1",
        help="one-shot Table 1 of a data file, without a config",
        description="Table 1 of DATA by a grouping column. Variable types are inferred (numeric "
        "columns with at most 10 distinct whole numbers, and text columns, are categorical) and "
        "every inference is printed.",
    )
    p.add_argument("data", metavar="DATA", help="CSV, XLSX, SPSS .sav or Stata .dta")
    p.add_argument("--by", required=True, metavar="COLUMN", help="grouping column")
    p.add_argument("--groups", metavar="a,b",
                   help="show only these groups of --by, in this order (rows of other groups are left out and counted)")
    p.add_argument("--include", metavar="a,b,c", help="variables to show, in order (default: all but --by)")
    p.add_argument("--categorical", metavar="x,y", help="force these columns categorical")
    p.add_argument("--continuous", metavar="x,y", help="force these columns continuous")
    p.add_argument("--nonnormal", metavar="x,y", help="summarise as median [Q1, Q3] and compare by Mann-Whitney")
    p.add_argument("--test", choices=["welch", "student"], default="welch", help="t-test for continuous variables")
    p.add_argument("--categorical-test", choices=get_args(CategoricalTest), default="auto",
                   help="test for categorical variables, as tests.categorical in study.yaml: auto (chi-square "
                   "without correction if every expected count >= 5, else Fisher), chi2, chi2-yates, fisher")
    p.add_argument("--smd", action="store_true", help="add a standardized mean difference column")
    p.add_argument("--no-overall", action="store_true", help="omit the overall column")
    p.add_argument("--sheet", default=None, help="XLSX sheet name")
    p.add_argument("--encoding", default=None, metavar="NAME",
                   help="text encoding of a CSV/TSV (utf-8, utf-16, windows-1256, ...; default: detected, and printed)")
    p.add_argument("--json", action="store_true", help="print the result records (as in results.json) as JSON")
    p.add_argument("--out", metavar="DIR", help="also write table1.csv, .docx, .xlsx, .tex to DIR")
    p.set_defaults(handler=_table1)


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda msg: print(f"serostudy: {msg}", file=sys.stderr)


def _demo(args: argparse.Namespace) -> int:
    from serostudy._demo import demo_config_path, run_demo

    run = run_demo(args.out, seed=args.seed, progress=_progress(args.quiet))
    if not args.quiet:
        print(f"serostudy: SYNTHETIC demo study ({demo_config_path().name}) written to {run.out_dir}/", file=sys.stderr)
        print(f"{run.out_dir / 'report.html'}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from serostudy._pipeline import run_study

    run = run_study(args.study, out_dir=args.out, seed=args.seed, progress=_progress(args.quiet))
    if not args.quiet:
        print(f"{run.out_dir / 'report.html'}")
    return 0


def _split(s: str | None) -> list[str] | None:
    if s is None:
        return None
    return [x.strip() for x in s.split(",") if x.strip()]


def _table1(args: argparse.Namespace) -> int:
    import json

    from serostudy._analysis.api import read_data_frame, table1

    if args.out:
        from serostudy._outdir import check_out_dir

        check_out_dir(args.out)  # refuse a bad --out before the work
    df = read_data_frame(args.data, sheet=args.sheet, encoding=args.encoding)
    t = table1(
        df,
        by=args.by,
        groups=_split(args.groups),
        include=_split(args.include),
        categorical=_split(args.categorical),
        continuous=_split(args.continuous),
        nonnormal=_split(args.nonnormal),
        test=args.test,
        categorical_test=args.categorical_test,
        smd=args.smd,
        overall=not args.no_overall,
    )
    if args.json:
        doc = {"choices": list(t.choices), "footnotes": list(t.footnotes), "records": [r.to_dict() for r in t.records]}
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        for c in t.choices:
            print(f"serostudy: inferred {c}", file=sys.stderr)
        print(t)
    if args.out:
        from serostudy._outdir import output_folder

        with output_folder(args.out) as out:  # written whole, or not at all
            t.to_csv(out / "table1.csv")
            t.to_docx(out / "table1.docx")
            t.to_xlsx(out / "table1.xlsx")
            (out / "table1.tex").write_text(t.to_latex(), encoding="utf-8")
    return 0
