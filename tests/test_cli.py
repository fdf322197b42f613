"""The command line as a user meets it: pipes closed early, tagged versions, one option name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import caucasus_events as ce
from caucasus_events import archive
from caucasus_events.cli import main

SCRIPT = Path(sys.executable).with_name("caucasus-events")


def test_a_closed_pipe_ends_quietly() -> None:
    # The reader is gone before the command writes anything: every write fails with EPIPE.
    child = subprocess.Popen(
        [sys.executable, "-m", "caucasus_events.cli", "cite", "--sources"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait() == 141 and err == ""


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_piping_into_head_ends_cleanly() -> None:
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{SCRIPT}' cite --sources | head -n 1"],
        capture_output=True,
        text=True,
    )
    assert out.stderr == "" and len(out.stdout.splitlines()) == 1
    assert out.returncode in (0, 141)


@pytest.mark.parametrize("option", ["--version", "--release"])
@pytest.mark.parametrize("version", [ce.__version__, f"v{ce.__version__}"])
def test_tagged_versions_and_one_option_name(
    option: str, version: str, capsys: pytest.CaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registered with exactly the installed files: used as they are, nothing downloaded.
    installed = ce.path("events").parents[1]
    files = {
        p.relative_to(installed).as_posix(): archive.sha256_hex(p.read_bytes())
        for p in [
            installed / "datapackage.json",
            *installed.glob("processed/*"),
            *installed.glob("schemas/*"),
        ]
    }
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({ce.__version__: {"url": "x", "sha256": "0" * 64, "files": files}}))
    monkeypatch.setenv("CAUCASUS_EVENTS_REGISTRY", str(registry))
    monkeypatch.setenv("CAUCASUS_EVENTS_OFFLINE", "1")
    assert main(["info", option, version]) == 0
    assert capsys.readouterr().out.startswith(f"caucasus-events {ce.__version__}")
    assert main(["cite", "--style", "apa", option, version]) == 0
    assert f"(Version {ce.__version__})" in capsys.readouterr().out


@pytest.mark.parametrize(("set_by_user", "expected"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_build_allocates_arrow_memory_with_the_system_allocator(
    built_synthetic: Path, set_by_user: str | None, expected: str
) -> None:
    # pyarrow reads the variable once, when it is imported: this fails if the command sets it
    # too late, or overrides the user's choice.
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if set_by_user:
        env["ARROW_DEFAULT_MEMORY_POOL"] = set_by_user
    code = (
        "from caucasus_events.cli import main; "
        f"code = main(['build', '--root', {str(built_synthetic)!r}, '--check', '--quiet', '--no-cache']); "
        "import pyarrow as pa; print(code, pa.default_memory_pool().backend_name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split()[-2:] == ["0", expected], out.stderr
