"""`serostudy core ...` commands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `core` command group (filled in by its issue)."""
    return None
