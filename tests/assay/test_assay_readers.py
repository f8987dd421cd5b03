"""Readers: each vendor fixture, and broken variants giving one clear AssayError."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from serostudy.assay import detect_format, read_plate
from serostudy.exceptions import AssayError

FIX = Path(__file__).parent / "fixtures"
BROKEN = FIX / "broken"

GOOD = [
    ("grid_labels.csv", "grid"),
    ("grid_semicolon_nolabels.csv", "grid"),
    ("grid.xlsx", "grid"),
    ("mars.csv", "mars"),
    ("gen5.txt", "gen5"),
    ("softmax.txt", "softmax"),
]


@pytest.fixture(scope="module")
def reference():
    return read_plate(FIX / "grid_labels.csv")


@pytest.mark.parametrize(("name", "fmt"), GOOD)
def test_reader_fixture_gives_the_same_plate(name, fmt, reference):
    r = read_plate(FIX / name)
    assert r.format == fmt and detect_format(FIX / name) == fmt
    assert r.values.shape == (8, 12) and r.plate_format == 96
    np.testing.assert_array_equal(r.values.to_numpy(), reference.values.to_numpy())
    assert r.values.loc["C", 5] == pytest.approx(0.1429)


@pytest.mark.parametrize(("name", "fmt"), GOOD)
def test_reader_tokens_become_flagged_missing(name, fmt):
    r = read_plate(FIX / name)
    assert np.isnan(r.values.loc["A", 12]) and np.isnan(r.values.loc["H", 12])
    assert r.flags["H12"].startswith("missed")
    assert r.flags["A12"].startswith("overflow" if fmt != "softmax" else "out of range")
    assert np.isfinite(r.values.to_numpy()).sum() == 94


def test_explicit_format_and_metadata():
    r = read_plate(FIX / "gen5.txt", format="gen5")
    assert r.metadata["Reader Type"] == "Synergy HTX"
    assert read_plate(FIX / "softmax.txt").metadata["wavelength"] == "405"
    assert read_plate(FIX / "mars.csv").metadata["read"].startswith("Raw Data")


def test_384_well_grid():
    r = read_plate(FIX / "grid_384.csv")
    assert r.plate_format == 384 and r.values.shape == (16, 24)
    assert list(r.values.index)[-1] == "P"


BROKEN_CASES = [
    ("grid_labels_empty.csv", "empty"),
    ("grid_labels_text_in_well.csv", r"row 4, column '5': well C5: found 'abc'"),
    ("grid_labels_wrong_shape.csv", "found 7 data rows"),
    ("grid_11_columns.csv", "column header runs 1-11"),
    ("grid_decimal_comma_comma_sep.csv", "row A has 23 values"),
    ("mars_empty.csv", "empty"),
    ("mars_text_in_well.csv", "well C5: found 'abc'"),
    ("mars_wrong_shape.csv", "ends after 7 of 8 rows"),
    ("gen5_empty.txt", "empty"),
    ("gen5_text_in_well.txt", "well C5: found 'abc'"),
    ("gen5_wrong_shape.txt", "ends after 7 of 8 rows"),
    ("softmax_empty.txt", "empty"),
    ("softmax_text_in_well.txt", "well C5: found 'abc'"),
    ("softmax_wrong_shape.txt", "row H has 0 values"),
]


@pytest.mark.parametrize(("name", "msg"), BROKEN_CASES)
def test_broken_variant_gives_one_clear_error(name, msg):
    with pytest.raises(AssayError, match=msg) as ei:
        read_plate(BROKEN / name)
    assert isinstance(ei.value, ValueError)
    assert name in str(ei.value)  # the file is named


@pytest.mark.parametrize(("fmt", "other"), [("mars", "softmax.txt"), ("gen5", "mars.csv"), ("softmax", "gen5.txt")])
def test_vendor_reader_on_a_file_of_another_format(fmt, other):
    with pytest.raises(AssayError):
        read_plate(FIX / other, format=fmt)


def test_missing_file_and_bad_format_option(tmp_path):
    with pytest.raises(AssayError, match="not found"):
        read_plate(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="`format` must be one of"):
        read_plate(FIX / "grid_labels.csv", format="csv")


def test_corrupt_xlsx(tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(AssayError, match="XLSX"):
        read_plate(p)
