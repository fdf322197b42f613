"""Faults during a build: a build killed while writing, and two builds at once.

A build runs in a child process with a hook in :mod:`caucasus_events.build.output` that stops it at
a chosen moment of the write (after the n-th staged file, or the n-th rename) and says so on
stdout; the test then kills it with SIGKILL, which nothing can catch or delay.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import make_project
from error_cases import snapshot
from filelock import FileLock

from caucasus_events.build import output
from caucasus_events.build.pipeline import make
from caucasus_events.build.validate import validate_package
from caucasus_events.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork semantics")

# Run in the child: build ``root`` and pause at moment ``n`` of ``step`` ("write": after the
# n-th file written to the staging folder; "rename": after the n-th os.replace of the commit;
# "cleanup": before the staging folder is removed). At the pause it prints PAUSED and waits
# until the file ``go`` exists (or forever), so the test can kill it or let it finish.
CHILD = r"""
import os, shutil, sys, time
from pathlib import Path
from caucasus_events.build import output
from caucasus_events.cli import main

root, step, n, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
count = 0

def pause():
    global count
    count += 1
    if count == n:
        print("PAUSED", flush=True)
        while not go.exists():
            time.sleep(0.02)

if step == "write":
    write = output._fsync_write
    def patched(path, data):
        write(path, data)
        pause()
    output._fsync_write = patched
elif step == "rename":
    replace = os.replace
    def patched(src, dst):
        replace(src, dst)
        if output.STAGING in str(src):
            pause()
    output.os.replace = patched
elif step == "cleanup":
    rmtree = shutil.rmtree
    def patched(path, *args, **kwargs):
        if Path(path).name == output.STAGING:
            pause()
        rmtree(path, *args, **kwargs)
    output.shutil.rmtree = patched
sys.exit(main(["build", "--root", str(root), "--quiet", "--wait", "0.5"]))
"""


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A project built from raw version A whose raw/ now holds version B, and B's files."""
    root = make_project(tmp_path_factory.mktemp("faults") / "base")
    assert main(["build", "--root", str(root), "--quiet"]) == 0
    events = root / "raw" / "events" / "events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("The minister calls", "The minister phones"),
        encoding="utf-8",
    )
    return root, make(root).files


def start_child(root: Path, step: str, n: int, go: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), step, str(n), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()  # blocks until the pause (or the child's end)
    if line != "PAUSED\n":
        proc.kill()
        raise AssertionError(f"child did not pause: {line!r} {proc.communicate()}")
    return proc


def user_visible(root: Path) -> set[str]:
    """Every file in the places users look: the project folder, processed/ and schemas/."""
    names = {p.name for p in root.iterdir() if p.is_file()}
    for folder in output.OUTPUT_DIRS:
        names |= {f"{folder}/{p.name}" for p in (root / folder).iterdir()}
    return names


# (step, n, whether the kill comes after the commit point, i.e. the manifest is in place)
MOMENTS = [
    ("write", 1, False),  # first staged file written
    ("write", 20, False),  # most files staged
    ("rename", 1, True),  # manifest renamed into place: the commit point
    ("rename", 12, True),  # about a third of the outputs replaced
    ("cleanup", 1, True),  # every output replaced, staging folder not yet removed
]


@pytest.mark.parametrize(("step", "n", "committed"), MOMENTS, ids=[f"{s}-{n}" for s, n, _ in MOMENTS])
def test_killed_build(
    old_and_new, tmp_path: Path, step: str, n: int, committed: bool, capsys: pytest.CaptureFixture
) -> None:
    base, new_files = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    old = snapshot(root)
    visible_before = user_visible(root)

    proc = start_child(root, step, n, tmp_path / "never")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    if not committed:
        assert snapshot(root) == old  # killed before the commit point: outputs untouched

    # The next command that takes the lock finishes (or discards) the interrupted commit.
    recovered = tmp_path / "recovered"
    shutil.copytree(root, recovered)
    output.recover(recovered)
    assert snapshot(recovered) == (new_files if committed else old)
    assert not (recovered / output.STAGING).exists()

    # The next build does the same, then builds; nothing is left behind where users look.
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    expected = (
        "completed the commit of an interrupted build"
        if committed
        else "discarded the staging folder of an interrupted build (outputs were untouched)"
    )
    assert out.startswith(expected + "\n")
    assert snapshot(root) == new_files
    assert user_visible(root) == visible_before
    assert not (root / output.STAGING).exists()
    assert validate_package(root, frictionless=False) == []


def test_failed_build_after_a_kill_still_recovers(old_and_new, tmp_path: Path) -> None:
    # A kill after the commit point, then a build that finds bad input: the interrupted
    # commit is still completed (never left half-done), and the bad input writes nothing.
    base, new_files = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    proc = start_child(root, "rename", 5, tmp_path / "never")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    (root / "raw" / "retired.yaml").write_text("- id: E000001\n  reason: test\n", encoding="utf-8")
    assert main(["build", "--root", str(root), "--quiet"]) == 2
    assert snapshot(root) == new_files
    assert not (root / output.STAGING).exists()


def test_lock_held_second_build_gives_up(old_and_new, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    base, _ = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    before = snapshot(root)
    with FileLock(root / output.LOCK):
        started = time.monotonic()
        code = main(["build", "--root", str(root), "--wait", "0.5"])
        waited = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 2
    assert out == f"another build is running in {root} (lock {output.LOCK}); waiting up to 0.5 s\n"
    assert err == (
        f"another build still holds {root / output.LOCK} after 0.5 s; "
        "try again when it has finished (nothing was written)\n"
    )
    assert waited >= 0.5
    assert snapshot(root) == before
    assert not (root / output.STAGING).exists()


def test_second_build_waits_for_the_first(old_and_new, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    base, new_files = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    held = threading.Event()

    def hold_briefly() -> None:
        with FileLock(root / output.LOCK):
            held.set()
            time.sleep(0.3)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait()
    try:
        code = main(["build", "--root", str(root), "--wait", "10"])
    finally:
        holder.join()
    assert code == 0
    assert "waiting up to 10 s" in capsys.readouterr().out
    assert snapshot(root) == new_files


def test_two_real_builds_do_not_interleave(
    old_and_new, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # A real build paused in the middle of its commit holds the lock: a second build gives
    # up without touching anything; the first then completes on its own.
    base, new_files = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    go = tmp_path / "go"
    first = start_child(root, "rename", 8, go)
    try:
        midway = snapshot(root)
        staged = sorted(p.relative_to(root).as_posix() for p in (root / output.STAGING).rglob("*"))
        assert main(["build", "--root", str(root), "--wait", "0.5"]) == 2
        assert "another build still holds" in capsys.readouterr().err
        assert snapshot(root) == midway
        assert sorted(p.relative_to(root).as_posix() for p in (root / output.STAGING).rglob("*")) == staged
    finally:
        go.touch()
        _, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert snapshot(root) == new_files
    assert validate_package(root, frictionless=False) == []


def test_interrupt_during_commit_is_held_back(old_and_new, tmp_path: Path) -> None:
    # SIGTERM in the middle of the renames is held until the commit is complete.
    base, new_files = old_and_new
    root = tmp_path / "project"
    shutil.copytree(base, root)
    go = tmp_path / "go"
    proc = start_child(root, "rename", 6, go)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)
    go.touch()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGTERM  # it did stop, but only after the commit
    assert snapshot(root) == new_files
    assert not (root / output.STAGING).exists()


def test_no_lock_file_in_outputs(old_and_new) -> None:
    base, _ = old_and_new
    for folder in output.OUTPUT_DIRS:
        assert not [p for p in (base / folder).iterdir() if p.name.startswith(".")]
    assert os.path.basename(output.LOCK).startswith(".")
