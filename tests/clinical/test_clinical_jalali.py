"""Jalali (Solar Hijri) dates (issue 15, build item 1): conversion, leap years, partial
dates, errors by file/row/column, and the clinical stage giving the same ages and ARR
whichever calendar the same dates are written in.

Known values are checked twice: against ``jdatetime`` and against an independent
computation from the published Nowruz (1 Farvardin) dates -- the day of the March
equinox in Tehran -- plus the Jalali month lengths (6 x 31, 5 x 30, Esfand 29 or 30):
a year is leap exactly when the next Nowruz is 366 days later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jdatetime
import pandas as pd
import pytest
import yaml

from serostudy._demo import demo_config_path, demo_dir
from serostudy._io.config import load_config
from serostudy._pipeline import load_context
from serostudy.clinical import derive_dates, parse_date, run_clinical, run_eligibility
from serostudy.exceptions import ConfigError, DataError, InputError

# Nowruz (1 Farvardin) in the Gregorian calendar, as published for these years.
NOWRUZ = {
    1398: dt.date(2019, 3, 21), 1399: dt.date(2020, 3, 20), 1400: dt.date(2021, 3, 21),
    1401: dt.date(2022, 3, 21), 1402: dt.date(2023, 3, 21), 1403: dt.date(2024, 3, 20),
    1404: dt.date(2025, 3, 21),
}


def _independent(y: int, m: int, d: int) -> dt.date:
    """Jalali -> Gregorian from the Nowruz table and the month lengths only."""
    days_before = sum(31 if k <= 6 else 30 for k in range(1, m))
    return NOWRUZ[y] + dt.timedelta(days=days_before + d - 1)


def _leap(y: int) -> bool:
    return (NOWRUZ[y + 1] - NOWRUZ[y]).days == 366


@pytest.mark.parametrize("text, expected", [
    ("1399/01/01", dt.date(2020, 3, 20)),
    ("۱۳۹۹/۰۱/۰۱", dt.date(2020, 3, 20)),
    ("1403/12/30", dt.date(2025, 3, 20)),  # last day of the leap year 1403
    ("1400/12/29", dt.date(2022, 3, 20)),  # last day of the common year 1400
    ("1399/12/30", dt.date(2021, 3, 20)),  # 1399 is leap
    ("1399/05/12", dt.date(2020, 8, 2)),
    ("۱۳۹۹/۰۵/۱۲", dt.date(2020, 8, 2)),
    ("1399-5-12", dt.date(2020, 8, 2)),
    ("١٣٩٩/٠٥/١٢", dt.date(2020, 8, 2)),  # Arabic-Indic digits
    ("1402/07/01", dt.date(2023, 9, 23)),
    ("1401/06/31", dt.date(2022, 9, 22)),
])
def test_jalali_dates_known_values(text, expected):
    got = parse_date(text, calendar="jalali")
    assert got.date == expected and got.precision == "day" and not got.imputed and got.calendar == "jalali"
    digits = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")).replace("-", "/")
    y, m, d = (int(x) for x in digits.split("/"))
    assert jdatetime.date(y, m, d).togregorian() == expected  # the library
    assert _independent(y, m, d) == expected  # the published Nowruz dates


def test_leap_years_agree_with_published_nowruz():
    for y in range(1398, 1404):
        assert jdatetime.date(y, 1, 1).isleap() == _leap(y), y
    assert [y for y in range(1398, 1404) if _leap(y)] == [1399, 1403]


@pytest.mark.parametrize("text, why", [
    ("1400/12/30", "1400 is not a leap year"),
    ("1402/12/30", "1402 is not a leap year"),
    ("1399/12/31", "Esfand 1399 has 30 days"),
    ("1399/07/31", "Mehr 1399 has 30 days"),
    ("1399/13/01", "month 13"),
    ("1399/00/10", "month 0"),
])
def test_invalid_jalali_dates(text, why):
    with pytest.raises(InputError, match=why):
        parse_date(text, calendar="jalali")


def test_gregorian_year_in_a_jalali_column_and_jalali_text_in_a_gregorian_one():
    with pytest.raises(InputError, match="not a Jalali year"):
        parse_date("2020/03/20", calendar="jalali")
    with pytest.raises(InputError, match="declare `calendar: jalali`"):
        parse_date("1399/05/12")


def test_partial_jalali_dates_are_completed_in_the_jalali_calendar():
    ym = parse_date("1399/05", calendar="jalali")
    assert (ym.date, ym.precision, ym.imputed) == (jdatetime.date(1399, 5, 15).togregorian(), "month", True)
    assert parse_date("1399/05", calendar="jalali", imputation="start").date == dt.date(2020, 7, 22)  # 1 Mordad
    y = parse_date("۱۳۹۹", calendar="jalali")
    assert (y.date, y.precision) == (dt.date(2020, 9, 22), "year")  # 1 Mehr 1399
    assert y.date == _independent(1399, 7, 1)
    assert parse_date("1399", calendar="jalali", imputation="start").date == NOWRUZ[1399]
    with pytest.raises(InputError, match="partial date"):
        parse_date("1399/05", calendar="jalali", imputation="none")


def test_partial_jalali_year_overlap_is_judged_in_jalali_years():
    """Sampling recorded as the year 1399 only (mid -> 2020-09-22) and onset on
    1399/11/01 (2021-01-20): the same Jalali year, so the order cannot be told and is
    not an error -- although the Gregorian years (2020, 2021) differ."""
    df = pd.DataFrame({"id": ["P1"], "dob": ["1360/01/01"], "onset": ["1399/11/01"], "sampled": ["1399"]})
    out = derive_dates(df, id_column="id", birth="dob", onset="onset", sampling="sampled", calendar="jalali")
    assert out.loc[0, "disease_duration"] == 0.0
    df.loc[0, "sampled"] = "1398"
    with pytest.raises(DataError, match="before the onset date"):
        derive_dates(df, id_column="id", birth="dob", onset="onset", sampling="sampled", calendar="jalali")


def test_invalid_jalali_date_is_reported_by_file_row_column():
    df = pd.DataFrame({"id": ["P1", "P2", "P3"], "dob": ["1360/01/01", "1370/02/02", "1361/12/30"],
                       "sampled": ["1400/01/10", "1400/01/10", "1400/12/30"]})
    with pytest.raises(DataError) as info:
        derive_dates(df, id_column="id", birth="dob", sampling="sampled", calendar="jalali", file="p.csv")
    e = info.value
    assert (e.file, e.row) == ("p.csv", 4)
    assert e.column == "dob"  # 1361 is not leap: the first bad cell in the row is the birth date
    assert "1361 is not a leap year" in str(e) and "P3" in str(e)


# --------------------------------------------------------------------------- the stage

_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _jalali_text(iso: str | float) -> str | float:
    if not isinstance(iso, str) or not iso:
        return iso
    j = jdatetime.date.fromgregorian(date=dt.date.fromisoformat(iso))
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}".translate(_FA)


def _write(d: Path, *, jalali: bool) -> Path:
    p = pd.read_csv(demo_dir() / "participants.csv", dtype=str, keep_default_na=False)
    a = pd.read_csv(demo_dir() / "attacks.csv", dtype=str, keep_default_na=False)
    cfg = yaml.safe_load(demo_config_path().read_text(encoding="utf-8"))
    if jalali:
        for c in ("birth_date", "onset_date", "sampling_date"):
            p[c] = p[c].map(_jalali_text)
        a["onset_date"] = a["onset_date"].map(_jalali_text)
        cfg["clinical"]["dates"]["calendar"] = "jalali"
        d.joinpath("participants.csv").write_bytes(p.to_csv(index=False).encode("utf-8"))
        d.joinpath("attacks.csv").write_bytes(a.to_csv(index=False).encode("utf-16"))  # Excel "Unicode text"
    else:
        p.to_csv(d / "participants.csv", index=False)
        a.to_csv(d / "attacks.csv", index=False)
    (d / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return d / "study.yaml"


def _clinical(study: Path):
    ctx = load_context(load_config(study), study.parent)
    run_clinical(ctx)
    [sec] = [s for s in run_eligibility(ctx) if s.id == "clinical"]
    return ctx, sec


def test_clinical_stage_same_in_either_calendar(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "j").mkdir()
    g_ctx, g_sec = _clinical(_write(tmp_path / "g", jalali=False))
    j_ctx, j_sec = _clinical(_write(tmp_path / "j", jalali=True))
    assert "۱۳" in pd.read_csv(tmp_path / "j" / "participants.csv", dtype=str)["birth_date"].iloc[0]
    rec = lambda s: sorted((r.variable, r.statistic, str(r.group), r.estimate, r.n) for r in s.records)  # noqa: E731
    assert len(g_sec.records) > 0 and rec(g_sec) == rec(j_sec)
    # the attacks were read from a UTF-16 file, and that choice is recorded
    assert any("UTF-16" in c for c in j_sec.choices)
    derived = [c for c in g_ctx.data.columns if c.startswith(("age", "disease_duration", "arr"))]
    assert {"arr_person_years", "arr_attacks"} <= set(derived)
    pd.testing.assert_frame_equal(g_ctx.data[derived], j_ctx.data[derived])
    assert len(g_ctx.excluded) == len(j_ctx.excluded) > 0
    ga, ja = g_ctx.extra["clinical_arr"], j_ctx.extra["clinical_arr"]
    assert ga["kwargs"]["calendar"] == "gregorian" and ja["kwargs"]["calendar"] == "jalali"


def test_relapses_calendar_may_differ_from_the_participant_dates(tmp_path):
    study = _write(tmp_path, jalali=False)
    a = pd.read_csv(tmp_path / "attacks.csv", dtype=str)
    a["onset_date"] = a["onset_date"].map(_jalali_text)
    a.to_csv(tmp_path / "attacks.csv", index=False)
    with pytest.raises(DataError) as info:
        _clinical(study)
    assert "calendar: jalali" in str(info.value) and info.value.column == "onset_date"
    cfg = yaml.safe_load(study.read_text(encoding="utf-8"))
    cfg["clinical"]["relapses"]["calendar"] = "jalali"
    study.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    _, sec_mixed = _clinical(study)
    (tmp_path / "g").mkdir()
    _, sec_g = _clinical(_write(tmp_path / "g", jalali=False))
    rec = lambda s: sorted((r.variable, r.statistic, str(r.group), r.estimate, r.n) for r in s.records)  # noqa: E731
    assert rec(sec_mixed) == rec(sec_g)


def test_unknown_calendar_is_a_config_error(tmp_path):
    study = _write(tmp_path, jalali=False)
    cfg = yaml.safe_load(study.read_text(encoding="utf-8"))
    cfg["clinical"]["dates"]["calendar"] = "hijri"
    study.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match="calendar"):
        load_config(study)
