"""Numeric cells: only numbers a spreadsheet writes (issue 10, findings 6 and 7).

Python's ``float()`` accepts ``1_000``, ``inf``, ``-Infinity``, ``nan`` and ``1e999``
(overflowing to infinity); none of those is a number a spreadsheet writes.  Each is a
DataError naming the file, the row and the column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from serostudy._io.config import load_config
from serostudy._io.readers import apply_codebook, read_table
from serostudy.exceptions import DataError


@pytest.fixture()
def study(core_study):
    return core_study / "participants.csv", core_study / "study.yaml"


def _load(path: Path, cfg_path: Path):
    cfg = load_config(cfg_path)
    return apply_codebook(read_table(path, na_values=cfg.data.na_values), cfg)


def _edit(tmp_path: Path, csv: Path, row: int, col: str, value: str) -> Path:
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[row - 2, col] = value
    p = tmp_path / "participants.csv"
    df.to_csv(p, index=False)
    return p


@pytest.mark.parametrize("value", ["1_000", "1_0.5", "inf", "-inf", "+inf", "Infinity", "-infinity", "nan",
                                   "1e999", "-1e999", "0x1A", "1 000", "\u200b12"])
def test_numeric_cell_that_no_spreadsheet_writes_is_refused(tmp_path, study, value):
    csv, cfg = study
    p = _edit(tmp_path, csv, 5, "bmi", value)
    with pytest.raises(DataError) as info:
        _load(p, cfg)
    e = info.value
    assert (e.file, e.row, e.column) == (str(p), 5, "bmi")
    assert value.strip() in str(e) or repr(value.strip())[1:-1] in str(e)


@pytest.mark.parametrize("value, expected", [("27.5", 27.5), (" 27.5 ", 27.5), ("2.75e1", 27.5), ("+27.5", 27.5),
                                             ("\u06f2\u06f7.\u06f5", 27.5), ("27.5\u00a0", 27.5)])
def test_plain_numbers_still_read(tmp_path, study, value, expected):
    csv, cfg = study
    df = _load(_edit(tmp_path, csv, 5, "bmi", value), cfg)
    assert df["bmi"].iloc[3] == expected


@pytest.mark.parametrize("value", ["1_000", "inf", "nan", "Infinity", "1e999"])
def test_eligibility_numeric_rule_refuses_non_spreadsheet_numbers(value):
    from serostudy.clinical import Condition, evaluate

    c = Condition.from_mapping({"column": "months_since_b12", "lte": 3})
    with pytest.raises(DataError, match="months_since_b12|P9") as info:
        evaluate(c, {"months_since_b12": value}, pid="P9")
    assert info.value.column == "months_since_b12"
    assert evaluate(c, {"months_since_b12": " 2 "}, pid="P9") is True


@pytest.mark.parametrize("value", ["0_1", "inf", "nan"])
def test_edss_grade_text_must_be_a_plain_number(value):
    from serostudy.clinical._edss import _grade
    from serostudy.exceptions import InputError

    with pytest.raises(InputError, match="integer grade"):
        _grade("fs_visual", value, 6)
    assert _grade("fs_visual", "3", 6) == 3


@pytest.mark.parametrize("col", ["sex", "bmi", "group"])
def test_huge_bad_cell_is_cut_in_the_message(tmp_path, study, col):
    csv, cfg = study
    p = _edit(tmp_path, csv, 5, col, "=" + "x" * 200_000)
    with pytest.raises(DataError) as info:
        _load(p, cfg)
    assert len(str(info.value)) < 1000 and "..." in str(info.value)
    assert info.value.row == 5
