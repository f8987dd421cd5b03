"""The embedded demo study (synthetic data; see :mod:`serostudy._demo.generate`)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def demo_dir() -> Path:
    """Folder of the shipped demo files (``study.yaml``, ``participants.csv``, ...)."""
    from importlib.resources import files

    return Path(str(files("serostudy") / "data" / "demo"))


def demo_config_path() -> Path:
    return demo_dir() / "study.yaml"


def run_demo(out_dir: str | Path, *, seed: int | None = None, progress: Callable[[str], None] | None = None):
    """Run the demo study into ``out_dir`` (see ``serostudy demo``)."""
    from serostudy._pipeline import run_study

    return run_study(demo_config_path(), out_dir=out_dir, seed=seed, synthetic=True, progress=progress)
