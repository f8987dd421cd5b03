"""The embedded demo study (synthetic data; see :mod:`serostudy._demo.generate`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def demo_dir() -> Path:
    """Folder of the shipped demo files (``study.yaml``, ``participants.csv``, ...)."""
    from importlib.resources import files

    return Path(str(files("serostudy") / "data" / "demo"))


def demo_config_path() -> Path:
    return demo_dir() / "study.yaml"


def run_demo(out_dir: str | Path, *, seed: int | None = None, progress: Callable[[str], None] | None = None):
    """Run the demo study into ``out_dir`` (see ``serostudy demo``); its input files are
    copied to ``out_dir/study/`` so they can be edited and run with ``serostudy run``."""
    import shutil

    from serostudy._outdir import output_folder
    from serostudy._pipeline import _run_into, relocated

    with output_folder(out_dir) as tmp:
        run = _run_into(demo_config_path(), tmp, base_dir=None, seed=seed, synthetic=True, progress=progress)
        # the inputs, to start one's own study from: `serostudy run <out>/study/study.yaml`
        shutil.copytree(demo_dir(), tmp / "study", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return relocated(run, Path(out_dir))
