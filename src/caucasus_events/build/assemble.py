"""From checked raw inputs to the rows of every published table."""

from __future__ import annotations

from collections import Counter, defaultdict

from caucasus_events.build.rawdata import Registries
from caucasus_events.build.stage import ArticleResult
from caucasus_events.problems import Problem

#: For a text that may not be redistributed, the published quotes together hold at most this
#: share of its characters, and each at most SNIPPET_MAX characters (a short citation).
QUOTE_SHARE = 0.10
SNIPPET_MAX = 40


def _number(value: str | None) -> float | None:
    return None if value is None else float(value)


def event_rows(reg: Registries, mentions: list[dict]) -> tuple[list[dict], list[Problem]]:
    """One row per event, with the values derived from the codebooks and the mention counts."""
    books = reg.codebooks
    cameo = {row["code"]: row for row in books["cameo_codes"]}
    types = {row["type"]: row for row in books["plover_types"]}
    mode_scores = {(row["type"], row["mode"]): row["score"] for row in books["plover_modes"]}
    by_event: dict[str, list[dict]] = defaultdict(list)
    for mention in mentions:
        by_event[mention["event_id"]].append(mention)
    rows, problems = [], []
    for event_id, event in reg.events.items():
        reports = by_event.get(event_id, [])
        if not reports:
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
        rows.append(
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
                "n_mentions": len(reports),
                "n_articles": len({m["article_id"] for m in reports}),
                "n_disagreements": sum(1 for m in reports if m["disagreement_field"]),
                "note": event.get("note"),
            }
        )
    return rows, problems


def event_link_rows(reg: Registries, events: list[dict]) -> dict[str, list[dict]]:
    """The long tables of event actors and contexts, for the events that are published."""
    published = {row["event_id"] for row in events}
    actors, contexts = [], []
    for event_id, event in reg.events.items():
        if event_id not in published:
            continue
        for role in ("source", "target"):
            actors += [
                {"event_id": event_id, "role": role, "actor_id": actor, "rank": rank}
                for rank, actor in enumerate(event[role], 1)
            ]
        contexts += [
            {"event_id": event_id, "context": context, "rank": rank}
            for rank, context in enumerate(event["contexts"], 1)
        ]
    return {"event_actors": actors, "event_contexts": contexts}


def limit_quotes(mentions: list[dict], articles: list[dict]) -> None:
    """Cut the quotes of texts that may not be redistributed to short snippets, in place.

    Each snippet is the passage's beginning, cut at a word boundary, at most SNIPPET_MAX
    characters and at most an equal share of QUOTE_SHARE of the text, so that the published
    quotes of one text never hold more than that share of it. Offsets, length and SHA-256 of
    the whole passage stay, so that ``ce.rehydrate`` can restore it from a copy of the text.
    """
    closed = {a["article_id"]: a["text_length"] for a in articles if not a["redistributable"]}
    per_text = Counter(m["article_id"] for m in mentions if m["article_id"] in closed)
    for mention in mentions:
        length = closed.get(mention["article_id"])
        if length is None:
            continue
        budget = min(SNIPPET_MAX, int(QUOTE_SHARE * length) // per_text[mention["article_id"]])
        quote = mention["quote"]
        if len(quote) > budget:
            cut = quote[:budget]
            # Cut after the last whole word, when there is one.
            if " " in cut.rstrip():
                cut = cut[: cut.rstrip().rindex(" ")]
            mention["quote"] = cut.rstrip()
            mention["quote_complete"] = False


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


def all_rows(reg: Registries, results: list[ArticleResult]) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Every table's rows, in publication order, and the problems found assembling them."""
    mentions = [m for r in results for m in r.mentions]
    events, problems = event_rows(reg, mentions)
    articles = [r.article for r in results if r.article is not None]
    limit_quotes(mentions, articles)
    closed = {m["article_id"] for m in mentions if not m["quote_complete"]}
    for article in articles:
        article["quotes_complete"] = article["article_id"] not in closed
    tables = {
        "events": events,
        **event_link_rows(reg, events),
        "mentions": mentions,
        "quantities": [q for r in results for q in r.quantities],
        "articles": articles,
        **registry_rows(reg),
    }
    return tables, problems


def sort_rows(rows: list[dict], keys: list[str]) -> list[dict]:
    """Rows ordered by ``keys`` (nulls first), for output that does not depend on input order."""
    if not keys:
        return rows
    return sorted(rows, key=lambda row: tuple((row[k] is not None, row[k]) for k in keys))


def summary_counts(tables: dict[str, list[dict]]) -> dict[str, int]:
    """Figures the build prints and the README states."""
    per_event = Counter(e["n_articles"] for e in tables["events"])
    return {
        "events reported by more than one text": sum(n for k, n in per_event.items() if k > 1),
        "mentions disagreeing with their event": sum(
            1 for m in tables["mentions"] if m["disagreement_field"]
        ),
    }
