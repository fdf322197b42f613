"""Write the build outputs all or nothing, under a lock.

Files are first written in full to a staging folder, then a manifest is written, then each
file is moved into place with an atomic rename while SIGINT, SIGTERM and SIGHUP are held back. A build
killed before the manifest exists leaves the outputs untouched; one killed (even by SIGKILL)
after it is rolled forward by the next run, before anything else happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from filelock import FileLock, Timeout

from caucasus_events.build.safefile import os_message
from caucasus_events.build.spool import file_blocks, file_sha256, file_size, sha256_file
from caucasus_events.problems import InputError, Problem, UsageError

STAGING = ".caucasus-events-staging"
LOCK = ".caucasus-events.lock"
MANIFEST = "MANIFEST.json"
#: Folders of build outputs: a file the last build wrote and this one no longer makes is
#: removed; a file no build wrote is an error, never removed.
OUTPUT_DIRS = ("processed", "schemas")
DESCRIPTOR = "datapackage.json"
#: Room kept free beyond the outputs' size, for the file system's own bookkeeping.
SPACE_MARGIN = 1024 * 1024


@contextlib.contextmanager
def build_lock(root: Path, timeout: float, say=print) -> Iterator[None]:
    """Hold the project's build lock, waiting up to ``timeout`` seconds for another build."""
    path = root / LOCK
    # The lock is opened for writing: never through a link, nor on a folder or special file.
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(
            [Problem(LOCK, None, "-", "not a plain file (expected the build's lock file; remove it)")]
        )
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        say(f"another build is running in {root} (lock {LOCK}); waiting up to {timeout:g} s")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise UsageError(
                f"another build still holds {root / LOCK} after {timeout:g} s; "
                "try again when it has finished (nothing was written)"
            ) from None
    try:
        yield
    finally:
        lock.release()


def _fsync_write(path: Path, blocks: Iterable[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for block in blocks:
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())


def is_output_path(rel: object) -> bool:
    """Whether ``rel`` names a place the build writes: datapackage.json or a file of OUTPUT_DIRS."""
    if not isinstance(rel, str):
        return False
    parts = rel.split("/")
    if rel == DESCRIPTOR:
        return True
    return (
        len(parts) == 2
        and parts[0] in OUTPUT_DIRS
        and parts[1] not in ("", ".", "..")
        and not parts[1].startswith(".")
        and "\\" not in rel
        and "\x00" not in rel
    )


def _damaged(rel: str, what: str) -> InputError:
    return InputError(
        [
            Problem(
                rel,
                None,
                "-",
                f"{what} (expected the staging folder of an interrupted build; check the outputs, "
                f"then remove {STAGING})",
            )
        ]
    )


def _read_plan(staging: Path) -> dict:
    """The manifest of an interrupted commit, checked: it only names output paths."""
    shown = f"{STAGING}/{MANIFEST}"
    try:
        plan = json.loads((staging / MANIFEST).read_bytes().decode("utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad UTF-8 or JSON
        raise _damaged(shown, f"unreadable manifest ({exc})") from None
    if not (
        isinstance(plan, dict)
        and isinstance(plan.get("files"), list)
        and isinstance(plan.get("remove"), list)
    ):
        raise _damaged(shown, "manifest without its lists of files")
    outside = [rel for rel in plan["files"] + plan["remove"] if not is_output_path(rel)]
    if outside:
        raise _damaged(shown, f"manifest names paths outside the outputs: {outside[:3]!r}")
    return plan


def recover(root: Path) -> str | None:
    """Finish or discard an interrupted commit; say what was done, if anything.

    Only paths inside the outputs are ever touched: a manifest naming anything else is
    refused (InputError) and nothing is done.
    """
    staging = root / STAGING
    if not (staging.exists() or staging.is_symlink()):
        return None
    if staging.is_symlink() or not staging.is_dir():
        raise _damaged(STAGING, "not a folder")
    manifest = staging / MANIFEST
    if not manifest.exists():
        shutil.rmtree(staging)
        return "discarded the staging folder of an interrupted build (outputs were untouched)"
    plan = _read_plan(staging)
    _apply(root, staging, plan)
    return "completed the commit of an interrupted build"


def _apply(root: Path, staging: Path, plan: dict) -> None:
    for rel in plan["files"]:
        staged = staging / rel
        if staged.exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, root / rel)
    for rel in plan["remove"]:
        with contextlib.suppress(FileNotFoundError):
            (root / rel).unlink()
    shutil.rmtree(staging)


def written_before(root: Path) -> set[str]:
    """Output files the last build wrote, as its datapackage.json records them.

    Every table file is a resource; each resource names its Table Schema. A descriptor that
    cannot be read records nothing, so that nothing is removed on its word.
    """
    try:
        package = json.loads((root / DESCRIPTOR).read_bytes().decode("utf-8"))
        resources = package["resources"]
        named = [r.get(key) for r in resources if isinstance(r, dict) for key in ("path", "schema")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {rel for rel in named if is_output_path(rel)}


def _present(root: Path) -> list[str]:
    """Entries of the output folders, hidden ones aside (such as .gitkeep)."""
    return [
        p.relative_to(root).as_posix()
        for folder in OUTPUT_DIRS
        if (root / folder).is_dir()
        for p in sorted((root / folder).iterdir())
        if not p.name.startswith(".")
    ]


def stale_outputs(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Files on disk that the last build wrote and this one no longer makes."""
    before = written_before(root)
    return [rel for rel in _present(root) if rel not in files and rel in before]


def foreign_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Entries of the output folders that no build wrote: never removed, reported."""
    before = written_before(root)
    return [rel for rel in _present(root) if rel not in files and rel not in before]


def preflight(root: Path, files: Mapping[str, bytes]) -> None:
    """Check, before anything is written, that every output can be replaced.

    Each target must be a file or absent (not a folder, link or special file), each folder
    that receives a file must be a writable folder, there must be room for the staged copies,
    and the output folders must hold no file the build did not write.

    Raises
    ------
    InputError
        Naming every path at fault; nothing has been written.
    """
    problems = []
    for rel in sorted(files):
        path = root / rel
        if path.is_symlink() or (path.exists() and not path.is_file()):
            kind = "a folder" if path.is_dir() and not path.is_symlink() else "a link or special file"
            problems.append(
                Problem(
                    rel,
                    None,
                    "-",
                    f"{kind} is where the build must write a file (expected a file or nothing; move it away)",
                )
            )
    folders = sorted({(root / rel).parent for rel in files} | {root})
    for folder in folders:
        rel = folder.relative_to(root).as_posix() if folder != root else str(root)
        if folder.exists() and not folder.is_dir():
            problems.append(
                Problem(rel, None, "-", "a file is where the build must make a folder (expected a folder)")
            )
        elif folder.is_dir() and not _writable(folder):
            problems.append(
                Problem(rel, None, "-", "folder is not writable (expected a folder this user may write to)")
            )
    problems += [
        Problem(
            rel, None, "-", "not written by the build (expected only build outputs here; move it elsewhere)"
        )
        for rel in foreign_files(root, files)
    ]
    needed = sum(file_size(files, rel) for rel in files) + SPACE_MARGIN
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        free = needed  # unknown: the writes themselves will tell
    if free < needed:
        problems.append(
            Problem(
                str(root),
                None,
                "-",
                f"{free:,} bytes free on the device (expected at least {needed:,} for the outputs)",
            )
        )
    if problems:
        raise InputError(problems)


def _writable(folder: Path) -> bool:
    # A real write, not os.access: the superuser passes os.access everywhere, and a read-only
    # mount or an ACL may refuse what the mode bits allow.
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".caucasus-events-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True


def commit(root: Path, files: Mapping[str, bytes]) -> None:
    """Replace the outputs with ``files`` (paths relative to ``root``), all or nothing.

    Raises
    ------
    InputError
        When the pre-flight fails or a staged file cannot be written (the outputs untouched).
    """
    preflight(root, files)
    staging = root / STAGING
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for rel in files:
            _fsync_write(staging / rel, file_blocks(files, rel))
        plan = {"files": sorted(files), "remove": stale_outputs(root, files)}
        _fsync_write(staging / (MANIFEST + ".part"), [json.dumps(plan).encode()])
    except OSError as exc:
        # Before the manifest: the outputs are untouched, and the partial staging goes.
        shutil.rmtree(staging, ignore_errors=True)
        where = exc.filename if exc.filename is not None else STAGING
        raise InputError([Problem(str(where), None, "-", f"cannot be written: {os_message(exc)}")]) from None
    os.replace(staging / (MANIFEST + ".part"), staging / MANIFEST)
    with _signals_held():
        _apply(root, staging, plan)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver them.

    A signal mask would not do: it holds signals back from this thread only, and pyarrow's
    threads would take the signal and end the process mid-commit. A Python handler runs in the
    main thread whichever thread the signal arrives on, so it can record it for later.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread; the manifest still protects
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    held = [getattr(signal, name) for name in names if hasattr(signal, name)]
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for sig in dict.fromkeys(received):
            signal.raise_signal(sig)


def differences(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """How the outputs on disk differ from ``files``: one line per differing file."""
    lines = []
    for rel in sorted(files):
        path = root / rel
        if not path.is_file():
            lines.append(f"{rel}: missing (run `caucasus-events build`)")
        elif path.stat().st_size != file_size(files, rel) or sha256_file(path) != file_sha256(files, rel):
            lines.append(f"{rel}: differs from what raw/ builds (run `caucasus-events build`)")
    lines += [
        f"{rel}: no longer built (run `caucasus-events build` to remove it)"
        for rel in stale_outputs(root, files)
    ]
    lines += [
        f"{rel}: not written by the build (expected only build outputs here; move it elsewhere)"
        for rel in foreign_files(root, files)
    ]
    return lines
