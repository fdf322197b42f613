"""``caucasus-events site``: a static, self-contained website of a built package.

One page per event (its coding in words and every passage that reports it, highlighted in its
paragraph), per text (the full text with every mention highlighted, or, for a text that may not
be redistributed, only the offsets and quotes the published tables carry), per actor and per
place; an event list with filters; the data dictionary, the codebook, the agreement figures
and the changes since the previous release. No server, CDN or network is needed to view it:
every link is relative and every asset is in the site, so it works from ``file://``.

The bytes depend only on the package, the project files read (texts, docs, agreement passes)
and the pinned versions of Jinja2 and markdown-it-py: two builds are byte-identical.

The data model is read from the package's descriptor: the normalized tables
(``event_actors``, ``event_contexts``, ``place_aliases``, ``quantities``) and columns (events'
``kind``, mentions' ``disagreement_field``) are used when the package has them, and the
``;``-joined columns of earlier releases otherwise.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2  # the `site` extra; the command line names it when it is missing
from markdown_it import MarkdownIt

from caucasus_events import archive
from caucasus_events.diff import Package, open_package, plain
from caucasus_events.problems import InputError, Problem, UsageError, relpath

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
#: A file every site carries, so that a rebuild may replace a folder only when it is a site.
MARKER = ".caucasus-events-site"
FIGURE = Path("docs") / "events-over-time.png"
SCREENSHOT = Path("docs") / "event-page.png"
#: How the browser tests and the screenshot start Debian's headless Chromium: as root, without
#: a sandbox, and without the background connections a closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: The event the README's screenshot shows: the Blinken-Aliyev call of 25 July 2022, reported
#: by a State Department readout and by the Asbarez article, which dates it differently.
SCREENSHOT_EVENT = "E000100"
#: Characters of a text shown around a passage on an event page: its whole paragraph.
PARAGRAPH_BREAK = "\n"


def archive_name(version: str) -> str:
    """The file name of the site archive that ``caucasus-events release --with-site`` writes."""
    return f"caucasus-events-site-{version}.zip"


# ---------------------------------------------------------------------------------------------
# Reading the package


def _rows(frame) -> list[dict]:
    columns = {name: [plain(v) for v in frame[name].tolist()] for name in frame.columns}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part]


@dataclass
class Data:
    """The package's rows, indexed for the pages, whatever the release's data model."""

    package: Package
    tables: dict[str, list[dict]]

    @classmethod
    def read(cls, package: Package) -> Data:
        wanted = [
            "events", "mentions", "articles", "actors", "places", "retired_events", "cameo_codes",
            "plover_types", "plover_modes", "plover_contexts", "event_actors", "event_contexts",
            "place_aliases", "quantities",
        ]  # fmt: skip
        return cls(package, {t: _rows(package.frame(t)) for t in wanted if t in package.tables})

    def has(self, table: str) -> bool:
        return table in self.tables

    def by_key(self, table: str, key: str) -> dict[str, dict]:
        return {row[key]: row for row in self.tables.get(table, [])}

    def event_actors(self) -> dict[str, dict[str, list[str]]]:
        """Source and target actor IDs of each event, principal first."""
        roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"source": [], "target": []})
        if self.has("event_actors"):
            for row in sorted(
                self.tables["event_actors"], key=lambda r: (r["event_id"], r["role"], r["rank"])
            ):
                roles[row["event_id"]][row["role"]].append(row["actor_id"])
        else:
            for e in self.tables["events"]:
                roles[e["event_id"]]["source"] = _split(e.get("source_actor_ids"))
                roles[e["event_id"]]["target"] = _split(e.get("target_actor_ids"))
        return roles

    def event_contexts(self) -> dict[str, list[str]]:
        """PLOVER contexts of each event."""
        contexts: dict[str, list[str]] = defaultdict(list)
        if self.has("event_contexts"):
            for row in sorted(self.tables["event_contexts"], key=lambda r: (r["event_id"], r["rank"])):
                contexts[row["event_id"]].append(row["context"])
        else:
            for e in self.tables["events"]:
                contexts[e["event_id"]] = _split(e.get("plover_contexts"))
        return contexts

    def place_aliases(self) -> dict[str, list[str]]:
        """Other names of each place."""
        aliases: dict[str, list[str]] = defaultdict(list)
        if self.has("place_aliases"):
            for row in self.tables["place_aliases"]:
                aliases[row["place_id"]].append(row["alias"])
        else:
            for p in self.tables["places"]:
                aliases[p["place_id"]] = _split(p.get("aliases"))
        return aliases

    def quantities(self) -> dict[str, list[dict]]:
        """Quantities reported for each event (empty when the package has no such table)."""
        found: dict[str, list[dict]] = defaultdict(list)
        for row in self.tables.get("quantities", []):
            found[row["event_id"]].append(row)
        return found


def _texts(root: Path, articles: list[dict]) -> tuple[dict[str, str], list[Problem]]:
    """The texts of the project that match the package's articles (by SHA-256)."""
    texts, problems = {}, []
    for article in articles:
        path = root / "raw" / "articles" / f"{article['article_id']}.txt"
        if not path.is_file():
            continue  # a release carries no texts: the pages show the quotes only
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != article["sha256"]:
            problems.append(
                Problem(
                    relpath(path, root),
                    None,
                    "sha256",
                    f"differs from the package's articles table ({article['sha256'][:12]}...) "
                    "(expected the text the package was built from; run `caucasus-events build`)",
                )
            )
            continue
        texts[article["article_id"]] = data.decode("utf-8")
    return texts, problems


# ---------------------------------------------------------------------------------------------
# Words for codes


def date_words(start: str | None, end: str | None, precision: str | None) -> str:
    """An adjudicated date interval in words, such as ``25 July 2022`` or ``July 2022``."""
    if not start and not end:
        return "undated"
    if not end:  # an interval open at one end (data model 0.2)
        return f"on or after {_day(start)}"
    if not start:
        return f"on or before {_day(end)}"
    if start == end:
        return _day(start)
    if precision == "month":
        return f"{_month(start)} ({_day(start)} to {_day(end)})"
    if precision == "year":
        return f"{start[:4]} ({_day(start)} to {_day(end)})"
    return f"{_day(start)} to {_day(end)}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _day(iso: str) -> str:
    return f"{int(iso[8:10])} {_MONTHS[int(iso[5:7]) - 1]} {iso[:4]}"


def _month(iso: str) -> str:
    return f"{_MONTHS[int(iso[5:7]) - 1]} {iso[:4]}"


QUAD = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


def short_publisher(publisher: str) -> str:
    """The publisher without its office or format (as the README's summary groups them)."""
    return re.split(r" \(|,", publisher, maxsplit=1)[0]


# ---------------------------------------------------------------------------------------------
# Highlighting


def paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the paragraph(s) holding ``text[start:end]``."""
    left = text.rfind(PARAGRAPH_BREAK, 0, start) + 1
    right = text.find(PARAGRAPH_BREAK, end)
    return left, len(text) if right == -1 else right


def segments(length: int, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, list[str]]]:
    """Cut ``[0, length)`` at every span boundary, as brat does for overlapping annotations.

    Returns each piece with the IDs of the spans that cover it (in the order given), so that
    nested and crossing spans are drawn as stacked highlights without improper HTML nesting.
    """
    cuts = sorted({0, length, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for a, b in itertools.pairwise(cuts):
        covering = [sid for s, e, sid in spans if s <= a and b <= e]
        pieces.append((a, b, covering))
    return pieces


# ---------------------------------------------------------------------------------------------
# Pages


def _markdown() -> Any:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _md_html(text: str, link_base: str) -> str:
    """Markdown as HTML; links to files that are not in the site point to the repository."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                if not re.match(r"^([a-z]+:|#)", href):
                    child.attrSet("href", f"{link_base}/{href}")
    return md.renderer.render(tokens, md.options, {})


def _strip_generated(codebook: str) -> str:
    from caucasus_events.build.docgen import BEGIN, END

    if BEGIN in codebook and END in codebook:
        head, rest = codebook.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        note = "## Column reference\n\nThe columns of every table are listed in the data dictionary.\n"
        return head + note + tail
    return codebook


class Builder:
    """Renders every page of the site into memory (path -> bytes)."""

    def __init__(self, root: Path, package: Package, previous: Package | None):
        self.root = root
        self.package = package
        self.previous = previous
        self.descriptor = package.descriptor
        self.version = package.version
        self.data = Data.read(package)
        self.files: dict[str, bytes] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["dashed"] = lambda v: "—" if v in (None, "") else v

    # -- helpers ----------------------------------------------------------------------------

    def render(self, path: str, template: str, **context: Any) -> None:
        """Render ``template`` as the page at ``path``; links climb ``up`` to the site's root."""
        depth = path.count("/")
        html = self.env.get_template(template).render(
            up="../" * depth,
            version=self.version,
            title_site=self.descriptor.get("title", self.descriptor.get("name", "")),
            **context,
        )
        self.files[path] = html.encode("utf-8")

    def build(self) -> dict[str, bytes]:
        """Every page and asset of the site; InputError when a text disagrees with the package."""
        d = self.data
        self.articles = d.by_key("articles", "article_id")
        self.actors = d.by_key("actors", "actor_id")
        self.places = d.by_key("places", "place_id")
        self.cameo = d.by_key("cameo_codes", "code")
        self.types = d.by_key("plover_types", "type")
        self.modes = {(r["type"], r["mode"]): r for r in d.tables["plover_modes"]}
        self.contexts_doc = d.by_key("plover_contexts", "context")
        self.roles = d.event_actors()
        self.contexts = d.event_contexts()
        self.aliases = d.place_aliases()
        self.quantities = d.quantities()
        self.events = d.tables["events"]
        self.mentions = sorted(
            d.tables["mentions"], key=lambda m: (m["article_id"], m["start"], m["end"], m["event_id"])
        )
        self.by_event: dict[str, list[dict]] = defaultdict(list)
        self.by_article: dict[str, list[dict]] = defaultdict(list)
        for m in self.mentions:
            self.by_event[m["event_id"]].append(m)
            self.by_article[m["article_id"]].append(m)
        self.event_of = {m["mention_id"]: m["event_id"] for m in self.mentions}
        self.summaries = {e["event_id"]: e["summary"] for e in self.events}
        self.texts, problems = _texts(self.root, d.tables["articles"])
        frame = self.package.frame("mentions")
        if "quote_sha256" in frame.columns:
            from caucasus_events.build.validate import quote_problems

            problems += quote_problems(frame, self.texts)
        else:  # packages before data model 0.2 carry every quote whole
            problems += [
                Problem(
                    "processed/mentions.parquet",
                    None,
                    m["mention_id"],
                    f"quote differs from text[{m['start']}:{m['end']}] of {m['article_id']}",
                )
                for m in self.mentions
                if m["article_id"] in self.texts
                and self.texts[m["article_id"]][m["start"] : m["end"]] != m["quote"]
            ]
        if problems:
            raise InputError(problems)
        self.event_rows = [self.event_row(e) for e in self.events]
        self.assets()
        self.home()
        self.event_pages()
        self.text_pages()
        self.actor_pages()
        self.place_pages()
        self.doc_pages()
        # The marker lists what the site wrote, so a rebuild never deletes anything else.
        listing = "".join(f"{rel}\n" for rel in sorted(self.files))
        self.files[MARKER] = f"caucasus-events site {self.version}\n{listing}".encode()
        return self.files

    def assets(self) -> None:
        for name in ("site.css", "site.js"):
            self.files[f"assets/{name}"] = (TEMPLATES / name).read_bytes()
        figure = self.root / FIGURE
        self.figure = figure.is_file()
        if self.figure:
            self.files["assets/events-over-time.png"] = figure.read_bytes()

    def publisher(self, article_id: str) -> str:
        """The publisher's short name (its own column from data model 0.2 on)."""
        article = self.articles[article_id]
        return article.get("publisher_short") or short_publisher(article["publisher"])

    def actor_name(self, actor_id: str) -> str:
        return self.actors.get(actor_id, {}).get("name", actor_id)

    def event_row(self, e: dict) -> dict:
        """What the lists show of an event, and the values the filters match."""
        roles = self.roles[e["event_id"]]
        articles = sorted({m["article_id"] for m in self.by_event[e["event_id"]]})
        publishers = sorted({self.publisher(a) for a in articles})
        return {
            "id": e["event_id"],
            "summary": e["summary"],
            "kind": e.get("kind") or "act",
            "type": e["plover_type"] or "",
            "cameo": e["cameo_code"],
            "cameo_name": self.cameo.get(e["cameo_code"], {}).get("name", ""),
            "date": e["date_start"] or "",
            "date_words": date_words(e["date_start"], e["date_end"], e["date_precision"]),
            "year": (e["date_start"] or "")[:4],
            "status": e["status"],
            "source": [(a, self.actor_name(a)) for a in roles["source"]],
            "target": [(a, self.actor_name(a)) for a in roles["target"]],
            "actors": sorted({*roles["source"], *roles["target"]}),
            "publishers": publishers,
            "n_mentions": e["n_mentions"],
            "n_articles": e["n_articles"],
            "n_disagreements": e["n_disagreements"],
            "place": e.get("place_id"),
        }

    # -- home -----------------------------------------------------------------------------

    def home(self) -> None:
        from caucasus_events.citing import apa, bibtex

        acts = [r for r in self.event_rows if r["kind"] == "act"]
        years = sorted({r["year"] or "undated" for r in acts}, key=lambda y: (y == "undated", y))
        types = sorted({r["type"] or "(none)" for r in acts})
        counts = defaultdict(int)
        for r in acts:
            counts[(r["type"] or "(none)", r["year"] or "undated")] += 1
        matrix = [(t, [counts[(t, y)] for y in years], sum(counts[(t, y)] for y in years)) for t in types]
        resources = [r for r in self.descriptor["resources"] if r.get("format") in ("csv", "parquet")]
        registry = self._registry()
        dates = [r["date"] for r in self.event_rows if r["date"]]
        self.render(
            "index.html",
            "home.html",
            title="Home",
            description=self.descriptor.get("description", ""),
            homepage=self.descriptor.get("homepage", ""),
            n_events=len(self.events),
            n_acts=len(acts),
            n_mentions=len(self.mentions),
            n_articles=len(self.articles),
            n_actors=len(self.actors),
            n_places=len(self.places),
            first=date_words(min(dates), min(dates), "day") if dates else "",
            last=date_words(max(dates), max(dates), "day") if dates else "",
            years=years,
            matrix=matrix,
            totals=[sum(counts[(t, y)] for t in types) for y in years],
            figure=self.figure,
            bibtex=bibtex(self.descriptor),
            apa=apa(self.descriptor),
            resources=resources,
            archive=registry.get(self.version),
            n_kinds=len({r["kind"] for r in self.event_rows}),
        )

    def _registry(self) -> dict:
        path = self.root / "src" / "caucasus_events" / "registry.json"
        if not path.is_file():
            from caucasus_events.settings import registry_path

            path = registry_path()
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    # -- events ---------------------------------------------------------------------------

    def event_pages(self) -> None:
        rows = self.event_rows
        options = {
            "type": sorted({r["type"] for r in rows if r["type"]}),
            "year": sorted({r["year"] for r in rows if r["year"]}),
            "status": sorted({r["status"] for r in rows}),
            "publisher": sorted({p for r in rows for p in r["publishers"]}),
            "actor": sorted(
                {(a, n) for r in rows for a, n in r["source"] + r["target"]}, key=lambda x: (x[1], x[0])
            ),
        }
        self.render("events.html", "events.html", title="Events", rows=rows, options=options)
        for e, row in zip(self.events, rows, strict=True):
            self.render(
                f"events/{e['event_id']}.html",
                "event.html",
                title=f"Event {e['event_id']}",
                **self.event_context(e, row),
            )

    def event_context(self, e: dict, row: dict) -> dict:
        mode = self.modes.get((e["plover_type"], e["plover_mode"])) if e["plover_mode"] else None
        mentions = []
        for m in self.by_event[e["event_id"]]:
            article = self.articles[m["article_id"]]
            text = self.texts.get(m["article_id"])
            shown = text is not None and article["redistributable"]
            if shown:
                left, right = paragraph(text, m["start"], m["end"])
                before, after = text[left : m["start"]], text[m["end"] : right]
            else:
                before = after = ""
            mentions.append({**m, "article": article, "before": before, "after": after, "in_context": shown})
        fields = [
            ("date as written", "date_text"),
            ("date resolved", None),
            ("date relation to the event's interval", "date_relation"),
            ("date within the event's interval", "date_agrees"),
            ("source as written", "source_as_written"),
            ("target as written", "target_as_written"),
            ("place as written", "place_as_written"),
        ]
        if any("disagreement_field" in m for m in mentions):
            fields.append(("field disagreed on", "disagreement_field"))
        fields.append(("disagreement", "disagreement"))
        # One column per text: what all its passages say, each value once.
        by_text: dict[str, list[dict]] = defaultdict(list)
        for m in mentions:
            by_text[m["article_id"]].append(m)
        columns = [(group[0], group) for group in by_text.values()]
        side_by_side = []
        for label, column in fields:
            values = [
                "; ".join(dict.fromkeys(v for m in group if (v := self._mention_value(m, column))))
                for _, group in columns
            ]
            if any(values):
                side_by_side.append((label, values))
        return {
            "e": e,
            "row": row,
            "type": self.types.get(e["plover_type"]) if e["plover_type"] else None,
            "mode": mode,
            "contexts": [
                (c, self.contexts_doc.get(c, {}).get("description", "")) for c in self.contexts[e["event_id"]]
            ],
            "cameo": self.cameo.get(e["cameo_code"]),
            "quad": QUAD.get(e["quad_class"]) if e["quad_class"] else None,
            "place": self.places.get(e["place_id"]) if e["place_id"] else None,
            "mentions": mentions,
            "columns": columns,
            "side_by_side": side_by_side if len(columns) > 1 or e["n_disagreements"] else [],
            "quantities": self.quantities.get(e["event_id"], []),
        }

    @staticmethod
    def _mention_value(m: dict, column: str | None) -> str:
        if column is None:
            dated = m["date_start"] or m["date_end"]
            return date_words(m["date_start"], m["date_end"], m["date_precision"]) if dated else ""
        value = m.get(column)
        if column == "date_relation" and value == "unknown":
            return ""  # the text or the event is undated: nothing to compare
        if column == "date_agrees":
            return "" if value is None else ("yes" if value else "no")
        return "" if value is None else str(value)

    # -- texts ----------------------------------------------------------------------------

    def text_pages(self) -> None:
        listing = []
        for article_id, article in sorted(self.articles.items()):
            mentions = self.by_article[article_id]
            text = self.texts.get(article_id)
            full = text is not None and bool(article["redistributable"])
            pieces = []
            if full:
                order = {m["mention_id"]: i for i, m in enumerate(mentions)}
                spans = [(m["start"], m["end"], m["mention_id"]) for m in mentions]
                starts = defaultdict(list)
                for m in mentions:
                    starts[m["start"]].append(m)
                for a, b, covering in segments(len(text), spans):
                    pieces.append(
                        {
                            "text": text[a:b],
                            "covering": sorted(covering, key=order.get),
                            "events": sorted({self.event_of[c] for c in covering}),
                            "labels": starts.get(a, []),
                        }
                    )
            listing.append({"article": article, "full": full, "n": len(mentions)})
            self.render(
                f"texts/{article_id}.html",
                "text.html",
                title=article["title"],
                article=article,
                mentions=mentions,
                full=full,
                have_text=text is not None,
                pieces=pieces,
                summaries={m["event_id"]: self.summaries[m["event_id"]] for m in mentions},
            )
        self.render("texts.html", "texts.html", title="Texts", listing=listing)

    # -- actors and places ------------------------------------------------------------------

    def actor_pages(self) -> None:
        roles_of: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for r in self.event_rows:
            for role in ("source", "target"):
                for a, _ in r[role]:
                    roles_of[a].append((role, r))
        for actor_id, actor in self.actors.items():
            self.render(
                f"actors/{actor_id}.html",
                "actor.html",
                title=actor["name"],
                actor=actor,
                member_of=self.actors.get(actor["member_of"]) if actor["member_of"] else None,
                members=[a for a in self.actors.values() if a["member_of"] == actor_id],
                events=roles_of[actor_id],
            )
        self.render(
            "actors.html",
            "actors.html",
            title="Actors",
            actors=sorted(self.actors.values(), key=lambda a: (a["name"], a["actor_id"])),
            counts={a: len({r["id"] for _, r in v}) for a, v in roles_of.items()},
        )

    def place_pages(self) -> None:
        at: dict[str, list[dict]] = defaultdict(list)
        for r in self.event_rows:
            if r["place"]:
                at[r["place"]].append(r)
        for place_id, place in self.places.items():
            self.render(
                f"places/{place_id}.html",
                "place.html",
                title=place["name"],
                place=place,
                aliases=self.aliases.get(place_id, []),
                events=at[place_id],
            )
        self.render(
            "places.html",
            "places.html",
            title="Places",
            places=sorted(self.places.values(), key=lambda p: (p["name"], p["place_id"])),
            counts={p: len(v) for p, v in at.items()},
            aliases=self.aliases,
        )

    # -- documents ------------------------------------------------------------------------

    def doc_pages(self) -> None:
        from caucasus_events.build.docgen import column_reference

        base = f"{self.descriptor.get('homepage', '').rstrip('/')}/blob/main/docs"
        from caucasus_events import __version__

        reference = column_reference()
        if self.version != __version__:  # the models describe the installed release's tables
            reference = (
                f"These are the columns of release {__version__} (the installed models); the site shows "
                f"release {self.version}, whose own columns are in its `schemas/`.\n\n{reference}"
            )
        self.render(
            "dictionary.html", "document.html", title="Data dictionary", body=_md_html(reference, base)
        )
        codebook = self.root / "docs" / "codebook.md"
        body = (
            _md_html(_strip_generated(codebook.read_text(encoding="utf-8")), base)
            if codebook.is_file()
            else ""
        )
        self.render("codebook.html", "document.html", title="Codebook", body=body, own_heading=True)
        self.render(
            "agreement.html",
            "document.html",
            title="Inter-annotator agreement",
            body=_md_html(self._agreement(), base),
        )
        self.render(
            "changes.html",
            "document.html",
            title="Changes since the previous release",
            body=_md_html(self._changes(), base),
        )

    def _agreement(self) -> str:
        if (self.root / "raw" / "agreement").is_dir():
            from caucasus_events.build.agreement import compute, markdown

            return markdown(compute(self.root))
        return "The project folder has no independent coding passes (`raw/agreement/`), so no agreement figures are shown.\n"

    def _changes(self) -> str:
        if self.previous is not None:
            from caucasus_events.diff import compare

            d = compare(self.previous, self.package)
            return f"Release {self.version} compared with release {self.previous.version}.\n\n" + d.markdown()
        from caucasus_events.publish.release import _version_key

        earlier = sorted(
            (v for v in self._registry() if _version_key(v) < _version_key(self.version)), key=_version_key
        )
        if earlier:
            return (
                f"The previous release is {earlier[-1]}; this site was built without it "
                f"(build with `--previous {earlier[-1]}` to list the changes).\n"
            )
        return f"Release {self.version} is the first release: there is no earlier release to compare with.\n"


# ---------------------------------------------------------------------------------------------
# Writing


def site_files(
    root: Path, package: Path | None = None, previous: Path | str | None = None
) -> dict[str, bytes]:
    """Every file of the site (path relative to the site's folder -> bytes).

    Parameters
    ----------
    root : Path
        Project folder: its ``raw/articles`` texts, ``docs/`` and ``raw/agreement`` are used
        when present.
    package : Path, optional
        The built package (a folder or a release archive); by default ``root`` when it holds a
        built package, else the installed release.
    previous : Path or str, optional
        The previous release (folder or archive, or a published version number, fetched and
        verified as ``ce.load(version=...)`` does), for the page of changes.

    Raises
    ------
    UsageError, InputError
        When the package or the texts are unusable.
    """
    if previous is not None and not Path(previous).exists() and archive.VERSION_PATTERN.match(str(previous)):
        from caucasus_events.download import fetch

        previous = fetch(str(previous))
    if package is None:  # the project's build, or else the installed release
        from caucasus_events.settings import installed_data

        package = root if (Path(root) / "datapackage.json").is_file() else installed_data()
    return Builder(
        Path(root), open_package(Path(package)), open_package(Path(previous)) if previous else None
    ).build()


def write_site(out: Path, files: dict[str, bytes]) -> None:
    """Write the site into ``out`` all at once: a new folder, or one holding an earlier site.

    The files are written into a temporary sibling folder first and then moved into place, so
    ``out`` is never left half-written. A non-empty folder that is not a site, or a site
    holding files it did not write, is refused: nothing but the site's own files is deleted.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        marker = out / MARKER if out.is_dir() else None
        if marker is None or not marker.is_file():
            raise UsageError(
                f"{out}: exists and is not a caucasus-events site (expected a new or empty folder, or an earlier site)"
            )
        written = set(marker.read_text(encoding="utf-8").splitlines()[1:]) | {MARKER}
        others = sorted(
            p.relative_to(out).as_posix()
            for p in out.rglob("*")
            if not p.is_dir() and p.relative_to(out).as_posix() not in written
        )
        if others:
            raise UsageError(
                f"{out}: holds files the site did not write ({', '.join(others[:5])}"
                f"{', ...' if len(others) > 5 else ''}) (expected an earlier site only; move them or choose another folder)"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        for rel, data in sorted(files.items()):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.chmod(target, 0o644)
        os.chmod(tmp, 0o755)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
