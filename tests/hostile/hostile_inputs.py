"""Inputs of the hostile corpus that are built at test time, into the case's sandbox copy.

Each function ``name(case_dir, root)`` is named by ``generate: name`` in a ``case.yaml``.
These are the inputs that are large (20,000 rows, 30 MB), hold bytes an editor or git
would rewrite (NUL, lone CR, BOM, Latin-1, UTF-16), or are not plain files (symlinks,
a FIFO, folders).  Small binary fixtures (XLSX, SAV, DTA) are committed instead and
written by ``make_fixtures.py``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"


def _base(name: str) -> str:
    return (BASE / name).read_text(encoding="utf-8")


def _rows(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        g = "case" if i % 2 == 0 else "control"
        out.append(f"P{i:05d},{g},{30 + rng.randint(0, 30)},{rng.choice(['male', 'female'])},{rng.gauss(50, 10):.1f}")
    return out


# --------------------------------------------------------------------------- study.yaml


def deep_nesting_study(case_dir: Path, root: Path) -> None:
    depth = 20_000
    text = _base("study.yaml").replace(
        '  title: "Hostile corpus base study"\n',
        '  title: "Hostile corpus base study"\n  description: ' + "[" * depth + "]" * depth + "\n",
    )
    (case_dir / "study.yaml").write_text(text, encoding="utf-8")


def latin1_study(case_dir: Path, root: Path) -> None:
    text = _base("study.yaml").replace("Hostile corpus base study", "Étude de sérologie, données à caractère personnel")
    (case_dir / "study.yaml").write_bytes(text.encode("latin-1"))


def nul_study(case_dir: Path, root: Path) -> None:
    text = _base("study.yaml").replace("Hostile corpus base study", "Hostile\x00study")
    (case_dir / "study.yaml").write_bytes(text.encode("utf-8"))


def bom_crlf_study(case_dir: Path, root: Path) -> None:
    text = _base("study.yaml").replace("\n", "\r\n")
    (case_dir / "study.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def huge_study(case_dir: Path, root: Path) -> None:
    comment = ("# " + "x" * 98 + "\n").encode()
    with open(case_dir / "study.yaml", "wb") as fh:
        fh.write(_base("study.yaml").encode())
        block = comment * 10_000  # 1 MB
        fh.writelines(block for _ in range(30))


def symlink_participants_outside(case_dir: Path, root: Path) -> None:
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    target = outside / "secret.csv"
    target.write_text("id,grp,age\nS1,case,30\n", encoding="utf-8")
    (case_dir / "participants.csv").symlink_to(target)


# --------------------------------------------------------------------------- participant files


def id_column_20000(case_dir: Path, root: Path) -> None:
    lines = ["id,group,age,sex,score", *_rows(20_000)]
    (case_dir / "big.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def bom_csv(case_dir: Path, root: Path) -> None:
    (case_dir / "bom.csv").write_bytes(b"\xef\xbb\xbf" + _base("participants.csv").encode())


def mixed_newlines_csv(case_dir: Path, root: Path) -> None:
    data = b"id,group,age\r\nP1,case,30\nP2,control,40\rP3,case,50\r\nP4,control,60\nP5,case,70\rP6,control,80\n"
    (case_dir / "mixed.csv").write_bytes(data)


def nul_csv(case_dir: Path, root: Path) -> None:
    (case_dir / "nul.csv").write_bytes(b"id,group,age\nP1,case,30\nP2,con\x00trol,40\nP3,case,50\nP4,control,60\n")


def huge_field_csv(case_dir: Path, root: Path) -> None:
    big = "x" * (8 << 20)
    text = f"id,group,age,note\nP1,case,30,{big}\nP2,control,40,a\nP3,case,50,b\nP4,control,60,c\n"
    (case_dir / "huge.csv").write_text(text, encoding="utf-8")


def latin1_csv(case_dir: Path, root: Path) -> None:
    (case_dir / "latin1.csv").write_bytes("id,group,city\nP1,case,Zürich\nP2,control,Besançon\n".encode("latin-1"))


def utf16_csv(case_dir: Path, root: Path) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark (read, issue 15)."""
    (case_dir / "utf16.csv").write_bytes("id,group,age\nP1,case,30\nP2,control,40\n".encode("utf-16"))


def utf16_no_bom_csv(case_dir: Path, root: Path) -> None:
    """UTF-16 little-endian without a byte-order mark: NUL bytes in what would be UTF-8 (refused)."""
    (case_dir / "utf16-nobom.csv").write_bytes("id,group,age\nP1,case,30\nP2,control,40\n".encode("utf-16-le"))


def wide_csv(case_dir: Path, root: Path) -> None:
    n = 20_000
    head = "id,group,age," + ",".join(f"c{i}" for i in range(n))
    rows = [f"P{i},{'case' if i % 2 == 0 else 'control'},{30 + i}," + ",".join("1" for _ in range(n)) for i in range(6)]
    (case_dir / "wide.csv").write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")


def folder_named_csv(case_dir: Path, root: Path) -> None:
    (case_dir / "participants.csv").mkdir()


def fifo_csv(case_dir: Path, root: Path) -> None:
    os.mkfifo(case_dir / "participants.csv")


# --------------------------------------------------------------------------- plates and layouts


def garbage_plate(case_dir: Path, root: Path) -> None:
    rng = random.Random(10)
    (case_dir / "plate.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4000)))


def plates_folder(case_dir: Path, root: Path) -> None:
    (case_dir / "plates").mkdir()


def bom_crlf_plate(case_dir: Path, root: Path) -> None:
    text = _base("plate.csv").replace("\n", "\r\n")
    (case_dir / "plate.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())


def layout_dilution_zero(case_dir: Path, root: Path) -> None:
    text = _base("layout.toml")
    i = text.index("[[sample]]")
    j = text.index("wells", i)
    text = text[:j] + "dilution = 0\n" + text[j:]
    (case_dir / "layout.toml").write_text(text, encoding="utf-8")


def latin1_layout(case_dir: Path, root: Path) -> None:
    text = _base("layout.toml").replace('name = "plate_1"', 'name = "Platte für Überprüfung"')
    (case_dir / "layout.toml").write_bytes(text.encode("latin-1"))


# --------------------------------------------------------------------------- audit


def deep_nesting_audit(case_dir: Path, root: Path) -> None:
    depth = 20_000
    text = "groups: {a: {n: 3}}\nnotes: " + "[" * depth + "]" * depth + "\n"
    (case_dir / "audit.yaml").write_text(text, encoding="utf-8")


def latin1_audit(case_dir: Path, root: Path) -> None:
    text = _base("audit.yaml").replace("Hostile corpus base summary", "Étude à Besançon")
    (case_dir / "audit.yaml").write_bytes(text.encode("latin-1"))
