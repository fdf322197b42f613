"""The static site: determinism, valid HTML, highlights, the license limit, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pandas as pd
import pytest
from site_license import LicenseCheck, closed_texts
from synthetic_releases import changelog

from caucasus_events.cli import main
from caucasus_events.diff import open_package
from caucasus_events.problems import InputError, UsageError
from caucasus_events.publish.site import MARKER, Data, paragraph, segments, site_files, write_site

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site() -> dict[str, bytes]:
    return site_files(REPO)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {
        t: pd.read_parquet(REPO / "processed" / f"{t}.parquet") for t in ("events", "mentions", "articles")
    }


def parse(data: bytes) -> ET.Element:
    """Parse strictly: any HTML parse error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data.decode("utf-8"))


def visible_text(tree: ET.Element) -> str:
    body = tree.find("body")
    return "".join(body.itertext())


def marks(tree: ET.Element) -> list[ET.Element]:
    return list(tree.find("body").iter("mark"))


def test_two_builds_are_byte_identical(site):
    again = site_files(REPO)
    assert sorted(again) == sorted(site)
    assert [rel for rel in site if site[rel] != again[rel]] == []


def test_pages_cover_the_package(site, tables):
    pages = {rel for rel in site if rel.endswith(".html")}
    for event_id in tables["events"]["event_id"]:
        assert f"events/{event_id}.html" in pages
    for article_id in tables["articles"]["article_id"]:
        assert f"texts/{article_id}.html" in pages
    for name in (
        "index",
        "events",
        "texts",
        "actors",
        "places",
        "dictionary",
        "codebook",
        "agreement",
        "changes",
    ):
        assert f"{name}.html" in pages
    assert site["assets/events-over-time.png"] == (REPO / "docs" / "events-over-time.png").read_bytes()


def test_every_page_is_valid_html_with_one_h1_alt_text_and_viewport(site):
    for rel, data in site.items():
        if not rel.endswith(".html"):
            continue
        tree = parse(data)
        assert len(list(tree.iter("h1"))) == 1, rel
        assert all(img.get("alt") for img in tree.iter("img")), rel
        assert any(m.get("name") == "viewport" for m in tree.iter("meta")), rel
        ids = [el.get("id") for el in tree.iter() if el.get("id")]
        assert len(ids) == len(set(ids)), rel


def test_strict_parse_rejects_broken_html():
    # The validity check above can fail: a stray end tag is a parse error.
    with pytest.raises(html5lib.html5parser.ParseError):
        parse(b"<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p>a</div></body></html>")


def test_event_page_marks_every_mention_with_its_quote(site, tables):
    mentions = tables["mentions"]
    for event_id, group in mentions.groupby("event_id"):
        tree = parse(site[f"events/{event_id}.html"])
        found = {m.get("data-mention"): "".join(m.itertext()) for m in marks(tree)}
        assert len(marks(tree)) == len(group), event_id
        assert found == dict(zip(group["mention_id"], group["quote"], strict=True)), event_id


def test_event_page_says_the_coding_in_words(site):
    text = visible_text(parse(site["events/E000100.html"]))
    for words in (
        "CONSULT",
        "Discuss by telephone",
        "Antony J. Blinken",
        "Ilham Aliyev",
        "25 July 2022",
        "on Tuesday",
    ):
        assert words in text


def test_text_page_highlights_nested_and_crossing_mentions(site, tables):
    mentions = tables["mentions"]
    articles = tables["articles"].set_index("article_id")
    for article_id, group in mentions.groupby("article_id"):
        if not articles.loc[article_id, "redistributable"]:
            continue
        tree = parse(site[f"texts/{article_id}.html"])
        pieces: dict[str, str] = {}
        for mark in marks(tree):
            for mention_id in mark.get("data-mentions").split():
                pieces[mention_id] = pieces.get(mention_id, "") + "".join(mark.itertext())
        assert pieces == dict(zip(group["mention_id"], group["quote"], strict=True)), article_id
        text = (REPO / "raw" / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")
        fulltext = next(el for el in tree.iter("div") if el.get("class") == "fulltext")
        shown = (fulltext.text or "") + "".join(
            ("" if child.tag == "a" else "".join(child.itertext())) + (child.tail or "") for child in fulltext
        )
        assert shown == text, article_id


def test_segments_cut_crossing_spans_like_brat():
    spans = [(0, 6, "a"), (3, 9, "b"), (4, 5, "c")]
    assert segments(10, spans) == [
        (0, 3, ["a"]),
        (3, 4, ["a", "b"]),
        (4, 5, ["a", "b", "c"]),
        (5, 6, ["a", "b"]),
        (6, 9, ["b"]),
        (9, 10, []),
    ]


def test_paragraph_is_the_line_around_a_span():
    text = "Title\n\nFirst sentence. Second one.\nNext"
    assert paragraph(text, 23, 33) == (7, 34)
    assert paragraph(text, 0, 5) == (0, 5)
    assert paragraph(text, 36, 38) == (35, 39)


def test_non_redistributable_text_appears_only_as_published_quotes(site, tables):
    texts = closed_texts(REPO, tables)
    assert texts
    shown = {rel: visible_text(parse(data)) for rel, data in site.items() if rel.endswith(".html")}
    for article_id, text in texts.items():
        check = LicenseCheck(REPO, tables, text)
        assert {rel: w for rel, page in shown.items() if (w := check.leaks(page))} == {}
        assert "may not be redistributed" in shown[f"texts/{article_id}.html"]
        assert not any(text.encode("utf-8") in data for data in site.values())


def test_license_check_catches_a_leaked_paragraph(tables):
    # The check above does fail when a page shows the paragraph around a mention.
    (article_id, text), *_ = closed_texts(REPO, tables).items()
    quote = tables["mentions"].loc[tables["mentions"]["article_id"] == article_id, "quote"].iloc[0]
    start = text.find(quote)
    left, right = paragraph(text, start, start + len(quote))
    check = LicenseCheck(REPO, tables, text)
    assert check.leaks(f"page: {text[left:right]}")
    assert check.leaks(f"page: {quote}") == []


def test_site_of_a_package_without_texts_shows_quotes_only(tmp_path, tables):
    files = site_files(tmp_path, package=REPO)
    tree = parse(files["events/E000100.html"])
    assert len(marks(tree)) == (tables["mentions"]["event_id"] == "E000100").sum()
    page = visible_text(parse(files["texts/2022-07-25_state-blinken-call-aliyev-historic-opportunity.html"]))
    assert "The text is not in this package" in page
    assert "agreement" in visible_text(parse(files["agreement.html"]))


def test_a_text_that_differs_from_the_package_is_refused(tmp_path):
    articles = tmp_path / "raw" / "articles"
    articles.mkdir(parents=True)
    name = "2022-07-25_state-blinken-call-aliyev-historic-opportunity.txt"
    (articles / name).write_text("Not the text.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        site_files(tmp_path, package=REPO)
    assert f"raw/articles/{name}: sha256: differs" in str(caught.value)


def test_new_data_model_tables_are_used_when_present():
    data = Data(
        package=None,
        tables={
            "events": [
                {
                    "event_id": "E1",
                    "source_actor_ids": "old",
                    "target_actor_ids": None,
                    "plover_contexts": "x",
                }
            ],
            "event_actors": [
                {"event_id": "E1", "role": "target", "actor_id": "t", "rank": 1},
                {"event_id": "E1", "role": "source", "actor_id": "s2", "rank": 2},
                {"event_id": "E1", "role": "source", "actor_id": "s1", "rank": 1},
            ],
            "event_contexts": [
                {"event_id": "E1", "context": "legal", "rank": 2},
                {"event_id": "E1", "context": "diplomatic", "rank": 1},
            ],
            "places": [{"place_id": "p", "aliases": "old"}],
            "place_aliases": [{"place_id": "p", "alias": "Artsakh"}],
        },
    )
    assert data.event_actors()["E1"] == {"source": ["s1", "s2"], "target": ["t"]}
    assert data.event_contexts()["E1"] == ["diplomatic", "legal"]
    assert data.place_aliases()["p"] == ["Artsakh"]
    old = Data(package=None, tables={"events": data.tables["events"], "places": data.tables["places"]})
    assert old.event_actors()["E1"] == {"source": ["old"], "target": []}
    assert old.event_contexts()["E1"] == ["x"]
    assert old.place_aliases()["p"] == ["old"]


def test_cli_writes_the_site_and_rebuilds_it_in_place(tmp_path, capsys, site):
    out = tmp_path / "site"
    assert main(["site", str(out), "--root", str(REPO)]) == 0
    assert (out / MARKER).is_file() and (out / "events" / "E000100.html").is_file()
    assert "pages" in capsys.readouterr().out
    (out / "events" / "E999999.html").write_bytes(b"an older build's page")
    (out / MARKER).write_text((out / MARKER).read_text() + "events/E999999.html\n")
    write_site(out, site)
    assert not (out / "events" / "E999999.html").exists()  # the earlier site's pages are replaced
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == set(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left


def test_a_folder_that_is_not_a_site_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["site", str(out), "--root", str(REPO)]) == 2
    assert "is not a caucasus-events site" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    with pytest.raises(UsageError):
        write_site(out, {"index.html": b""})


def test_a_site_holding_someone_elses_file_is_not_replaced(tmp_path, site):
    out = tmp_path / "site"
    write_site(out, site)
    (out / "events" / "my-notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds files the site did not write \(events/my-notes\.txt\)"):
        write_site(out, site)
    assert (out / "events" / "my-notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_missing_package_is_reported_with_exit_2(tmp_path, capsys):
    assert (
        main(["site", str(tmp_path / "out"), "--root", str(REPO), "--package", str(tmp_path / "nope")]) == 2
    )
    assert "not found (expected a package folder or a release archive .zip)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_without_the_site_extra_the_command_names_it(tmp_path):
    code = (
        "import sys; sys.modules['jinja2'] = None\n"
        "from caucasus_events.cli import main\n"
        f"sys.exit(main(['site', {str(tmp_path / 'out')!r}, '--root', {str(REPO)!r}]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 2, run.stderr
    assert (
        "needs the 'site' extra (jinja2 is not installed): pip install \"caucasus-events[site]\""
        in run.stderr
    )
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_templates_ship_in_the_package():
    from caucasus_events.publish import site

    names = {p.name for p in site.TEMPLATES.iterdir()}
    assert {"base.html", "event.html", "text.html", "site.css", "site.js"} <= names


def test_release_with_site_adds_a_site_archive_and_keeps_the_data_archive(tmp_path):
    import zipfile

    from caucasus_events import __version__, archive
    from caucasus_events.publish.release import release

    # A copy of the project without its registry, so that only this test's archives count.
    root = tmp_path / "project"
    for name in ("processed", "schemas", "docs", "raw"):
        shutil.copytree(REPO / name, root / name)
    for name in (
        "datapackage.json",
        "CITATION.cff",
        "CHANGELOG.md",
        "LICENSE",
        "LICENSE-DATA.md",
        ".zenodo.json",
    ):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, root / name)
    # Its own changelog entry, so that the test does not wait for the version's real one.
    (root / "CHANGELOG.md").write_text(changelog([__version__]), encoding="utf-8")
    plain = release(root, dist=tmp_path / "plain", say=lambda *_: None)
    both = release(root, dist=tmp_path / "both", with_site=True, say=lambda *_: None)
    assert both.read_bytes() == plain.read_bytes()  # the data archive does not change
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == [plain.name]
    site_zip = tmp_path / "both" / f"caucasus-events-site-{__version__}.zip"
    top = f"caucasus-events-site-{__version__}/"
    with zipfile.ZipFile(site_zip) as z:
        assert all(name.startswith(top) for name in z.namelist())
        files = {name.removeprefix(top): z.read(name) for name in z.namelist()}
    expected = site_files(root)
    assert files.pop(archive.SUMS) == archive.sums_text(expected)
    assert files == expected


def test_changes_page_lists_the_diff_against_a_previous_release(site):
    files = site_files(REPO, previous=REPO)
    page = visible_text(parse(files["changes.html"]))
    assert "compared with release" in page and "Events changed (0)" in page
    first = visible_text(parse(site["changes.html"]))
    assert "compared with" not in first and "release" in first


def test_quantities_are_shown_with_their_passage():
    from caucasus_events.publish.site import Builder

    builder = Builder(REPO, open_package(REPO), None)
    mention = next(m for m in builder.data.tables["mentions"] if m["event_id"] == "E000100")
    builder.data.tables["quantities"] = [
        {
            "quantity_id": "Q1", "event_id": "E000100", "mention_id": mention["mention_id"],
            "article_id": mention["article_id"], "kind": "detained", "value_low": 30.0, "value_best": 35.0,
            "value_high": 40.0, "unit": "people", "approximate": True, "as_written": "some 35", "note": None,
        }
    ]  # fmt: skip
    files = builder.build()
    page = parse(files["events/E000100.html"])
    rows = [["".join(td.itertext()) for td in tr.iter("td")] for tr in page.iter("tr")]
    assert [mention["mention_id"], "detained", "30.0", "35.0", "40.0", "people", "yes", "some 35"] in rows
    assert "Quantities" not in visible_text(parse(files["events/E000101.html"]))


def test_previous_release_by_version_is_fetched_or_refused_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CAUCASUS_EVENTS_OFFLINE", "1")
    monkeypatch.setenv("CAUCASUS_EVENTS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert main(["site", str(out), "--root", str(REPO), "--previous", "9.9.9"]) == 2
    assert "unknown release '9.9.9'" in capsys.readouterr().err
    assert not out.exists()


def test_outside_a_project_the_installed_release_is_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = site_files(tmp_path)  # no datapackage.json, no texts, no docs here
    assert "events/E000100.html" in files
    assert "The text is not in this package" in visible_text(
        parse(files["texts/2022-07-25_state-blinken-call-aliyev-historic-opportunity.html"])
    )
