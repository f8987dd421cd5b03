"""Shared pieces of the fuzz tests: the fixed hypothesis profile, a hard time limit, the
"only serostudy's own errors" check, and mutation strategies for near-valid documents.
"""

from __future__ import annotations

import contextlib
import signal
from collections import Counter
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from serostudy.exceptions import SerostudyError

MAX_EXAMPLES = 100
"""Examples per fuzz test under ``make test`` (derandomized: the same examples every run)."""

TIME_LIMIT = 10.0
"""Seconds one example may take before it counts as a hang."""

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,  # replaced by the hard limit below, which also stops a real hang
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)

COUNTS: Counter[str] = Counter()
"""Examples run and errors seen per fuzz target (printed at the end of the session)."""


class Hang(Exception):
    """An example ran past :data:`TIME_LIMIT`."""


@contextlib.contextmanager
def only_our_errors(target: str, limit: float = TIME_LIMIT) -> Iterator[None]:
    """Run the body: a ``SerostudyError`` is fine, anything else (or a hang) fails the example."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"{target}: one example took more than {limit} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    COUNTS[target + " examples"] += 1
    try:
        yield
        COUNTS[target + " accepted"] += 1
    except SerostudyError as exc:
        COUNTS[target + " refused"] += 1
        assert str(exc), "an error without a message"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- text mutations

ODD_TEXT = st.sampled_from([
    "", " ", "\x00", "\ufeff", "\u202e", "\u200b", "NaN", "nan", "inf", "-inf", "1e999", "-1e999", "1_000",
    "١٢٣", "۴۵", "１２", "0x1F", "1,5", "<21", ">123", "≤5", "=cmd|' /C calc'!A0", "@SUM(A1)", "+1", "-",
    "\t=1", "\r", "\n", "\r\n", '"', '""', "'", ",", ";", "\\", "<script>x</script>", "A1:P24", "I13",
    "é", "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "𝟘", "Ⅻ", "ǅ", "x" * 300,
    "true", "yes", "null", "~", "[", "]", "{", "}", "&a", "*a", "!!python/object:os.system", "%", "#",
    "9" * 40, "-0", "0.0000000000000000000001", "1e-400",
])


@st.composite
def mutated_lines(draw: st.DrawFn, text: str, sep: str = ",") -> str:
    """``text`` with a few line-level and cell-level edits: drop, duplicate, swap lines;
    replace, drop or add cells; insert odd unicode; change line ends."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        op = draw(st.sampled_from(["drop", "dup", "swap", "cell", "dropcell", "addcell", "insert", "newline"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("cell", "dropcell", "addcell"):
            cells = lines[i].split(sep)
            k = draw(st.integers(0, max(0, len(cells) - 1)))
            if op == "cell":
                cells[k] = draw(ODD_TEXT | st.text(max_size=8))
            elif op == "dropcell" and cells:
                del cells[k]
            else:
                cells.insert(k, draw(ODD_TEXT))
            lines[i] = sep.join(cells)
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(ODD_TEXT | st.text(max_size=4)) + lines[i][pos:]
        else:
            lines[i] = lines[i] + draw(st.sampled_from(["\r", "\r\n", "\n\n", "\x00"]))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@st.composite
def flipped_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes changed, a slice cut out or the tail truncated (binary formats)."""
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "flip", "cut", "truncate", "zero"]))
        if not b:
            break
        i = draw(st.integers(0, len(b) - 1))
        if op == "flip":
            b[i] = draw(st.integers(0, 255))
        elif op == "cut":
            j = draw(st.integers(i, min(len(b), i + 64)))
            del b[i:j]
        elif op == "truncate":
            del b[i:]
        else:
            j = draw(st.integers(i, min(len(b), i + 16)))
            b[i:j] = b"\x00" * (j - i)
    return bytes(b)


# --------------------------------------------------------------------------- structure mutations

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
    | ODD_TEXT | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6) | ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated_document(draw: st.DrawFn, doc: Any) -> Any:
    """A deep copy of ``doc`` with 1-4 edits: drop a key, duplicate a value under a new key,
    swap two values, replace a value by one of a wrong type or an odd string, rename a key."""
    import copy

    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(doc, path[:-1])
        key = path[-1]
        op = draw(st.sampled_from(["drop", "replace", "replace", "swap", "rename", "dup"]))
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(JSONISH)
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            try:
                oparent = _get(doc, other[:-1])
                parent[key], oparent[other[-1]] = oparent[other[-1]], parent[key]
            except (KeyError, IndexError, TypeError):
                continue
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(ODD_TEXT | st.text(max_size=6))] = parent.pop(key)
        elif op == "dup" and isinstance(parent, dict):
            parent[str(key) + draw(st.sampled_from(["", "_", " ", "\u200b"]))] = copy.deepcopy(parent[key])
    return doc
