"""Write a SYNTHETIC project of N articles in exactly the raw/ format, for benchmarks and tests.

Everything written is invented: texts are random sentences of pseudo-words, actors and places
have made-up names, events never happened. Every YAML file starts with a comment saying so,
every text starts with a line saying so, and the project root gets a ``SYNTHETIC.md``. The
codebooks are copied unchanged from the repository (they are real reference tables).

The output is a function of ``(n_articles, seed)`` only: the same arguments write the same
bytes. Shapes follow the issue: 1,000 actors, about 5 events and 10 mentions per article, each
event reported by about two articles.

Usage::

    python benchmarks/synthetic.py OUT_DIR --articles 1000 [--seed 0] [--force]

The folder must not be (or be inside) the repository's ``raw/``: synthetic data never goes there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODEBOOKS = REPO / "raw" / "codebooks"
MARK = "SYNTHETIC benchmark data (benchmarks/synthetic.py, seed {seed}): invented, not real events or texts."
EVENTS_PER_ARTICLE = 5
MENTIONS_PER_EVENT = 2
ARTICLES_PER_EVENT = 2
EVENTS_PER_FILE = 1000
N_PLACES = 200
COUNTRIES = ["ARM", "AZE", "USA", "RUS", "TUR", "FRA", "DEU", "GEO", "IRN", "UKR", "GBR", "ITA", None]
ACTOR_KINDS = ["person", "government", "military", "organization", "population"]
PLACE_KINDS = ["country", "region", "city", "border", "corridor", "site"]
SECTORS = ["GOV", "MIL", "CVL", "JRN", "LEG", "OPP", "PRE", "REF", "SPY", "BUS"]
STATUSES = ["asserted"] * 7 + ["background", "planned", "hypothetical", "negated"]
SYLLABLES = [
    "ka", "ro", "mi", "ta", "ve", "lo", "su", "ne", "da", "ri", "po", "za", "gu", "be", "hi",
    "an", "or", "el", "is", "un", "vas", "ter", "mon", "kal", "dor", "sen", "bar", "tik",
]  # fmt: skip
# No routine formula ("welcomed", "expressed concern"): the linter checks its CAMEO code (L02).
VERBS = [
    "spoke with", "met", "urged", "called on", "criticized", "received", "accused",
    "signed an accord with", "warned", "thanked", "appealed to", "held talks with",
]  # fmt: skip
PUBLISHERS = [f"Synthetic Wire {i}" for i in range(1, 21)]


def _yaml_str(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, and json.dumps is deterministic.
    return json.dumps(value, ensure_ascii=False)


def _opt(value: str | None) -> str:
    return "null" if value is None else _yaml_str(value)


class _Words:
    """Pseudo-words from syllables: random-looking but reproducible text."""

    def __init__(self, rng: random.Random, size: int = 3000):
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
        self.vocabulary = sorted(words)
        self.rng = rng

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(self.vocabulary) for _ in range(n))

    def name(self) -> str:
        return " ".join(w.capitalize() for w in (self.words(1), self.words(1)))


def _mappings() -> list[dict]:
    """CAMEO codes with a default PLOVER type whose default mode (if any) is valid."""
    import csv

    def rows(name: str) -> list[dict]:
        with (CODEBOOKS / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    modes = {(r["type"], r["mode"]) for r in rows("plover_modes.csv")}
    quad = {r["type"]: r["quad_class"] for r in rows("plover_types.csv")}
    contexts = {r["context"] for r in rows("plover_contexts.csv")}
    usable = []
    for r in rows("cameo_plover.csv"):
        if not r["type"] or (r["mode"] and (r["type"], r["mode"]) not in modes):
            continue
        own = [c for c in (r["contexts"] or "").split(";") if c in contexts]
        usable.append(
            {
                "cameo": r["cameo"],
                "type": r["type"],
                "mode": r["mode"] or None,
                "contexts": own,
                "conflict": quad.get(r["type"]) == "4",  # material conflict: see lint rule L03
            }
        )
    return usable, sorted(contexts)


def _day(rng: random.Random) -> dt.date:
    return dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))


def _actors(rng: random.Random, words: _Words, n: int) -> list[dict]:
    actors = []
    for i in range(n):
        actors.append(
            {
                "id": f"syn-actor-{i + 1:04d}",
                "name": f"{words.name()} (synthetic)",
                "kind": rng.choice(ACTOR_KINDS),
                "country": rng.choice(COUNTRIES),
                "sector": rng.choice(SECTORS),
                "office": rng.choice([None, "Minister", "President", "Spokesperson"]),
                # Parents are earlier actors, so member_of always resolves.
                "member_of": f"syn-actor-{rng.randrange(i) + 1:04d}" if i and rng.random() < 0.2 else None,
            }
        )
    return actors


def _events(rng: random.Random, n: int, actors: list[dict], mappings, contexts) -> list[dict]:
    events = []
    for i in range(n):
        m = rng.choice(mappings)
        people = rng.sample(actors, 4)
        kind = rng.random()
        if kind < 0.8:
            start = _day(rng)
            date = (start, start, "day")
        elif kind < 0.9:
            start = _day(rng).replace(day=1)
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            date = (start, end, "month")
        else:
            date = (None, None, "unknown")
        events.append(
            {
                "id": f"E{i + 1:06d}",
                "summary": f"Synthetic event {i + 1}: {people[0]['name']} and {people[1]['name']}.",
                "type": m["type"],
                "mode": m["mode"],
                "contexts": m["contexts"] or [rng.choice(contexts)],
                "cameo": m["cameo"],
                "source": [a["id"] for a in people[: rng.randint(1, 2)]],
                "target": [a["id"] for a in people[2 : 2 + rng.randint(0, 2)]],
                "date": date,
                "place": f"syn-place-{rng.randrange(N_PLACES) + 1:03d}" if rng.random() < 0.5 else None,
                "status": rng.choice(STATUSES),
                "note": "Synthetic adjudication note." if rng.random() < 0.1 else None,
                "_names": (people[0]["name"], people[2]["name"]),
                "_conflict": m["conflict"],
            }
        )
    return events


def _assign(rng: random.Random, n_articles: int, n_events: int) -> list[list[int]]:
    """Events of each article: every event at least once, about ARTICLES_PER_EVENT times."""
    slots = list(range(n_events))
    slots += [rng.randrange(n_events) for _ in range(n_articles * EVENTS_PER_ARTICLE - n_events)]
    rng.shuffle(slots)
    per_article = []
    for a in range(n_articles):
        chosen: list[int] = []
        for e in slots[a * EVENTS_PER_ARTICLE : (a + 1) * EVENTS_PER_ARTICLE]:
            while e in chosen:  # an article reports an event once; keep coverage by moving on
                e = (e + 1) % n_events
            chosen.append(e)
        per_article.append(chosen)
    # Moving duplicates may have left an event uncovered: give it to some article.
    covered = {e for chosen in per_article for e in chosen}
    for e in range(n_events):
        if e not in covered:
            per_article[rng.randrange(n_articles)].append(e)
    return per_article


def _article(rng, words: _Words, article_id: str, events: list[dict], index: list[int], seed: int):
    """Text, metadata and annotation of one article, as strings."""
    days = [events[e]["date"][1] for e in index if events[e]["date"][1] is not None]
    published = max(days, default=_day(rng)) + dt.timedelta(days=rng.randint(0, 3))
    # Sentences: filler, plus MENTIONS_PER_EVENT sentences reporting each event.
    reports = [(e, k) for e in index for k in range(MENTIONS_PER_EVENT)]
    sentences: list[tuple[str, tuple[int, int] | None]] = [
        (words.words(rng.randint(8, 14)).capitalize() + ".", None) for _ in range(len(reports))
    ]
    for report in reports:
        sentences.insert(rng.randrange(len(sentences) + 1), ("", report))
    header = f"[{MARK.format(seed=seed)}]\n\nSynthetic article {article_id}\n\n"
    parts: list[str] = []
    quotes: list[tuple[int, str, str, int]] = []  # (event index, quote, name in it, offset)
    offset = len(header)
    for n, (sentence, report) in enumerate(sentences):
        if n:  # paragraphs of five sentences
            sep = "\n\n" if n % 5 == 0 else " "
            parts.append(sep)
            offset += len(sep)
        if report is not None:
            source, target = events[report[0]]["_names"]
            lead = f"{words.words(2).capitalize()}, "
            quote = f"{source} {rng.choice(VERBS)} {target} {words.words(rng.randint(3, 7))}"
            sentence = f"{lead}{quote}."
            quotes.append((report[0], quote, source, offset + len(lead)))
        parts.append(sentence)
        offset += len(sentence)
    text = header + "".join(parts) + "\n"

    meta = "\n".join(
        [
            f"# {MARK.format(seed=seed)}",
            f"title: {_yaml_str(f'Synthetic article {article_id}')}",
            "title_from_slug: false",
            f"publisher: {_yaml_str(rng.choice(PUBLISHERS))}",
            f"published: {published.isoformat()}",
            "published_inferred: false",
            "published_earliest: null",
            "published_note: null",
            f"url: https://example.org/synthetic/{article_id}",
            "license: CC0-1.0 (synthetic benchmark text)",
            "license_basis: generated by benchmarks/synthetic.py; not a real text",
            "redistributable: true",
            "complete_text_inferred: false",
            f"retrieved_from: benchmarks/synthetic.py seed {seed} (SYNTHETIC)",
            f"sha256: {hashlib.sha256(text.encode('utf-8')).hexdigest()}",
            "",
        ]
    )

    out = [f"# {MARK.format(seed=seed)}", f"article: {article_id}", "annotator: synthetic", "mentions:"]
    for e, quote, source, at in quotes:
        event = events[e]
        out.append(f"  - event: {event['id']}")
        out.append(f"    quote: {_yaml_str(quote)}")
        if text.count(quote) > 1:  # rare with random words; the format's answer is an occurrence
            starts = [i for i in range(len(text)) if text.startswith(quote, i)]
            out.append(f"    occurrence: {starts.index(at) + 1}")
        start, end, precision = event["date"]
        roll = rng.random()
        if start is not None and roll < 0.4:
            relative = False  # relative expressions are resolved by the build: see tests/test_dates.py
            shown = (
                "on Tuesday"
                if relative
                else f"in {start:%B %Y}"
                if precision == "month"
                else f"{start:%d %B %Y}"
            )
            out += [
                "    date:",
                f"      text: {_yaml_str(shown)}",
                f"      relative: {'true' if relative else 'false'}",
                f"      start: {start.isoformat()}",
                f"      end: {end.isoformat()}",
                f"      precision: {precision}",
            ]
        elif start is not None and precision == "day" and roll < 0.45:
            other = start + dt.timedelta(days=rng.randint(2, 30))
            out += [
                "    date:",
                f"      text: {_yaml_str(f'{other:%d %B %Y}')}",
                "      relative: false",
                f"      start: {other.isoformat()}",
                f"      end: {other.isoformat()}",
                "      precision: day",
                "    disagreement:",
                "      field: date",
                "      note: The text dates it later; the other report is adopted (synthetic).",
            ]
        # Every mention of a material-conflict act names its initiator as written (lint rule L03).
        if rng.random() < 0.1 or event["_conflict"]:
            out += ["    as_written:", f"      source: {_yaml_str(source)}"]
        if rng.random() < 0.2:
            out.append(f"    note: {_yaml_str('Synthetic note: ' + words.words(6))}")
    return text, meta, "\n".join(out) + "\n"


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))


def _check_target(root: Path, force: bool) -> None:
    repo_raw = (REPO / "raw").resolve()
    target = root.resolve()
    if target == repo_raw or repo_raw in target.parents or target == REPO.resolve():
        raise SystemExit(
            f"refusing to write synthetic data into the repository ({target}); pick another folder"
        )
    if (root / "raw").exists():
        if not force:
            raise SystemExit(f"{root / 'raw'} exists (use --force to replace it)")
        shutil.rmtree(root / "raw")


def generate(root: Path, n_articles: int, seed: int = 0, n_actors: int = 1000, force: bool = False) -> dict:
    """Write a synthetic project under ``root``; return its counts.

    Parameters
    ----------
    root : Path
        Project folder to create (gets ``raw/``, ``CITATION.cff`` and ``SYNTHETIC.md``).
    n_articles : int
        Number of articles.
    seed : int
        Seed of the random generator: same seed and sizes, same bytes.
    n_actors : int
        Size of the actor registry.
    force : bool
        Replace an existing ``root/raw``.
    """
    _check_target(root, force)
    rng = random.Random(seed)
    words = _Words(rng)
    mappings, contexts = _mappings()
    mark = f"# {MARK.format(seed=seed)}\n"
    raw = root / "raw"
    shutil.copytree(CODEBOOKS, raw / "codebooks", ignore=shutil.ignore_patterns("*.md"))
    shutil.copy(REPO / "CITATION.cff", root / "CITATION.cff")
    _write(
        root / "SYNTHETIC.md",
        f"{MARK.format(seed=seed)}\n\nWritten by `python benchmarks/synthetic.py OUT "
        f"--articles {n_articles} --seed {seed} --actors {n_actors}`. Never copy it into the repository's raw/.\n",
    )

    actors = _actors(rng, words, n_actors)
    lines = [mark.rstrip("\n")]
    for a in actors:
        lines += [
            f"- id: {a['id']}",
            f"  name: {_yaml_str(a['name'])}",
            f"  kind: {a['kind']}",
            f"  country: {a['country'] or 'null'}",
            f"  sector: {a['sector']}",
            f"  office: {_opt(a['office'])}",
            f"  member_of: {a['member_of'] or 'null'}",
        ]
    _write(raw / "actors.yaml", "\n".join(lines) + "\n")

    lines = [mark.rstrip("\n")]
    for i in range(N_PLACES):
        lines += [
            f"- id: syn-place-{i + 1:03d}",
            f"  name: {_yaml_str(words.name() + ' (synthetic)')}",
            f"  kind: {rng.choice(PLACE_KINDS)}",
            f"  country: {rng.choice(COUNTRIES) or 'null'}",
            f"  aliases: [{_yaml_str(words.name())}]",
        ]
    _write(raw / "places.yaml", "\n".join(lines) + "\n")

    n_events = max(1, n_articles * EVENTS_PER_ARTICLE // ARTICLES_PER_EVENT)
    events = _events(rng, n_events, actors, mappings, contexts)
    retired = [
        f"- id: E{900001 + i:06d}\n  reason: synthetic duplicate\n  replaced_by: {events[i]['id']}"
        for i in range(min(10, n_events))
    ]
    publishers = "- id: synthetic-wire\n  short: Synthetic Wire\n  kind: media\n  country: null\n  matches: [Synthetic Wire]\n"
    _write(raw / "publishers.yaml", mark + publishers)
    _write(raw / "retired.yaml", mark + ("\n".join(retired) + "\n" if retired else "[]\n"))
    for f in range(0, n_events, EVENTS_PER_FILE):
        lines = [mark.rstrip("\n")]
        for ev in events[f : f + EVENTS_PER_FILE]:
            start, end, precision = ev["date"]
            lines += [
                f"- id: {ev['id']}",
                "  kind: act",
                f"  summary: {_yaml_str(ev['summary'])}",
                f"  type: {ev['type']}",
                f"  mode: {ev['mode'] or 'null'}",
                f"  contexts: [{', '.join(ev['contexts'])}]",
                f'  cameo: "{ev["cameo"]}"',
                f"  source: [{', '.join(ev['source'])}]",
                f"  target: [{', '.join(ev['target'])}]",
                f"  date: {{start: {start or 'null'}, end: {end or 'null'}, precision: {precision}"
                + (", reason: synthetic undated act}" if start is None else "}"),
                f"  place: {ev['place'] or 'null'}",
                f"  status: {ev['status']}",
                "  mapping_departure: null",
                f"  note: {_opt(ev['note'])}",
            ]
        _write(raw / "events" / f"synthetic-{f // EVENTS_PER_FILE + 1:04d}.yaml", "\n".join(lines) + "\n")

    assignment = _assign(rng, n_articles, n_events)
    for a, index in enumerate(assignment):
        article_id = f"syn-{a + 1:06d}"
        text, meta, annotation = _article(rng, words, article_id, events, index, seed)
        _write(raw / "articles" / f"{article_id}.txt", text)
        _write(raw / "articles" / f"{article_id}.yaml", meta)
        _write(raw / "annotations" / f"{article_id}.yaml", annotation)
    return {
        "articles": n_articles,
        "events": n_events,
        "actors": n_actors,
        "mentions": sum(len(i) for i in assignment) * MENTIONS_PER_EVENT,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic project."""
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("out", type=Path, help="project folder to write (never the repository's raw/)")
    cli.add_argument("--articles", type=int, default=1000, help="number of articles (default 1000)")
    cli.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    cli.add_argument("--actors", type=int, default=1000, help="actors in the registry (default 1000)")
    cli.add_argument("--force", action="store_true", help="replace OUT/raw if it exists")
    args = cli.parse_args(argv)
    counts = generate(args.out, args.articles, args.seed, args.actors, args.force)
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" written to {args.out} (synthetic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
