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
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from caucasus_events.problems import UsageError

STAGING = ".caucasus-events-staging"
LOCK = ".caucasus-events.lock"
MANIFEST = "MANIFEST.json"
#: Folders whose files are all build outputs: a file the build no longer makes is removed.
OUTPUT_DIRS = ("processed", "schemas")


@contextlib.contextmanager
def build_lock(root: Path, timeout: float, say=print) -> Iterator[None]:
    """Hold the project's build lock, waiting up to ``timeout`` seconds for another build."""
    lock = FileLock(root / LOCK, timeout=0)
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


def _fsync_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def recover(root: Path) -> str | None:
    """Finish or discard an interrupted commit; say what was done, if anything."""
    staging = root / STAGING
    if not staging.exists():
        return None
    manifest = staging / MANIFEST
    if not manifest.exists():
        shutil.rmtree(staging)
        return "discarded the staging folder of an interrupted build (outputs were untouched)"
    plan = json.loads(manifest.read_text(encoding="utf-8"))
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


def stale_outputs(root: Path, files: dict[str, bytes]) -> list[str]:
    """Output files present on disk that the build no longer makes."""
    present = [
        p.relative_to(root).as_posix()
        for folder in OUTPUT_DIRS
        if (root / folder).is_dir()
        for p in sorted((root / folder).iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]
    return [rel for rel in present if rel not in files]


def commit(root: Path, files: dict[str, bytes]) -> None:
    """Replace the outputs with ``files`` (paths relative to ``root``), all or nothing."""
    staging = root / STAGING
    if staging.exists():
        shutil.rmtree(staging)
    for rel, data in files.items():
        _fsync_write(staging / rel, data)
    plan = {"files": sorted(files), "remove": stale_outputs(root, files)}
    _fsync_write(staging / (MANIFEST + ".part"), json.dumps(plan).encode())
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


def differences(root: Path, files: dict[str, bytes]) -> list[str]:
    """How the outputs on disk differ from ``files``: one line per differing file."""
    lines = []
    for rel, data in sorted(files.items()):
        path = root / rel
        if not path.is_file():
            lines.append(f"{rel}: missing (run `caucasus-events build`)")
        elif path.read_bytes() != data:
            lines.append(f"{rel}: differs from what raw/ builds (run `caucasus-events build`)")
    lines += [
        f"{rel}: no longer built (run `caucasus-events build` to remove it)"
        for rel in stale_outputs(root, files)
    ]
    return lines
