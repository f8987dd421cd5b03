"""The reference docs stay true to the code.

* every key of the ``study.yaml`` schema (StudyConfig and every pydantic model reachable
  from it) is documented in docs/config.md;
* every property of docs/results.schema.json (top level, nested objects, record) is
  documented in docs/results.md;
* every (analysis, statistic) pair the demo run produces is listed in docs/results.md;
* the Python examples of docs/api.md run.

Each check fails with the list of what is missing, so a new config field, record field
or statistic cannot land without its documentation.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _code_spans(text: str) -> set[str]:
    """Every inline code span (`...`) of a Markdown text, and the identifiers inside it.

    A span like ``models.power.alpha`` or ``{base: ich-m10-lba, max_cv: 15}`` yields
    itself and each of its identifier-like parts, so a key counts as documented when it
    is written in backticks on its own or as part of a dotted key path.
    """
    out: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        s = span.replace("\\|", "|").strip()
        out.add(s)
        out.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", s))
    return out


# --------------------------------------------------------------------------- (a) config


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (through Optional, Union, list, dict, ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def schema_fields() -> dict[str, set[str]]:
    """Field name -> the dotted paths where it occurs, for StudyConfig and every model
    reachable from it (walking ``model_fields`` recursively)."""
    from serostudy._io.config import StudyConfig

    fields: dict[str, set[str]] = {}
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            path = f"{prefix}{name}"
            fields.setdefault(name, set()).add(path)
            for sub in _models_in(info.annotation):
                walk(sub, path + ".")

    walk(StudyConfig, "")
    return fields


def test_walk_reaches_the_optional_parts():
    """The walker itself must see nested and optional models (else (a) proves nothing)."""
    paths = {p for ps in schema_fields().values() for p in ps}
    for expected in (
        "codebook.reference_range.unit",  # through dict[str, Variable] and Optional
        "analyses.table2.compare_by",
        "assay.plates.layout",  # through list[PlateFile] in an Optional
        "clinical.relapses.merge_window_days",
        "eligibility.rules.when",
        "matching.caliper",
        "models.power.rate_ratios",
        "analysis_plan.primary.effect.rate_ratio",
        "audit",
    ):
        assert expected in paths, f"{expected} not reached by the schema walk"


def test_every_config_key_is_documented():
    documented = _code_spans(_read("config.md"))
    missing = sorted(
        f"{name} (at {', '.join(sorted(paths))})"
        for name, paths in schema_fields().items()
        if name not in documented
    )
    assert not missing, (
        "study.yaml keys not documented in docs/config.md (write each as `key`): " + "; ".join(missing)
    )


def test_config_doc_check_can_fail():
    """A field added to the schema but not to the doc is caught."""
    from pydantic import create_model

    from serostudy._io.config import StudyConfig

    extended = create_model("Extended", __base__=StudyConfig, an_undocumented_key=(int, 0))
    documented = _code_spans(_read("config.md"))
    assert "an_undocumented_key" in extended.model_fields
    assert "an_undocumented_key" not in documented


def _doc_table_keys(text: str) -> list[str]:
    """First-column keys of the reference tables of docs/config.md (| `key` | ...)."""
    return re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", text, re.M)


def test_config_doc_keys_exist_in_the_schema():
    """The other direction: a key in a reference table of config.md is a schema field
    (or a value of `analysis` in the results doc), so removed keys leave the docs too."""
    known = set(schema_fields())
    stale = sorted({k for k in _doc_table_keys(_read("config.md")) if k not in known})
    assert not stale, f"docs/config.md documents keys the schema does not have: {stale}"


def test_config_example_is_the_demo_config():
    """The annotated example in config.md is the shipped demo config (same content)."""
    import yaml

    from serostudy._demo import demo_config_path

    text = _read("config.md")
    example = text.split("## Annotated example", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", example, re.S)
    assert block, "docs/config.md has no yaml block under 'Annotated example'"
    documented = yaml.safe_load(block.group(1))
    shipped = yaml.safe_load(demo_config_path().read_text(encoding="utf-8"))
    assert documented == shipped, (
        "the annotated example in docs/config.md differs from src/serostudy/data/demo/study.yaml; "
        "copy the demo config again (keeping the comments)"
    )


# --------------------------------------------------------------------------- (b) schema


def _schema_properties(node: object, defs: dict, path: str = "", seen: set | None = None) -> dict[str, str]:
    """Every property name of the JSON schema (resolving $ref), name -> a path to it."""
    seen = set() if seen is None else seen
    out: dict[str, str] = {}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            key = ref.rsplit("/", 1)[1]
            if key not in seen:
                seen.add(key)
                out.update(_schema_properties(defs[key], defs, path, seen))
        for name, sub in (node.get("properties") or {}).items():
            out.setdefault(name, f"{path}.{name}".lstrip("."))
            out.update({k: v for k, v in _schema_properties(sub, defs, f"{path}.{name}", seen).items() if k not in out})
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                out.update({k: v for k, v in _schema_properties(node[key], defs, path + "[]", seen).items()
                            if k not in out})
    return out


def _schema() -> dict:
    return json.loads(_read("results.schema.json"))


def test_every_results_property_is_documented():
    schema = _schema()
    props = _schema_properties(schema, schema.get("$defs", {}))
    record = schema["$defs"]["record"]["properties"]
    assert set(schema["properties"]) <= set(props) and set(record) <= set(props)
    documented = _code_spans(_read("results.md"))
    missing = sorted(f"{name} ({where})" for name, where in props.items() if name not in documented)
    assert not missing, "results.json properties not documented in docs/results.md: " + "; ".join(missing)


def test_record_fields_match_the_schema_and_the_doc_table():
    """Record (the dataclass), the schema's record and the field table of results.md agree."""
    from dataclasses import fields

    from serostudy._records import Record

    schema_fields_ = list(_schema()["$defs"]["record"]["properties"])
    record_fields = [f.name for f in fields(Record)]
    assert record_fields == schema_fields_, "Record fields and docs/results.schema.json differ (names or order)"
    text = _read("results.md")
    section = text.split("## Records", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert table == record_fields, f"the field table in docs/results.md lists {table}, Record has {record_fields}"


def test_top_level_keys_match_results_document(demo_results):
    text = _read("results.md")
    section = text.split("## Top-level keys", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert table == list(demo_results), (
        f"the top-level table of docs/results.md lists {table}; results.json has {list(demo_results)}"
    )


# --------------------------------------------------------------------------- (c) vocabulary


def _documented_pairs(text: str) -> set[tuple[str, str]]:
    """(analysis, statistic) pairs of the vocabulary tables: rows `| `a` | `s1`, `s2` † | ...`."""
    pairs: set[tuple[str, str]] = set()
    vocab = text.split("## Vocabulary", 1)[1].split("\n## ", 1)[0]
    for line in vocab.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")] if line.startswith("|") else []
        if len(cells) < 2:
            continue
        analysis = re.fullmatch(r"`([a-z0-9_]+)`", cells[0])
        if not analysis:
            continue
        for stat in re.findall(r"`([^`]+)`", cells[1]):
            pairs.add((analysis.group(1), stat.replace("\\|", "|")))
    return pairs


def test_every_demo_pair_is_documented(demo_results):
    produced = {(r["analysis"], r["statistic"]) for r in demo_results["records"]}
    assert produced, "the demo run produced no records"
    documented = _documented_pairs(_read("results.md"))
    missing = sorted(produced - documented)
    assert not missing, (
        "(analysis, statistic) pairs produced by the demo but not in the vocabulary tables of "
        f"docs/results.md: {missing}"
    )


def test_vocabulary_parser_sees_the_tables():
    pairs = _documented_pairs(_read("results.md"))
    assert ("table1", "t") in pairs and ("audit", "grim:mean") in pairs
    assert ("no_such_analysis", "t") not in pairs


def test_every_demo_section_is_documented(demo_results):
    documented = _code_spans(_read("results.md"))
    missing = sorted(s["id"] for s in demo_results["sections"] if s["id"] not in documented)
    assert not missing, f"section ids of the demo run not listed in docs/results.md: {missing}"


def test_schema_version_documented():
    from serostudy._pipeline import RESULTS_SCHEMA_VERSION

    assert f"`{RESULTS_SCHEMA_VERSION}`" in _read("results.md")
    assert _schema()["$id"].endswith(RESULTS_SCHEMA_VERSION)


# --------------------------------------------------------------------------- (d) api.md


def _python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", _read("api.md"), re.S | re.M)


def test_api_doc_has_examples():
    assert len(_python_blocks()) >= 4


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_api_example_runs(index, tmp_path, monkeypatch):
    """Each ```python block of docs/api.md runs in a fresh temporary folder."""
    monkeypatch.chdir(tmp_path)
    code = _python_blocks()[index]
    namespace: dict = {"__name__": f"docs_api_example_{index}"}
    exec(compile(code, f"docs/api.md, python block {index + 1}", "exec"), namespace)


def test_api_doc_names_every_public_name():
    import serostudy
    import serostudy.stats

    text = _read("api.md")
    public = [n for n in serostudy.__all__ if n != "__version__"]
    public += [n for n in serostudy.stats.__all__]
    missing = [n for n in public if n not in text]
    assert not missing, f"public names not mentioned in docs/api.md: {missing}"
