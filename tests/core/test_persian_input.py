"""Persian data in (issue 15, build item 1): encodings, Persian digits and letters.

Every file here is written by Python's own codecs (``cp1256``, ``utf-16``,
``utf-8-sig``, ``latin-1``), so the bytes are what those encodings define; the values
read back are compared with the values written.  Windows-1256 has no Persian yeh
(U+06CC) nor Persian digits: a Persian file in that encoding spells ``ی`` as the Arabic
``ي`` and uses ASCII digits, which is why labels are matched after folding.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import serostudy
from serostudy._analysis.api import read_data_frame
from serostudy._io.config import load_config
from serostudy._io.readers import apply_codebook, parse_number, read_table
from serostudy._io.text import ARABIC_SCRIPT_SHARE, decode_text, fold_label, normalize_number_text
from serostudy.cli import main
from serostudy.exceptions import ConfigError, DataError

FA_GROUP, FA_AGE, FA_SEX, FA_B12 = "گروه", "سن", "جنس", "ب12"  # headers cp1256 spells as typed
PATIENT, CONTROL = "بیمار", "کنترل"  # Persian yeh and keheh, as a codebook is typed
MALE, FEMALE = "مرد", "زن"

FA_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def _to_arabic_letters(s: str) -> str:
    """How Windows-1256 spells Persian: Arabic yeh and kaf."""
    return s.replace("ی", "ي").replace("ک", "ك")


def _persian_frame(core_study: Path) -> pd.DataFrame:
    """The core study's 88 participants with Persian headers and labels (Latin digits)."""
    d = pd.read_csv(core_study / "participants.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({
        FA_GROUP: d["group"].map({"nmosd": PATIENT, "control": CONTROL}),
        FA_AGE: d["age"],
        FA_SEX: d["sex"].map({"male": MALE, "female": FEMALE}),
        FA_B12: d["b12_pmol_l"],
    })


# --------------------------------------------------------------------------- encodings


def test_windows_1256_csv_with_persian_headers_and_labels(tmp_path):
    text = f"{FA_GROUP},{FA_AGE},{FA_SEX}\n{_to_arabic_letters(PATIENT)},34,{MALE}\n{CONTROL},41,{FEMALE}\n"
    p = tmp_path / "p.csv"
    p.write_bytes(text.encode("cp1256"))
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")  # the file really is not UTF-8
    df = read_table(p)
    assert list(df.columns) == [FA_GROUP, FA_AGE, FA_SEX]
    assert df[FA_GROUP].tolist() == ["بيمار", CONTROL]  # Arabic yeh, as the file has it (cp1256 has no ی)
    assert df[FA_AGE].tolist() == ["34", "41"]
    src = df.attrs["source"]
    assert src.encoding == "cp1256"
    assert "Windows-1256" in src.encoding_choice and str(p) in src.encoding_choice


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_bom_tab_separated_persian_digits(tmp_path, codec, bom):
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated."""
    text = f"{FA_GROUP}\t{FA_B12}\n{PATIENT}\t۴۲٫۱\n{CONTROL}\t٣٥٫٥\n{PATIENT}\t۱٬۲۳۴\n"
    p = tmp_path / "unicode.txt"
    p.write_bytes(bom + text.encode(codec))
    df = read_data_frame(str(p))
    assert list(df.columns) == [FA_GROUP, FA_B12]
    assert df[FA_B12].tolist() == [42.1, 35.5, 1234.0]
    assert df[FA_GROUP].tolist() == [PATIENT, CONTROL, PATIENT]
    assert "UTF-16" in df.attrs["source"].encoding_choice


def test_utf8_with_bom_and_without(tmp_path):
    text = f"{FA_GROUP},{FA_AGE}\n{PATIENT},30\n"
    a, b = tmp_path / "bom.csv", tmp_path / "nobom.csv"
    a.write_bytes(text.encode("utf-8-sig"))
    b.write_bytes(text.encode("utf-8"))
    da, db = read_table(a), read_table(b)
    assert list(da.columns) == list(db.columns) == [FA_GROUP, FA_AGE]  # no BOM glued to the first header
    assert da[FA_GROUP].tolist() == db[FA_GROUP].tolist() == [PATIENT]
    assert "byte-order mark" in da.attrs["source"].encoding_choice
    assert "UTF-8" in db.attrs["source"].encoding_choice


def test_ascii_file_makes_no_encoding_choice(core_study):
    src = read_table(core_study / "participants.csv").attrs["source"]
    assert src.encoding == "utf-8" and src.encoding_choice == ""


def test_file_that_fits_no_rule_stops_naming_offset_line_and_how_to_declare(tmp_path):
    p = tmp_path / "latin1.csv"
    data = "id,town\n1,Paris\n2,Orléans\n".encode("latin-1")
    p.write_bytes(data)
    with pytest.raises(DataError) as info:
        read_table(p)
    msg = str(info.value)
    assert info.value.file == str(p)
    off = data.index(b"\xe9")
    assert f"byte offset {off} (line 3, byte 0xE9)" in msg
    assert "encoding: windows-1256" in msg and "--encoding" in msg
    # declared, it reads
    assert read_table(p, encoding="latin-1")["town"].tolist() == ["Paris", "Orléans"]


def test_mostly_latin_accents_are_not_taken_for_arabic(tmp_path):
    """Below the stated share of Arabic-script characters, cp1256 is not chosen."""
    body = "café " * 20 + _to_arabic_letters(PATIENT)  # 5 of 25 non-ASCII characters are Arabic
    with pytest.raises(DataError, match="cannot tell its text encoding"):
        decode_text(f"a\n{body}\n".encode("cp1256"), file="x.csv")
    assert ARABIC_SCRIPT_SHARE == 0.90


@pytest.mark.parametrize("word", ["España", "Orléans", "Zürich", "Ærø", "Ñandú"])
def test_latin1_text_is_never_read_as_arabic(word):
    """Latin-1 accents decode to Arabic letters in Windows-1256 or ISO-8859-6, but glued
    to Latin letters, which Persian text never is: stop, do not guess."""
    with pytest.raises(DataError, match="cannot tell its text encoding"):
        decode_text(f"id,town\n1,{word}\n".encode("latin-1"), file="x.csv")


def test_iso_8859_6_arabic_file_is_detected_not_misread_as_windows_1256(tmp_path):
    """ISO-8859-6 (no Persian letters) puts ي و ه at bytes where Windows-1256 has ê è ç:
    read as Windows-1256 those glue Latin-1 letters to Arabic ones, so only ISO-8859-6 fits."""
    text = "group,age\nمريض,34\nسليم,40\nمريض,51\n"
    p = tmp_path / "iso.csv"
    p.write_bytes(text.encode("iso8859-6"))
    df = read_table(p)
    assert df["group"].tolist() == ["مريض", "سليم", "مريض"]
    assert df.attrs["source"].encoding == "iso8859-6"
    assert "ISO-8859-6" in df.attrs["source"].encoding_choice


def test_wrong_declared_encoding_and_unknown_name(tmp_path):
    p = tmp_path / "p.csv"
    p.write_bytes("a\nپ\n".encode("cp1256"))
    with pytest.raises(DataError, match=r"declared encoding 'utf-8'.*line 2"):
        read_table(p, encoding="utf-8")
    with pytest.raises(DataError, match="unknown encoding"):
        read_table(p, encoding="klingon")


def test_data_encoding_in_config_is_validated_and_used(tmp_path, core_study):
    cfg = yaml.safe_load((core_study / "study.yaml").read_text())
    cfg["data"]["encoding"] = "klingon-8"
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(cfg))
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert "data.encoding" in str(info.value)
    cfg["data"]["encoding"] = "windows-1256"
    p.write_text(yaml.safe_dump(cfg))
    assert load_config(p).data.encoding == "windows-1256"


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, expected", [
    ("۴۲٫۱", 42.1), ("٤٢٫١", 42.1), ("۴۲.۱", 42.1), ("-۳", -3.0), ("۱٬۲۳۴", 1234.0),
    ("۱٬۲۳۴٫۵", 1234.5), ("۱۲٬۳۴۵٬۶۷۸", 12345678.0), ("\u200f۴۲\u200f", 42.0), ("۰٫۵", 0.5),
])
def test_persian_and_arabic_indic_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["۱٬۲", "۱۲۳۴٬۵۶۷", "٬۱۲۳", "۱٬۲۳۴٬۵", "۴۲٪", "۴۲،۵", "۴۲٫۱٫۲"])
def test_numbers_with_misplaced_separators_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_persian_number_cells_in_the_codebook_path(tmp_path, core_study):
    d = pd.read_csv(core_study / "participants.csv", dtype=str, keep_default_na=False)
    d.loc[0, "b12_pmol_l"] = "۱٬۲۳۴٫۵"
    d.loc[1, "b12_pmol_l"] = "<۲۱"
    d.loc[2, "bmi"] = "۲۷٫۵"
    d.loc[3, "age"] = "٤٢"
    p = tmp_path / "participants.csv"
    p.write_bytes(d.to_csv(index=False).encode("utf-8"))
    cfg = load_config(core_study / "study.yaml")
    out = apply_codebook(read_table(p, na_values=cfg.data.na_values), cfg)
    assert out["b12_pmol_l"].iloc[0] == 1234.5
    assert (out["b12_pmol_l"].iloc[1], out["b12_pmol_l__censor"].iloc[1]) == (21.0, "<")
    assert out["bmi"].iloc[2] == 27.5 and out["age"].iloc[3] == 42.0
    d.loc[4, "bmi"] = "۲٬۷"
    p.write_bytes(d.to_csv(index=False).encode("utf-8"))
    with pytest.raises(DataError) as info:
        apply_codebook(read_table(p, na_values=cfg.data.na_values), cfg)
    assert (info.value.row, info.value.column) == (6, "bmi")
    assert "groups of three" in str(info.value)


def test_normalize_number_text_leaves_ascii_alone():
    assert normalize_number_text("1,5") == "1,5"


# --------------------------------------------------------------------------- labels


def test_fold_label_variants():
    assert fold_label("بيمار") == fold_label("بیمار") == fold_label("بیـــمار")
    assert fold_label("كنترل") == fold_label("کنترل")
    assert fold_label("کم\u200cخونی") == fold_label("کمخونی") == fold_label(" کم\u200cخوني ")
    assert fold_label("\u06d5\u0654") == fold_label("\u06c0")  # NFC composes ae + hamza above
    assert fold_label("۱") == fold_label("1")
    assert fold_label("بیمار") != fold_label("کنترل")


def _persian_study(tmp_path: Path, core_study: Path, *, encoding: str, latin_digits: bool = True) -> Path:
    """The core study with Persian group, sex labels and an age header, written in
    ``encoding``; the study.yaml's codebook spells them with Persian ی/ک."""
    d = pd.read_csv(core_study / "participants.csv", dtype=str, keep_default_na=False)
    d["group"] = d["group"].map({"nmosd": PATIENT, "control": CONTROL})
    d["sex"] = d["sex"].map({"male": MALE, "female": FEMALE})
    d = d.rename(columns={"age": "سن_بیمار"})
    if encoding == "cp1256":
        d["group"] = d["group"].map(_to_arabic_letters)
        d.columns = [_to_arabic_letters(c) for c in d.columns]
    if not latin_digits:
        for c in ("سن_بیمار", "b12_pmol_l", "bmi"):
            d[c] = d[c].str.translate(FA_DIGITS)
    p = tmp_path / "participants.csv"
    p.write_bytes(d.to_csv(index=False).encode(encoding))
    cfg = yaml.safe_load((core_study / "study.yaml").read_text())
    cfg["groups"] = {"variable": "group", "order": [PATIENT, CONTROL], "cases": PATIENT}
    cfg["codebook"]["sex"]["levels"] = [MALE, FEMALE]
    cfg["codebook"]["sex"]["level_labels"] = {}
    cfg["codebook"]["سن_بیمار"] = cfg["codebook"].pop("age")
    cfg["analyses"]["table1"]["variables"] = ["سن_بیمار", "sex", "b12_pmol_l", "b12_category"]
    for k in ("bmi", "age_at_onset", "disease_duration", "relapses", "follow_up_years", "edss"):
        cfg["codebook"][k]["groups"] = [PATIENT]
    for part in ("table2", "figures"):
        cfg["analyses"].pop(part, None)
    cfg.pop("models", None)
    s = tmp_path / "study.yaml"
    s.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return s


def test_arabic_yeh_kaf_labels_match_codebook_written_with_persian_letters(tmp_path, core_study):
    from serostudy._pipeline import load_context

    s = _persian_study(tmp_path, core_study, encoding="cp1256")
    ctx = load_context(load_config(s), tmp_path)
    # the codebook's spelling (Persian ی) is what the analysis uses, not the file's ي
    assert set(ctx.data["group"]) == {PATIENT, CONTROL}
    assert "سن_بیمار" in ctx.data.columns
    assert ctx.extra["read_choices"][0].endswith("Arabic script, >= 90%)")
    assert ctx.extra["read_choices"][0].startswith("participants.csv: read as Windows-1256")  # as in study.yaml


def _table1_records(study: Path) -> list[tuple]:
    from serostudy._analysis.core_stages import table1_stage
    from serostudy._pipeline import load_context

    ctx = load_context(load_config(study), study.parent)
    sec = table1_stage(ctx)
    return sorted((r.variable, r.statistic, str(r.group), str(r.level), r.estimate, r.n) for r in sec.records)


def test_table1_of_cp1256_persian_file_equals_utf8_latin_digit_file(tmp_path, core_study):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    a = _table1_records(_persian_study(tmp_path / "a", core_study, encoding="cp1256"))
    b = _table1_records(_persian_study(tmp_path / "b", core_study, encoding="utf-8"))
    c = _table1_records(_persian_study(tmp_path / "c", core_study, encoding="utf-16", latin_digits=False))
    assert len(a) > 20
    assert a == b == c
    n = {(r[2]) for r in a if r[0] == "سن_بیمار" and r[1] == "mean"}
    assert PATIENT in n and CONTROL in n


def _write_config_free(path: Path, df: pd.DataFrame, encoding: str) -> Path:
    path.write_bytes(df.to_csv(index=False).encode(encoding))
    return path


def test_table1_api_and_cli_on_cp1256_file_equal_utf8_latin(tmp_path, core_study, capsys):
    df = _persian_frame(core_study)
    cp = _write_config_free(tmp_path / "fa1256.csv", df.map(_to_arabic_letters), "cp1256")  # labels only
    fa_digits = df.copy()
    for c in (FA_AGE, FA_B12):
        fa_digits[c] = fa_digits[c].str.translate(FA_DIGITS)
    u16 = _write_config_free(tmp_path / "fa16.csv", fa_digits, "utf-16")
    u8 = _write_config_free(tmp_path / "latin.csv", df, "utf-8")

    def api(p: Path):
        t = serostudy.table1(read_data_frame(str(p)), by=FA_GROUP, include=[FA_AGE, FA_SEX, FA_B12])
        return t

    ta, tb, tc = api(cp), api(u8), api(u16)
    key = lambda t: [(r.variable, r.statistic, fold_label(str(r.group)), str(r.level), r.estimate, r.n)  # noqa: E731
                     for r in t.records]
    assert len(tb.records) > 20
    assert key(ta) == key(tb) == key(tc)
    assert any("Windows-1256" in c for c in ta.choices)
    assert any("read as UTF-8" in c for c in tb.choices)  # Persian text in UTF-8 is a detected choice too
    docs = []
    for p, extra in ((cp, []), (cp, ["--encoding", "windows-1256"]), (u8, [])):
        rc = main(["table1", str(p), "--by", FA_GROUP, "--include", f"{FA_AGE},{FA_SEX},{FA_B12}", "--json", *extra])
        assert rc == 0
        docs.append(json.loads(capsys.readouterr().out))
    ests = [[(r["variable"], r["statistic"], r["estimate"]) for r in d["records"]] for d in docs]
    assert ests[0] == ests[1] == ests[2]
    assert any("Windows-1256" in c for c in docs[0]["choices"])
    assert not any("Windows-1256" in c for c in docs[1]["choices"])  # declared: no automatic choice


def test_model_cli_reads_cp1256_with_encoding_flag(tmp_path, capsys):
    rng = np.random.default_rng(3)
    n = 60
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.3 + 0.4 * x))
    sex = np.where(rng.random(n) < 0.5, MALE, FEMALE)
    df = pd.DataFrame({"y": y, "x": np.round(x, 3), "sex": sex})
    p8 = _write_config_free(tmp_path / "m8.csv", df, "utf-8")
    p1256 = _write_config_free(tmp_path / "m1256.csv", df, "cp1256")
    outs = []
    for p, extra in ((p8, []), (p1256, ["--encoding", "windows-1256"]), (p1256, [])):
        assert main(["model", str(p), "--formula", "y ~ x + sex", "--family", "poisson", "--json", *extra]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0]["terms"] == outs[1]["terms"] == outs[2]["terms"]


def test_text_that_fits_both_arabic_encodings_is_windows_1256_and_says_so():
    got = decode_text(f"sex\n{MALE}\n{FEMALE}\n".encode("cp1256"), file="s.csv")
    assert got.encoding == "cp1256" and got.text.split() == ["sex", MALE, FEMALE]
    assert "ISO-8859-6 would also read as Arabic script" in got.detail


def test_large_utf8_file_checked_in_chunks_across_a_split_character(tmp_path):
    """UTF-8 files are validated in 1 MiB chunks; a 2-byte letter split by a chunk
    boundary is still valid, and an invalid byte after the first chunk is still found."""
    from serostudy._io.text import utf8_file

    head = "a\n"
    filler = "x\n" * ((1 << 20) // 2 - 1)  # first chunk ends one byte into the next letter
    text = head + filler[:-1] + "yy\nپ\n"
    p = tmp_path / "big.csv"
    data = text.encode("utf-8")
    start = data.index("پ".encode())
    assert start == 3 + (1 << 20) - 1  # 3 BOM-probe bytes, then 1 MiB chunks: split after its first byte
    p.write_bytes(data)
    got = utf8_file(p, file=str(p))
    assert got is not None and got.how == "valid UTF-8"
    assert read_table(p)["a"].iloc[-1] == "پ"
    bad = data + "é\n".encode("latin-1")
    p.write_bytes(bad)
    assert utf8_file(p, file=str(p)) is None
    with pytest.raises(DataError, match=f"byte offset {len(data)} "):
        read_table(p)
