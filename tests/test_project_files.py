"""Project files that must agree with the code and the data: citation, README, codebook, docs."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import jsonschema
import yaml

import caucasus_events
from caucasus_events.build import docgen

REPO = Path(__file__).resolve().parents[1]


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads((REPO / "tests" / "data" / "cff-schema-1.2.0.json").read_text())
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    # CFF dates are strings in YAML 1.2 but PyYAML reads unquoted ones as dates.
    jsonschema.validate(cff, schema)
    assert cff["type"] == "dataset"


def test_citation_schema_rejects_a_broken_file():
    schema = json.loads((REPO / "tests" / "data" / "cff-schema-1.2.0.json").read_text())
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    del cff["authors"]
    try:
        jsonschema.validate(cff, schema)
    except jsonschema.ValidationError as exc:
        assert "authors" in exc.message
    else:
        raise AssertionError("a CITATION.cff without authors passed the CFF schema")


def test_version_lives_in_one_place():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    package = json.loads((REPO / "datapackage.json").read_text())
    assert cff["version"] == cff["preferred-citation"]["version"] == caucasus_events.__version__
    assert package["version"] == caucasus_events.__version__


def test_codebook_column_reference_is_generated_from_the_models():
    current = (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert docgen.BEGIN in current
    assert docgen.render_codebook(current) == current, "run `caucasus-events docs`"


def test_codebook_drift_is_caught():
    current = (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")
    edited = current.replace("| `quote` | string |", "| `quote` | integer |")
    assert edited != current
    assert docgen.render_codebook(edited) != edited


def test_readme_row_counts_match_the_tables():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- counts:", 1)[1].split("<!-- end of counts -->", 1)[0]
    stated = {}
    for names, counts in re.findall(r"^\| (`[^|]+) \| ([\d, ]+) \|", block, flags=re.M):
        for name, count in zip(re.findall(r"`(\w+)`", names), counts.split(","), strict=True):
            stated[name] = int(count)
    package = json.loads((REPO / "datapackage.json").read_text())
    tables = [r["name"] for r in package["resources"] if r["format"] == "csv"]
    assert sorted(stated) == sorted(tables)
    for table, count in stated.items():
        lines = (REPO / "processed" / f"{table}.csv").read_text(encoding="utf-8")
        assert len(caucasus_events.load(table)) == count, table
        assert lines.count("\n") >= count


def test_readme_generated_blocks_are_current():
    from caucasus_events.build import readme

    assert readme.stale_blocks(REPO) == [], "run `caucasus-events docs`"
    assert (
        "@misc{caucasus_events_"
        in (REPO / "README.md").read_text(encoding="utf-8").split("<!-- citation:", 1)[1]
    )


def test_build_check_names_stale_readme_blocks(built_synthetic, tmp_path, capsys):
    from conftest import copy_project

    from caucasus_events.build import readme
    from caucasus_events.cli import main

    root = copy_project(built_synthetic, tmp_path / "p")
    blocks = "".join(f"<!-- {name}: generated -->\nold\n<!-- end of {name} -->\n" for name in readme.BLOCKS)
    (root / "README.md").write_text("# Synthetic\n\n" + blocks, encoding="utf-8")
    (root / "raw" / "agreement").mkdir(parents=True, exist_ok=True)
    assert main(["build", "--root", str(root), "--check", "--quiet"]) == 1  # says why even when quiet
    out = capsys.readouterr().out
    assert (
        "README.md: generated blocks summary, counts, agreement, citation are stale (run `caucasus-events docs`)"
        in out
    )
    assert main(["docs", "--root", str(root)]) == 0
    assert main(["build", "--root", str(root), "--check"]) == 0


#: A dotted name of the package's code, as the docs quote it: `caucasus_events.build.spool.Spool`.
DOTTED_NAME = re.compile(r"`(caucasus_events(?:\.\w+)+)")


def resolves(name: str) -> bool:
    """Whether ``name`` is a module of the package, or an attribute of one."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


#: Stale names in files that ship in the published release of this version (docs/codebook.md is
#: in the archive, which never changes once published): fixed with the next version, when this
#: must be empty again.
STALE_IN_RELEASE = {"docs/codebook.md: caucasus_events.dates.resolve_relative"}


def test_dotted_names_in_the_docs_resolve() -> None:
    """A module or function the docs name exists (a move leaves no stale path behind)."""
    assert resolves("caucasus_events.build.dates.resolve_relative")
    assert not resolves("caucasus_events.dates.resolve_relative")  # its path before the move
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    stale = {
        f"{page.relative_to(REPO)}: {name}"
        for page in pages
        for name in DOTTED_NAME.findall(page.read_text(encoding="utf-8"))
        if not resolves(name)
    }
    registry = json.loads((REPO / "src" / "caucasus_events" / "registry.json").read_text(encoding="utf-8"))
    published = bool(registry.get(caucasus_events.__version__, {}).get("sha256"))
    assert stale == (STALE_IN_RELEASE if published else set())
