"""Writing an output folder so that it is either complete or plainly not.

Every command with ``--out`` (``run``, ``demo``, ``table1``, ``assay quantify``,
``audit``) writes through :func:`output_folder`:

1. ``--out`` is checked first: an existing *file* is refused; an existing folder is
   replaced only if it is empty or was written by serostudy (it holds the
   :data:`MARKER` file, or a ``results.json`` of serostudy's schema for run folders
   written before the marker existed); a folder holding anything else is refused, so a mistyped
   ``--out ~/Documents`` never loses a file.
2. A lock is taken on ``.<name>.lock`` beside ``--out`` (``fcntl.flock``, exclusive,
   non-blocking): a second run into the same folder stops at once with a message
   naming the folder and the process holding it.  The kernel releases the lock when
   its process ends, however it ends, so a lock file left behind by a killed run is
   never a stale lock: the next run takes it and removes it when done.
3. Outputs are written into a temporary folder ``.<name>.partial-XXXXXXXX`` beside
   ``--out`` (same file system, so the final move is a rename).  It holds an
   :data:`INCOMPLETE_MARKER` file until the very end.
4. At the end the marker is removed and the folder is renamed to ``--out``.  A
   previous folder is renamed aside to ``.<name>.old-XXXXXXXX``, the new one renamed
   in, and the old one deleted (POSIX has no atomic exchange of two non-empty
   folders; SIGTERM and SIGINT are blocked during the two renames, and a SIGTERM
   that arrives then is acted on once the new folder is in place).
5. On any error (a full disk, a read-only file system, a bug) and on SIGTERM/SIGINT
   the temporary folder is deleted and ``--out`` is left as it was.  After SIGKILL or
   a power cut the temporary folder may remain, hidden and marked ``INCOMPLETE``; the
   next run into the same ``--out`` deletes such leftovers (it holds the lock, so no
   other run owns them).

Errors are :class:`~serostudy.exceptions.OutputError` naming ``--out`` (and the file
being written when the operating system says which).  Validated by
``tests/core/test_output_folder.py`` (kill, full disk on a real tmpfs, concurrent runs,
rerun, read-only file system, ``--out`` that is a file).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from serostudy.exceptions import OutputError

MARKER = ".serostudy-output"
"""Hidden file in every folder serostudy writes; a rerun may replace only such folders."""

INCOMPLETE_MARKER = "INCOMPLETE"
"""File in a temporary output folder until it is complete and moved into place."""

_INCOMPLETE_TEXT = (
    "This folder is an unfinished serostudy output (the run was stopped or failed before "
    "it completed).\nIts files are not results. It is safe to delete; the next run into the "
    "same --out deletes it.\n"
)


def lock_path(out: str | Path) -> Path:
    """The lock file of an output folder: ``.<name>.lock`` beside it."""
    out = _absolute(out)
    return out.parent / f".{out.name}.lock"


def _absolute(out: str | Path) -> Path:
    p = Path(os.path.abspath(os.fspath(out)))
    if p.is_symlink():
        p = p.resolve()
    return p


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_out_dir(out: str | Path) -> Path:
    """Refuse an unusable ``--out`` before any work is done; returns its absolute path.

    Raises
    ------
    OutputError
        ``out`` is an existing file, or a folder that holds files serostudy did not write.
    """
    p = _absolute(out)
    shown = os.fspath(out)
    if p.exists() and not p.is_dir():
        raise OutputError("exists and is a file; --out must be a folder (it is created if needed)", path=shown)
    if p.is_dir():
        try:
            names = sorted(os.listdir(p))
        except OSError as exc:
            raise OutputError(f"cannot be read: {_describe(exc)}", path=shown) from None
        if names and MARKER not in names and not _legacy_run_folder(p):
            shown_names = ", ".join(repr(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
            raise OutputError(
                f"is a folder holding files serostudy did not write ({shown_names}); a run replaces its whole "
                "output folder, so choose a new or empty folder, or delete this one",
                path=shown,
            )
    if p == p.parent:
        raise OutputError("is the root of the file system; choose a folder for the outputs", path=shown)
    return p


def _legacy_run_folder(p: Path) -> bool:
    """A run folder written before :data:`MARKER` existed: its ``results.json`` says so."""
    try:
        with open(p / "results.json", encoding="utf-8") as fh:
            head = fh.read(200)
    except (OSError, UnicodeDecodeError):
        return False
    return '"schema": "serostudy.results"' in head


class _Lock:
    """An exclusive lock on ``.<name>.lock`` beside the output folder."""

    def __init__(self, out: Path, shown: str) -> None:
        self.path = lock_path(out)
        self.shown = shown
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: exclusive creation instead
            self._acquire_excl()
            return
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (process {holder})" if holder else ""
                raise OutputError(
                    f"another serostudy run is writing this folder{who}; wait for it to finish or choose "
                    f"another --out (lock: {self.path})",
                    path=self.shown,
                ) from None
            # the previous holder may have removed the file after we opened it: lock the
            # file that is at the path now, not an unlinked one
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                with contextlib.suppress(OSError):  # the pid is for the message only (a full disk may refuse it)
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise OutputError(f"could not lock {self.path}", path=self.shown)  # pragma: no cover

    def _acquire_excl(self) -> None:  # pragma: no cover - exercised on non-POSIX systems only
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise OutputError(
                f"another serostudy run is writing this folder (lock file {self.path}); if no run is going on, "
                "delete the lock file",
                path=self.shown,
            ) from None
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # still locked by us: nobody else can be using it
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except (OSError, ValueError):
        return None


def _remove_leftovers(out: Path) -> None:
    """Delete temporary folders of earlier runs into ``out`` that died (we hold the lock)."""
    prefixes = (f".{out.name}.partial-", f".{out.name}.old-")
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return
    for e in entries:
        for prefix in prefixes:
            rest = e.name[len(prefix):]
            # exactly a mkdtemp suffix: not the folders of an --out named "<name>.partial-x"
            if (e.name.startswith(prefix) and len(rest) == 8 and all(c.isalnum() or c == "_" for c in rest)
                    and e.is_dir(follow_symlinks=False)):
                shutil.rmtree(e.path, ignore_errors=True)


class _Signals:
    """Turn SIGTERM into ``SystemExit`` while a folder is written, so cleanup runs."""

    SIGNALS = (signal.SIGTERM,) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())

    def __init__(self) -> None:
        self.saved: dict[int, object] = {}
        self.caught: int | None = None
        self.deferring = False

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def handler(signum: int, _frame: object) -> None:
            self.caught = signum
            if self.deferring:  # moving the folder into place: finish that first
                return
            raise SystemExit(128 + signum)

        for s in self.SIGNALS:
            try:
                self.saved[s] = signal.signal(s, handler)
            except (ValueError, OSError):  # pragma: no cover
                pass

    def restore(self) -> None:
        for s, h in self.saved.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(s, h)  # type: ignore[arg-type]
        self.saved.clear()


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    sigs = {signal.SIGTERM, signal.SIGINT}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _fsync_tree(folder: Path) -> None:
    """Flush the folder's files and the folder itself to disk before it is renamed."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


_WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _is_output_error(exc: OSError, tmp: Path | None) -> bool:
    """Whether an OSError is about writing the output folder (not reading an input)."""
    if exc.errno in _WRITE_ERRNOS:
        return True
    for name in (exc.filename, getattr(exc, "filename2", None)):
        if name is not None and tmp is not None:
            try:
                Path(os.fspath(name)).absolute().relative_to(tmp)
                return True
            except ValueError:
                continue
    return False


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as it:
        return not any(it)


def _commit(tmp: Path, out: Path) -> None:
    """Move the complete ``tmp`` into place at ``out`` (see the module docstring)."""
    _fsync_tree(tmp)
    with _signals_blocked():
        if out.is_dir() and _empty(out):
            os.rename(tmp, out)  # onto an empty folder: one atomic rename
        elif out.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(aside)
            os.rename(out, aside)
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(aside, out)  # put the previous folder back
                raise
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(tmp, out)
        _fsync_dir(out.parent)


@contextlib.contextmanager
def output_folder(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder to write a run's outputs into; move it to ``out`` at the end.

    The body of the ``with`` writes files into the yielded folder.  If it finishes,
    the folder becomes ``out`` (replacing an earlier serostudy output folder whole, so
    no file of an older run remains); if it raises, or the process gets SIGTERM, the
    temporary folder is deleted and ``out`` is unchanged.  See the module docstring.

    Raises
    ------
    OutputError
        ``out`` is a file or a foreign non-empty folder, another run holds its lock, or
        the operating system refused a write (full disk, read-only file system, no
        permission); the message names ``out``.
    """
    shown = os.fspath(out)
    target = check_out_dir(out)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create its parent folder {parent}: {_describe(exc)}", path=shown) from None
    lock = _Lock(target, shown)
    try:
        lock.acquire()
    except OSError as exc:
        raise OutputError(f"cannot create the lock file {lock.path} beside it: {_describe(exc)}",
                          path=shown) from None
    signals = _Signals()
    tmp: Path | None = None
    committed = False
    try:
        signals.install()
        check_out_dir(out)  # again, now that no other run can be changing it
        _remove_leftovers(target)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; the result is an ordinary folder
            (tmp / INCOMPLETE_MARKER).write_text(_INCOMPLETE_TEXT, encoding="utf-8")
            (tmp / MARKER).write_text("serostudy output folder: a rerun into it replaces it whole\n",
                                      encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot create a temporary folder beside it in {parent}: {_describe(exc)}",
                              path=shown) from None
        try:
            yield tmp
            (tmp / INCOMPLETE_MARKER).unlink()
            signals.deferring = True  # a signal now is acted on once the folder is in place
            try:
                _commit(tmp, target)
            except OSError as exc:
                raise OutputError(f"cannot move the finished output into place: {_describe(exc)}; "
                                  "nothing was changed in it", path=shown) from None
            tmp = None
            committed = True
            signals.deferring = False
            if signals.caught is not None:
                raise SystemExit(128 + signals.caught)
        except OSError as exc:
            if not _is_output_error(exc, tmp):
                raise  # e.g. an input file that cannot be read: the CLI names it
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            what = "no space left on the device" if exc.errno == errno.ENOSPC else _describe(exc)
            raise OutputError(
                f"cannot write the output folder: {what}{where}; nothing was changed in it",
                path=shown,
            ) from None
    finally:
        signals.deferring = True  # a second signal must not interrupt the cleanup
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            if tmp.exists():  # could not delete everything: keep it marked as incomplete
                with contextlib.suppress(OSError):
                    (tmp / INCOMPLETE_MARKER).write_text(_INCOMPLETE_TEXT, encoding="utf-8")
        lock.release()
        signals.restore()
        if signals.caught is not None:
            import sys

            if committed:
                print(f"serostudy: stopped by signal {signals.caught} after {shown} was complete",
                      file=sys.stderr)
            else:
                print(f"serostudy: stopped by signal {signals.caught}; {shown} left as it was "
                      "(the unfinished output was deleted)", file=sys.stderr)
