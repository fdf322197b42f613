"""`caucasus-events release`: deterministic archives, version rules, refusals, registry, Zenodo."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from synthetic_releases import (
    NEW_SUMMARY,
    add_actor,
    add_event,
    built,
    changelog,
    edit_summary,
    files_in,
    quiet,
    released,
    remove_event_2,
    set_version,
)

from caucasus_events import __version__, archive
from caucasus_events.build.models import MODELS
from caucasus_events.cli import main
from caucasus_events.problems import InputError, UsageError
from caucasus_events.publish.release import (
    needed,
    read_cff,
    release,
    step,
    zenodo_bytes,
    zenodo_metadata,
    zip_time,
)

REPO = Path(__file__).resolve().parents[1]
NAME = archive.archive_name(__version__)
#: The version of the synthetic release every step is compared with.
FIRST = "0.1.0"
FIRST_NAME = archive.archive_name(FIRST)
FIRST_TOP = archive.folder_name(FIRST)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release every step is compared with: the synthetic project as 0.1.0."""
    return released(tmp_path_factory.mktemp("first") / "a", version=FIRST)


def test_archive_holds_the_package_and_nothing_else(first: Path) -> None:
    path, project = first, first.parents[1]
    assert path == project / "dist" / FIRST_NAME
    version, files = archive.read(path, FIRST)  # checks safety and SHA256SUMS
    assert version == FIRST
    tables = list(MODELS)
    expected = {
        "datapackage.json",
        "CITATION.cff",
        "LICENSE",
        "LICENSE-DATA.md",
        "README.txt",
        "docs/codebook.md",
    }
    expected |= {"RELEASE_NOTES.md", "SHA256SUMS"}
    expected |= {f"processed/{t}.{ext}" for t in tables for ext in ("csv", "parquet")}
    expected |= {f"schemas/{t}.json" for t in tables}
    assert set(files) == expected
    for rel in expected - {"README.txt", "RELEASE_NOTES.md", "SHA256SUMS"}:
        assert files[rel] == (project / rel).read_bytes(), rel
    # No source text, not even the synthetic one, in any file.
    text = (project / "raw/articles/synthetic-readout.txt").read_bytes()
    assert not any(text in data for data in files.values())
    sums = files["SHA256SUMS"].decode().splitlines()
    assert len(sums) == len(files) - 1 and sums == sorted(sums, key=lambda line: line.split("  ")[1])


def test_archive_entries_are_sorted_with_fixed_metadata(first: Path) -> None:
    with zipfile.ZipFile(first) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and all(n.startswith(f"{FIRST_TOP}/") for n in names)
    cff = read_cff(first.parents[1])
    assert zip_time(cff) == (2026, 11, 27, 0, 0, 0)  # CITATION.cff date-released
    for info in infos:
        assert info.date_time == zip_time(cff)
        assert info.external_attr >> 16 == stat.S_IFREG | 0o644
        assert info.compress_type == zipfile.ZIP_STORED and info.create_system == 3


def test_same_inputs_give_the_same_bytes(tmp_path: Path, first: Path) -> None:
    before = first.read_bytes()
    # Another folder, other file times, a second run over an existing archive.
    second_root = built(tmp_path / "two", version=FIRST)
    for path in second_root.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = release(second_root, version=FIRST, say=quiet)
    assert second.read_bytes() == before
    assert release(second_root, version=FIRST, say=quiet).read_bytes() == before
    assert files_in(second_root / "dist") == [FIRST_NAME]  # no temporary file left
    edited = released(tmp_path / "three", version=FIRST, edit=edit_summary)
    assert edited.read_bytes() != before


def test_zip_time_falls_back_to_1980() -> None:
    assert zip_time({}) == (1980, 1, 1, 0, 0, 0)
    assert zip_time({"date-released": "1970-01-01"}) == (1980, 1, 1, 0, 0, 0)
    assert zip_time({"date-released": "2024-02-29"}) == (2024, 2, 29, 0, 0, 0)


def test_release_notes_list_counts_and_the_event_diff(tmp_path: Path, first: Path) -> None:
    path = released(tmp_path / "b", version="0.1.1", edit=edit_summary, previous=first)
    _, files = archive.read(path)
    notes = files["RELEASE_NOTES.md"].decode()
    assert notes.startswith("# caucasus-events-data 0.1.1\n\nSynthetic release 0.1.1.\n")
    assert "## Changes since 0.1.0" in notes
    assert "0.1.0 -> 0.1.1: a patch release (events: 1 row(s) corrected)" in notes
    assert "| events | 2 | 2 | 0 | 0 | 1 |" in notes
    assert f"  - summary: `The minister calls the president.` -> `{NEW_SUMMARY}`" in notes
    first_notes = archive.read(first)[1]["RELEASE_NOTES.md"].decode()
    assert "| cameo_codes | 312 |" in first_notes and "first release" in first_notes


@pytest.mark.parametrize(
    ("edit", "level"),
    [
        (edit_summary, "patch"),
        (lambda root: remove_event_2(root, tombstone=False), None),
        (add_actor, "minor"),
        (add_event, "minor"),
        (lambda root: remove_event_2(root, tombstone=True), "minor"),  # the tombstone is a new row
    ],
    ids=["corrected", "removed-silently", "actor-added", "event-added", "event-retired"],
)
def test_version_step_must_match_the_change(tmp_path: Path, first: Path, edit, level: str | None) -> None:
    steps = {"patch": "0.1.1", "minor": "0.2.0", "major": "1.0.0"}
    root = built(tmp_path / "b", edit=edit)
    for taken, version in steps.items():
        set_version(root, version)
        if taken == level:
            assert release(root, version=version, previous=first, say=quiet).is_file()
            shutil.rmtree(root / "dist")
            continue
        with pytest.raises(UsageError) as caught:
            release(root, version=version, previous=first, say=quiet)
        if level is None:
            assert "breaks the ID rules" in str(caught.value)
            assert "event E000002 was removed but" in str(caught.value)
        else:
            message = str(caught.value)
            assert (
                f"0.1.0 -> {version} is a {taken} release, but the changes need a {level} release" in message
            )
            assert f"(expected version {steps[level]}; rules in CHANGELOG.md)" in message
        assert not (root / "dist").exists()


def _with_extra_table(previous: Path) -> Path:
    # A previous release that had a table this one lacks (made by listing places twice).
    package = json.loads((previous / "datapackage.json").read_text())
    extra = [
        dict(r, name=r["name"].replace("places", "legacy"))
        for r in package["resources"]
        if "places" in r["name"]
    ]
    package["resources"] += extra
    (previous / "datapackage.json").write_text(json.dumps(package))
    return previous


def test_removed_table_needs_a_major_release(tmp_path: Path) -> None:
    previous = _with_extra_table(built(tmp_path / "a", version="1.0.0"))
    minor = built(tmp_path / "b", version="1.1.0")
    with pytest.raises(
        UsageError, match=r"need a major release \(expected version 2\.0\.0;.*\n  table legacy removed"
    ):
        release(minor, version="1.1.0", previous=previous, say=quiet)
    major = built(tmp_path / "c", version="2.0.0")
    assert release(major, version="2.0.0", previous=previous, say=quiet).is_file()


def test_before_1_0_a_breaking_change_may_step_the_minor_number(tmp_path: Path) -> None:
    previous = _with_extra_table(built(tmp_path / "a", version="0.1.0"))
    minor = built(tmp_path / "b", version="0.2.0")
    path = release(minor, version="0.2.0", previous=previous, say=quiet)
    notes = archive.read(path)[1]["RELEASE_NOTES.md"].decode()
    assert "breaking changes; before 1.0.0 they step the minor number" in notes
    patch = built(tmp_path / "c", version="0.1.1")
    with pytest.raises(
        UsageError, match=r"0\.1\.0 -> 0\.1\.1 is a patch release, but the changes need a major"
    ):
        release(patch, version="0.1.1", previous=previous, say=quiet)


def test_needed_levels_from_column_changes(tmp_path: Path) -> None:
    from caucasus_events.diff import PackageDiff, SchemaChange, TableDiff

    def level(**schema) -> tuple[str, list[str]]:
        table = TableDiff(rows_a=1, rows_b=1, schema=SchemaChange(**schema))
        return needed(PackageDiff({}, {}, {"events": table}, [], [], [], []))

    assert level(removed=["goldstein"]) == ("major", ["events: column goldstein removed or renamed"])
    assert level(retyped=[("n", "integer", "number")])[0] == "major"
    assert level(reordered=True)[0] == "major"
    assert level(categories_removed={"status": ["negated"]})[0] == "major"
    assert level(key=(["a"], ["b"]))[0] == "major"
    assert level(added=["x"], removed=["y"])[0] == "major"
    assert level(added=["x"]) == ("minor", ["events: column x added"])
    assert level(categories_added={"status": ["rumoured"]})[0] == "minor"
    assert level() == ("patch", ["no change to the tables (metadata only)"])


def test_version_must_be_a_single_step() -> None:
    assert step("0.1.0", "0.1.1") == "patch"
    assert step("0.1.9", "0.2.0") == "minor"
    assert step("0.9.3", "1.0.0") == "major"
    for bad in ("0.1.0", "0.3.0", "0.1.2", "0.0.9", "2.0.0", "0.2.1"):
        with pytest.raises(UsageError, match=r"does not follow 0\.1\.0 \(expected 0\.1\.1 for corrections"):
            step("0.1.0", bad)
    with pytest.raises(UsageError, match=r"is not MAJOR\.MINOR\.PATCH"):
        step("0.1.0", "v0.2")


def _refused(root: Path, match: str, error=UsageError) -> None:
    with pytest.raises(error, match=match):
        release(root, say=quiet)
    assert not (root / "dist").exists()


def test_refused_without_changelog_entry(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    (root / "CHANGELOG.md").write_text(changelog(["0.0.9"]))
    _refused(root, rf"CHANGELOG.md: no entry for {__version__} \(expected a heading '## {__version__}'")
    (root / "CHANGELOG.md").unlink()
    _refused(root, r"CHANGELOG.md: missing")


def test_refused_without_license(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    (root / "LICENSE-DATA.md").unlink()
    _refused(
        root,
        r"LICENSE-DATA.md: missing \(every release carries CITATION.cff, LICENSE, LICENSE-DATA.md, "
        r"docs/codebook.md\)",
    )
    shutil.copy(REPO / "LICENSE-DATA.md", root / "LICENSE-DATA.md")
    (root / "docs" / "codebook.md").unlink()  # the codebook travels with every release
    _refused(root, r"docs/codebook.md: missing \(every release carries")


def test_refused_when_not_built_or_stale(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    (root / "processed" / "old.csv").write_text("x\n")
    _refused(root, r"processed/old.csv: -: not named by datapackage.json \(stale output", InputError)
    (root / "processed" / "old.csv").unlink()
    events = root / "processed" / "events.csv"
    events.write_bytes(events.read_bytes().replace(b"calls", b"rings"))
    _refused(root, r"processed/events.csv: hash: sha256:", InputError)
    shutil.rmtree(root / "processed")
    (root / "datapackage.json").unlink()
    _refused(root, r"no datapackage.json \(run `caucasus-events build` first\)")


def test_refused_when_versions_disagree(tmp_path: Path) -> None:
    root = built(tmp_path / "p", version="9.9.0")
    _refused(root, rf"datapackage.json says version 9.9.0, the package is {__version__}")
    with pytest.raises(UsageError, match=r"CITATION.cff: version is '9.9.0' \(expected '9.9.1'\)"):
        root_json = json.loads((root / "datapackage.json").read_text())
        root_json["version"] = "9.9.1"
        (root / "datapackage.json").write_text(json.dumps(root_json))
        release(root, version="9.9.1", say=quiet)


def test_resource_outside_the_output_folders_is_refused(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    package = json.loads((root / "datapackage.json").read_text())
    package["resources"][0]["path"] = "raw/articles/synthetic-readout.txt"
    (root / "datapackage.json").write_text(json.dumps(package))
    with pytest.raises(InputError):
        release(root, say=quiet)
    assert not (root / "dist").exists()


def test_register_records_the_archive_and_protects_it(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = built(tmp_path / "p")
    registry = root / "src" / "caucasus_events" / "registry.json"
    registry.parent.mkdir(parents=True)
    registry.write_text(json.dumps({"0.0.1": {"url": "https://example.org/x.zip", "sha256": "0" * 64}}))
    assert main(["release", "--root", str(root), "--register"]) == 0
    out = capsys.readouterr().out
    data = (root / "dist" / NAME).read_bytes()
    entries = json.loads(registry.read_text())
    assert list(entries) == ["0.0.1", __version__]
    assert len(entries[__version__]["files"]) == len(archive.read(root / "dist" / NAME)[1]) - 1
    assert entries[__version__] == {
        "url": f"https://github.com/caucasus-events/caucasus-events/releases/download/v{__version__}/{NAME}",
        "sha256": archive.sha256_hex(data),
        # Every file's SHA-256, exactly as the archive's SHA256SUMS lists them.
        "files": archive.parse_sums(archive.read(root / "dist" / NAME)[1][archive.SUMS])[0],
    }
    assert f"sha256 {archive.sha256_hex(data)}" in out and f"recorded {__version__} in {registry}" in out
    # Same inputs: the same archive, accepted again.
    assert main(["release", "--root", str(root), "--quiet"]) == 0
    # A published version never changes.
    (root / "README.txt").write_text("x")  # not in the archive: still the same bytes
    edited = root / "LICENSE"
    edited.write_text(edited.read_text() + "\n")
    assert main(["release", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{__version__} was published with SHA-256 {archive.sha256_hex(data)}; this archive has" in err
    assert "bump the version" in err
    assert (root / "dist" / NAME).read_bytes() == data


def test_register_needs_the_package_source(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    with pytest.raises(UsageError, match=r"src/caucasus_events: missing \(expected the package source"):
        release(root, register_it=True, say=quiet)


def test_cli_reports_refusals_with_exit_code_2(
    tmp_path: Path, first: Path, capsys: pytest.CaptureFixture
) -> None:
    root = built(tmp_path / "b", edit=edit_summary)
    assert main(["release", "--root", str(root), "--previous", str(first)]) == 2
    err = capsys.readouterr().err
    assert f"{FIRST} -> {__version__}" in err or f"does not follow {FIRST}" in err
    assert "Traceback" not in err
    assert main(["release", "--root", str(root), "--previous", str(tmp_path / "missing.zip")]) == 2
    assert "missing.zip: not found" in capsys.readouterr().err


def test_stale_zenodo_json_is_refused(tmp_path: Path) -> None:
    root = built(tmp_path / "p")
    (root / ".zenodo.json").write_bytes(zenodo_bytes(read_cff(root)))
    assert release(root, say=quiet).is_file()
    shutil.rmtree(root / "dist")
    (root / ".zenodo.json").write_text("{}\n")
    _refused(
        root, r"\.zenodo\.json: differs from what CITATION.cff gives \(run `python scripts/zenodo_json.py`"
    )


def test_repository_zenodo_json_matches_citation_cff() -> None:
    assert (REPO / ".zenodo.json").read_bytes() == zenodo_bytes(read_cff(REPO)), (
        "run python scripts/zenodo_json.py"
    )


def test_zenodo_metadata_of_people() -> None:
    cff = {
        "title": "T",
        "abstract": "A",
        "version": "1.0.0",
        "license": "CC-BY-4.0",
        "authors": [
            {"family-names": "Doe", "given-names": "Jane", "orcid": "https://orcid.org/0000-0002-1825-0097"},
            {"name": "Example Lab", "affiliation": "Somewhere"},
        ],
    }
    meta = zenodo_metadata(cff)
    assert meta["creators"] == [
        {"name": "Doe, Jane", "orcid": "0000-0002-1825-0097"},
        {"name": "Example Lab", "affiliation": "Somewhere"},
    ]
    assert meta["license"] == "cc-by-4.0" and meta["upload_type"] == "dataset"
    assert "publication_date" not in meta


def test_repository_changelog_has_the_rules_and_this_version() -> None:
    from caucasus_events.publish.release import changelog_section

    text = (REPO / "CHANGELOG.md").read_text()
    for word in ("**major**", "**minor**", "**patch**", "tombstone"):
        assert word in text
    assert changelog_section(REPO, __version__)


def _rebuilt_previous(registry: dict, version: str, target: Path) -> Path | None:
    """The release before ``version``, rebuilt from the commit that registered it (its notes
    list the changes since that release, so the archive depends on it)."""
    import subprocess
    import tarfile

    def key(v: str) -> tuple[int, ...]:
        return tuple(map(int, v.split(".")))

    older = [v for v in registry if key(v) < key(version)]
    if not older:
        return None
    previous = max(older, key=key)
    digest = registry[previous]["sha256"]
    git = ["git", "-C", str(REPO)]
    shallow = subprocess.run([*git, "rev-parse", "--is-shallow-repository"], capture_output=True, text=True)
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip(f"needs the git history to rebuild {previous} (not a git checkout, or a shallow clone)")
    commits = subprocess.run(
        [*git, "log", "--format=%H", f"-S{digest}", "--", "src/caucasus_events/registry.json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert commits, f"no commit registers {previous} (a shallow clone?)"
    tree = target / previous
    tree.mkdir(parents=True)
    blob = subprocess.run([*git, "archive", commits[-1]], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(tree, filter="data")
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    code = "import sys; from caucasus_events.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run(
        [sys.executable, "-c", code, "release", "--root", str(tree), "--quiet"], env=env, check=True, cwd=tree
    )
    (path,) = (tree / "dist").glob("*.zip")
    assert archive.sha256_hex(path.read_bytes()) == digest, f"{previous} does not rebuild from its commit"
    return path


def test_registered_release_rebuilds_byte_identical_from_this_checkout(tmp_path):
    """The archive recorded in the registry for this version is what this commit builds, given
    the previous release (rebuilt from the commit that registered it)."""
    import hashlib

    from caucasus_events import __version__
    from caucasus_events.publish.release import release

    registry = json.loads((REPO / "src" / "caucasus_events" / "registry.json").read_text(encoding="utf-8"))
    recorded = registry[__version__]["sha256"]
    assert recorded, f"release {__version__} is not registered (run `caucasus-events release --register`)"
    previous = _rebuilt_previous(registry, __version__, tmp_path / "previous")
    path = release(REPO, previous=previous, dist=tmp_path / "dist", say=lambda *_: None)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded
