"""The happy path of ``build``: deterministic bytes, ``--check``, and no drift from the models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ANNOTATION, EVENTS, make_project
from error_cases import snapshot

from caucasus_events.build import descriptor, serialize
from caucasus_events.build.models import MODELS
from caucasus_events.build.output import STAGING
from caucasus_events.build.pipeline import make
from caucasus_events.build.rawdata import read_codebooks, sha256_bytes
from caucasus_events.build.tableschema import codebook_categories, table_schema
from caucasus_events.cli import main

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("csv", "parquet")


@pytest.fixture
def built(built_synthetic: Path) -> Path:
    return built_synthetic


@pytest.fixture
def project(built_copy: Path) -> Path:
    return built_copy


def expected_files() -> set[str]:
    files = {"datapackage.json"}
    for table in MODELS:
        files.add(f"schemas/{table}.json")
        files.update(f"processed/{table}.{suffix}" for suffix in FORMATS)
    return files


def test_build_writes_every_file_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_project(tmp_path / "p")
    assert main(["build", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    files = snapshot(root)
    assert set(files) == expected_files()
    for rel, data in files.items():
        assert f"{sha256_bytes(data)}  {rel}\n" in out
    assert "events               2\n" in out and "mentions             2\n" in out
    assert not (root / STAGING).exists()


def test_building_twice_gives_identical_bytes(project: Path, built: Path) -> None:
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert snapshot(project) == snapshot(built)
    assert make(project).files == make(project).files


def test_workers_give_identical_bytes(project: Path, built: Path) -> None:
    assert main(["build", "--root", str(project), "--quiet", "--workers", "2"]) == 0
    assert snapshot(project) == snapshot(built)


def test_input_order_does_not_matter(project: Path, built: Path) -> None:
    # Events listed in another order, split over two files; mentions in another order.
    first, second = EVENTS.split("- id: E000002")
    (project / "raw" / "events" / "events.yaml").unlink()
    (project / "raw" / "events" / "a.yaml").write_text("- id: E000002" + second, encoding="utf-8")
    (project / "raw" / "events" / "b.yaml").write_text(first, encoding="utf-8")
    head, one, two = ANNOTATION.split("  - event: ")
    annotation = project / "raw" / "annotations" / "synthetic-readout.yaml"
    annotation.write_text(head + "  - event: " + two + "  - event: " + one, encoding="utf-8")
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert snapshot(project) == snapshot(built)


def test_text_outputs_are_lf_utf8(built: Path) -> None:
    for rel, data in snapshot(built).items():
        if not rel.endswith(".parquet"):
            assert b"\r" not in data, rel
            data.decode("utf-8")
            assert data.endswith(b"\n"), rel


def test_check_passes_on_fresh_outputs(project: Path, capsys: pytest.CaptureFixture) -> None:
    before = snapshot(project)
    assert main(["build", "--check", "--root", str(project)]) == 0
    assert capsys.readouterr().out == f"outputs are up to date ({len(before)} files match what raw/ builds)\n"
    assert snapshot(project) == before


def test_check_names_an_edited_output(project: Path, capsys: pytest.CaptureFixture) -> None:
    path = project / "processed" / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"calls the president", b"called the president"))
    before = snapshot(project)
    assert main(["build", "--check", "--root", str(project)]) == 1
    assert capsys.readouterr().out == (
        "committed outputs are stale:\n"
        "processed/events.csv: differs from what raw/ builds (run `caucasus-events build`)\n"
    )
    assert snapshot(project) == before  # --check writes nothing


def test_check_names_missing_and_extra_outputs(project: Path, capsys: pytest.CaptureFixture) -> None:
    (project / "schemas" / "places.json").unlink()
    # A table an earlier build wrote (its descriptor lists it) that this build no longer makes.
    descriptor = project / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    package["resources"].append({"path": "processed/old_table.csv", "schema": "schemas/old_table.json"})
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    (project / "processed" / "old_table.csv").write_text("a\n", encoding="utf-8")
    assert main(["build", "--check", "--root", str(project)]) == 1
    assert capsys.readouterr().out == (
        "committed outputs are stale:\n"
        "datapackage.json: differs from what raw/ builds (run `caucasus-events build`)\n"
        "schemas/places.json: missing (run `caucasus-events build`)\n"
        "processed/old_table.csv: no longer built (run `caucasus-events build` to remove it)\n"
    )
    # A build puts back what is missing and removes what is no longer built.
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert set(snapshot(project)) == expected_files()


def test_foreign_file_in_outputs_is_kept_and_reported(project: Path, capsys: pytest.CaptureFixture) -> None:
    (project / "processed" / "my_notes.csv").write_text("a\n", encoding="utf-8")
    assert main(["build", "--check", "--root", str(project)]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        "processed/my_notes.csv: not written by the build (expected only build outputs here; move it elsewhere)"
    ]
    before = snapshot(project)
    assert main(["build", "--root", str(project), "--quiet"]) == 2
    assert "processed/my_notes.csv: -: not written by the build" in capsys.readouterr().err
    assert snapshot(project) == before


def test_check_after_raw_changes(project: Path, capsys: pytest.CaptureFixture) -> None:
    events = project / "raw" / "events" / "events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("The minister calls", "The minister phones"),
        encoding="utf-8",
    )
    assert main(["build", "--check", "--root", str(project)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "committed outputs are stale:",
        "datapackage.json: differs from what raw/ builds (run `caucasus-events build`)",
        "processed/events.csv: differs from what raw/ builds (run `caucasus-events build`)",
        "processed/events.parquet: differs from what raw/ builds (run `caucasus-events build`)",
    ]
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert main(["build", "--check", "--root", str(project)]) == 0


def test_validate_passes(built: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", "--fast", str(built)]) == 0
    assert capsys.readouterr().out == f"{built.resolve()}: package is valid\n"


def test_frictionless_validate_passes(built: Path) -> None:
    # The real `frictionless validate datapackage.json`, as the README tells users to run it.
    frictionless = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run(
        [str(frictionless), "validate", "datapackage.json"],
        cwd=built,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "INVALID" not in proc.stdout


def _schemas_from_models(root: Path) -> dict[str, bytes]:
    books, problems = read_codebooks(root / "raw", root)
    assert problems == []
    keys = {"plover_types.type": [row["type"] for row in books["plover_types"]]}
    return {
        f"schemas/{table}.json": serialize.json_bytes(table_schema(table, codebook_categories(table, keys)))
        for table in MODELS
    }


def _descriptor_from_models(root: Path) -> bytes:
    # Everything but the sources (the articles' publishers, which are data) comes from the
    # models, CITATION.cff and the files on disk.
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    cff, problems = descriptor.read_citation(root)
    assert problems == []
    files = {rel: data for rel, data in snapshot(root).items() if rel.startswith("processed/")}
    return serialize.json_bytes(descriptor.descriptor(cff, files, package["sources"]))


def test_built_schemas_and_descriptor_match_the_models(built: Path) -> None:
    on_disk = snapshot(built)
    for rel, data in _schemas_from_models(built).items():
        assert on_disk[rel] == data, f"{rel} differs from the model"
    assert on_disk["datapackage.json"] == _descriptor_from_models(built)


def test_drift_is_caught(project: Path) -> None:
    # The same comparison fails when a schema or the descriptor is edited by hand.
    schema = project / "schemas" / "events.json"
    schema.write_bytes(schema.read_bytes().replace(b'"required": true', b'"required": false', 1))
    assert _schemas_from_models(project)["schemas/events.json"] != schema.read_bytes()
    package = project / "datapackage.json"
    package.write_bytes(
        package.read_bytes().replace(b'"primaryKey"', b'"primarykey"').replace(b"CC-BY-4.0", b"CC0")
    )
    assert _descriptor_from_models(project) != package.read_bytes()


@pytest.mark.skipif(not (REPO / "datapackage.json").is_file(), reason="no committed package")
def test_committed_schemas_and_descriptor_match_the_models() -> None:
    on_disk = snapshot(REPO)
    for rel, data in _schemas_from_models(REPO).items():
        assert on_disk.get(rel) == data, f"{rel} is stale: run `caucasus-events build`"
    assert on_disk["datapackage.json"] == _descriptor_from_models(REPO), (
        "datapackage.json is stale: run `caucasus-events build`"
    )
