"""From checked raw inputs to the rows of every published table."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from caucasus_events.build.rawdata import Registries
from caucasus_events.build.rows import ArrowRows, ColumnRows, RowBatches, Tables
from caucasus_events.build.spool import ArraySpool
from caucasus_events.build.stage import ArticleResult
from caucasus_events.build.tableschema import table_schema
from caucasus_events.frames import arrow_schema
from caucasus_events.problems import Problem

#: For a text that may not be redistributed, the published quotes together hold at most this
#: share of its characters, and each at most SNIPPET_MAX characters (a short citation).
QUOTE_SHARE = 0.10
SNIPPET_MAX = 40
#: Rows made as dictionaries before they go into a table's columns at once.
ROWS_AT_ONCE = 4096


def _number(value: str | None) -> float | None:
    return None if value is None else float(value)


def _counter(keys: pa.Array | pa.ChunkedArray, counts: pa.Array | pa.ChunkedArray) -> Counter[str]:
    return Counter(dict(zip(keys.to_pylist(), counts.to_pylist(), strict=True)))


def _counts(values: pa.Array | pa.ChunkedArray) -> Counter[str]:
    """How many times each value occurs, by Arrow's hashing."""
    counted = pc.value_counts(values)
    return _counter(counted.field("values"), counted.field("counts"))


def event_rows(reg: Registries, mentions: ArrowRows) -> tuple[ArrowRows, list[Problem]]:
    """One row per event, with the values derived from the codebooks and the mention counts."""
    books = reg.codebooks
    cameo = {row["code"]: row for row in books["cameo_codes"]}
    types = {row["type"]: row for row in books["plover_types"]}
    mode_scores = {(row["type"], row["mode"]): row["score"] for row in books["plover_modes"]}
    table = mentions.table
    n_mentions = _counts(table.column("event_id"))
    disagreement = table.column("disagreement_field")
    n_disagreements = _counts(
        table.column("event_id").filter(pc.fill_null(pc.not_equal(disagreement, ""), False))
    )
    by_event = table.select(["event_id", "article_id"]).group_by("event_id", use_threads=False)
    distinct = by_event.aggregate([("article_id", "count_distinct")])
    n_articles = _counter(distinct["event_id"], distinct["article_id_count_distinct"])
    rows, problems = RowBatches(gathering_schema("events")), []
    batch: list[dict] = []  # rows go into the batches a few at a time: one at a time took half the time
    for event_id, event in reg.events.items():
        if len(batch) == ROWS_AT_ONCE:
            rows.extend(batch)
            batch.clear()
        if not n_mentions[event_id]:
            problems.append(
                Problem(
                    event.shown,
                    event.lines["id"],
                    "id",
                    f"event {event_id} has no mention (expected at least one text reporting it)",
                )
            )
            continue
        code = cameo.get(event.get("cameo"), {})
        kind = types.get(event.get("type"), {})
        mode_score = mode_scores.get((event.get("type"), event.get("mode")))
        batch.append(
            {
                "event_id": event_id,
                "kind": event["kind"],
                "summary": event["summary"],
                "plover_type": event.get("type"),
                "plover_mode": event.get("mode"),
                "cameo_code": event.get("cameo"),
                "cameo_name": code.get("name"),
                "cameo_root": code.get("root"),
                "goldstein": _number(code.get("goldstein")),
                "quad_class": int(kind["quad_class"]) if kind else None,
                "quad_name": kind.get("quad_name"),
                "plover_score": _number(mode_score if mode_score is not None else kind.get("score")),
                "mapping_departure": event.get("mapping_departure"),
                "source_actor_id": event["source"][0] if event["source"] else None,
                "target_actor_id": event["target"][0] if event["target"] else None,
                "within_event_id": event.get("within"),
                "date_start": event["date"].get("start"),
                "date_end": event["date"].get("end"),
                "date_precision": event["date"]["precision"],
                "date_reason": event["date"].get("reason"),
                "place_id": event.get("place"),
                "status": event["status"],
                "n_mentions": n_mentions[event_id],
                "n_articles": n_articles[event_id],
                "n_disagreements": n_disagreements[event_id],
                "note": event.get("note"),
            }
        )
    rows.extend(batch)
    return rows.finish(), problems


def event_link_rows(reg: Registries, events: ArrowRows) -> dict[str, ArrowRows]:
    """The long tables of event actors and contexts, for the events that are published."""
    published = set(events.column("event_id"))
    tables = {name: RowBatches(gathering_schema(name)) for name in ("event_actors", "event_contexts")}
    batches: dict[str, list[dict]] = {name: [] for name in tables}  # see event_rows
    for event_id, event in reg.events.items():
        if event_id not in published:
            continue
        for role in ("source", "target"):
            batches["event_actors"] += [
                {"event_id": event_id, "role": role, "actor_id": actor, "rank": rank}
                for rank, actor in enumerate(event[role], 1)
            ]
        batches["event_contexts"] += [
            {"event_id": event_id, "context": context, "rank": rank}
            for rank, context in enumerate(event["contexts"], 1)
        ]
        for name, batch in batches.items():
            if len(batch) >= ROWS_AT_ONCE:
                tables[name].extend(batch)
                batch.clear()
    for name, batch in batches.items():
        tables[name].extend(batch)
    return {name: rows.finish() for name, rows in tables.items()}


def limit_quotes(mentions: list[dict], article: dict) -> list[dict]:
    """One article's mentions, the quotes cut to short snippets when its text may not be
    redistributed.

    Each snippet is the passage's beginning, cut at a word boundary, at most SNIPPET_MAX
    characters and at most an equal share of QUOTE_SHARE of the text, so that the published
    quotes of one text never hold more than that share of it. Offsets, length and SHA-256 of
    the whole passage stay, so that ``ce.rehydrate`` can restore it from a copy of the text.
    A cut mention is a new dictionary (the stage's result, which the build cache may hold,
    stays as it was); one left whole is the same.
    """
    if article["redistributable"] or not mentions:
        return mentions
    budget = min(SNIPPET_MAX, int(QUOTE_SHARE * article["text_length"]) // len(mentions))
    limited = []
    for mention in mentions:
        quote = mention["quote"]
        if len(quote) > budget:
            cut = quote[:budget]
            # Cut after the last whole word, when there is one.
            if " " in cut.rstrip():
                cut = cut[: cut.rstrip().rindex(" ")]
            mention = {**mention, "quote": cut.rstrip(), "quote_complete": False}
        limited.append(mention)
    return limited


def registry_rows(reg: Registries) -> dict[str, list[dict]]:
    """Rows of the actor, place, retired-event and codebook tables."""
    actors = [
        {
            "actor_id": a["id"],
            **{k: a.get(k) for k in ("name", "kind", "country", "sector", "office", "member_of", "note")},
        }
        for a in reg.actors.values()
    ]
    places = [
        {"place_id": p["id"], **{k: p.get(k) for k in ("name", "kind", "country", "note")}}
        for p in reg.places.values()
    ]
    aliases = [
        {"place_id": p["id"], "alias": alias} for p in reg.places.values() for alias in p.get("aliases") or []
    ]
    retired = [
        {"event_id": r["id"], "reason": r["reason"], "replaced_by": r.get("replaced_by")}
        for r in reg.retired.values()
    ]
    books = reg.codebooks
    return {
        "actors": actors,
        "places": places,
        "place_aliases": aliases,
        "retired_events": retired,
        "cameo_codes": [{**row, "goldstein": _number(row["goldstein"])} for row in books["cameo_codes"]],
        "plover_types": [
            {
                **row,
                "quad_class": int(row["quad_class"]),
                "score": _number(row["score"]),
                "requires_recipient": row["requires_recipient"] == "true",
            }
            for row in books["plover_types"]
        ],
        "plover_modes": [{**row, "score": _number(row["score"])} for row in books["plover_modes"]],
        "plover_contexts": books["plover_contexts"],
        "cameo_plover": books["cameo_plover"],
    }


def gathering_schema(table: str) -> pa.Schema:
    """The Arrow schema ``table``'s rows are gathered in: its files' types, but categorical
    columns as plain text (they are dictionary-encoded once the rows are in their order, see
    :func:`.serialize.arrow_table`)."""
    return pa.schema(
        [
            field.with_type(pa.string()) if pa.types.is_dictionary(field.type) else field
            for field in arrow_schema(table_schema(table))
        ]
    )


@dataclass
class Gathered:
    """What the build keeps of the stage's results, taken in one article at a time.

    Rows go into Arrow record batches as each result arrives, so that no result outlives its
    article; see :class:`~caucasus_events.build.rows.RowBatches` for why. Each article's
    quotes are limited here (:func:`limit_quotes` needs that article alone).
    """

    mentions: RowBatches = field(default_factory=lambda: RowBatches(gathering_schema("mentions")))
    articles: RowBatches = field(default_factory=lambda: RowBatches(gathering_schema("articles")))
    quantities: list[dict] = field(default_factory=list)
    #: The line of each mention in its article's annotation, for the linter's messages: a
    #: machine integer each, where a dictionary by mention ID took a hundred bytes.
    mention_lines: array = field(default_factory=lambda: array("i"))
    #: Each text's passage fingerprints, for the linter's shared-passage rule: on disk until
    #: it reads them.
    passages: MutableMapping[str, np.ndarray] = field(default_factory=ArraySpool)
    problems: list[Problem] = field(default_factory=list)
    #: Articles whose annotation is pending, left out of the tables.
    pending: list[str] = field(default_factory=list)

    def add(self, article_id: str, result: ArticleResult) -> None:
        """Take in one article's result."""
        self.problems += result.problems
        if result.pending:
            self.pending.append(article_id)
        if self.problems:
            return  # the build stops with the problems: rows would only take memory
        mentions = result.mentions
        if result.article is not None:
            mentions = limit_quotes(mentions, result.article)
            whole = all(mention["quote_complete"] for mention in mentions)
            self.articles.extend([{**result.article, "quotes_complete": whole}])
            self.passages[article_id] = result.passages
        self.mentions.extend(mentions)
        self.quantities += result.quantities
        self.mention_lines.extend(result.mention_lines)


def all_rows(reg: Registries, gathered: Gathered) -> tuple[Tables, list[Problem]]:
    """Every table's rows, in publication order, and the problems found assembling them."""
    mentions = gathered.mentions.finish()
    events, problems = event_rows(reg, mentions)
    tables = {
        "events": events,
        **event_link_rows(reg, events),
        "mentions": mentions,
        "quantities": gathered.quantities,
        "articles": gathered.articles.finish(),
        **registry_rows(reg),
    }
    return tables, problems


def sort_rows(
    rows: ArrowRows | ColumnRows | list[dict], keys: list[str]
) -> ArrowRows | ColumnRows | list[dict]:
    """Rows ordered by ``keys`` (nulls first), for output that does not depend on input order.

    Columns are sorted in place; Arrow rows are given as a new table (Arrow's sort is stable,
    and orders text by code point as Python does).
    """
    if not keys:
        return rows
    if isinstance(rows, ArrowRows):
        order = pc.sort_indices(rows.table, sort_keys=[(key, "ascending", "at_start") for key in keys])
        return ArrowRows(rows.table.take(order))
    if isinstance(rows, ColumnRows):
        # One stable sort per key, the last key first, gives the order of the tuples' sort;
        # a column without nulls is sorted on its values directly, which is much faster.
        order = list(range(len(rows)))
        for key in reversed(keys):
            column = rows.columns[key]
            if None in column:
                order.sort(key=lambda i: (column[i] is not None, column[i]))
            else:
                order.sort(key=column.__getitem__)
        rows.reorder(order)
        return rows
    return sorted(rows, key=lambda row: tuple((row[k] is not None, row[k]) for k in keys))


def summary_counts(tables: dict[str, ArrowRows]) -> dict[str, int]:
    """Figures the build prints and the README states (counted by Arrow, on the encoded columns)."""
    n_articles = tables["events"].table.column("n_articles")
    disagreement = tables["mentions"].table.column("disagreement_field").cast(pa.string())
    return {
        "events reported by more than one text": pc.sum(pc.greater(n_articles, 1)).as_py() or 0,
        "mentions disagreeing with their event": pc.sum(pc.not_equal(disagreement, "")).as_py() or 0,
    }
