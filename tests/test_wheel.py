"""The wheel a user installs: what it carries, and that loading from it stays light.

The wheel is built from a copy of this repository's code around a synthetic built package
(never the repository's own raw/ or processed/), so the test does not depend on the corpus.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import TEXT
from synthetic_releases import built, released

from caucasus_events import __version__, archive
from caucasus_events.build.models import MODELS

REPO = Path(__file__).resolve().parents[1]
HEAVY = (
    "yaml",
    "pandera",
    "frictionless",
    "pooch",
    "requests",
    "caucasus_events.build",
    "caucasus_events.publish",
)
DATA = "caucasus_events/data"

#: Run in a fresh interpreter: load every table and cite, then name the heavy modules imported.
LOAD_ALL = """
import json, sys
import caucasus_events as ce
{setup}
counts = {{t: len(ce.load(t, version={version!r})) for t in ce.tables(version={version!r})["table"]}}
bib = ce.citation("bibtex", version={version!r})
sources = ce.sources(version={version!r})
heavy = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"counts": counts, "bibtex": bib, "sources": len(sources), "heavy": heavy,
                  "file": ce.__file__}}))
"""


def _run(python: str | Path, code: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd="/"
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def build_wheel(root: Path, out: Path) -> Path:
    """A wheel of this repository's code with the synthetic package in ``root`` as its data."""
    for name in ("pyproject.toml", "README.md", ".gitignore"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data"))
    # The build backend is pinned in pyproject.toml and installed here: no isolated download.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(root)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = built(tmp_path_factory.mktemp("wheel") / "project")
    return build_wheel(root, root.parent / "wheels")


def test_wheel_carries_the_package_and_no_source_text(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        contents = {name: zf.read(name) for name in names}
    data = {n.removeprefix(f"{DATA}/") for n in names if n.startswith(f"{DATA}/")}
    tables = [f.removesuffix(".json") for f in sorted(d for d in data if d.startswith("schemas/"))]
    assert len(tables) == len(MODELS)
    expected = {"datapackage.json", "CITATION.cff", "docs/codebook.md"}
    expected |= {f"processed/{t.split('/')[1]}.{ext}" for t in tables for ext in ("csv", "parquet")}
    expected |= {f"{t}.json" for t in tables}
    assert data == expected
    assert "caucasus_events/registry.json" in names and "caucasus_events/loading.py" in names
    assert not any(n.startswith("raw/") or "/raw/" in n for n in names)
    assert [n for n in names if n.endswith(".txt")] == [
        f"caucasus_events-{__version__}.dist-info/entry_points.txt"
    ]
    # The synthetic article's text, or any long piece of it, appears in no file of the wheel.
    for sentence in (s.strip() for s in TEXT.split(".") if len(s.strip()) > 40):
        assert not any(sentence.encode() in blob for blob in contents.values()), sentence


def test_loading_and_citing_import_nothing_heavy(tmp_path: Path) -> None:
    """The installed release (and a cached pinned one) load without YAML, Pandera, Frictionless or pooch."""
    project = built(tmp_path / "p")
    setup = f"from pathlib import Path; from caucasus_events import settings; settings.installed_data = lambda: Path({str(project)!r})"
    result = _run(sys.executable, LOAD_ALL.format(setup=setup, version=None, heavy=HEAVY))
    assert result["heavy"] == []
    assert result["counts"]["events"] == 2 and len(result["counts"]) == len(MODELS)
    assert "@misc{caucasus_events_" in result["bibtex"]
    # A pinned release already in the cache: still no download machinery.
    path = released(tmp_path / "old", version="0.0.1")
    (tmp_path / "registry.json").write_text(
        json.dumps({"0.0.1": {"url": "x", "sha256": archive.sha256_hex(path.read_bytes())}})
    )
    (tmp_path / "cache").mkdir()
    archive.unpack(path, tmp_path / "cache" / "0.0.1", "0.0.1")
    env = {
        "CAUCASUS_EVENTS_CACHE": str(tmp_path / "cache"),
        "CAUCASUS_EVENTS_REGISTRY": str(tmp_path / "registry.json"),
        "CAUCASUS_EVENTS_OFFLINE": "1",
    }
    result = _run(sys.executable, LOAD_ALL.format(setup="", version="0.0.1", heavy=HEAVY), env)
    assert result["heavy"] == [] and "version   = {0.0.1}" in result["bibtex"]


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_environment_and_loads(wheel: Path, tmp_path: Path) -> None:
    """pip install the wheel (pandas and pyarrow from PyPI) into a new venv; load, cite, download."""
    from test_download import Server

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # With the download extra, for the pinned release below; pandas and pyarrow resolve to the
    # newest versions (the lower bounds are tested by .ci/run).
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{wheel}[download]"],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr
    # The installed release: no network, nothing heavy imported.
    offline = {"CAUCASUS_EVENTS_OFFLINE": "1", "CAUCASUS_EVENTS_CACHE": str(tmp_path / "cache")}
    result = _run(python, LOAD_ALL.format(setup="", version=None, heavy=HEAVY), offline)
    assert result["file"].startswith(str(env_dir)), "loaded the development copy, not the wheel"
    assert result["heavy"] == []
    assert result["counts"]["events"] == 2 and len(result["counts"]) == len(MODELS)
    assert f"version   = {{{__version__}}}" in result["bibtex"]
    # A pinned release, served by a real HTTP server on 127.0.0.1.
    path = released(tmp_path / "old", version="0.0.1")
    (tmp_path / "registry.json").write_text(
        json.dumps({"0.0.1": {"url": "x", "sha256": archive.sha256_hex(path.read_bytes())}})
    )
    server = Server()
    try:
        server.serve("0.0.1", path.read_bytes())
        online = {
            "CAUCASUS_EVENTS_CACHE": str(tmp_path / "cache"),
            "CAUCASUS_EVENTS_REGISTRY": str(tmp_path / "registry.json"),
            "CAUCASUS_EVENTS_RELEASES_URL": server.url,
        }
        result = _run(python, LOAD_ALL.format(setup="", version="0.0.1", heavy=()), online)
        assert result["counts"]["events"] == 2 and "version   = {0.0.1}" in result["bibtex"]
        assert len(server.hits) == 1
    finally:
        server.close()


@pytest.mark.slow
def test_readme_install_and_load_runs_as_written(wheel: Path, tmp_path: Path) -> None:
    """README's first section, typed as written into a fresh virtual environment, outside a clone."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Install and load\n", 1)[1]
    install = re.search(r"```bash\n(.*?)\n```", section, re.S).group(1)
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert install == "pip install caucasus-events" and len(code.strip().splitlines()) == 3
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    # The line as written; the wheel built here stands in for the package index's copy.
    pip = subprocess.run(
        [str(env_dir / "bin" / "pip"), *shlex.split(install)[1:], "--find-links", str(wheel.parent)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert pip.returncode == 0, pip.stderr
    out = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert "event_id" in out.stdout and "E000001" in out.stdout
    installed = _run(
        env_dir / "bin" / "python", "import json, caucasus_events as ce; print(json.dumps(ce.__file__))"
    )
    assert installed.startswith(str(env_dir))
