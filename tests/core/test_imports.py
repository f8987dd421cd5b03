"""Which modules a command imports (issue 13: latency on small data).

These tests assert *what* is imported, never how long it takes: importing pandas and
scipy.stats dominates a small Table 1, so the CLI must not add the assay, models, audit
or plotting stacks to a command that does not use them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "statsmodels", "patsy", "docx", "openpyxl", "jinja2", "pyreadstat")


def _imported_after(code: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; report heavy top-level packages and serostudy modules loaded."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json as _json, sys as _sys
        _top = sorted({{m.split('.')[0] for m in _sys.modules}} & set({HEAVY!r}))
        _ours = sorted(m for m in _sys.modules if m.startswith('serostudy'))
        print(_json.dumps({{'heavy': _top, 'serostudy': _ours}}))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_loading_a_study_config_imports_no_numerical_stack():
    from serostudy._demo import demo_dir

    study = Path(demo_dir()) / "study.yaml"
    got = _imported_after(f"from serostudy import load_config; load_config({str(study)!r})")
    assert got["heavy"] == []


@pytest.mark.parametrize("package", ["assay", "clinical", "models", "audit"])
def test_optional_namespaces_are_lazy(package):
    got = _imported_after(f"import serostudy.{package}")
    assert got["heavy"] == [], got


def test_table1_command_loads_no_assay_models_audit_or_plotting(tmp_path):
    csv = tmp_path / "small.csv"
    rows = ["id,arm,age,sex"] + [f"{i},{'ab'[i % 2]},{30 + i % 17},{'mf'[i % 3 == 0]}" for i in range(40)]
    csv.write_text("\n".join(rows) + "\n")
    got = _imported_after(
        f"""
        import contextlib, io
        from serostudy.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            rc = main(["table1", {str(csv)!r}, "--by", "arm", "--include", "age,sex"])
        assert rc == 0, rc
        """
    )
    assert {"numpy", "pandas", "scipy"} <= set(got["heavy"])
    assert not set(got["heavy"]) & {"matplotlib", "statsmodels", "patsy", "docx", "openpyxl", "jinja2"}, got["heavy"]
    loaded_parts = [
        m for m in got["serostudy"]
        if m.startswith(("serostudy.assay.", "serostudy.models.", "serostudy.audit.", "serostudy.clinical."))
        and not m.endswith(("._config", "._qc_rules", "._results"))
    ]
    assert loaded_parts == [], loaded_parts
