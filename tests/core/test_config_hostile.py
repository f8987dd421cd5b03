"""Hostile and broken config files end in one ConfigError / AuditInputError / AssayError
that names the file and where, quickly and with bounded memory (issue 10: finding 3,
config parts of 6 and 7)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from serostudy._demo import demo_config_path
from serostudy._io.config import load_config
from serostudy._limits import MAX_CONFIG_BYTES
from serostudy.audit._schema import load_summary
from serostudy.exceptions import AssayError, AuditInputError, ConfigError

DEMO = demo_config_path().read_text(encoding="utf-8")

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "study.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def _study_bomb() -> str:
    return DEMO.replace("study:\n", BOMB + "study:\n", 1).replace("  title: ", "  title: *i\n  x_title: ", 1)


def test_yaml_bomb_in_study_yaml_is_refused_fast(tmp_path):
    p = _write(tmp_path, _study_bomb())
    t0 = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert time.perf_counter() - t0 < 5
    msg = str(info.value)
    assert str(p) in msg and "alias" in msg and len(msg) < 600


def test_yaml_bomb_in_audit_yaml_is_refused_fast(tmp_path):
    p = _write(tmp_path, BOMB + "groups: *i\n", "summary.yaml")
    t0 = time.perf_counter()
    with pytest.raises(AuditInputError, match="alias"):
        load_summary(p)
    assert time.perf_counter() - t0 < 5


def test_a_few_aliases_are_still_allowed(tmp_path):
    text = DEMO.replace("  title: ", "  authors: &who [A. Author]\n  title: ", 1)
    cfg = load_config(_write(tmp_path, text))
    assert cfg.study.authors == ["A. Author"]


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}"), ("- ", "")])
def test_config_nested_20000_deep_gives_a_message(tmp_path, opener, closer):
    if opener == "- ":
        deep = "".join("  " * 0 + "- " for _ in range(20000)) + "x\n"
    else:
        deep = opener * 20000 + "1" + closer * 20000 + "\n"
    p = _write(tmp_path, "study:\n  title: " + deep)
    with pytest.raises(ConfigError, match="nested") as info:
        load_config(p)
    assert str(p) in str(info.value) and "line" in str(info.value)


def test_audit_yaml_nested_deep_gives_a_message(tmp_path):
    p = _write(tmp_path, "groups: " + "[" * 20000 + "]" * 20000 + "\n", "s.yaml")
    with pytest.raises(AuditInputError, match="nested"):
        load_summary(p)


def test_config_larger_than_the_cap_is_refused_before_parsing(tmp_path):
    p = _write(tmp_path, DEMO + "#" + "x" * MAX_CONFIG_BYTES + "\n")
    with pytest.raises(ConfigError, match="MiB|bytes") as info:
        load_config(p)
    assert str(p) in str(info.value)


def test_latin1_study_yaml_names_file_line_and_byte(tmp_path):
    text = DEMO.replace("description:", "description: Universit\u00e9 \u2014", 1) if "description:" in DEMO else \
        DEMO.replace("  title: ", "  description: Universit\u00e9\n  title: ", 1)
    raw = text.replace("\u2014", "-").encode("latin-1")
    p = _write(tmp_path, raw)
    bad = raw.index(b"\xe9")
    line = raw[:bad].count(b"\n") + 1
    with pytest.raises(ConfigError) as info:
        load_config(p)
    msg = str(info.value)
    assert str(p) in msg and "UTF-8" in msg and f"line {line}" in msg and f"byte {bad}" in msg


def test_duplicate_key_names_key_and_both_lines(tmp_path):
    text = DEMO.replace("  seed: 20201\n", "  seed: 20201\n  seed: 7\n", 1)
    first = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == "  seed: 20201")
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    msg = str(info.value)
    assert "'seed'" in msg and f"line {first}" in msg and f"line {first + 1}" in msg and "duplicate" in msg


def test_duplicate_key_in_audit_yaml(tmp_path):
    p = _write(tmp_path, "groups: {a: {n: 8}}\ngroups: {b: {n: 9}}\nvariables: {}\n", "s.yaml")
    with pytest.raises(AuditInputError, match=r"duplicate.*'groups'.*line 1.*line 2"):
        load_summary(p)


@pytest.mark.parametrize("value", ["-5", "-1", "18446744073709551616"])
def test_bad_seed_is_a_config_error(tmp_path, value):
    p = _write(tmp_path, DEMO.replace("  seed: 20201\n", f"  seed: {value}\n", 1))
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert info.value.key == "study.seed" and "line" in str(info.value)


@pytest.mark.parametrize("value", ["1e999", "-1e999", ".inf", "-.inf", ".nan", "inf", "nan"])
def test_non_finite_codebook_number_is_refused_at_load(tmp_path, value):
    var = "age"
    text = DEMO.replace("min: 0, max: 110}", f"min: 0, max: {value}}}", 1)
    assert text != DEMO
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert info.value.key == f"codebook.{var}.max"
    assert "finite" in str(info.value) and "line" in str(info.value)


def test_long_bad_value_is_cut_in_the_message(tmp_path):
    p = _write(tmp_path, DEMO.replace("continuous: welch", "continuous: " + "w" * 100_000, 1))
    with pytest.raises(ConfigError) as info:
        load_config(p)
    assert len(str(info.value)) < 1000 and "..." in str(info.value)


def test_layout_toml_nested_deep_or_large(tmp_path):
    from serostudy.assay import read_layout

    p = _write(tmp_path, "a = " + "[" * 20000 + "]" * 20000 + "\n", "layout.toml")
    with pytest.raises(AssayError, match="nested|deep"):
        read_layout(p)
    p = _write(tmp_path, "# " + "x" * (MAX_CONFIG_BYTES + 10) + "\n", "big.toml")
    with pytest.raises(AssayError, match="MiB|bytes"):
        read_layout(p)


def _cli(*args: str, cwd: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "serostudy", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_cli_seed_minus_5_is_a_usage_error(tmp_path):
    proc = _cli("demo", "--out", str(tmp_path / "out"), "--seed", "-5", cwd=tmp_path)
    assert proc.returncode == 2 and "--seed" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["latin1", "bomb", "deep"])
def test_cli_run_on_hostile_study_yaml_prints_one_message(tmp_path, kind):
    if kind == "latin1":
        raw = DEMO.replace("  title: ", "  description: Universit\u00e9\n  title: ", 1).encode("latin-1")
    elif kind == "bomb":
        raw = _study_bomb().encode()
    else:
        raw = ("study:\n  title: " + "[" * 20000 + "]" * 20000 + "\n").encode()
    p = _write(tmp_path, raw)
    proc = _cli("run", str(p), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert str(p) in proc.stderr and len(proc.stderr) < 2000


def test_negative_matching_seed_is_a_config_error(tmp_path):
    cfg = yaml.safe_load(DEMO)
    assert "matching" in cfg  # the demo study matches controls to cases
    text = yaml.safe_dump({**cfg, "matching": {**cfg["matching"], "seed": -5}}, sort_keys=False)
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert info.value.key == "matching.seed"
