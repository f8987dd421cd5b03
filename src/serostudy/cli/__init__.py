"""Command-line interface: ``serostudy <command> ...``.

Each command group lives in its own module exposing ``register(subparsers)``; those
modules import nothing heavy at import time (numpy, pandas, matplotlib are imported
inside the handlers), so ``serostudy --help`` answers fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from serostudy._version import __version__

# Order = order in --help.
_COMMAND_MODULES = (
    "serostudy.cli._core",
    "serostudy.cli._assay",
    "serostudy.cli._model",
    "serostudy.cli._audit",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serostudy",
        description=(
            "Run a clinical biomarker study from raw data to a paper-ready result: "
            "plate-reader files, participant tables and a study.yaml in; a report, "
            "journal tables, figures and results.json out."
        ),
    )
    parser.add_argument("--version", action="version", version=f"serostudy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``serostudy`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 0 if args.command is None else 2
    from serostudy.exceptions import SerostudyError

    try:
        return int(args.handler(args) or 0)
    except SerostudyError as exc:
        _report_error(exc)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        _report_error(exc)
        return 2


def _report_error(exc: BaseException) -> None:
    """Print one error line on stderr: ``serostudy: error: <message>``.

    With the environment variable ``SEROSTUDY_ERROR_FORMAT=json`` the line is instead
    one JSON object, ``{"error": <class name>, "message": ..., "file": ..., "row": ...,
    "column": ..., "key": ...}``, for programs that drive the command line (the
    hostile-input corpus in ``tests/hostile/`` checks the exact error class this way).
    """
    import os

    if os.environ.get("SEROSTUDY_ERROR_FORMAT", "").lower() == "json":
        import json

        doc = {"error": type(exc).__name__, "message": str(exc)}
        for attr in ("file", "row", "column", "key"):
            value = getattr(exc, attr, None)
            if attr == "file" and value is None:
                value = getattr(exc, "filename", None)  # OSError
            doc[attr] = value if isinstance(value, (int, str)) or value is None else str(value)
        print(json.dumps(doc, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"serostudy: error: {exc}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
