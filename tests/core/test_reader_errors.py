"""Bad participant data: one clear DataError (a ValueError) naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from serostudy._io.config import load_config
from serostudy._io.readers import apply_codebook, read_table
from serostudy.exceptions import DataError

CSV: Path
CFG: Path


@pytest.fixture(autouse=True)
def _study(core_study):
    global CSV, CFG
    CSV, CFG = core_study / "participants.csv", core_study / "study.yaml"


def _load(path: Path):
    cfg = load_config(CFG)
    return apply_codebook(read_table(path, na_values=cfg.data.na_values), cfg)


def _edit(tmp_path: Path, row: int, col: str, value: str) -> Path:
    """Copy the demo CSV with one cell changed; ``row`` is the spreadsheet row (header = 1)."""
    df = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    df.loc[row - 2, col] = value
    p = tmp_path / "participants.csv"
    df.to_csv(p, index=False)
    return p


def test_plain_study_file_reads():
    df = _load(CSV)
    assert len(df) == 88


def test_missing_column(tmp_path):
    df = pd.read_csv(CSV, dtype=str, keep_default_na=False).drop(columns=["bmi"])
    p = tmp_path / "p.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError) as exc:
        _load(p)
    assert exc.value.column == "bmi" and exc.value.file == str(p)
    assert "missing" in str(exc.value)


def test_non_numeric_cell(tmp_path):
    p = _edit(tmp_path, 7, "age", "forty")
    with pytest.raises(DataError) as exc:
        _load(p)
    assert (exc.value.row, exc.value.column) == (7, "age")
    assert "'forty'" in str(exc.value) and "expected a number in years" in str(exc.value)
    assert str(p) in str(exc.value) and "row 7" in str(exc.value)


def test_unit_typed_into_the_cell_gets_a_hint(tmp_path):
    p = _edit(tmp_path, 3, "b12_pmol_l", "45 pmol/L")
    with pytest.raises(DataError, match="write the number alone"):
        _load(p)


def test_unknown_group_label(tmp_path):
    p = _edit(tmp_path, 10, "group", "NMO")
    with pytest.raises(DataError) as exc:
        _load(p)
    assert (exc.value.row, exc.value.column) == (10, "group")
    assert "'NMO'" in str(exc.value) and "nmosd" in str(exc.value)


def test_duplicate_ids(tmp_path):
    p = _edit(tmp_path, 12, "id", "P001")
    with pytest.raises(DataError) as exc:
        _load(p)
    assert (exc.value.row, exc.value.column) == (12, "id")
    assert "duplicate" in str(exc.value) and "row 2" in str(exc.value)


def test_censored_value_is_read_when_the_codebook_allows_it(tmp_path):
    p = _edit(tmp_path, 2, "b12_pmol_l", "<21")
    df = _load(p)
    assert df.loc[0, "b12_pmol_l"] == 21.0 and df.loc[0, "b12_pmol_l__censor"] == "<"
    assert df.loc[0, "b12_category"] == "low"


def test_censored_value_is_rejected_with_a_how_to_when_not_declared(tmp_path):
    p = _edit(tmp_path, 2, "age", "<18")
    with pytest.raises(DataError) as exc:
        _load(p)
    assert (exc.value.row, exc.value.column) == (2, "age")
    assert "censored: true" in str(exc.value)


def test_censored_value_of_unknown_category_stays_missing(tmp_path):
    p = _edit(tmp_path, 2, "b12_pmol_l", "<50")
    df = _load(p)
    assert pd.isna(df.loc[0, "b12_category"])


def test_value_outside_plausible_range(tmp_path):
    p = _edit(tmp_path, 4, "age", "420")
    with pytest.raises(DataError, match="largest plausible value 110"):
        _load(p)


def test_empty_file(tmp_path):
    p = tmp_path / "participants.csv"
    p.write_text("")
    with pytest.raises(DataError, match="empty") as exc:
        _load(p)
    assert exc.value.file == str(p)


def test_header_only(tmp_path):
    p = tmp_path / "participants.csv"
    p.write_text("id,group,age\n")
    with pytest.raises(DataError, match="no data rows"):
        _load(p)


def test_value_for_a_group_that_does_not_record_it(tmp_path):
    row = 2 + int(pd.read_csv(CSV).group.eq("control").to_numpy().argmax())  # first control
    p = _edit(tmp_path, row, "bmi", "22.5")
    with pytest.raises(DataError, match="recorded only in"):
        _load(p)


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_other_formats_read_the_same(tmp_path, fmt):
    import pyreadstat

    df = pd.read_csv(CSV)
    p = tmp_path / f"participants.{fmt}"
    if fmt == "xlsx":
        df.to_excel(p, index=False)
    elif fmt == "sav":
        pyreadstat.write_sav(df, str(p))
    else:
        pyreadstat.write_dta(df, str(p))
    got = _load(p)
    want = _load(CSV)
    pd.testing.assert_series_equal(got["b12_pmol_l"], want["b12_pmol_l"])
    assert list(got["sex"].astype(str)) == list(want["sex"].astype(str))
    assert list(got["id"]) == list(want["id"])


def test_spss_value_labels_are_applied(tmp_path):
    import pyreadstat

    df = pd.read_csv(CSV)
    df["sex"] = df["sex"].map({"male": 1, "female": 2})
    p = tmp_path / "p.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels={"sex": {1: "male", 2: "female"}})
    got = _load(p)
    assert set(got["sex"].astype(str)) == {"male", "female"}


def test_unknown_extension(tmp_path):
    p = tmp_path / "participants.json"
    p.write_text("{}")
    with pytest.raises(DataError, match="unknown file type"):
        read_table(p)


def test_semicolon_csv(tmp_path):
    p = tmp_path / "p.csv"
    pd.read_csv(CSV).to_csv(p, sep=";", index=False)
    assert len(_load(p)) == 88
