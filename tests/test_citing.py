"""Citing the dataset and its sources; `caucasus-events cite` and `info`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from synthetic_releases import built, released, replace

import caucasus_events as ce
from caucasus_events import __version__, archive, settings
from caucasus_events.build.descriptor import contributor
from caucasus_events.citing import apa, bibtex
from caucasus_events.cli import main
from caucasus_events.loading import DataError

TITLE = "caucasus-events: traceable event data on the Armenia-Azerbaijan peace process, 2020-2025"
URL = "https://github.com/caucasus-events/caucasus-events"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory.mktemp("cite") / "p")


@pytest.fixture
def installed(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the synthetic project the installed release."""
    monkeypatch.setattr(settings, "installed_data", lambda: project)
    return project


def test_bibtex(installed: Path) -> None:
    assert ce.citation("bibtex") == (
        f"@misc{{caucasus_events_{__version__.replace('.', '_')},\n"
        "  author    = {{caucasus-events contributors}},\n"
        f"  title     = {{{{{TITLE}}}}},\n"
        "  year      = {2026},\n"
        f"  version   = {{{__version__}}},\n"
        f"  url       = {{{URL}}},\n"
        f"  note      = {{Dataset, version {__version__}}}\n"
        "}\n"
    )


def test_apa(installed: Path) -> None:
    assert ce.citation("apa") == (
        f"caucasus-events contributors. (2026). {TITLE} (Version {__version__}) [Data set]. {URL}\n"
    )


def test_cff_is_the_release_file_itself(installed: Path) -> None:
    assert ce.citation("cff") == (installed / "CITATION.cff").read_text(encoding="utf-8")


def test_unknown_style(installed: Path) -> None:
    with pytest.raises(
        DataError, match=r"unknown citation style 'mla' \(expected one of: bibtex, apa, cff\)"
    ):
        ce.citation("mla")


def test_people_doi_and_special_characters() -> None:
    authors = [
        {"family-names": "Doe", "given-names": "Jane Anne", "orcid": "https://orcid.org/0000-0002-1825-0097"},
        {"family-names": "Martin", "given-names": "Jean-Paul"},
        {"name": "R&D Lab"},
    ]
    package = {
        "name": "caucasus-events",
        "title": "Events 100% of_the time",
        "version": "1.2.3",
        "created": "2027-03-01T00:00:00Z",
        "homepage": "https://example.org",
        "id": "https://doi.org/10.5281/zenodo.123",
        "contributors": [contributor(a) for a in authors],
    }
    text = bibtex(package)
    assert "  author    = {Doe, Jane Anne and Martin, Jean-Paul and {R\\&D Lab}},\n" in text
    assert "  title     = {{Events 100\\% of\\_the time}},\n" in text
    assert "  doi       = {10.5281/zenodo.123},\n" in text and "  year      = {2027},\n" in text
    assert apa(package) == (
        "Doe, J. A., Martin, J.-P., & R&D Lab. (2027). Events 100% of_the time (Version 1.2.3) "
        "[Data set]. https://doi.org/10.5281/zenodo.123\n"
    )
    undated = {**package, "contributors": package["contributors"][:1]}
    del undated["created"]
    assert apa(undated).startswith("Doe, J. A. (n.d.). Events")
    assert "year" not in bibtex(undated)


def test_descriptor_carries_what_citing_needs(tmp_path: Path) -> None:
    def people(root: Path) -> None:
        replace(
            root,
            "CITATION.cff",
            'authors:\n  - name: "caucasus-events contributors"\nversion',
            'authors:\n  - family-names: Doe\n    given-names: Jane\n    orcid: "https://orcid.org/0000-0002-1825-0097"\n'
            "    affiliation: Example University\nversion",
        )

    root = built(tmp_path / "p", edit=people)
    import json

    package = json.loads((root / "datapackage.json").read_text())
    assert package["created"] == "2026-11-27T00:00:00Z"
    assert package["contributors"] == [
        {
            "title": "Jane Doe",
            "givenName": "Jane",
            "familyName": "Doe",
            "path": "https://orcid.org/0000-0002-1825-0097",
            "organization": "Example University",
            "role": "author",
        }
    ]
    assert apa(package).startswith("Doe, J. (2026). caucasus-events:")


def test_pinned_release_is_cited_with_its_own_version(tmp_path: Path, monkeypatch) -> None:
    # The release is put in the cache by unpacking a real archive; no server is needed.
    path = released(tmp_path / "old", version="0.0.1")
    registry = tmp_path / "registry.json"
    registry.write_text(f'{{"0.0.1": {{"url": "x", "sha256": "{archive.sha256_hex(path.read_bytes())}"}}}}')
    monkeypatch.setenv("CAUCASUS_EVENTS_REGISTRY", str(registry))
    monkeypatch.setenv("CAUCASUS_EVENTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CAUCASUS_EVENTS_OFFLINE", "1")
    (tmp_path / "cache").mkdir()
    archive.unpack(path, tmp_path / "cache" / "0.0.1", "0.0.1")
    events = ce.load("events", version="0.0.1")
    text = ce.citation("bibtex", version=events.attrs["version"])
    assert "@misc{caucasus_events_0_0_1," in text and "  version   = {0.0.1},\n" in text
    assert 'version: "0.0.1"' in ce.citation("cff", version="0.0.1")


def test_sources_credit_the_texts(installed: Path) -> None:
    frame = ce.sources()
    assert list(frame.columns) == ["publisher", "title", "published", "url", "license", "article_id"]
    row = frame.iloc[0]
    assert (row["publisher"], row["title"], row["url"]) == (
        "Test Ministry",
        "Synthetic readout",
        "https://example.org/readout",
    )
    assert row["license"] == "Public domain (synthetic test text)"
    assert str(row["published"].date()) == "2022-07-25"
    assert frame.attrs["table"] == "sources" and frame.attrs["version"] == __version__


def test_cli_cite(installed: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["cite", "--style", "apa"]) == 0
    assert capsys.readouterr().out == ce.citation("apa")
    assert main(["cite"]) == 0
    assert capsys.readouterr().out.startswith("@misc{")
    assert main(["cite", "--sources"]) == 0
    assert capsys.readouterr().out == (
        "Test Ministry (2022-07-25). Synthetic readout. https://example.org/readout "
        "[Public domain (synthetic test text)]\n"
    )
    assert main(["cite", "--release", "9.9.9"]) == 2
    assert "unknown release '9.9.9'" in capsys.readouterr().err


def test_cli_info_fits_the_terminal(installed: Path, capsys: pytest.CaptureFixture, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(len(line) <= 60 for line in lines), out
    assert lines[0].startswith(f"caucasus-events {__version__}  (")
    assert re.search(r"^events +2  Events$", out, re.M)
    assert re.search(r"^cameo_codes +312  CAMEO codes$", out, re.M)


def test_info_of_a_package_without_citation_file(installed: Path, tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(installed, copy)
    (copy / "CITATION.cff").unlink()
    monkeypatch.setattr(settings, "installed_data", lambda: copy)
    with pytest.raises(DataError, match=r"CITATION.cff: missing"):
        ce.citation("cff")
    assert ce.citation("apa").startswith("caucasus-events contributors. (2026).")
