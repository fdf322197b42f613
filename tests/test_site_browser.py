"""The built site in a real browser: Debian's headless Chromium, driven by Playwright.

Every page is opened once from ``file://`` (as a reader who unpacked the site would), and what
the browser shows is recorded: console errors, resolved links, element IDs, highlights and
visible text. The tests then check those records; the filters are exercised on the event list.

Playwright's own browser download cannot work here: the tests use ``/usr/bin/chromium``
(``.ci/run`` installs it). Without it they are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from site_license import LicenseCheck, closed_texts

from caucasus_events.diff import open_package
from caucasus_events.publish import site
from caucasus_events.publish.site import site_files, write_site

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or site.CHROMIUM

if not Path(CHROMIUM).is_file():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")

# Read by the browser on every page: what it shows, in one visit.
RECORD = """() => ({
  links: [...document.querySelectorAll('a[href], link[href]')].map(e => e.href)
    .concat([...document.querySelectorAll('img[src], script[src]')].map(e => e.src)),
  resources: [...document.querySelectorAll('link[href]')].map(e => e.href)
    .concat([...document.querySelectorAll('img[src], script[src], iframe[src], source[src]')].map(e => e.src)),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  marks: [...document.querySelectorAll('main mark')].map(e => [e.dataset.mention || e.dataset.mentions, e.textContent]),
  text: document.body.innerText,
  images: [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0]),
})"""


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    write_site(out, site_files(REPO))
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=list(site.CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def visited(site_dir, browser) -> dict[str, dict]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed to load {r.url}"))
    records = {}
    for path in sorted(site_dir.rglob("*.html")):
        errors.clear()
        page.goto(path.as_uri(), wait_until="load")
        records[path.relative_to(site_dir).as_posix()] = {**page.evaluate(RECORD), "errors": list(errors)}
    page.close()
    return records


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    package = open_package(REPO)  # the dataset's dtypes, as ce.load gives them
    return {t: package.frame(t) for t in ("events", "mentions", "articles")}


def test_every_page_loads_without_console_errors(visited, tables):
    assert len(visited) >= len(tables["events"]) + len(tables["articles"])
    assert {rel: r["errors"] for rel, r in visited.items() if r["errors"]} == {}
    broken = {rel: [src for src, ok in r["images"] if not ok] for rel, r in visited.items()}
    assert {rel: srcs for rel, srcs in broken.items() if srcs} == {}


def test_no_page_loads_anything_from_outside_the_site(visited, site_dir):
    root = site_dir.resolve().as_uri()
    outside = {rel: [u for u in r["resources"] if not u.startswith(root + "/")] for rel, r in visited.items()}
    assert {rel: urls for rel, urls in outside.items() if urls} == {}
    assert all(r["resources"] for r in visited.values())  # the stylesheet, at least


def test_every_internal_link_resolves(visited, site_dir):
    ids = {rel: set(r["ids"]) for rel, r in visited.items()}
    bad = []
    for rel, record in visited.items():
        for link in record["links"]:
            parts = urlsplit(link)
            if parts.scheme != "file":
                assert parts.scheme in ("http", "https"), (rel, link)
                continue
            target = Path(unquote(parts.path))
            inside = target.is_file() and site_dir.resolve() in target.resolve().parents
            anchors = ids.get(target.relative_to(site_dir).as_posix(), set()) if inside else set()
            if not inside or (parts.fragment and parts.fragment not in anchors):
                bad.append((rel, link))
    assert bad == []


def test_each_event_page_highlights_exactly_its_mentions(visited, tables):
    mentions = tables["mentions"]
    for event_id, group in mentions.groupby("event_id"):
        shown = visited[f"events/{event_id}.html"]["marks"]
        assert len(shown) == len(group), event_id
        assert sorted(shown) == sorted(map(list, zip(group["mention_id"], group["quote"], strict=True))), (
            event_id
        )


def test_text_pages_highlight_every_mention_even_nested(visited, tables):
    articles = tables["articles"].set_index("article_id")
    for article_id, group in tables["mentions"].groupby("article_id"):
        if not articles.loc[article_id, "redistributable"]:
            continue
        pieces: dict[str, str] = {}
        for ids, text in visited[f"texts/{article_id}.html"]["marks"]:
            for mention_id in ids.split():
                pieces[mention_id] = pieces.get(mention_id, "") + text
        assert pieces == dict(zip(group["mention_id"], group["quote"], strict=True)), article_id


def test_non_redistributable_text_page_shows_no_more_than_the_quotes(visited, tables):
    texts = closed_texts(REPO, tables)
    assert texts
    for article_id, text in texts.items():
        record = visited[f"texts/{article_id}.html"]
        assert "may not be redistributed" in record["text"]
        assert record["marks"] == []  # no highlighted full text
        quotes = tables["mentions"].loc[tables["mentions"]["article_id"] == article_id, "quote"]
        assert all(quote in record["text"] for quote in quotes)
        check = LicenseCheck(REPO, tables, text)
        assert check.leaks(record["text"]) == []
        # Nor does any other page, as the browser shows it.
        assert {rel: w for rel, r in visited.items() if (w := check.leaks(r["text"]))} == {}


def _events_with_actor(events: pd.DataFrame, actor_id: str) -> set[str]:
    linked = REPO / "processed" / "event_actors.parquet"
    if linked.is_file():  # the normalized data model
        rows = pd.read_parquet(linked)
        return set(rows.loc[rows["actor_id"] == actor_id, "event_id"])
    actors = events["source_actor_ids"].fillna("") + ";" + events["target_actor_ids"].fillna("")
    return set(events.loc[actors.str.split(";").apply(lambda ids: actor_id in ids), "event_id"])


def _visible_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#event-list tbody tr:not([hidden]) td:first-child a", "els => els.map(e => e.textContent)"
    )


def test_filters_narrow_the_event_list(site_dir, browser, tables):
    events, mentions, articles = tables["events"], tables["mentions"], tables["articles"]
    page = browser.new_page()
    page.goto((site_dir / "events.html").as_uri())
    assert len(_visible_rows(page)) == len(events)

    page.select_option("#filter-type", "CONSULT")
    consult = set(events.loc[events["plover_type"] == "CONSULT", "event_id"])
    assert set(_visible_rows(page)) == consult
    assert page.inner_text("#shown") == f"{len(consult)} of {len(events)} events"

    page.select_option("#filter-year", "2022")
    in_2022 = set(events.loc[events["date_start"].dt.year == 2022, "event_id"])
    assert set(_visible_rows(page)) == consult & in_2022 and 0 < len(consult & in_2022) < len(consult)

    page.select_option("#filter-actor", "aze-aliyev")
    aliyev = _events_with_actor(events, "aze-aliyev")
    assert set(_visible_rows(page)) == consult & in_2022 & aliyev

    page.select_option("#filter-publisher", "Asbarez")
    asbarez = set(
        mentions.loc[
            mentions["article_id"].isin(
                articles.loc[articles["publisher"].str.startswith("Asbarez"), "article_id"]
            ),
            "event_id",
        ]
    )
    assert set(_visible_rows(page)) == consult & in_2022 & aliyev & asbarez
    assert "E000100" in _visible_rows(page)

    page.click("button[type=reset]")
    page.select_option("#filter-status", "planned")
    assert set(_visible_rows(page)) == set(events.loc[events["status"] == "planned", "event_id"])
    page.click("button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#event-list tbody tr[hidden]').length === 0")
    assert len(_visible_rows(page)) == len(events)
    page.close()


def test_event_page_is_readable_on_a_phone(site_dir, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto((site_dir / "events" / "E000100.html").as_uri())
    # Nothing but the scrollable tables is wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.close()
