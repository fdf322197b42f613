"""A plain install (no extras): every subcommand succeeds or names the extra to install, exit 2.

The missing extras are simulated in a subprocess by an import hook that refuses every package
an extra brings (read from the package metadata, so a new extra is covered automatically).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from caucasus_events.cli import parser
from caucasus_events.extras import _DISTRIBUTION_OF, extra_for

REPO = Path(__file__).resolve().parents[1]


def _import_names(optional: bool) -> set[str]:
    modules = {dist: module for module, dist in _DISTRIBUTION_OF.items()}
    names = set()
    for requirement in metadata.requires("caucasus-events"):
        if ("extra ==" in requirement) == optional:
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()
            names.add(modules.get(name, name).replace("-", "_"))
    return names


#: Import names of every package only an extra brings (the ``test`` extra holds them all).
OPTIONAL = sorted(_import_names(optional=True) - _import_names(optional=False))

BLOCKED = """
import sys
from importlib.abc import MetaPathFinder

class Blocked(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Blocked())
{body}
"""


def run_blocked(body: str, env: dict[str, str], blocked: list[str] = OPTIONAL) -> subprocess.CompletedProcess:
    """Run Python code in a fresh interpreter in which the ``blocked`` packages cannot be imported."""
    return subprocess.run(
        [sys.executable, "-c", BLOCKED.format(blocked=blocked, body=body)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
    )


SUBPARSERS = next(a for a in parser()._actions if a.dest == "command").choices
COMMANDS = sorted(SUBPARSERS)


def _arguments(command: str, tmp: Path) -> list[str]:
    """Arguments that make ``command`` do its real work on this repository (or a scratch folder)."""
    if command == "diff":
        return [str(REPO), str(REPO)]
    if command == "download":
        return ["0.0.1"]
    if command == "figure":
        return ["--out", str(tmp / "figure.png")]
    args = []
    for action in SUBPARSERS[command]._actions:
        if action.dest == "root":
            args += ["--root", str(tmp)]  # a scratch folder: nothing of the repository is touched
        elif action.required and not action.option_strings:
            args.append(str(tmp / "input"))
        elif action.required:
            args += [action.option_strings[0], "someone"]
    return args


#: Options that need the download extra when they name a release neither installed nor cached.
RELEASE_OPTIONS = [["cite", "--version", "0.0.1"], ["info", "--release", "0.0.1"]]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"0.0.1": {"url": "http://127.0.0.1:9/x.zip", "sha256": "0" * 64}}))
    return {"CAUCASUS_EVENTS_CACHE": str(tmp_path / "cache"), "CAUCASUS_EVENTS_REGISTRY": str(registry)}


def test_the_hook_blocks_the_optional_packages() -> None:
    assert {"pandera", "yaml", "pooch", "matplotlib", "frictionless"} <= set(OPTIONAL)
    assert "pandas" not in OPTIONAL and "pyarrow" not in OPTIONAL
    out = run_blocked("import yaml", {})
    assert out.returncode == 1 and "No module named 'yaml'" in out.stderr


@pytest.mark.parametrize(
    "argv",
    [[c, *_arguments(c, Path("/nonexistent"))] for c in COMMANDS] + RELEASE_OPTIONS,
    ids=[*COMMANDS, "cite-release", "info-release"],
)
def test_every_subcommand_succeeds_or_names_the_extra(argv: list[str], env: dict, tmp_path: Path) -> None:
    argv = [tmp_path.as_posix() if a.startswith("/nonexistent") else a for a in argv]
    if argv[0] == "figure":
        argv[-1] = str(tmp_path / "figure.png")
    out = run_blocked(f"from caucasus_events.cli import main; sys.exit(main({argv!r}))", env)
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert out.returncode in (0, 2), out.stderr
    if out.returncode == 2:
        found = re.search(
            r"needs the '(\w+)' extra \((.+?)\): pip install ([\"'])caucasus-events\[(\w+)\]\3", out.stderr
        )
        assert found, out.stderr
        extra, why = found.group(1), found.group(2)
        assert extra == found.group(4)
        if missing := re.fullmatch(r"(\S+) is not installed", why):
            assert extra_for(missing.group(1)) == extra  # the extra that brings what is missing
        else:
            assert any(f"extra == '{extra}'" in r for r in metadata.requires("caucasus-events")), extra
    assert list(tmp_path.glob("cache/*")) == []  # nothing half-downloaded


def test_load_validate_names_the_build_extra() -> None:
    out = run_blocked("import caucasus_events as ce; ce.load('events', validate=True)", {})
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "caucasus_events.extras.MissingExtra: load(validate=True) needs the 'build' extra "
        '(pandera is not installed): pip install "caucasus-events[build]"'
    )


def test_loading_needs_no_extra() -> None:
    out = run_blocked("import caucasus_events as ce; print(len(ce.load('events')))", {})
    assert out.returncode == 0 and int(out.stdout) > 0, out.stderr


def test_a_missing_module_of_no_extra_is_still_an_internal_error() -> None:
    assert extra_for("numpy") is None and extra_for("caucasus_events.nothing") is None
    out = run_blocked(
        "from caucasus_events import cli\n"
        "def broken(args):\n    import no_such_module_anywhere\n"
        "cli.cmd_info = broken\n"
        "p = cli.parser\n"
        "def patched():\n    top = p()\n    top._subparsers._group_actions[0].choices['info'].set_defaults(func=broken)\n    return top\n"
        "cli.parser = patched\n"
        "sys.exit(cli.main(['info']))",
        {},
    )
    assert out.returncode == 1 and "internal error: ModuleNotFoundError" in out.stderr, out.stderr


def test_polars_backend_names_the_polars_extra() -> None:
    out = run_blocked("import caucasus_events as ce; ce.load('events', backend='polars')", {})
    assert out.stderr.strip().splitlines()[-1] == (
        "caucasus_events.extras.MissingExtra: load(backend=\"polars\") needs the 'polars' extra "
        '(polars is not installed): pip install "caucasus-events[polars]"'
    )
