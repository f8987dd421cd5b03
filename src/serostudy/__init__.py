"""serostudy: a clinical biomarker study from raw data to a paper-ready result.

The public API is small and imported lazily (so ``import serostudy`` and the CLI stay
fast):

* :func:`table1` -- Table 1 of a DataFrame by group, with tests and effect sizes;
* :func:`table2` -- Table 2 of a DataFrame: correlations with an exposure within a group;
* :func:`run_study` -- run a ``study.yaml`` end to end into an output folder;
* :func:`load_config` -- read and validate a ``study.yaml``;
* :mod:`serostudy.stats` -- the validated statistical functions;
* :mod:`serostudy.exceptions` -- every error and warning.

Optional parts live in their own namespaces: :mod:`serostudy.assay`,
:mod:`serostudy.clinical`, :mod:`serostudy.models`, :mod:`serostudy.audit`.
"""

from __future__ import annotations

from typing import Any

from serostudy._version import __version__

__all__ = ["__version__", "table1", "table2", "run_study", "load_config", "read_data_frame", "DisplayTable", "Record"]

_LAZY = {
    "table1": ("serostudy._analysis.api", "table1"),
    "table2": ("serostudy._analysis.api", "table2"),
    "read_data_frame": ("serostudy._analysis.api", "read_data_frame"),
    "run_study": ("serostudy._pipeline", "run_study"),
    "load_config": ("serostudy._io.config", "load_config"),
    "DisplayTable": ("serostudy._tables", "DisplayTable"),
    "Record": ("serostudy._records", "Record"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'serostudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__ + ["stats", "exceptions", "assay", "clinical", "models", "audit"])
