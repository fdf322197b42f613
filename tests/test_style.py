"""The code is ruff clean: lint rules and formatting, as pyproject.toml configures them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def ruff(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_the_code_is_ruff_clean(args: tuple[str, ...]) -> None:
    result = ruff(*args)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_ruff_finds_an_unused_import_and_bad_formatting(tmp_path: Path, args: tuple[str, ...]) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "faulty.py").write_text("import os\nvalues = {  'a':1 }\n", encoding="utf-8")
    assert ruff(*args, cwd=tmp_path).returncode == 1
