"""Reading configuration files that may be hostile: size, encoding, depth, aliases, duplicates.

One reader for every YAML file serostudy loads (``study.yaml``, the audit's published
summary) and the size/encoding part of the plate-layout TOML reader.  It refuses, with a
message naming the file and the line:

- a file over :data:`~serostudy._limits.MAX_CONFIG_BYTES` (1 MiB), before reading it all;
- bytes that are not UTF-8 (e.g. a file saved as Latin-1), naming the byte offset, line
  and column of the first bad byte;
- nesting deeper than :data:`~serostudy._limits.MAX_CONFIG_DEPTH` levels (checked on the
  parser's event stream, which does not recurse, before anything is built: a document
  nested 20,000 levels deep used to end in ``RecursionError``);
- more than :data:`~serostudy._limits.MAX_YAML_ALIASES` aliases, an alias that refers to
  the node containing it, or aliases that would expand the document beyond
  :data:`~serostudy._limits.MAX_YAML_NODES` nodes (a "billion laughs" bomb used to grow
  memory without bound); a few anchors and aliases reusing a block stay allowed;
- a key given twice in one mapping (YAML says it is an error; PyYAML let the last win),
  naming the key and both lines.

Loadable without pandas or scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from serostudy._limits import (
    MAX_CONFIG_BYTES,
    MAX_CONFIG_DEPTH,
    MAX_YAML_ALIASES,
    MAX_YAML_NODES,
    clip,
)

#: ``fail(message, line)`` builds the caller's exception (ConfigError, AuditInputError, ...).
Fail = Callable[[str, "int | None"], Exception]


def read_text_capped(path: str | Path, fail: Fail, *, what: str = "a configuration file") -> str:
    """The UTF-8 text of ``path`` (a BOM is dropped), refusing large or non-UTF-8 files."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise fail(f"the file has {size:,} bytes; {what} may have at most {MAX_CONFIG_BYTES:,} bytes (1 MiB)", None)
    with open(path, "rb") as fh:
        data = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:  # grew while we looked
        raise fail(f"{what} may have at most {MAX_CONFIG_BYTES:,} bytes (1 MiB)", None)
    return decode_utf8(data, fail)


def decode_utf8(data: bytes, fail: Fail) -> str:
    """``data`` decoded as UTF-8, or ``fail`` naming the first bad byte's offset, line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        col = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise fail(
            f"the file must be UTF-8 text, but byte {start} (line {line}, column {col}) is 0x{data[start]:02X}, "
            "which is not valid UTF-8 (was the file saved as Latin-1 or Windows-1252? save it as UTF-8)",
            line,
        ) from None


def load_yaml(text: str, fail: Fail, *, base: bool = False) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document safely; returns ``(data, node)`` (node: for line numbers).

    Parameters
    ----------
    text
        The document.
    fail
        Builds the exception to raise, given a message and a 1-based line (or None).
    base
        Use PyYAML's ``BaseLoader`` (every scalar a string; the audit keeps printed
        decimals that way) instead of ``SafeLoader``.
    """
    if len(text) > MAX_CONFIG_BYTES:
        raise fail(f"the text has {len(text):,} characters; at most {MAX_CONFIG_BYTES:,} are accepted", None)
    cls = yaml.BaseLoader if base else yaml.SafeLoader
    try:
        _check_events(text, cls, fail)
        loader = cls(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_graph(node, fail)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(f"not valid YAML{where}: {clip(problem, 200, quote=False)}",
                   None if mark is None else mark.line + 1) from None
    return data, node


def _check_events(text: str, cls: type, fail: Fail) -> None:
    """Depth and alias count on the event stream (the parser is iterative, so this is safe)."""
    depth = 0
    aliases = 0
    for ev in yaml.parse(text, Loader=cls):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise fail(f"nested deeper than {MAX_CONFIG_DEPTH} levels (line {ev.start_mark.line + 1}); "
                           "a configuration is never that deep", ev.start_mark.line + 1)
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(ev, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise fail(f"more than {MAX_YAML_ALIASES} aliases (*name) (line {ev.start_mark.line + 1}); "
                           "serostudy refuses documents that reuse anchors this often (a YAML bomb?)",
                           ev.start_mark.line + 1)


def _check_graph(root: yaml.Node, fail: Fail) -> None:
    """Expanded size (aliases counted as copies), self-reference, and duplicate keys."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise fail(f"an alias refers to the block that contains it (line {node.start_mark.line + 1})",
                       node.start_mark.line + 1)
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge" and k.value != "<<":
                    line = k.start_mark.line + 1
                    if k.value in seen:
                        raise fail(f"duplicate key {clip(k.value, 80)}: first at line {seen[k.value]}, again at "
                                   f"line {line} (YAML keys must be unique; remove one)", line)
                    seen[k.value] = line
                total += size(k) + size(v)
                if total > MAX_YAML_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
                if total > MAX_YAML_NODES:
                    break
        active.discard(key)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise fail(f"aliases (*name) expand this document beyond {MAX_YAML_NODES:,} values (line "
                       f"{node.start_mark.line + 1}); serostudy refuses such documents (a YAML bomb?)",
                       node.start_mark.line + 1)
        return total

    size(root)
