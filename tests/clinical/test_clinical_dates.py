"""Ages and durations from dates; partial dates with a declared imputation; impossible orders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from serostudy.clinical import derive_dates, parse_date, years_between
from serostudy.exceptions import DataError, InputError


@pytest.mark.parametrize("value,imputation,expected,precision,imputed", [
    ("2014-03-09", "mid", dt.date(2014, 3, 9), "day", False),
    ("2014-03", "mid", dt.date(2014, 3, 15), "month", True),
    ("2014-03", "start", dt.date(2014, 3, 1), "month", True),
    ("2014", "mid", dt.date(2014, 7, 1), "year", True),
    (2014, "start", dt.date(2014, 1, 1), "year", True),
    (2014.0, "mid", dt.date(2014, 7, 1), "year", True),
    (pd.Timestamp("2014-03-09"), "none", dt.date(2014, 3, 9), "day", False),
    (dt.date(2014, 3, 9), "none", dt.date(2014, 3, 9), "day", False),
])
def test_parse_date(value, imputation, expected, precision, imputed):
    d = parse_date(value, imputation=imputation)
    assert (d.date, d.precision, d.imputed) == (expected, precision, imputed)


@pytest.mark.parametrize("missing", [None, float("nan"), "", pd.NaT])
def test_missing_is_none(missing):
    assert parse_date(missing) is None


@pytest.mark.parametrize("bad,match", [("2014-13", "not a valid date"), ("2014-02-30", "not a valid date"),
                                       ("09/03/2014", "not a date"), ("soon", "not a date")])
def test_bad_dates(bad, match):
    with pytest.raises(InputError, match=match):
        parse_date(bad)


def test_partial_date_refused_without_imputation():
    with pytest.raises(InputError, match="partial date"):
        parse_date("2014-03", imputation="none")


def test_years_are_days_over_365_25():
    assert_allclose(years_between(dt.date(2000, 1, 1), dt.date(2004, 1, 1)), 1461 / 365.25)


def _df(**over):
    base = {"id": ["P1", "P2"], "dob": ["1980-05-01", "1990"], "onset": ["2010-05-01", "2015-03"],
            "sampled": ["2020-05-01", "2020-07-01"]}
    base.update(over)
    return pd.DataFrame(base)


def test_derive_dates():
    out = derive_dates(_df(), id_column="id", birth="dob", onset="onset", sampling="sampled")
    assert_allclose(out["age"], [(dt.date(2020, 5, 1) - dt.date(1980, 5, 1)).days / 365.25,
                                 (dt.date(2020, 7, 1) - dt.date(1990, 7, 1)).days / 365.25])
    assert_allclose(out.loc[1, "disease_duration"], (dt.date(2020, 7, 1) - dt.date(2015, 3, 15)).days / 365.25)
    assert out["date_imputed"].tolist() == ["", "birth,onset"]


def test_onset_after_sampling_names_participant():
    with pytest.raises(DataError) as e:
        derive_dates(_df(onset=["2010-05-01", "2021-01-01"]), id_column="id", birth="dob", onset="onset",
                     sampling="sampled", file="patients.csv")
    msg = str(e.value)
    assert "participant 'P2'" in msg and "patients.csv" in msg and "row 3" in msg and "'sampled'" in msg


def test_onset_before_birth():
    with pytest.raises(DataError, match="'P1'.*onset date 1979-01-01 is before the birth date"):
        derive_dates(_df(onset=["1979-01-01", "2015-03"]), id_column="id", birth="dob", onset="onset")


def test_same_year_partial_dates_are_not_an_error():
    out = derive_dates(_df(onset=["2010-05-01", "2020"], sampled=["2020-05-01", "2020-03-01"]),
                       id_column="id", birth="dob", onset="onset", sampling="sampled")
    assert out.loc[1, "disease_duration"] == 0.0


def test_unreadable_date_in_table():
    with pytest.raises(DataError, match="'P2'.*birth date 'last year'"):
        derive_dates(_df(dob=["1980-05-01", "last year"]), id_column="id", birth="dob")
