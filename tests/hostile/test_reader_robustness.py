"""Regression tests for reader bugs found by the hostile corpus and the fuzzers (issue 10).

Each test is named after the bug; each failed before its fix (a traceback or a silent
misreading) and now expects one serostudy error naming the file and the row.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from serostudy.assay import read_plate
from serostudy.assay._layout import layout_from_dict
from serostudy.assay._units import check_unit
from serostudy.exceptions import AssayError, DataError

DEMO = Path(__file__).resolve().parents[2] / "src" / "serostudy" / "data" / "demo" / "plates"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --------------------------------------------------------------------------- participant CSV


def test_duplicate_csv_headers_are_refused_not_renamed(tmp_path: Path) -> None:
    """pandas renamed the second 'age' to 'age.1', so the duplicate went unnoticed."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "dup.csv", b"id,group,age,age\nP1,case,30,31\nP2,control,40,41\n")
    with pytest.raises(DataError, match=r"dup\.csv: duplicate column name\(s\) \['age'\]"):
        read_table(p)


def test_row_longer_than_header_names_the_row(tmp_path: Path) -> None:
    """A long first data row turned the first columns into a silent index (ids lost)."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "ragged.csv", b"id,group,age\nP1,case,30,7,7\nP2,control,40\n")
    with pytest.raises(DataError) as e:
        read_table(p)
    assert e.value.row == 2 and e.value.file == str(p)
    assert "5 fields" in str(e.value) and "header has 3" in str(e.value)


def test_later_long_row_names_the_row_not_a_parser_line(tmp_path: Path) -> None:
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "ragged.csv", b"id,group,age\nP1,case,30\nP2,control,40,99,99\nP3,case,5\n")
    with pytest.raises(DataError) as e:
        read_table(p)
    assert e.value.row == 3
    assert "C error" not in str(e.value)


def test_nul_byte_in_csv_is_refused_with_its_row(tmp_path: Path) -> None:
    """A NUL inside a cell was kept, and printed into tables and group labels."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "nul.csv", b"id,group,age\nP1,case,30\nP2,con\x00trol,40\n")
    with pytest.raises(DataError) as e:
        read_table(p)
    assert e.value.row == 3 and "NUL" in str(e.value)


def test_utf16_csv_with_bom_is_read_and_its_encoding_recorded(tmp_path: Path) -> None:
    """Documented treatment since issue 15 (Excel's "Unicode text" exports): a UTF-16 file
    with a byte-order mark is read, and the encoding is an automatic choice, said in the
    table's source (the corpus first expected it refused)."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "u16.csv", "id,group,age\nP1,case,30\nP2,control,40\n".encode("utf-16"))
    df = read_table(p)
    assert list(df.columns) == ["id", "group", "age"]
    assert df["group"].tolist() == ["case", "control"]
    src = df.attrs["source"]
    assert src.encoding == "utf-16"
    assert "UTF-16" in src.encoding_choice and "byte-order mark" in src.encoding_choice


def test_utf16_csv_without_bom_is_refused_naming_the_row(tmp_path: Path) -> None:
    """Without a byte-order mark the NUL bytes of UTF-16 are binary content for UTF-8: refused."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "u16.csv", "id,group,age\nP1,case,30\n".encode("utf-16-le"))
    with pytest.raises(DataError) as e:
        read_table(p)
    assert e.value.file == str(p) and e.value.row == 1
    assert "NUL" in str(e.value) and "UTF-16" in str(e.value)


def test_nul_character_in_a_utf16_csv_is_refused_naming_the_row(tmp_path: Path) -> None:
    """A decoded UTF-16 file holding U+0000 (binary content) is refused as the UTF-8 one is."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "u16.csv", "id,group,age\nP1,case,30\nP2,con\x00trol,40\n".encode("utf-16"))
    with pytest.raises(DataError) as e:
        read_table(p)
    assert e.value.file == str(p) and e.value.row == 3 and "NUL" in str(e.value)


def test_wide_header_is_read_in_linear_time(tmp_path: Path) -> None:
    """The duplicate-header check was quadratic: 20,000 columns took minutes."""
    from serostudy._io.readers import read_table

    n = 20_000
    head = ",".join(f"c{i}" for i in range(n))
    row = ",".join("1" for _ in range(n))
    p = _write(tmp_path, "wide.csv", f"{head}\n{row}\n{row}\n".encode())
    t0 = time.perf_counter()
    df = read_table(p)
    assert df.shape == (2, n)
    assert time.perf_counter() - t0 < 20


def test_short_rows_still_read_as_missing_trailing_cells(tmp_path: Path) -> None:
    """Documented treatment kept: a row with fewer fields has its last cells missing."""
    from serostudy._io.readers import read_table

    p = _write(tmp_path, "short.csv", b"id,group,age\nP1,case\nP2,control,40\n")
    import pandas as pd

    df = read_table(p)
    assert pd.isna(df["age"].iloc[0]) and df["age"].iloc[1] == "40"


# --------------------------------------------------------------------------- plates and layouts


def _plate_text() -> str:
    return (DEMO / "plate_1.csv").read_text(encoding="utf-8")


def test_plate_with_lone_carriage_return_is_an_assay_error_not_csv_error(tmp_path: Path) -> None:
    """csv.reader raised _csv.Error ('new-line character seen in unquoted field')."""
    lines = _plate_text().splitlines()
    p = _write(tmp_path, "p.csv", ("\r" + "\n".join(lines) + "\n").encode())
    reading = read_plate(p)  # a lone CR is a line break, as in the participant reader
    assert reading.values.shape == (8, 12)
    p2 = _write(tmp_path, "p2.csv", b"\r\x00")
    with pytest.raises(AssayError):
        read_plate(p2)


def test_plate_value_overflowing_to_inf_is_refused(tmp_path: Path) -> None:
    """'1e999' parsed as inf and reached the curve fit as a reading."""
    text = _plate_text().replace("0.6453", "1e999", 1)
    p = _write(tmp_path, "p.csv", text.encode())
    with pytest.raises(AssayError, match=r"1e999") as e:
        read_plate(p)
    assert e.value.file == "p.csv" and e.value.row is not None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_layout_non_finite_concentration_is_refused(value: float) -> None:
    """TOML allows nan/inf; a nan concentration passed the `>= 0` check."""
    d = {"plate": 96, "unit": "pmol/L", "standard": [{"id": "S1", "concentration": value, "wells": ["A1"]}]}
    with pytest.raises(AssayError, match="concentration"):
        layout_from_dict(d, source="layout.toml")


@pytest.mark.parametrize("plate", [[96], {"a": 1}, "96", True])
def test_layout_plate_of_wrong_type_is_an_assay_error(plate: object) -> None:
    """`plate = [96]` raised TypeError (unhashable list) in the membership test."""
    d = {"plate": plate, "unit": "pmol/L", "standard": [{"id": "S1", "concentration": 1.0, "wells": ["A1"]}]}
    with pytest.raises(AssayError, match="plate"):
        layout_from_dict(d, source="layout.toml")


@pytest.mark.parametrize("unit", [["pmol/L"], {"x": 1}, 5])
def test_unit_of_wrong_type_is_an_assay_error(unit: object) -> None:
    with pytest.raises(AssayError):
        check_unit(unit, what="layout.toml: layout `unit`")


def test_xlsx_formula_without_saved_result_is_refused_not_read_as_missing(tmp_path: Path) -> None:
    """A formula cell with no cached value (files written by scripts, never opened in
    Excel) was read as an empty cell: the value silently became missing."""
    import openpyxl

    from serostudy._io.readers import read_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "group", "age"])
    ws.append(["P1", "case", 30])
    ws.append(["P2", "control", "=1+1"])
    ws.append(["P3", "case", None])
    p = tmp_path / "f.xlsx"
    wb.save(p)
    with pytest.raises(DataError, match=r"=1\+1") as e:
        read_table(p)
    assert e.value.row == 3 and e.value.column == "age"


def test_xlsx_with_empty_cells_and_no_formulas_reads(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    from serostudy._io.readers import read_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "group", "age"])
    ws.append(["P1", "case", 30])
    ws.append(["P2", "control", None])
    p = tmp_path / "ok.xlsx"
    wb.save(p)
    df = read_table(p)
    assert df["age"].iloc[0] == 30 and pd.isna(df["age"].iloc[1])


def test_xlsx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    """A 100 kB workbook whose sheet inflates to 100 MB was parsed in full (time and
    memory grow with the inflated size, not the file size)."""
    import io
    import zipfile

    import openpyxl

    from serostudy._io.readers import read_table

    wb = openpyxl.Workbook()
    wb.active.append(["id", "group"])
    wb.active.append(["P1", "case"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (100 << 20), 1)
            z.writestr(item.filename, data)
    assert p.stat().st_size < 1 << 20
    t0 = time.perf_counter()
    with pytest.raises(DataError, match="inflates"):
        read_table(p)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("group_cell", ["", "   "])
def test_empty_group_cell_is_named_not_a_type_error(tmp_path: Path, group_cell: str) -> None:
    """Found by the fuzzers (CSV with a lone CR, XLSX with an empty cell): pandas 3's
    ``Series.map`` turned the empty group (None) into NaN, and the Persian label matcher
    raised ``TypeError`` on the float."""
    from serostudy._io.config import load_config
    from serostudy._io.readers import apply_codebook, read_table

    base = Path(__file__).resolve().parent / "base"
    lines = (base / "participants.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[1] = group_cell
    lines[2] = ",".join(cells)
    p = _write(tmp_path, "p.csv", ("\n".join(lines) + "\n").encode())
    with pytest.raises(DataError, match="empty group") as e:
        apply_codebook(read_table(p, na_values=["NA"]), load_config(base / "study.yaml"))
    assert e.value.row == 3 and e.value.column == "group"
