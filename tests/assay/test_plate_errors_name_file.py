"""Plate errors name the plate file, not only the layout's plate name (issue 10, finding 7)."""

from __future__ import annotations

import pytest

from serostudy._demo import demo_dir
from serostudy.assay import quantify_plate, read_layout, read_plate
from serostudy.assay._layout import parse_well
from serostudy.exceptions import AssayError


def test_curve_error_names_the_plate_file():
    plates = demo_dir() / "plates"
    reading = read_plate(plates / "plate_1.csv")
    layout = read_layout(plates / "plate_1.layout.toml")
    for w in layout.wells.loc[layout.wells["role"] == "blank", "well"]:
        r, c = parse_well(w, reading.plate_format)
        reading.values.iat[r, c] = 10.0  # blanks above every standard: responses <= 0 after subtraction
    with pytest.raises(AssayError) as info:
        quantify_plate(reading, layout, weights="1/y", blank="subtract")
    assert info.value.file is not None and "plate_1.csv" in info.value.file
    assert "plate_1.csv" in str(info.value) and "positive responses" in str(info.value)
