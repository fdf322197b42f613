"""The per-article stage: one text, its metadata and annotation in; rows or problems out.

A pure function of its inputs (files and registries), free of global state, so that it can
run in a process pool or be mapped by a distributed engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from caucasus_events.build.dates import date_relation, interval_problem, resolve_relative
from caucasus_events.build.lint import passage_fingerprints
from caucasus_events.build.models import DISAGREEMENT_FIELDS, QUANTITY_KINDS
from caucasus_events.build.quotes import QuoteError, resolve
from caucasus_events.build.rawdata import (
    ARTICLE_ID,
    ARTICLE_SPEC,
    LIST,
    Registries,
    event_interval,
    sha256_bytes,
)
from caucasus_events.build.safefile import FileFault, read_regular
from caucasus_events.build.yamlio import DATE_T, TEXT, Mapping, check_record, load_yaml
from caucasus_events.problems import Problem, relpath

ANNOTATION_SPEC = {
    "article": (True, TEXT, "the article ID (the file name without .yaml)"),
    "annotator": (True, TEXT, "the annotator ID"),
    "pending": (False, (bool,), "true while the text is being annotated (then no mentions)"),
    "mentions": (True, LIST, "a list of mentions"),
}
MENTION_SPEC = {
    "event": (True, TEXT, "an event ID of raw/events"),
    "quote": (True, TEXT, "an exact passage of the text"),
    "prefix": (False, TEXT, "the text just before the quote"),
    "occurrence": (False, (int,), "a 1-based occurrence number"),
    "date": (False, (Mapping,), "a mapping with text, relative, start, end, precision"),
    "as_written": (False, (Mapping,), "a mapping with source, target, place"),
    "disagreement": (False, (Mapping,), "a mapping with field and note, or null"),
    "quantities": (False, LIST, "a list of numbers the passage reports"),
    "note": (False, TEXT, "text or null"),
}
DISAGREEMENT_SPEC = {
    "field": (True, TEXT, ", ".join(DISAGREEMENT_FIELDS)),
    "note": (True, TEXT, "what the text says and why the event differs"),
}
NUMBER = (int, float)
QUANTITY_SPEC = {
    "kind": (True, TEXT, ", ".join(QUANTITY_KINDS)),
    "as_written": (True, TEXT, "the number exactly as the quote writes it"),
    "low": (False, NUMBER, "a number or null"),
    "best": (False, NUMBER, "a number or null"),
    "high": (False, NUMBER, "a number or null"),
    "unit": (True, TEXT, "people, USD, EUR, ..."),
    "approximate": (True, (bool,), "true for 'at least', 'about', 'hundreds', ..."),
    "note": (False, TEXT, "text or null"),
}
MENTION_DATE_SPEC = {
    "text": (False, TEXT, "the date expression as written"),
    "relative": (False, (bool,), "true when resolved against the publication date"),
    "start": (
        False,
        DATE_T,
        "a date YYYY-MM-DD or null (filled in by the build for the expressions it resolves)",
    ),
    "end": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "precision": (False, TEXT, "day, month, season, year, range or unknown"),
}
AS_WRITTEN_SPEC = {
    "source": (False, TEXT, "the source's name as written"),
    "target": (False, TEXT, "the target's name as written"),
    "place": (False, TEXT, "the place name as written"),
}


@dataclass
class ArticleResult:
    """What the stage returns for one article."""

    article: dict | None = None
    mentions: list[dict] = field(default_factory=list)
    quantities: list[dict] = field(default_factory=list)
    #: The line of each of ``mentions`` in the article's annotation, for the linter's messages.
    mention_lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The annotation says ``pending: true``: the text is left out of the tables.
    pending: bool = False
    #: Fingerprints of the text's runs of words (sorted), for the linter's shared-passage
    #: rule: computed here, where the text is read anyway, in parallel and cached.
    passages: np.ndarray | None = None


def mention_id(article_id: str, event_id: str, start: int, end: int) -> str:
    """Identifier of a mention: stable while its article, event and span stay the same."""
    digest = hashlib.sha256(f"{article_id}\n{event_id}\n{start}\n{end}".encode()).hexdigest()
    return "M" + digest[:12]


def read_text(path: Path, shown: str, root: Path) -> tuple[str | None, bytes | None, list[Problem]]:
    """Read an article text, enforcing: inside raw/articles, no link, UTF-8, no BOM, LF only."""
    articles_dir = (root / "raw" / "articles").resolve()
    if path.is_symlink() or path.resolve().parent != articles_dir:
        return (
            None,
            None,
            [
                Problem(
                    shown,
                    None,
                    "-",
                    "text is a link or lies outside raw/articles (expected a plain file there)",
                )
            ],
        )
    if not path.exists():
        return (
            None,
            None,
            [
                Problem(
                    shown,
                    None,
                    "-",
                    "missing text file (expected the article text beside its metadata)",
                )
            ],
        )
    try:
        data = read_regular(path)
    except FileFault as exc:
        return None, None, [Problem(shown, None, "-", exc.message)]
    text, problems = decode_text(data, shown)
    return text, data, problems


def decode_text(data: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """Decode a text's bytes, enforcing UTF-8 without BOM and LF line endings only."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [
            Problem(shown, 1, "-", "text starts with a byte-order mark (expected UTF-8 without BOM)")
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, "-", f"not UTF-8 at byte {exc.start} (expected UTF-8 text)")]
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        return None, [Problem(shown, line, "-", "carriage return in text (expected LF line endings only)")]
    return text, []


def process_article(root: Path, article_id: str, reg: Registries) -> ArticleResult:
    """Check one article and its annotation; return its row and mention rows, or problems.

    Parameters
    ----------
    root : Path
        Project root (the folder holding raw/).
    article_id : str
        The article, named by its metadata file ``raw/articles/<article_id>.yaml``.
    reg : Registries
        Events, actors, places and codebooks to check against.
    """
    result = ArticleResult()
    articles = root / "raw" / "articles"
    meta_path = articles / f"{article_id}.yaml"
    meta_shown = relpath(meta_path, root)
    if not ARTICLE_ID.match(article_id):
        result.problems.append(
            Problem(
                meta_shown,
                None,
                "-",
                f"article ID {article_id!r} (expected only letters, digits, '.', '_' or '-' in the file name)",
            )
        )
        return result
    meta, problems = load_yaml(meta_path, meta_shown)
    if not problems:
        problems = check_record(meta, ARTICLE_SPEC, meta_shown, "", 1)
    meta_ok = not problems
    text_path = articles / f"{article_id}.txt"
    text, data, found = read_text(text_path, relpath(text_path, root), root)
    problems += found
    if meta_ok and text is not None and (digest := sha256_bytes(data)) != meta["sha256"]:
        if meta["sha256"].lower() == digest:
            result.problems.append(
                Problem(
                    meta_shown,
                    meta.lines["sha256"],
                    "sha256",
                    f"{meta['sha256']} is in upper case (expected lower-case hex: {digest})",
                )
            )
            return result
        result.problems.append(
            Problem(
                meta_shown,
                meta.lines["sha256"],
                "sha256",
                f"text has SHA-256 {digest}, metadata says {meta['sha256']} "
                "(the text changed after it was annotated: restore it, never edit a text)",
            )
        )
        return result

    annotation_path = root / "raw" / "annotations" / f"{article_id}.yaml"
    annotator, mentions, quantities = None, [], []
    if not annotation_path.exists():
        problems.append(
            Problem(
                meta_shown,
                None,
                "-",
                f"no annotation (expected raw/annotations/{article_id}.yaml; `caucasus-events add` "
                "makes one with `pending: true` while the text is being annotated)",
            )
        )
    elif text is not None:
        # Checked even when the metadata has problems, so that one file's mistakes do not
        # hide another's; dates are then resolved against whatever metadata could be read.
        context = meta if meta_ok else None
        annotator, mentions, quantities, result.mention_lines, pending, found = _mentions(
            root, annotation_path, article_id, text, context, reg
        )
        problems += found
        result.pending = pending
    publisher = {}
    if meta_ok:
        publisher, found = publisher_columns(meta, meta_shown, reg)
        problems += found
    if problems or result.pending:
        result.problems = problems
        return result
    digest = sha256_bytes(data)
    result.mentions = mentions
    result.quantities = quantities
    result.passages = passage_fingerprints(text)
    result.article = {
        "article_id": article_id,
        **{key: meta.get(key) for key in ARTICLE_SPEC if key != "sha256"},
        **publisher,
        "text_length": len(text),
        "sha256": digest,
        "annotator": annotator,
        "n_mentions": len(mentions),
        "n_events": len({m["event_id"] for m in mentions}),
    }
    return result


def publisher_columns(meta: Mapping, shown: str, reg: Registries) -> tuple[dict, list[Problem]]:
    """The publisher's short name, kind and country, from the registry entry whose prefix matches."""
    name = meta["publisher"]
    matches = [
        (len(prefix), record)
        for record in reg.publishers.values()
        for prefix in record["matches"]
        if name.startswith(prefix)
    ]
    if not matches:
        if "publisher" in reg.unreadable:
            return {}, []
        return {}, [
            Problem(
                shown,
                meta.lines["publisher"],
                "publisher",
                f"{name!r} matches no entry of raw/publishers.yaml (expected a publisher whose `matches` "
                "holds the beginning of this name: add one)",
            )
        ]
    record = max(matches, key=lambda pair: pair[0])[1]
    return {
        "publisher_short": record["short"],
        "publisher_kind": record["kind"],
        "publisher_country": record.get("country"),
    }, []


def _mentions(
    root, path, article_id, text, meta, reg
) -> tuple[str | None, list[dict], list[dict], list[int], bool, list[Problem]]:
    shown = relpath(path, root)
    doc, problems = load_yaml(path, shown)
    if problems:
        return None, [], [], [], False, problems
    problems = check_record(doc, ANNOTATION_SPEC, shown, "", 1)
    if problems:
        return None, [], [], [], False, problems
    pending = bool(doc.get("pending"))
    if pending and doc["mentions"]:
        problems.append(
            Problem(
                shown,
                doc.lines["pending"],
                "pending",
                "true, but the file has mentions (expected no mentions while pending: delete the line when done)",
            )
        )
    if doc["article"] != article_id:
        problems.append(
            Problem(
                shown,
                doc.lines["article"],
                "article",
                f"{doc['article']!r} (expected {article_id!r}, the file's name)",
            )
        )
    rows = []
    for i, (item, line) in enumerate(zip(doc["mentions"], doc["mentions"].lines, strict=True)):
        where = f"mentions[{i}]"
        found = check_record(item, MENTION_SPEC, shown, where, line)
        if found:
            problems += found
            continue
        row, found = _mention(item, where, shown, article_id, text, meta, reg, doc["annotator"])
        problems += found
        if row is not None:
            rows.append(row)
    seen: dict[str, int] = {}
    unique_rows, quantity_rows, lines = [], [], []
    for row in rows:
        line = row.pop("_line")
        quantities = row.pop("_quantities")
        if row["mention_id"] in seen:
            problems.append(
                Problem(
                    shown,
                    line,
                    "quote",
                    f"same event and passage as the mention on line {seen[row['mention_id']]}",
                )
            )
        else:
            seen[row["mention_id"]] = line
            unique_rows.append(row)
            lines.append(line)
            quantity_rows.extend(quantities)
    return doc["annotator"], unique_rows, quantity_rows, lines, pending, problems


def _mention(item: Mapping, where, shown, article_id, text, meta, reg: Registries, annotator):
    problems = []

    def bad(key: str, message: str, record: Mapping = item, prefix: str = where) -> None:
        problems.append(Problem(shown, record.lines.get(key, record.line), f"{prefix}.{key}", message))

    event = reg.events.get(item["event"])
    if event is None:
        if item["event"] in reg.retired:
            bad(
                "event",
                f"{item['event']} was retired ({reg.retired[item['event']]['reason']}) (expected a current event ID)",
            )
        elif not reg.reported("event", item["event"]):
            bad("event", f"unknown event {item['event']!r} (expected an ID defined in raw/events)")
    elif event["id"] in reg.invalid:
        event = None  # its own problems are reported; its date cannot be compared
    try:
        start, end = resolve(text, item["quote"], item.get("prefix"), item.get("occurrence"))
    except QuoteError as exc:
        bad("quote", str(exc))
        start = end = None

    date, weekday = {}, None
    if item.get("date"):
        found = check_record(item["date"], MENTION_DATE_SPEC, shown, f"{where}.date", item.lines["date"])
        problems += found
        if not found:
            date, weekday = _mention_date(
                item["date"], meta, lambda k, m: bad(k, m, item["date"], f"{where}.date")
            )
    as_written = item.get("as_written") or {}
    if item.get("as_written") is not None:
        found = check_record(
            item["as_written"],
            AS_WRITTEN_SPEC,
            shown,
            f"{where}.as_written",
            item.lines["as_written"],
        )
        problems += found
        if not found:
            for key, value in as_written.items():
                if value is not None and value not in text:
                    bad(
                        key,
                        f"{value!r} does not occur in the text (expected the name exactly as written)",
                        item["as_written"],
                        f"{where}.as_written",
                    )
    disagreement = item.get("disagreement") or {}
    if item.get("disagreement") is not None:
        found = check_record(
            item["disagreement"],
            DISAGREEMENT_SPEC,
            shown,
            f"{where}.disagreement",
            item.lines["disagreement"],
        )
        problems += found
        if not found and disagreement["field"] not in DISAGREEMENT_FIELDS:
            bad(
                "field",
                f"{disagreement['field']!r} (expected {', '.join(DISAGREEMENT_FIELDS)})",
                item["disagreement"],
                f"{where}.disagreement",
            )
    quote = text[start:end] if start is not None else None
    quantities = []
    listed = item.get("quantities")
    for i, record in enumerate(listed or []):
        found = _quantity_problems(record, quote, shown, f"{where}.quantities[{i}]", listed.lines[i])
        problems += found
        if not found:
            quantities.append(record)

    relation = "unknown"
    if event is not None and not problems:
        relation = date_relation((date.get("start"), date.get("end")), event_interval(event), weekday)
        if relation == "disjoint" and disagreement.get("field") != "date":
            interval = event_interval(event)
            bad(
                "date",
                f"the text's date {date.get('start')}..{date.get('end')} disagrees with event {event['id']} "
                f"({interval[0]}..{interval[1]}) (expected a disagreement with field: date saying why)",
            )
    if problems or start is None or event is None:
        return None, problems
    row_id = mention_id(article_id, item["event"], start, end)
    return {
        "mention_id": row_id,
        "event_id": item["event"],
        "article_id": article_id,
        "start": start,
        "end": end,
        "quote": quote,
        "quote_complete": True,
        "quote_length": end - start,
        "quote_sha256": hashlib.sha256(quote.encode("utf-8")).hexdigest(),
        "date_text": date.get("text"),
        "date_relative": date.get("relative"),
        "date_start": date.get("start"),
        "date_end": date.get("end"),
        "date_precision": date.get("precision") or (None if date.get("start") is None else "day"),
        "date_relation": relation,
        "disagreement_field": disagreement.get("field"),
        "disagreement": disagreement.get("note"),
        "source_as_written": as_written.get("source"),
        "target_as_written": as_written.get("target"),
        "place_as_written": as_written.get("place"),
        "annotator": annotator,
        "note": item.get("note"),
        "_line": item.line,
        "_quantities": [
            {
                "quantity_id": "Q"
                + hashlib.sha256(f"{row_id}\n{q['kind']}\n{q['as_written']}".encode()).hexdigest()[:12],
                "event_id": item["event"],
                "mention_id": row_id,
                "article_id": article_id,
                "kind": q["kind"],
                "value_low": _float(q.get("low")),
                "value_best": _float(q.get("best")),
                "value_high": _float(q.get("high")),
                "unit": q["unit"],
                "approximate": q["approximate"],
                "as_written": q["as_written"],
                "note": q.get("note"),
            }
            for q in quantities
        ],
    }, []


def _float(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def _quantity_problems(record: object, quote: str | None, shown: str, where: str, line: int) -> list[Problem]:
    problems = check_record(record, QUANTITY_SPEC, shown, where, line)
    if problems:
        return problems

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, record.lines.get(key, record.line), f"{where}.{key}", message))

    if record["kind"] not in QUANTITY_KINDS:
        bad("kind", f"{record['kind']!r} (expected {', '.join(QUANTITY_KINDS)})")
    if quote is not None and record["as_written"] not in quote:
        bad(
            "as_written",
            f"{record['as_written']!r} is not in the quote (expected the number as the quote writes it)",
        )
    values = [record.get(k) for k in ("low", "best", "high")]
    if all(v is None for v in values):
        bad("best", "no value (expected at least one of low, best, high)")
    for key, value in zip(("low", "best", "high"), values, strict=True):
        if value is not None and value < 0:
            bad(key, f"{value} (expected a number >= 0)")
    known = [v for v in values if v is not None]
    if known != sorted(known):
        bad("low", f"low {values[0]}, best {values[1]}, high {values[2]} (expected low <= best <= high)")
    return problems


def _mention_date(date: Mapping, meta: Mapping, bad) -> tuple[dict, int | None]:
    """The mention's date with relative expressions resolved by code, and its weekday if it names one.

    ``meta`` is ``None`` when the article's metadata has problems of its own: the date is then
    taken as written, and nothing that depends on the publication date is checked.
    """
    values = dict(date)
    weekday = None
    if meta is None:
        return values, weekday
    earliest = meta.get("published") or meta.get("published_earliest")
    latest = meta.get("published") or meta.get("published_latest")
    if date.get("relative") and date.get("text"):
        resolved = resolve_relative(date["text"], earliest, latest)
        if resolved is not None:
            weekday = resolved.weekday
            given = (date.get("start"), date.get("end"))
            computed = (resolved.start, resolved.end)
            if given != (None, None) and (
                given != computed or (date.get("precision") or "day") != resolved.precision
            ):
                bad(
                    "start",
                    f"{date['text']!r} resolves to {resolved.start}..{resolved.end} ({resolved.precision}) against "
                    f"the publication date {_published(meta)} (expected those dates, or leave start, end and "
                    "precision out and let the build fill them in)",
                )
            values.update(start=resolved.start, end=resolved.end, precision=resolved.precision)
            return values, weekday
    _check_mention_date(date, meta, bad)
    return values, weekday


def _published(meta: Mapping) -> str:
    if meta.get("published"):
        return str(meta["published"])
    return f"{meta.get('published_earliest') or '?'}..{meta.get('published_latest') or '?'}"


def _check_mention_date(date: Mapping, meta: Mapping, bad) -> None:
    start, end, precision = date.get("start"), date.get("end"), date.get("precision")
    if start is None and end is None:
        if precision not in (None, "unknown"):
            bad("precision", f"{precision!r} with no start or end (expected 'unknown' or dates)")
        return
    if (start is None or end is None) and precision != "range":
        bad("start", "give both start and end, or neither (or precision 'range' for an open interval)")
        return
    if date.get("relative") and meta.get("published") is None and meta.get("published_earliest") is None:
        bad(
            "relative",
            "a relative date cannot be resolved: the article has no publication date "
            "(expected start/end left empty, with a note)",
        )
    if message := interval_problem(start, end, precision or "day"):
        bad(message.field, message)
