"""Hostile-input corpus (issue 10, "Build the defences" 1): run every case as a subprocess.

Each case is a folder ``tests/hostile/cases/<id>/`` with its input files and a
``case.yaml`` holding the command line and the expected outcome (the format is described
in ``tests/hostile/README.md``).  Every case runs ``python -m serostudy ...`` in a fresh
sandbox::

    <tmp>/root/            sentinel: nothing may appear, change or vanish here ...
        work/              ... the subprocess's working directory
            case/          a copy of the case's inputs ({case})
            out            the --out folder ({out}); the only place writes are allowed

with a wall-clock limit (hang -> failure), an address-space limit (``RLIMIT_AS``), a
file-size limit, without root privileges (as ``nobody`` when the suite runs as root),
and ``SEROSTUDY_ERROR_FORMAT=json`` so the error line names the exact error class.

A case fails on: a Python traceback on stderr, a hang, death by a signal, an exit code,
error class, message or output that differs from the expectation, any file created,
changed or removed in the sandbox outside ``{out}``, or any file left in the private
``TMPDIR``/``HOME`` of the run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
BASE_DIR = HERE / "base"
CATEGORIES = ("study", "participants", "plates", "audit", "cli")
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space per case
FILE_SIZE_LIMIT = 256 * 1024**2  # no single output file may grow beyond this
DEFAULT_TIMEOUT = 60.0
NOBODY = 65534

sys.path.insert(0, str(HERE))
import hostile_inputs as generate  # noqa: E402  (a sibling module, found through sys.path above)


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for d in sorted(CASES_DIR.iterdir()):
        spec_file = d / "case.yaml"
        if d.is_dir() and spec_file.is_file():
            cases.append((d.name, yaml.safe_load(spec_file.read_text(encoding="utf-8"))))
    return cases


CASES = load_cases()


# --------------------------------------------------------------------------- sandbox


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its kind, size and modification time (links not followed)."""
    snap: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            kind = "link" if p.is_symlink() else ("dir" if p.is_dir() else "file")
            rel = str(p.relative_to(root))
            snap[rel] = (kind, 0 if kind == "dir" else st.st_size, 0 if kind == "dir" else st.st_mtime_ns,
                         os.readlink(p) if kind == "link" else None)
    return snap


def _subst(value: str, mapping: dict[str, str]) -> str:
    for k, v in mapping.items():
        value = value.replace("{" + k + "}", v)
    return value


def _copy_inputs(case_id: str, spec: dict[str, Any], case_dir: Path, root: Path) -> None:
    case_dir.mkdir(parents=True)
    for name in spec.get("base", []):
        shutil.copy2(BASE_DIR / name, case_dir / Path(name).name)
    src = CASES_DIR / case_id
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src)
        if rel.name == "case.yaml" and len(rel.parts) == 1:
            continue
        dst = case_dir / rel
        if p.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        data = p.read_bytes()
        if b"@ROOT@" in data:  # absolute paths into the sandbox (e.g. an absolute variable name)
            data = data.replace(b"@ROOT@", str(root).encode())
        dst.write_bytes(data)
    gen = spec.get("generate")
    if gen:
        getattr(generate, gen)(case_dir, root)


def _chown_tree(path: Path, uid: int) -> None:
    os.lchown(path, uid, uid)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, uid)


def _limits(drop_to: int | None):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if drop_to is not None:
            os.setgroups([])
            os.setgid(drop_to)
            os.setuid(drop_to)

    return apply


def _world_usable(path: Path) -> bool:
    """Can an unprivileged user reach and read ``path`` (every parent folder searchable)?"""
    path = path.resolve()
    for parent in path.parents:
        if not parent.stat().st_mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


def _drop_to() -> int | None:
    """Run the cases as ``nobody`` when the suite runs as root and the interpreter allows it."""
    if os.geteuid() != 0:
        return None
    import serostudy

    needed = [Path(sys.executable), Path(serostudy.__file__), Path(os.__file__)]
    return NOBODY if all(_world_usable(p) for p in needed) else None


DROP_TO = _drop_to()


@pytest.fixture(scope="session")
def mpl_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One matplotlib config/cache folder shared by the cases (builds the font cache once)."""
    d = tmp_path_factory.mktemp("mplconfig")
    if DROP_TO is not None:
        os.chown(d, DROP_TO, DROP_TO)
    return d


def run_case(case_id: str, spec: dict[str, Any], tmp: Path, mpl: Path) -> dict[str, Any]:
    root = tmp / "root"
    work = root / "work"
    home, tmpdir = tmp / "home", tmp / "tmpdir"
    for d in (work, home, tmpdir):
        d.mkdir(parents=True)
    case_dir = work / "case"
    _copy_inputs(case_id, spec, case_dir, root)
    mapping = {"case": "case", "out": "out", "root": str(root)}
    if spec.get("out_exists") == "file":
        (work / "out").write_text("I am a file, not a folder\n", encoding="utf-8")
    elif spec.get("out_exists") == "dir":
        (work / "out").mkdir()
    args = [_subst(str(a), mapping) for a in spec["args"]]
    drop = DROP_TO
    if drop is not None:
        _chown_tree(tmp, drop)
    before = _snapshot(root)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmpdir),
        "MPLCONFIGDIR": str(mpl),
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
        "SEROSTUDY_ERROR_FORMAT": "json",
    }
    timeout = float(spec.get("timeout", DEFAULT_TIMEOUT))
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "serostudy", *args],
        cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_limits(drop), start_new_session=True,  # noqa: PLW1509 - setrlimit must run in the child
    )
    try:
        out_b, err_b = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out_b, err_b = proc.communicate()
        hung = True
    seconds = time.monotonic() - t0
    after = _snapshot(root)
    leftovers = [str(p.relative_to(tmp)) for d in (tmpdir,) for p in d.rglob("*")]
    return {
        "id": case_id, "args": args, "returncode": proc.returncode, "hung": hung, "seconds": seconds,
        "stdout": out_b.decode("utf-8", "replace"), "stderr": err_b.decode("utf-8", "replace"),
        "before": before, "after": after, "leftovers": leftovers, "root": root, "out": work / "out",
    }


# --------------------------------------------------------------------------- checks


def _error_doc(stderr: str) -> dict[str, Any] | None:
    for line in reversed(stderr.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and '"error"' in line:
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def check(spec: dict[str, Any], r: dict[str, Any]) -> list[str]:
    """The list of ways the run differs from the expectation (empty: the case passes)."""
    exp = spec["expect"]
    problems: list[str] = []
    if r["hung"]:
        return [f"hang: no exit within {spec.get('timeout', DEFAULT_TIMEOUT)} s"]
    if "Traceback (most recent call last)" in r["stderr"]:
        tail = r["stderr"].strip().splitlines()[-1][:300]
        problems.append(f"Python traceback on stderr ({tail})")
    rc = r["returncode"]
    if rc < 0:
        problems.append(f"killed by signal {-rc} (memory limit {MEMORY_LIMIT >> 20} MB?)")
    if rc != exp["exit"]:
        problems.append(f"exit code {rc}, expected {exp['exit']}")
    doc = _error_doc(r["stderr"])
    if "error" in exp:
        if doc is None:
            problems.append(f"expected error {exp['error']}, but stderr has no error line")
        else:
            if doc["error"] != exp["error"]:
                problems.append(f"error class {doc['error']}, expected {exp['error']} ({doc['message'][:200]!r})")
            for s in exp.get("names", []):
                if s not in doc["message"]:
                    problems.append(f"error message does not name {s!r}: {doc['message'][:300]!r}")
            mx = exp.get("message_max", 2000)
            if len(doc["message"]) > mx:
                problems.append(f"error message is {len(doc['message'])} characters long (max {mx})")
    elif doc is not None and exp["exit"] == 0:
        problems.append(f"unexpected error line: {doc}")
    for s in exp.get("stdout", []):
        if s not in r["stdout"]:
            problems.append(f"stdout lacks {s!r}")
    for s in exp.get("stdout_not", []):
        if s in r["stdout"]:
            problems.append(f"stdout contains {s!r}")
    for s in exp.get("stderr", []):
        if s not in r["stderr"]:
            problems.append(f"stderr lacks {s!r}")
    out: Path = r["out"]
    for name, needles in (exp.get("files") or {}).items():
        f = out / name
        if not f.is_file():
            problems.append(f"{{out}}/{name} was not written")
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        for s in needles:
            if s not in text:
                problems.append(f"{{out}}/{name} lacks {s!r}")
    for name, needles in (exp.get("files_not") or {}).items():
        f = out / name
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="replace")
            for s in needles:
                if s in text:
                    problems.append(f"{{out}}/{name} contains {s!r}")
    if exp.get("no_output") and out.exists() and out.is_dir() and any(out.iterdir()) and not spec.get("out_exists"):
        problems.append(f"{{out}} holds {sorted(p.name for p in out.iterdir())[:5]} after a failed run")
    if "max_seconds" in exp and r["seconds"] > exp["max_seconds"]:
        problems.append(f"took {r['seconds']:.1f} s, bound {exp['max_seconds']} s")
    # writes outside --out
    before, after = r["before"], r["after"]
    outside = []
    for rel in sorted(set(before) | set(after)):
        in_out = rel == "work/out" or rel.startswith("work/out/")
        if in_out and spec.get("out_exists") != "file":
            continue
        if before.get(rel) != after.get(rel):
            what = "created" if rel not in before else "removed" if rel not in after else "changed"
            outside.append(f"{what} {rel}")
    if outside:
        problems.append("writes outside --out: " + "; ".join(outside[:8]))
    if r["leftovers"]:
        problems.append(f"files left in TMPDIR: {r['leftovers'][:5]}")
    return problems


@pytest.mark.parametrize("case_id,spec", CASES, ids=[c[0] for c in CASES])
def test_hostile_case(case_id: str, spec: dict[str, Any], tmp_path: Path, mpl_cache: Path,
                      corpus_results: list[dict[str, Any]]) -> None:
    if spec.get("unprivileged_only") and os.geteuid() == 0 and DROP_TO is None:
        pytest.skip("runs only without root privileges: as root a regression would write into the real folder "
                    "(and this interpreter is not usable by 'nobody')")
    r = run_case(case_id, spec, tmp_path, mpl_cache)
    problems = check(spec, r)
    corpus_results.append({"id": case_id, "category": spec["category"], "seconds": round(r["seconds"], 2),
                    "passed": not problems})
    if problems:
        detail = "\n  - ".join(problems)
        pytest.fail(
            f"{case_id}: {spec.get('what', '')}\n  args: {r['args']}\n  - {detail}\n"
            f"  stderr tail: {r['stderr'][-600:]!r}",
            pytrace=False,
        )


def test_corpus_size_and_coverage() -> None:
    """At least 60 cases, every category represented, every case well formed."""
    assert len(CASES) >= 60, len(CASES)
    seen = {spec["category"] for _, spec in CASES}
    assert seen == set(CATEGORIES), seen
    for case_id, spec in CASES:
        assert spec["category"] in CATEGORIES, case_id
        assert spec.get("what"), f"{case_id}: say what the case is about"
        exp = spec["expect"]
        assert exp["exit"] in (0, 1, 2), case_id
        if exp["exit"] == 2 and "usage:" not in exp.get("stderr", []):
            assert exp.get("error") and exp.get("names"), f"{case_id}: an error case names its class and location"
        gen = spec.get("generate")
        assert gen is None or callable(getattr(generate, gen, None)), f"{case_id}: unknown generator {gen}"
        for name in spec.get("base", []):
            assert (BASE_DIR / name).is_file(), f"{case_id}: unknown base file {name}"
