"""Every common input mistake gets one clear message, exit code 2, and no output changes.

The cases live in ``tests/error_cases.py`` (shared with ``scripts/errors_table.py``, which
writes docs/errors.md from them).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_project, copy_project
from error_cases import CASES, Case, make_base, matches, problem_lines, snapshot

from caucasus_events.build.output import STAGING
from caucasus_events.cli import main

REPO = Path(__file__).resolve().parents[1]
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project, built once; each case works on a copy."""
    return build_project(make_base(tmp_path_factory.mktemp("errors") / "base"))


@pytest.fixture
def copy(built_base: Path, tmp_path: Path) -> Path:
    return copy_project(built_base, tmp_path / "project")


def _check_failed_build(root: Path, case: Case, code: int, out: str, err: str, before: dict) -> None:
    assert code == 2, err
    assert "Traceback" not in out + err
    assert "internal error" not in err
    lines = problem_lines(err)
    assert len(lines) == len(case.expected), "\n".join(lines)
    for line, expected in zip(lines, case.expected, strict=True):
        assert matches(line, expected), f"{line!r} does not match {expected!r}"
    assert err.endswith(f"{len(lines)} problem(s); nothing was written\n")
    assert snapshot(root) == before
    assert not (root / STAGING).exists()


def test_cases_have_unique_names() -> None:
    assert len(BY_NAME) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_mistake_is_reported(case: Case, copy: Path, capsys: pytest.CaptureFixture) -> None:
    case.apply(copy)
    before = snapshot(copy)  # after the mistake: some mistakes are made in the outputs' folders
    code = main(["build", "--root", str(copy)])
    out, err = capsys.readouterr()
    _check_failed_build(copy, case, code, out, err, before)


@pytest.mark.parametrize("name", ["unknown-key-mention", "quote-nbsp", "not-utf8"])
def test_check_reports_the_mistake_too(name: str, copy: Path, capsys: pytest.CaptureFixture) -> None:
    # `build --check` reads raw/ the same way; it must fail the same way, writing nothing.
    case = BY_NAME[name]
    case.apply(copy)
    before = snapshot(copy)
    code = main(["build", "--check", "--root", str(copy)])
    out, err = capsys.readouterr()
    _check_failed_build(copy, case, code, out, err, before)


def test_pool_reports_the_same(copy: Path, capsys: pytest.CaptureFixture) -> None:
    # The per-article stage in worker processes must report exactly what it reports inline.
    case = BY_NAME["three-mistakes"]
    before = snapshot(copy)
    case.apply(copy)
    code = main(["build", "--root", str(copy), "--workers", "2"])
    out, err = capsys.readouterr()
    _check_failed_build(copy, case, code, out, err, before)


def test_console_script_exit_code(copy: Path) -> None:
    # The real entry point in a fresh process: exit status 2, the message, no traceback.
    case = BY_NAME["duplicate-key"]
    before = snapshot(copy)
    case.apply(copy)
    proc = subprocess.run(
        [sys.executable, "-m", "caucasus_events.cli", "build", "--root", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    _check_failed_build(copy, case, proc.returncode, proc.stdout, proc.stderr, before)


def test_internal_error_exit_code(copy: Path, capsys: pytest.CaptureFixture, monkeypatch) -> None:
    # A bug (not bad input) exits 1 with a one-line report, still writing nothing.
    before = snapshot(copy)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr("caucasus_events.build.pipeline.serialize_all", broken)
    code = main(["build", "--root", str(copy)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == "internal error: ZeroDivisionError: simulated bug (please report it)\n"
    assert "Traceback" not in out + err
    assert snapshot(copy) == before


def test_errors_doc_is_current() -> None:
    # docs/errors.md is generated from the cases above by scripts/errors_table.py.
    spec = importlib.util.spec_from_file_location("errors_table", REPO / "scripts" / "errors_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render(module.run_cases())
    assert (REPO / "docs" / "errors.md").read_text(encoding="utf-8") == expected, (
        "docs/errors.md is stale: run `python scripts/errors_table.py`"
    )


def test_an_unwritable_temporary_folder_is_a_clear_error(
    copy: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The files are encoded into a folder in the system's temporary folder (TMPDIR) before
    # they are committed: one that cannot be written must stop the build as any input does.
    import tempfile

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where TMPDIR should name a folder\n")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    before = snapshot(copy)
    code = main(["build", "--root", str(copy), "--no-cache"])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert f"{blocked}: -: cannot be written" in err and "set TMPDIR" in err
    assert err.endswith("1 problem(s); nothing was written\n")
    assert snapshot(copy) == before
