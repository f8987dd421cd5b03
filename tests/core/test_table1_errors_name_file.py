"""Every Table 1 input error names the file (issue 9, finding 8).

Before the fix a missing `--by` column and a grouping column with one group said
"column 'x' ..." without the file; a table read from a file is named by its path, a
pandas frame as "data frame".
"""

from __future__ import annotations

import pandas as pd
import pytest

import serostudy
from serostudy.cli import main
from serostudy.exceptions import InputError


@pytest.fixture()
def csv(tmp_path):
    p = tmp_path / "cohort.csv"
    p.write_text("id,group,age,sex\n1,a,34,f\n2,a,51,m\n3,a,47,f\n4,a,29,m\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("by, expect", [("arm", "`by` column 'arm' not found"),
                                         ("group", "column 'group' has 1 group(s)")])
def test_table1_cli_by_errors_name_the_file(capsys, csv, by, expect):
    rc = main(["table1", str(csv), "--by", by])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(f"serostudy: error: {csv}, column '{by}': "), err
    assert expect in err and "Traceback" not in err


@pytest.mark.parametrize("by", ["arm", "group"])
def test_table1_api_errors_name_the_file_the_frame_came_from(csv, by):
    df = serostudy.read_data_frame(str(csv))
    with pytest.raises(InputError) as exc:
        serostudy.table1(df, by=by)
    assert exc.value.file == str(csv)
    assert str(exc.value).startswith(f"{csv}, column '{by}': ")


@pytest.mark.parametrize("by", ["arm", "group"])
def test_table1_api_errors_on_a_pandas_frame_say_data_frame(by):
    df = pd.DataFrame({"group": ["a"] * 4, "age": [34.0, 51.0, 47.0, 29.0]})
    with pytest.raises(InputError) as exc:
        serostudy.table1(df, by=by)
    assert exc.value.file == "data frame"
    assert str(exc.value).startswith(f"data frame, column '{by}': ")


def test_table1_variable_errors_name_the_file_too(csv):
    df = serostudy.read_data_frame(str(csv)).assign(group=["a", "b", "a", "b"])
    with pytest.raises(InputError) as exc:
        serostudy.table1(df, by="group", include=["weight"])
    assert exc.value.file == str(csv) and "weight" in str(exc.value)


@pytest.mark.parametrize("level", [2, 0, 1, float("nan"), "0.95"])
def test_table1_bad_confidence_level_is_an_input_error_not_pydantics(level):
    # it leaked as pydantic.ValidationError from TestPolicy
    df = pd.DataFrame({"group": ["a", "a", "b", "b"], "age": [34.0, 51.0, 47.0, 29.0]})
    with pytest.raises(InputError, match=r"`confidence_level` must be a number between 0 and 1"):
        serostudy.table1(df, by="group", confidence_level=level)
