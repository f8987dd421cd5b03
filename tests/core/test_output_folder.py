"""Issue 10, findings 5 and 6 (runtime part): the output folder is complete or plainly not.

Before: outputs were written straight into ``--out``.  A kill right after
``results.json`` appeared, a full disk, two runs into the same folder and a rerun into
the folder of an older run all left folders that looked complete but were partial or
mixed; ``--out`` naming a file, or a read-only file system, gave a traceback.

These tests run the real command line in subprocesses.  The full-disk and read-only
tests mount a small tmpfs, which needs root (CI runs as root); a simulated full disk
(in-process, failing writes with ENOSPC) runs everywhere.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from serostudy._outdir import INCOMPLETE_MARKER, MARKER, lock_path

ASSAY_FIX = Path(__file__).resolve().parents[1] / "assay" / "fixtures"


def _cli(*args: str, **kw) -> list[str]:
    return [sys.executable, "-m", "serostudy", *args]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def previous(core_study, tmp_path_factory):
    """A complete output folder of the core study, written by serostudy (the "older run")."""
    from serostudy._pipeline import run_study

    out = tmp_path_factory.mktemp("previous") / "out"
    run_study(core_study / "study.yaml", out_dir=out)
    return out


def _copy_previous(previous: Path, dest: Path) -> Path:
    shutil.copytree(previous, dest)
    return dest


def _results_json_written(out: Path):
    """A predicate: a results.json newer than the one in ``out`` now exists, in ``out``
    itself (how the old code wrote) or in a temporary folder beside it."""
    old = out / "results.json"
    stamp = old.stat().st_mtime_ns if old.exists() else None

    def pred() -> bool:
        if any(out.parent.glob(f".{out.name}.partial-*/results.json")):
            return True
        try:
            return old.stat().st_mtime_ns != stamp
        except FileNotFoundError:
            return False

    return pred


def _wait_for(pred, timeout: float = 240.0, proc: subprocess.Popen | None = None) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        if proc is not None and proc.poll() is not None:
            return bool(pred())
        time.sleep(0.005)
    return False


# ------------------------------------------------------------------------ kills


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_kill_right_after_results_json_appears_leaves_the_previous_folder_intact(sig, core_study, previous,
                                                                                   tmp_path):
    out = _copy_previous(previous, tmp_path / "out")
    before = _tree(out)
    p = subprocess.Popen(_cli("run", str(core_study / "study.yaml"), "--out", str(out), "--quiet"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = _wait_for(_results_json_written(out), proc=p)
        assert seen, "results.json never appeared in a temporary folder: " + (p.stderr.read() if p.poll() else "")
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode != 0
    assert "Traceback" not in err
    assert _tree(out) == before  # the previous complete folder, untouched
    left = _leftovers(out)
    if sig == signal.SIGTERM:
        assert left == []  # cleaned up by the handler, lock file included
        assert "stopped by signal" in err and str(out) in err
    else:
        # SIGKILL cannot be handled: what remains is hidden and says it is incomplete
        partial = [out.parent / n for n in left if ".partial-" in n]
        assert partial and all((d / INCOMPLETE_MARKER).is_file() for d in partial)
        # ... and the next run into the same folder removes it
        from serostudy._pipeline import run_study

        run_study(core_study / "study.yaml", out_dir=out)
        assert _leftovers(out) == []
        assert (out / "results.json").is_file() and not (out / INCOMPLETE_MARKER).exists()


def test_kill_without_a_previous_folder_leaves_no_folder(core_study, tmp_path):
    out = tmp_path / "fresh"
    p = subprocess.Popen(_cli("run", str(core_study / "study.yaml"), "--out", str(out), "--quiet"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(_results_json_written(out), proc=p)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert not out.exists()
    assert _leftovers(out) == []


# ------------------------------------------------------------------------ rerun


def test_rerun_into_an_older_runs_folder_leaves_no_stale_file(core_study, previous, tmp_path):
    """The older run had Table 2; the new config has none: table2.* must not remain."""
    from serostudy._pipeline import run_study

    out = _copy_previous(previous, tmp_path / "out")
    assert (out / "table2.csv").is_file()
    study = tmp_path / "study"
    shutil.copytree(core_study, study)
    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    cfg["analyses"].pop("table2")
    cfg["analyses"].get("figures", {}).pop("scatter", None)
    (study / "study.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    run = run_study(study / "study.yaml", out_dir=out)
    names = {p.name for p in out.iterdir()}
    assert not any(n.startswith("table2") for n in names)
    assert names == {f.name for f in run.files} | {MARKER}
    assert _leftovers(out) == []


def test_a_run_folder_of_an_older_version_without_the_marker_is_replaced(core_study, previous, tmp_path):
    from serostudy._pipeline import run_study

    out = _copy_previous(previous, tmp_path / "out")
    (out / MARKER).unlink()
    (out / "stale.csv").write_text("from an older version\n")
    run_study(core_study / "study.yaml", out_dir=out)
    assert not (out / "stale.csv").exists() and (out / MARKER).is_file()


def test_a_folder_serostudy_did_not_write_is_never_replaced(core_study, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    p = subprocess.run(_cli("run", str(core_study / "study.yaml"), "--out", str(out)),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert str(out) in p.stderr and "thesis.docx" in p.stderr
    assert (out / "thesis.docx").read_bytes() == b"precious"


# ------------------------------------------------------------------ concurrency


def test_second_run_into_the_same_folder_is_refused_while_the_first_writes(core_study, tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen(_cli("run", str(core_study / "study.yaml"), "--out", str(out), "--quiet"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: any(out.parent.glob(f".{out.name}.partial-*")), proc=first)
        first.send_signal(signal.SIGSTOP)  # hold the first run mid-way, deterministically
        try:
            second = subprocess.run(_cli("run", str(core_study / "study.yaml"), "--out", str(out)),
                                    capture_output=True, text=True, timeout=300)
        finally:
            first.send_signal(signal.SIGCONT)
        _, err1 = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert "another serostudy run is writing" in second.stderr and str(out) in second.stderr
    assert str(first.pid) in second.stderr
    assert first.returncode == 0, err1  # the first run was not disturbed
    assert (out / "results.json").is_file() and not (out / INCOMPLETE_MARKER).exists()
    assert _leftovers(out) == []


def test_lock_left_by_a_dead_process_does_not_block(core_study, tmp_path):
    """The lock is an flock: the kernel drops it when its process dies, so a lock file
    left behind (here: written by hand, as a killed run leaves it) is not a stale lock."""
    out = tmp_path / "t1"
    lock_path(out).write_text("999999\n")
    data = core_study / "participants.csv"
    p = subprocess.run(_cli("table1", str(data), "--by", "group", "--include", "age,sex", "--out", str(out)),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert (out / "table1.csv").is_file()
    assert not lock_path(out).exists()


# ------------------------------------------------------------- bad --out values


@pytest.mark.parametrize("command", ["run", "table1", "audit", "demo", "assay"])
def test_out_that_is_an_existing_file_is_one_message(command, core_study, tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("not a folder")
    args = {
        "run": ["run", str(core_study / "study.yaml")],
        "table1": ["table1", str(core_study / "participants.csv"), "--by", "group"],
        "audit": ["audit", "--seed-paper"],
        "demo": ["demo"],
        "assay": ["assay", "quantify", str(ASSAY_FIX / "gen5.txt"), "--layout", str(ASSAY_FIX / "layout.toml")],
    }[command]
    p = subprocess.run(_cli(*args, "--out", str(target)), capture_output=True, text=True, timeout=300)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert str(target) in p.stderr and "is a file" in p.stderr
    assert target.read_text() == "not a folder"


def test_simulated_full_disk_keeps_the_previous_folder(previous, core_study, tmp_path, monkeypatch):
    """Runs everywhere: writes into the temporary folder fail with ENOSPC after a few files."""
    import serostudy._render.export as export
    from serostudy._pipeline import run_study
    from serostudy.exceptions import OutputError

    out = _copy_previous(previous, tmp_path / "out")
    before = _tree(out)
    real = export.write_records_csv

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_records_csv", full)
    with pytest.raises(OutputError) as ei:
        run_study(core_study / "study.yaml", out_dir=out)
    monkeypatch.setattr(export, "write_records_csv", real)
    assert "no space left" in str(ei.value) and str(out) in str(ei.value)
    assert _tree(out) == before
    assert _leftovers(out) == []


# --------------------------------------------------- real file systems (tmpfs, root)


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root); the simulated full-disk test covers the logic")
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); the simulated full-disk test covers the logic")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_is_one_message_and_keeps_the_previous_folder(previous, core_study, tmp_path):
    mnt = tmp_path / "small"
    _mount_tmpfs(mnt, "16m")
    try:
        out = _copy_previous(previous, mnt / "out")
        before = _tree(out)
        # fill the disk, leaving less room than one run needs
        st = os.statvfs(mnt)
        free = st.f_bavail * st.f_frsize
        (mnt / "filler").write_bytes(b"\0" * max(0, free - 200_000))
        p = subprocess.run(_cli("run", str(core_study / "study.yaml"), "--out", str(out), "--quiet"),
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 2, p.stderr
        assert "Traceback" not in p.stderr
        assert "no space left" in p.stderr.lower() and str(out) in p.stderr
        assert _tree(out) == before
        assert _leftovers(out) == []
    finally:
        _umount(mnt)


def test_read_only_file_system_is_one_message(core_study, tmp_path):
    mnt = tmp_path / "ro"
    _mount_tmpfs(mnt, "1m")
    try:
        r = subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        with pytest.raises(OSError):  # it really is read-only, even for root
            (mnt / "probe").write_text("x")
        out = mnt / "out"
        for args in (["run", str(core_study / "study.yaml")],
                     ["table1", str(core_study / "participants.csv"), "--by", "group"]):
            p = subprocess.run(_cli(*args, "--out", str(out)), capture_output=True, text=True, timeout=300)
            assert p.returncode == 2, p.stderr
            assert "Traceback" not in p.stderr
            assert str(out) in p.stderr and "read-only" in p.stderr.lower()
    finally:
        _umount(mnt)


def test_folder_without_write_permission_is_one_message(core_study, tmp_path):
    """Root ignores permission bits, so a read-only bind mount stands in for them."""
    src = tmp_path / "locked"
    src.mkdir()
    if os.geteuid() == 0:
        r = subprocess.run(["mount", "--bind", "-o", "ro", str(src), str(src)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot bind-mount read-only here ({r.stderr.strip()})")
    else:
        src.chmod(0o555)
    try:
        with pytest.raises(OSError):
            (src / "probe").write_text("x")
        out = src / "out"
        p = subprocess.run(_cli("table1", str(core_study / "participants.csv"), "--by", "group", "--out", str(out)),
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert str(out) in p.stderr
    finally:
        if os.geteuid() == 0:
            _umount(src)
        else:
            src.chmod(0o755)


def test_results_json_of_a_completed_run_is_unchanged_by_the_temporary_folder(previous, core_study, tmp_path):
    """Writing through a temporary folder does not leak its name into the outputs."""
    from serostudy._pipeline import run_study

    run = run_study(core_study / "study.yaml", out_dir=tmp_path / "again")
    assert (run.out_dir / "results.json").read_bytes() == (previous / "results.json").read_bytes()
    assert ".partial-" not in (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert all(f.is_file() and f.parent == run.out_dir for f in run.files)
    assert json.loads((run.out_dir / "results.json").read_text())["records"]


def test_sigterm_while_the_folder_is_moved_into_place_completes_the_move(tmp_path, monkeypatch):
    """A signal that arrives between "rename the old folder aside" and "rename the new one
    in" must not leave no folder at all: it is acted on after the move."""
    import serostudy._outdir as od

    out = tmp_path / "out"
    with od.output_folder(out) as d:
        (d / "a.txt").write_text("old")
    real = od._commit

    def commit_with_signal(tmp, target):
        os.kill(os.getpid(), signal.SIGTERM)  # delivered while the move runs
        time.sleep(0.05)
        real(tmp, target)

    monkeypatch.setattr(od, "_commit", commit_with_signal)
    with pytest.raises(SystemExit) as ei:
        with od.output_folder(out) as d:
            (d / "b.txt").write_text("new")
    assert ei.value.code == 128 + signal.SIGTERM
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]
    assert _leftovers(out) == []
