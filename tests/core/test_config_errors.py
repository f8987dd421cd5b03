"""An invalid study.yaml gets one ConfigError naming the key, the line, what was found
and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from serostudy._demo import demo_config_path
from serostudy._io.config import load_config
from serostudy.exceptions import ConfigError


def _write(tmp_path: Path, mutate) -> Path:
    cfg = yaml.safe_load(demo_config_path().read_text())
    mutate(cfg)
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return p


def test_demo_config_is_valid():
    cfg = load_config(demo_config_path())
    assert cfg.groups.order == ["nmosd", "control"]


@pytest.mark.parametrize(
    "mutate,key,words",
    [
        (lambda c: c["tests"].__setitem__("continuous", "wilcoxon"), "tests.continuous", ["'welch'", "'student'", "wilcoxon"]),
        (lambda c: c.pop("groups"), "groups", ["required"]),
        (lambda c: c["codebook"]["age"].__setitem__("tpye", "continuous"), "codebook.age.tpye", ["unknown key"]),
        (lambda c: c["codebook"]["age"].__setitem__("type", "numeric"), "codebook.age.type", ["numeric", "continuous"]),
        (lambda c: c["codebook"]["b12_pmol_l"]["reference_range"].__setitem__("unit", "pg/mL"),
         "codebook.b12_pmol_l", ["pg/mL", "pmol/L", "never converts"]),
        (lambda c: c["analyses"]["table1"]["variables"].append("vitd"), "analyses.table1.variables.4", ["vitd", "not in the codebook"]),
        (lambda c: c["groups"].__setitem__("cases", "ms"), "groups", ["'ms'"]),
        (lambda c: c["analyses"]["table2"].__setitem__("group", "ms"), "analyses.table2.group", ["'ms'", "nmosd"]),
    ],
)
def test_invalid_config_names_key_and_allowed_values(tmp_path, mutate, key, words):
    p = _write(tmp_path, mutate)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert str(p) in msg
    if key is not None:
        assert exc.value.key.startswith(key), exc.value.key
    for w in words:
        assert w in msg, msg


def test_error_gives_the_line_of_the_offending_key(tmp_path):
    p = tmp_path / "study.yaml"
    text = demo_config_path().read_text().replace("continuous: welch", "continuous: wilcoxon")
    p.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "continuous: wilcoxon" in l)
    with pytest.raises(ConfigError, match=rf"line {line}\b"):
        load_config(p)


def test_not_yaml(tmp_path):
    p = tmp_path / "study.yaml"
    p.write_text("study: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")
