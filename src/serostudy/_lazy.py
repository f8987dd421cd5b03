"""Lazy public namespaces (PEP 562).

A package ``__init__`` lists its public names and the private module each lives in;
the module is imported on first attribute access. This keeps ``import serostudy.assay``
(and so ``serostudy --help`` and loading a ``study.yaml``) free of numpy, pandas, scipy
and matplotlib until a function that needs them is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package
        The package's ``__name__`` (used in the ``AttributeError`` message).
    exports
        Public name -> module that defines it.
    namespace
        The package's ``globals()``; a resolved name is cached there.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
