"""Write the binary fixtures of the hostile corpus (XLSX, SPSS .sav, Stata .dta).

Run from the repository root: ``.venv/bin/python tests/hostile/make_fixtures.py``.  The
files are committed beside each case's ``case.yaml`` (all under 150 kB), so the corpus can
be inspected without running this; rerunning rewrites them identically in content.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat

CASES = Path(__file__).resolve().parent / "cases"
BASE = Path(__file__).resolve().parent / "base"


def _frame() -> pd.DataFrame:
    return pd.read_csv(BASE / "participants.csv", dtype={"id": str, "group": str, "sex": str})


def _xlsx_bytes(df: pd.DataFrame) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    df = _frame()
    # a valid XLSX; a truncated one; one with a formula (no cached value) in a numeric cell
    good = _xlsx_bytes(df)
    (CASES / "participants-xlsx-valid" / "valid.xlsx").write_bytes(good)
    (CASES / "participants-xlsx-truncated" / "truncated.xlsx").write_bytes(good[: len(good) // 2])
    (CASES / "plates-corrupted-xlsx" / "plate.xlsx").write_bytes(good[: len(good) // 3])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for i, row in enumerate(df.itertuples(index=False)):
        vals = list(row)
        if i == 1:
            vals[2] = "=1+1"  # openpyxl stores this as a formula without a cached result
        ws.append(vals)
    wb.save(CASES / "participants-xlsx-formula-cell" / "participants.xlsx")

    # a small zip bomb: a valid workbook whose sheet XML inflates to ~100 MB of whitespace
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (100 << 20), 1)
            z.writestr(item.filename, data)
    (CASES / "participants-xlsx-zip-bomb" / "bomb.xlsx").write_bytes(out.getvalue())

    # SPSS: value labels 1 = male, 2 = female; a corrupted copy; one with inf
    sav = df.copy()
    sav["sex"] = sav["sex"].map({"male": 1.0, "female": 2.0})
    labels = {"sex": {1.0: "male", 2.0: "female"}}
    valid_sav = CASES / "participants-sav-valid" / "valid.sav"
    pyreadstat.write_sav(sav, str(valid_sav), variable_value_labels=labels)
    raw = bytearray(valid_sav.read_bytes())
    raw[0:64] = b"\x00" * 64  # the file header (magic and product string) overwritten
    (CASES / "participants-sav-corrupted" / "corrupted.sav").write_bytes(bytes(raw))
    inf = sav.copy()
    inf["age"] = inf["age"].astype(float)
    inf.loc[0, "age"] = np.inf
    inf.loc[1, "age"] = -np.inf
    pyreadstat.write_sav(inf, str(CASES / "participants-sav-inf" / "inf.sav"), variable_value_labels=labels)

    # Stata: a valid file, truncated half way
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        valid_dta = Path(tmp) / "valid.dta"
        pyreadstat.write_dta(df, str(valid_dta))
        data = valid_dta.read_bytes()
    (CASES / "participants-dta-truncated" / "truncated.dta").write_bytes(data[: len(data) // 2])


if __name__ == "__main__":
    main()
