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
    except OSError as exc:  # files and folders: name the path, never a traceback
        _report_error(exc, _os_error_text(exc))
        return 2
    except MemoryError as exc:
        _report_error(exc, "out of memory; the input is too large for this machine "
                      "(nothing was written to --out)")
        return 2


def _os_error_text(exc: OSError) -> str:
    """``path: reason`` for an operating-system error (full disk, read-only, no permission)."""
    what = exc.strerror or str(exc)
    paths = [str(p) for p in (exc.filename, getattr(exc, "filename2", None)) if p is not None]
    return f"{' -> '.join(paths)}: {what}" if paths else what


def _report_error(exc: BaseException, text: str | None = None) -> None:
    """Print one error line on stderr: ``serostudy: error: <message>``.

    With the environment variable ``SEROSTUDY_ERROR_FORMAT=json`` the line is instead
    one JSON object, ``{"error": <class name>, "message": ..., "file": ..., "row": ...,
    "column": ..., "key": ...}``, for programs that drive the command line (the
    hostile-input corpus in ``tests/hostile/`` checks the exact error class this way).
    """
    import os

    message = str(exc) if text is None else text
    if os.environ.get("SEROSTUDY_ERROR_FORMAT", "").lower() == "json":
        import json

        doc: dict[str, object] = {"error": type(exc).__name__, "message": message}
        for attr in ("file", "row", "column", "key"):
            value = getattr(exc, attr, None)
            if attr == "file" and value is None:
                value = getattr(exc, "filename", None)  # OSError
            doc[attr] = value if isinstance(value, (int, str)) or value is None else str(value)
        print(json.dumps(doc, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"serostudy: error: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
