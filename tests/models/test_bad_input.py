"""Bad input gives one clear error (or warning) naming what, where, and what was expected."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from serostudy.exceptions import ModelError, SerostudyWarning
from serostudy.models import detect_separation, fit_glm, fit_model

from .conftest import load


@pytest.fixture()
def counts() -> pd.DataFrame:
    return pd.DataFrame({
        "relapses": [0, 2, 1, 4, 0, 3, 1, 6, 2, 1],
        "b12": [80, 40, 60, 30, 90, 45, 70, 25, 50, 65],
        "years": [2.0, 3, 2, 4, 3, 5, 2, 4, 3, 2],
        "sex": ["m", "f", "f", "m", "f", "m", "f", "f", "m", "f"],
    })


# -- a formula naming a missing column


@pytest.mark.parametrize("formula, missing", [
    ("relapses ~ b12 + agee", "agee"),
    ("relapses ~ I(b_12 / 10)", "b_12"),
    ("relapses ~ np.log(b12) + C(sexx)", "sexx"),
    ("relapse ~ b12", "relapse"),
])
def test_formula_naming_a_missing_column(counts, formula, missing):
    with pytest.raises(ModelError) as exc:
        fit_glm(counts, formula, family="poisson")
    assert exc.value.column == missing
    msg = str(exc.value)
    assert f"names {missing!r}, which is not a column of the data" in msg
    assert "columns: relapses, b12, years, sex" in msg
    assert isinstance(exc.value, ValueError)


def test_missing_column_suggests_the_close_name(counts):
    with pytest.raises(ModelError, match="did you mean 'years'"):
        fit_glm(counts, "relapses ~ yeers", family="poisson")


def test_missing_exposure_column(counts):
    with pytest.raises(ModelError, match="'follow_up', which is not a column"):
        fit_glm(counts, "relapses ~ b12", family="negbin", exposure="follow_up")


@pytest.mark.parametrize("formula", ["relapses b12", "~ b12", "relapses ~ ", "a ~ b ~ c", "y ~ (x"])
def test_malformed_formula(counts, formula):
    with pytest.raises(ModelError, match="formula|parse"):
        fit_glm(counts, formula)


# -- a negative count, a non-integer count


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_negative_count_names_row_and_column(counts, family):
    counts.loc[4, "relapses"] = -1
    with pytest.raises(ModelError) as exc:
        fit_glm(counts, "relapses ~ b12", family=family, exposure="years")
    assert exc.value.row == 6 and exc.value.column == "relapses"  # header is row 1
    assert str(exc.value).startswith("row 6, column 'relapses': a count cannot be negative, found -1")


def test_fractional_count_points_to_exposure(counts):
    counts["relapses"] = counts["relapses"] / counts["years"]
    with pytest.raises(ModelError, match=r"row 3, column 'relapses': a count must be a whole number.*exposure"):
        fit_glm(counts, "relapses ~ b12", family="negbin")


def test_all_zero_counts(counts):
    counts["relapses"] = 0
    with pytest.raises(ModelError, match="every count in 'relapses' is 0"):
        fit_glm(counts, "relapses ~ b12", family="negbin", exposure="years")


# -- zero or negative exposure


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_zero_or_negative_exposure_names_row(counts, bad):
    counts.loc[7, "years"] = bad
    with pytest.raises(ModelError) as exc:
        fit_glm(counts, "relapses ~ b12", family="negbin", exposure="years")
    assert exc.value.row == 9 and exc.value.column == "years"
    assert "exposure must be a positive number (its log is the offset)" in str(exc.value)


def test_exposure_only_for_count_models(counts):
    with pytest.raises(ModelError, match="count models"):
        fit_glm(counts, "b12 ~ relapses", family="gaussian", exposure="years")


# -- separation


def test_perfectly_separated_logistic_model_is_an_error():
    d = pd.DataFrame({"event": [0, 0, 0, 0, 1, 1, 1, 1], "b12": [90, 80, 75, 70, 40, 35, 30, 20],
                      "age": [30, 41, 52, 38, 45, 50, 33, 60]})
    with pytest.raises(ModelError) as exc:
        fit_glm(d, "event ~ b12 + age", family="logit")
    msg = str(exc.value)
    assert msg.startswith("complete separation: the outcome 'event' is perfectly predicted")
    assert "b12" in msg and "do not exist" in msg and "Firth" in msg


def test_separation_warn_mode_fits_and_records_the_warning():
    d = pd.DataFrame({"event": [0, 0, 0, 0, 1, 1, 1, 1], "b12": [90, 80, 75, 70, 40, 35, 30, 20]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_model(d, "event ~ b12", family="logit", on_separation="warn")
    assert [w for w in caught if issubclass(w.category, SerostudyWarning)]
    assert any("separation" in w for w in fit.warnings)


def test_quasi_complete_separation_is_detected():
    # 'exposed' == 1 always has the event; among exposed == 0 both outcomes occur
    d = pd.DataFrame({"event": [0, 1, 0, 1, 0, 1, 1, 1], "exposed": [0, 0, 0, 0, 0, 1, 1, 1],
                      "x": [1.0, 2.0, 3.0, 1.5, 2.5, 3.0, 1.0, 2.0]})
    with pytest.raises(ModelError, match=r"quasi-complete separation.*exposed"):
        fit_glm(d, "event ~ exposed + x", family="logit")


def test_no_false_alarm_on_real_data():
    bw = load("birthwt.csv")
    from serostudy.models._formula import build_design

    des = build_design(bw, "low ~ age + lwt + race + smoke + ptl + ht + ui")
    assert detect_separation(des.X, des.y.to_numpy(float), des.names) == ("none", ())


def test_logit_response_must_be_binary(counts):
    with pytest.raises(ModelError, match=r"row 3, column 'relapses': a logistic model needs the response coded 0/1"):
        fit_glm(counts, "relapses ~ b12", family="logit")


# -- other checks


def test_missing_values_are_excluded_and_listed_not_silently(counts):
    counts.loc[[2, 5], "b12"] = np.nan
    fit = fit_glm(counts, "relapses ~ b12", family="poisson")
    assert fit.n == 8
    assert fit.excluded_rows == (4, 7)
    assert any("2 row(s) excluded for missing values (missing b12): rows 4, 7" in w for w in fit.warnings)


def test_rank_deficient_design_names_the_column(counts):
    counts["b12_again"] = counts["b12"] * 2
    with pytest.raises(ModelError, match=r"rank deficient.*b12_again"):
        fit_glm(counts, "relapses ~ b12 + b12_again", family="poisson")


def test_non_numeric_response_names_row(counts):
    counts["relapses"] = counts["relapses"].astype(object)
    counts.loc[0, "relapses"] = "two"
    with pytest.raises(ModelError, match=r"row 2, column 'relapses': the response must be numeric, found 'two'"):
        fit_glm(counts, "relapses ~ b12", family="poisson")


def test_unknown_family(counts):
    with pytest.raises(ValueError, match=r"`family` must be one of .*'negbin'.*got 'nb'"):
        fit_model(counts, "relapses ~ b12", family="nb")  # type: ignore[arg-type]
