"""Ages and durations from dates, with partial dates and a declared imputation.

Dates may be full (``2014-03-09``), year and month (``2014-03``) or year only
(``2014``).  A partial date is completed by the declared imputation and marked as
imputed:

* ``"mid"`` (default): year only -> 1 July; year and month -> the 15th;
* ``"start"``: year only -> 1 January; year and month -> the 1st;
* ``"none"``: partial dates are an error.

Dates in the Solar Hijri (Jalali) calendar (``calendar="jalali"``, declared by
``clinical.dates.calendar``) are read as ``1399/05/12``, ``1399-5-12``, ``۱۳۹۹/۰۵/۱۲``
(Persian or Arabic-Indic digits; ``/``, ``-`` or ``.`` between the parts), ``1399/05``
or ``1399``, and converted exactly to Gregorian with ``jdatetime`` (the 33-year
arithmetic rule, which agrees with the official calendar for 1178-1634 SH).  Partial
Jalali dates are completed in the Jalali calendar: year and month -> the 15th (``mid``)
or the 1st (``start``); year only -> 1 Mehr, the first day of the second half of the
year (``mid``), or 1 Farvardin, Nowruz (``start``).

Years are ``days / 365.25``.  Any impossible order (onset before birth, sampling before
onset, an attack before birth) is a :class:`~serostudy.exceptions.DataError` naming the
participant.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from serostudy._typing import check_choice
from serostudy.exceptions import DataError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DateImputation",
    "PartialDate",
    "parse_date",
    "years_between",
    "derive_dates",
    "DAYS_PER_YEAR",
]

DateImputation = Literal["mid", "start", "none"]
Calendar = Literal["gregorian", "jalali"]
DAYS_PER_YEAR = 365.25

_FULL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?\s*$")
_YM = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_Y = re.compile(r"^\s*(\d{4})(?:\.0+)?\s*$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as used in calculations, with the precision it was recorded at.

    Attributes
    ----------
    date
        The (possibly imputed) calendar date.
    precision
        ``"day"``, ``"month"`` or ``"year"``: what was recorded.
    imputed
        True when ``date`` was completed by the imputation rule.
    """

    date: _dt.date
    precision: Literal["day", "month", "year"]
    imputed: bool
    calendar: Calendar = "gregorian"
    """Calendar the date was recorded in (``date`` is always Gregorian)."""


def parse_date(value: object, *, imputation: DateImputation = "mid", what: str = "date",
               calendar: Calendar = "gregorian") -> PartialDate | None:
    """Read a full or partial date; ``None`` for a missing value.

    Parameters
    ----------
    value
        A ``datetime.date``/``datetime``/pandas ``Timestamp``, an ISO string
        (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) or a year as a number.
    imputation
        How to complete a partial date: ``"mid"``, ``"start"`` or ``"none"`` (error).
    what
        Name of the field, used in error messages.
    calendar
        ``"gregorian"`` (default) or ``"jalali"``: the calendar text dates are written
        in (see the module docstring).  Date objects are calendar-free and used as
        they are.

    Raises
    ------
    InputError
        For text that is not a date, or a partial date when ``imputation="none"``.

    Examples
    --------
    >>> from serostudy.clinical import parse_date
    >>> parse_date("2014-03").date, parse_date("2014-03").imputed
    (datetime.date(2014, 3, 15), True)
    >>> parse_date("2014", imputation="start").date
    datetime.date(2014, 1, 1)
    >>> parse_date("۱۳۹۹/۰۱/۰۱", calendar="jalali").date
    datetime.date(2020, 3, 20)
    """
    check_choice("imputation", imputation, ("mid", "start", "none"))
    check_choice("calendar", calendar, ("gregorian", "jalali"))
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return PartialDate(value.date(), "day", False)
    except (TypeError, ValueError):
        pass
    if isinstance(value, _dt.datetime):
        return PartialDate(value.date(), "day", False)
    if isinstance(value, _dt.date):
        return PartialDate(value, "day", False)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value) == int(value) else str(value)
    else:
        text = str(value)
    if not text.strip():
        return None
    if not text.isascii():
        from serostudy._io.text import normalize_number_text

        text = normalize_number_text(text)
    if calendar == "jalali":
        return _parse_jalali(text, imputation=imputation, what=what)
    try:
        if m := _FULL.match(text):
            return PartialDate(_dt.date(int(m[1]), int(m[2]), int(m[3])), "day", False)
        if m := _YM.match(text):
            y, mo = int(m[1]), int(m[2])
            _dt.date(y, mo, 1)  # validates the month
            if imputation == "none":
                raise InputError(f"{what} {text!r} is a partial date (year-month) and date imputation is 'none'")
            return PartialDate(_dt.date(y, mo, 15 if imputation == "mid" else 1), "month", True)
        if m := _Y.match(text):
            y = int(m[1])
            if imputation == "none":
                raise InputError(f"{what} {text!r} is a partial date (year only) and date imputation is 'none'")
            return PartialDate(_dt.date(y, 7, 1) if imputation == "mid" else _dt.date(y, 1, 1), "year", True)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{what} {text!r} is not a valid date ({exc})") from None
    hint = ""
    if (m := _JALALI.match(text)) and 1200 <= int(m[1]) <= 1500:
        hint = ("; it looks like a Jalali (Solar Hijri) date: declare `calendar: jalali` under clinical.dates "
                "(or clinical.relapses for the events table)")
    raise InputError(f"{what} {text!r} is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY{hint}")


_JALALI = re.compile(r"^\s*(\d{4})(?:[/.-](\d{1,2})(?:[/.-](\d{1,2}))?)?\s*$")
_JALALI_MONTHS = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban",
                  "Azar", "Dey", "Bahman", "Esfand")


def _parse_jalali(text: str, *, imputation: DateImputation, what: str) -> PartialDate:
    """A Jalali ``Y/M/D``, ``Y/M`` or ``Y`` (ASCII digits) as a Gregorian :class:`PartialDate`."""
    import jdatetime

    m = _JALALI.match(text)
    if not m:
        raise InputError(f"{what} {text!r} is not a Jalali date: expected YYYY/MM/DD, YYYY/MM or YYYY "
                         "(e.g. 1399/05/12 or ۱۳۹۹/۰۵/۱۲)")
    y = int(m[1])
    if not 1200 <= y <= 1500:
        raise InputError(f"{what} {text!r}: year {y} is not a Jalali year of a living person's records "
                         "(expected 1200-1500); is the column Gregorian? (`calendar: jalali` is declared)")
    mo = int(m[2]) if m[2] is not None else None
    d = int(m[3]) if m[3] is not None else None
    if mo is not None and not 1 <= mo <= 12:
        raise InputError(f"{what} {text!r} is not a valid Jalali date: month {mo} (expected 1-12)")
    if d is not None:
        if mo is None:  # the pattern gives a day only with a month
            raise InputError(f"{what} {text!r} is not a valid Jalali date: a day without a month")
        last = 31 if mo <= 6 else 30 if mo <= 11 else (30 if jdatetime.date(y, 1, 1).isleap() else 29)
        if not 1 <= d <= last:
            why = f" ({y} is not a leap year)" if mo == 12 and d == 30 else ""
            raise InputError(f"{what} {text!r} is not a valid Jalali date: {_JALALI_MONTHS[mo - 1]} {y} has "
                             f"{last} days{why}")
        return PartialDate(jdatetime.date(y, mo, d).togregorian(), "day", False, "jalali")
    if imputation == "none":
        kind = "year-month" if mo is not None else "year only"
        raise InputError(f"{what} {text!r} is a partial date ({kind}) and date imputation is 'none'")
    if mo is not None:
        return PartialDate(jdatetime.date(y, mo, 15 if imputation == "mid" else 1).togregorian(), "month", True, "jalali")
    first = (7, 1) if imputation == "mid" else (1, 1)
    return PartialDate(jdatetime.date(y, *first).togregorian(), "year", True, "jalali")


def years_between(start: _dt.date, end: _dt.date) -> float:
    """Elapsed years from ``start`` to ``end`` as ``days / 365.25``.

    Examples
    --------
    >>> import datetime as dt
    >>> from serostudy.clinical import years_between
    >>> round(years_between(dt.date(2000, 1, 1), dt.date(2010, 7, 2)), 4)
    10.4997
    """
    return (end - start).days / DAYS_PER_YEAR


def derive_dates(
    data: "pd.DataFrame",
    *,
    id_column: str,
    birth: str | None = None,
    onset: str | None = None,
    sampling: str | None = None,
    imputation: DateImputation = "mid",
    file: str | None = None,
    calendar: Calendar = "gregorian",
) -> "pd.DataFrame":
    """Age, age at onset and disease duration from dates, one row per participant.

    Parameters
    ----------
    data
        The participant table.
    id_column
        Column with the participant id (named in every error).
    birth, onset, sampling
        Columns with date of birth, disease onset and sampling (any may be ``None``;
        the derived variables that need it are then not produced).
    imputation
        Imputation of partial dates, see :func:`parse_date`.
    file
        File name for error messages.
    calendar
        Calendar of the text dates (see :func:`parse_date`).

    Returns
    -------
    pandas.DataFrame
        Same index as ``data`` with ``age`` (at sampling), ``age_at_onset`` and
        ``disease_duration`` in years, and ``date_imputed`` listing which dates were
        completed by imputation (empty string if none).

    Raises
    ------
    DataError
        For an unreadable date or an impossible order (onset before birth, sampling
        before birth or onset), naming the participant, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> from serostudy.clinical import derive_dates
    >>> df = pd.DataFrame({"id": ["P1"], "dob": ["1980-05-01"], "onset": ["2010"],
    ...                    "sampled": ["2020-07-01"]})
    >>> out = derive_dates(df, id_column="id", birth="dob", onset="onset", sampling="sampled")
    >>> round(float(out.loc[0, "disease_duration"]), 2), out.loc[0, "date_imputed"]
    (10.0, 'onset')
    """
    import numpy as np
    import pandas as pd

    cols = {"birth": birth, "onset": onset, "sampling": sampling}
    for key, col in cols.items():
        if col is not None and col not in data.columns:
            raise DataError(f"{key} date column {col!r} not found", file=file, column=col)
    n = len(data)
    age = np.full(n, np.nan)
    age_onset = np.full(n, np.nan)
    duration = np.full(n, np.nan)
    imputed_notes: list[str] = []
    for i, (_, row) in enumerate(data.iterrows()):
        pid = row[id_column]
        parsed: dict[str, PartialDate | None] = {}
        for key, col in cols.items():
            if col is None:
                parsed[key] = None
                continue
            try:
                parsed[key] = parse_date(row[col], imputation=imputation, what=f"{key} date", calendar=calendar)
            except InputError as exc:
                raise DataError(f"participant {pid!r}: {exc.reason}", file=file, row=i + 2, column=col) from None
        b, o, s = parsed["birth"], parsed["onset"], parsed["sampling"]
        _check_order(pid, b, o, "birth", "onset", cols, i, file)
        _check_order(pid, b, s, "birth", "sampling", cols, i, file)
        _check_order(pid, o, s, "onset", "sampling", cols, i, file)
        # max(0, .): two partial dates in the same year/month may land in either order.
        if b and s:
            age[i] = max(0.0, years_between(b.date, s.date))
        if b and o:
            age_onset[i] = max(0.0, years_between(b.date, o.date))
        if o and s:
            duration[i] = max(0.0, years_between(o.date, s.date))
        imputed_notes.append(",".join(k for k, v in parsed.items() if v is not None and v.imputed))
    out = pd.DataFrame(index=data.index)
    if birth and sampling:
        out["age"] = age
    if birth and onset:
        out["age_at_onset"] = age_onset
    if onset and sampling:
        out["disease_duration"] = duration
    out["date_imputed"] = imputed_notes
    return out


def _check_order(pid, first, second, a, b, cols, i, file) -> None:
    """Raise when ``second`` is before ``first``.

    Two partial dates in the same year (or month) may be in either order after
    imputation; only an order contradicted by the recorded precision is an error.
    """
    if first is None or second is None or second.date >= first.date:
        return
    if _coarse_overlap(first, second):
        return
    raise DataError(
        f"participant {pid!r}: {b} date {second.date.isoformat()} is before the {a} date "
        f"{first.date.isoformat()}; expected {a} <= {b}",
        file=file,
        row=i + 2,
        column=cols[b],
    )


def _coarse_overlap(x: PartialDate, y: PartialDate) -> bool:
    """True when the recorded precision cannot tell which of the two came first.

    The year or month of a partial date is that of its own calendar: a Jalali
    ``1399`` covers 2020-03-20 to 2021-03-20.
    """
    for d in (x, y):
        other = y if d is x else x
        if d.precision == "day":
            continue
        a, b = _year_month(d.date, d.calendar), _year_month(other.date, d.calendar)
        if d.precision == "year" and a[0] == b[0]:
            return True
        if d.precision == "month" and a == b:
            return True
    return False


def _year_month(date: _dt.date, calendar: Calendar) -> tuple[int, int]:
    if calendar == "jalali":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=date)
        return j.year, j.month
    return date.year, date.month
