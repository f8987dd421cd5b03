"""CLI, HTML/JSON rendering (escaping) and the pipeline stage."""

from __future__ import annotations

import json
from types import SimpleNamespace

from serostudy.audit import audit, audit_stage, render_html, seed_summary_path
from serostudy.cli import main


def test_cli_out_dir(tmp_path, capsys):
    rc = main(["audit", str(seed_summary_path()), "--out", str(tmp_path)])
    assert rc == 0
    html = (tmp_path / "audit.html").read_text()
    d = json.loads((tmp_path / "audit.json").read_text())
    assert html.startswith("<!DOCTYPE html>") and "gross" in html
    assert d["counts"]["gross"] == 1
    assert "checks:" in capsys.readouterr().out


def test_cli_json_stdout_and_strict(capsys):
    assert main(["audit", "--seed-paper", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["schema"] == "serostudy-audit-report/1"
    assert main(["audit", "--seed-paper", "--json", "--strict"]) == 1


def test_cli_bad_file_is_a_clean_error(tmp_path, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text("groups: {a: {n: 8}}\nvariables:\n  x:\n    summaries: {a: {mean: 1.2.3}}\n")
    assert main(["audit", str(p)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "row 4" in err and "Traceback" not in err


def test_cli_synth(tmp_path, capsys):
    out = tmp_path / "syn.csv"
    assert main(["audit", "--seed-paper", "--synth", str(out), "--seed", "1"]) == 0
    assert out.exists() and (tmp_path / "syn.cells.csv").exists()
    assert len(out.read_text().splitlines()) == 89


def test_html_escapes_user_strings(tmp_path):
    text = seed_summary_path().read_text().replace(
        'study: "Serum vitamin B12', 'study: "<script>alert(1)</script> Serum vitamin B12'
    ).replace('    description: "mean age = mean age at onset', '    description: "<img src=x onerror=alert(1)> mean age = mean age at onset')
    p = tmp_path / "x.yaml"
    p.write_text(text)
    html = render_html(audit(p))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html


def test_stage_section(tmp_path):
    cfg = SimpleNamespace(audit="seed-paper")
    ctx = SimpleNamespace(config=cfg, base_dir=tmp_path, inputs=[])
    sec = audit_stage(ctx)
    assert sec.id == "audit" and sec.records and "audit_findings" in sec.tables
    assert ctx.inputs and ctx.inputs[0][0] == "seed-paper"
    json.dumps(sec.payload, allow_nan=False)
    assert audit_stage(SimpleNamespace(config=SimpleNamespace(audit=None), base_dir=tmp_path, inputs=[])) is None


def test_stage_relative_path(tmp_path):
    (tmp_path / "paper.yaml").write_text(seed_summary_path().read_text())
    ctx = SimpleNamespace(config=SimpleNamespace(audit="paper.yaml"), base_dir=tmp_path, inputs=[])
    assert audit_stage(ctx).payload["counts"]["gross"] == 1
