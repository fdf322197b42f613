"""The package's rooms: what a data user imports, what a maintainer runs, and the contracts
(``[tool.importlinter]`` in pyproject.toml) that keep them apart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "caucasus_events"
CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts, on the package found in ``src``."""
    shutil.copy(REPO / "pyproject.toml", cwd / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _copy_package(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "caucasus_events", ignore=shutil.ignore_patterns("__pycache__"))
    return src


def test_the_contracts_hold(tmp_path):
    result = _lint_imports(REPO / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("loading.py", "import caucasus_events.build.stage", "Loading, citing and downloading"),
        ("citing.py", "import caucasus_events.publish.release", "Loading, citing and downloading"),
        ("build/models.py", "import caucasus_events.publish.site", "The command line uses every room"),
        ("build/stage.py", "import caucasus_events.cli", "The command line uses every room"),
    ],
)
def test_an_import_across_rooms_breaks_a_contract(tmp_path, module, line, contract):
    src = _copy_package(tmp_path)
    target = src / "caucasus_events" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(src, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout


def test_every_top_level_module_is_in_the_consumer_contract():
    """A new module beside loading.py is a consumer module, so it is checked as one."""
    consumer = next(c for c in CONTRACTS["contracts"] if c["id"] == "consumer")
    top_level = {
        f"caucasus_events.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "cli")
    }
    assert set(consumer["source_modules"]) == top_level
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert rooms == {"build", "publish"}
