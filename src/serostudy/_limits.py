"""Limits on untrusted input, and bounded echoes of it in messages.

Everything here is documented in ``docs/security.md``; change the two together.
Loadable without pandas/numpy (used by the config loader and the CLI).
"""

from __future__ import annotations

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "MAX_ECHO_CHARS",
    "MAX_FORMULA_CHARS",
    "MAX_FORMULA_DEPTH",
    "MAX_YAML_ALIASES",
    "MAX_YAML_NODES",
    "clip",
]

#: Largest ``study.yaml`` / audit YAML / plate layout accepted, in bytes (1 MiB).
MAX_CONFIG_BYTES = 1024 * 1024
#: Deepest nesting of mappings/lists accepted in a YAML or TOML document.
MAX_CONFIG_DEPTH = 64
#: Most alias uses (``*name``) a YAML document may contain; anchors are allowed so a
#: hand-written config can reuse a block, but an alias bomb stops here.
MAX_YAML_ALIASES = 100
#: Most values (scalars, lists, mappings) a YAML document may hold once its aliases are
#: expanded; a billion-laughs bomb stops here instead of filling memory.
MAX_YAML_NODES = 100_000
#: Longest model formula accepted, in characters.
MAX_FORMULA_CHARS = 10_000
#: Deepest parenthesis nesting in a formula.
MAX_FORMULA_DEPTH = 32
#: Longest piece of input text repeated in an error message.
MAX_ECHO_CHARS = 200


def clip(value: object, limit: int = MAX_ECHO_CHARS, *, quote: bool = True) -> str:
    """``repr(value)`` (``str(value)`` with ``quote=False``), cut to ``limit`` characters
    with ``...`` when longer.

    Use it for any user text placed in a message: a hostile input (a 1 GB cell, an
    expanded YAML bomb) must not make the message itself large.
    """
    if isinstance(value, str):
        if len(value) > 4 * limit:
            value = value[: 4 * limit]  # never repr a huge string just to cut it
        text = repr(value) if quote else value
    else:
        import reprlib

        r = reprlib.Repr()
        r.maxlevel, r.maxlist, r.maxdict, r.maxtuple, r.maxset = 3, 8, 8, 8, 8
        r.maxstring = r.maxother = r.maxlong = limit
        text = r.repr(value)  # bounded work even for a huge nested list
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 1)] + "..."
