"""All exceptions and warnings raised by serostudy.

One small hierarchy, in the style of ``httpx._exceptions``: everything derives from
:class:`SerostudyError`; errors about bad input (data, config, plate files, formulas)
also derive from :class:`ValueError`, so ``except ValueError`` keeps working for callers
who do not know about serostudy.

Errors about a location in a file carry it as attributes (``file``, ``row``,
``column``), and their message names it, so the user can find the cell.
"""

from __future__ import annotations

__all__ = [
    "SerostudyError",
    "InputError",
    "DataError",
    "ConfigError",
    "AssayError",
    "FitError",
    "ModelError",
    "AuditInputError",
    "OutputPathError",
    "OutputError",
    "SerostudyWarning",
    "AutomaticChoiceWarning",
    "ConvergenceWarning",
    "SerostudyDeprecationWarning",
]


#: Longest message an input error carries (the echoed input inside is cut earlier, to
#: 200 characters, by ``serostudy._limits.clip``); documented in docs/security.md.
_MAX_MESSAGE = 2000


class SerostudyError(Exception):
    """Base class of every error raised by serostudy."""


class InputError(SerostudyError, ValueError):
    """Bad input: a value, file or option that cannot be used as given.

    Parameters
    ----------
    message
        What was found and what was expected.
    file, row, column
        Where the problem is, when it is in a file.  ``row`` is the 1-based line/row
        number as a spreadsheet or text editor shows it (the header is row 1).
    row_word
        How the file's rows are called in the message (SPSS and Stata: ``"case"``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        row_word: str = "row",
    ) -> None:
        if len(message) > _MAX_MESSAGE:  # a hostile input never makes a huge message
            message = message[: _MAX_MESSAGE - 3] + "..."
        self.file = file
        self.row = row
        self.column = column
        self.row_word = row_word
        self.reason = message
        where = []
        if file is not None:
            where.append(f"{file}")
        if row is not None:
            where.append(f"{row_word} {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class DataError(InputError):
    """A participant table, events table or other data file has bad content."""


class ConfigError(InputError):
    """A ``study.yaml`` (or other configuration) is invalid.

    The ``column`` attribute holds the dotted key path, e.g. ``codebook.b12.unit``.
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.key = key
        super().__init__(message, file=file)
        if key is not None:
            prefix = f"{file}: " if file else ""
            shown = key if len(key) <= 200 else key[:197] + "..."
            self.args = (f"{prefix}key {shown!r}: {self.reason}",)


class AssayError(InputError):
    """A plate-reader file, plate layout or assay specification is invalid."""


class FitError(SerostudyError):
    """A curve or model could not be fitted (no convergence, too few points)."""


class ModelError(InputError):
    """A statistical model specification is invalid (formula, family, exposure)."""


class AuditInputError(InputError):
    """A published-summary file for the audit is invalid."""


class OutputPathError(SerostudyError, ValueError):
    """An output file would land outside the output folder (it is never written).

    Names derived from user text (variables, tables, plates) are slugged first, so this
    means a path was built some other way, or a symlink inside the folder points out.
    """


class OutputError(InputError):
    """The output folder (``--out``) cannot be used or written.

    An existing file, a folder holding files serostudy did not write, a folder another
    run is writing, a full disk, a read-only file system, no permission.  ``path`` is
    the folder as given; the message names it.  Nothing of an earlier output folder is
    changed when this is raised (see ``serostudy._outdir``).
    """

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)
        self.args = (f"--out {path}: {message}",)


class SerostudyWarning(UserWarning):
    """Base class of serostudy's warnings."""


class AutomaticChoiceWarning(SerostudyWarning):
    """serostudy chose something automatically (a test, a variable type) and says so."""


class ConvergenceWarning(SerostudyWarning):
    """An iterative fit stopped without meeting its convergence criterion."""


class SerostudyDeprecationWarning(SerostudyWarning, DeprecationWarning):
    """A deprecated option or function was used."""
