"""`serostudy assay ...` commands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `assay` command group (filled in by its issue)."""
    return None
