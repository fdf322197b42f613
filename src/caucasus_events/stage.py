"""The per-article stage: one text, its metadata and annotation in; rows or problems out.

A pure function of its inputs (files and registries), free of global state, so that it can
run in a process pool or be mapped by a distributed engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from caucasus_events.dates import interval_problem, overlaps
from caucasus_events.problems import Problem, relpath
from caucasus_events.quotes import QuoteError, resolve
from caucasus_events.rawdata import (
    ARTICLE_ID,
    ARTICLE_SPEC,
    LIST,
    Registries,
    event_interval,
    sha256_bytes,
)
from caucasus_events.yamlio import DATE_T, TEXT, Mapping, check_record, load_yaml

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
    "disagreement": (False, TEXT, "how the text disagrees with the event"),
    "note": (False, TEXT, "text or null"),
}
MENTION_DATE_SPEC = {
    "text": (False, TEXT, "the date expression as written"),
    "relative": (False, (bool,), "true when resolved against the publication date"),
    "start": (False, DATE_T, "a date YYYY-MM-DD or null"),
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
    problems: list[Problem] = field(default_factory=list)
    #: The annotation says ``pending: true``: the text is left out of the tables.
    pending: bool = False


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
    if not path.is_file():
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
    data = path.read_bytes()
    text, problems = decode_text(data, shown)
    return text, data, problems


def decode_text(data: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """Decode a text's bytes, enforcing UTF-8 without BOM and LF line endings only."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(shown, 1, "-", "text starts with a byte-order mark (expected UTF-8 without BOM)")]
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
    annotator, mentions = None, []
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
        context = meta if meta_ok else Mapping()
        annotator, mentions, pending, found = _mentions(
            root, annotation_path, article_id, text, context, reg
        )
        problems += found
        result.pending = pending
    if problems or result.pending:
        result.problems = problems
        return result
    digest = sha256_bytes(data)
    result.mentions = mentions
    result.article = {
        "article_id": article_id,
        **{key: meta.get(key) for key in ARTICLE_SPEC if key != "sha256"},
        "text_length": len(text),
        "sha256": digest,
        "annotator": annotator,
        "n_mentions": len(mentions),
        "n_events": len({m["event_id"] for m in mentions}),
    }
    return result


def _mentions(
    root, path, article_id, text, meta, reg
) -> tuple[str | None, list[dict], bool, list[Problem]]:
    shown = relpath(path, root)
    doc, problems = load_yaml(path, shown)
    if problems:
        return None, [], False, problems
    problems = check_record(doc, ANNOTATION_SPEC, shown, "", 1)
    if problems:
        return None, [], False, problems
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
    unique_rows = []
    for row in rows:
        line = row.pop("_line")
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
    return doc["annotator"], unique_rows, pending, problems


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

    date = item.get("date") or {}
    if date:
        found = check_record(item["date"], MENTION_DATE_SPEC, shown, f"{where}.date", item.lines["date"])
        problems += found
        if not found:
            _check_mention_date(item["date"], meta, lambda k, m: bad(k, m, item["date"], f"{where}.date"))
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

    agrees = None
    if event is not None and not problems and (date.get("start") or date.get("end")) is not None:
        interval = event_interval(event)
        if interval is not None:
            agrees = overlaps((date.get("start"), date.get("end")), interval)
            if not agrees and not item.get("disagreement"):
                bad(
                    "date",
                    f"the text's date {date.get('start')}..{date.get('end')} disagrees with event {event['id']} "
                    f"({interval[0]}..{interval[1]}) (expected a disagreement note saying why)",
                )
    if problems or start is None or event is None:
        return None, problems
    return {
        "mention_id": mention_id(article_id, item["event"], start, end),
        "event_id": item["event"],
        "article_id": article_id,
        "start": start,
        "end": end,
        "quote": text[start:end],
        "date_text": date.get("text"),
        "date_relative": date.get("relative"),
        "date_start": date.get("start"),
        "date_end": date.get("end"),
        "date_precision": date.get("precision") or (None if date.get("start") is None else "day"),
        "date_agrees": agrees,
        "disagreement": item.get("disagreement"),
        "source_as_written": as_written.get("source"),
        "target_as_written": as_written.get("target"),
        "place_as_written": as_written.get("place"),
        "annotator": annotator,
        "note": item.get("note"),
        "_line": item.line,
    }, []


def _check_mention_date(date: Mapping, meta: Mapping, bad) -> None:
    start, end, precision = date.get("start"), date.get("end"), date.get("precision")
    if start is None and end is None:
        if precision not in (None, "unknown"):
            bad("precision", f"{precision!r} with no start or end (expected 'unknown' or dates)")
        return
    if (start is None or end is None) and precision != "range":
        bad("start", "give both start and end, or neither (or precision 'range' for an open interval)")
        return
    if date.get("relative") and meta.get("published") is None:
        bad(
            "relative",
            "a relative date cannot be resolved: the article has no publication date "
            "(expected start/end left empty, with a note)",
        )
    if message := interval_problem(start, end, precision or "day"):
        bad("precision", message)
