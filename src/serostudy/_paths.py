"""Output file names: slugs of user names, always one plain file inside the output folder.

Variable, table, figure and plate names come from users (codebook keys, column headers,
plate file names).  They never become paths as given: :func:`slug` turns a name into
one plain file-name component, :class:`OutputFolder` hands out distinct stems (two names
that slug alike, or differ only in case, get ``-2``, ``-3``, ...) and checks every path
it returns lies directly inside the folder (after resolving symlinks) before anything
is written.  Before this module, a codebook variable ``../../escaped`` wrote figures two
folders above ``--out`` (issue 10).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from serostudy._limits import clip
from serostudy.exceptions import OutputPathError

__all__ = ["OutputFolder", "OutputPathError", "slug"]

#: Longest slug in characters (file systems allow 255 bytes; room is left for suffixes).
MAX_SLUG_CHARS = 60
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def slug(name: object) -> str:
    """``name`` as one safe file-name component (no extension added).

    Letters and digits of any script (NFC-normalised), ``_`` and ``-`` are kept;
    anything else (``.``, ``/``, ``\\``, NUL, ``:``, spaces, control characters) becomes
    ``_`` (so ``plate1.txt`` gives ``plate1_txt``, and a name never brings an extension).  The result never is empty, ``.`` or ``..``, never starts with ``.``, ``-`` or
    ``~``, is never a Windows device name (``CON``, ``NUL``, ...), and has at most
    :data:`MAX_SLUG_CHARS` characters (a longer name is cut and gets 8 hex digits of its
    SHA-256 so two long names stay apart).
    """
    text = unicodedata.normalize("NFC", str(name))
    out = re.sub(r"[^\w-]+|_+", "_", text, flags=re.UNICODE).strip("_-")
    if not out:
        out = "unnamed"
    if out.upper() in _WINDOWS_RESERVED:
        out = "_" + out
    if len(out) > MAX_SLUG_CHARS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        out = out[: MAX_SLUG_CHARS - 9].rstrip("_-") + "_" + digest
    return out


class OutputFolder:
    """Hands out distinct, checked file names inside one output folder.

    Parameters
    ----------
    root
        The output folder (need not exist yet).
    reserved
        File names the caller writes itself (``results.json``, ``report.html``, ...):
        no slug may take them.
    """

    def __init__(self, root: str | Path, *, reserved: tuple[str, ...] = ()) -> None:
        self.root = Path(root)
        self._taken: set[str] = {r.casefold() for r in reserved}

    def stem(self, name: object, suffixes: tuple[str, ...]) -> str:
        """A slug of ``name`` such that ``stem + suffix`` is free for every suffix; claims them.

        Names are compared case-insensitively (macOS and Windows folders are), so two
        variables ``B12`` and ``b12`` get two files.
        """
        base = slug(name)
        cand, k = base, 1
        while any((cand + s).casefold() in self._taken for s in suffixes):
            k += 1
            cand = f"{base}-{k}"
        self._taken.update((cand + s).casefold() for s in suffixes)
        return cand

    def path(self, filename: str) -> Path:
        """``root / filename``, after checking it is one file directly inside ``root``.

        Raises
        ------
        OutputPathError
            If ``filename`` is not one plain component (``..``, an absolute path, a
            separator, NUL) or resolves outside the folder (e.g. a symlink left there).
        """
        bad = (not filename or filename in (".", "..") or "/" in filename or "\\" in filename
               or "\x00" in filename or Path(filename).is_absolute())
        root = self.root.resolve()
        target = (root / filename).resolve() if not bad else None
        if bad or target is None or target.parent != root:
            raise OutputPathError(
                f"refusing to write {clip(filename)}: output files must lie directly inside the output "
                f"folder {str(root)!r}"
            )
        return root / filename
