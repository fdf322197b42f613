"""From checked raw inputs to the rows of every published table."""

from __future__ import annotations

from collections import Counter, defaultdict

from caucasus_events.problems import Problem
from caucasus_events.rawdata import Registries
from caucasus_events.stage import ArticleResult

LIST_SEPARATOR = ";"


def _joined(items: list[str]) -> str | None:
    return LIST_SEPARATOR.join(items) if items else None


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
        code, kind = cameo[event["cameo"]], types.get(event.get("type"), {})
        mode_score = mode_scores.get((event["type"], event.get("mode")))
        rows.append(
            {
                "event_id": event_id,
                "summary": event["summary"],
                "plover_type": event.get("type"),
                "plover_mode": event.get("mode"),
                "plover_contexts": LIST_SEPARATOR.join(event["contexts"]),
                "cameo_code": event["cameo"],
                "cameo_root": code["root"],
                "goldstein": _number(code["goldstein"]),
                "quad_class": int(kind["quad_class"]) if kind else None,
                "plover_score": _number(mode_score if mode_score is not None else kind.get("score")),
                "mapping_departure": event.get("mapping_departure"),
                "source_actor_id": event["source"][0] if event["source"] else None,
                "target_actor_id": event["target"][0] if event["target"] else None,
                "source_actor_ids": _joined(list(event["source"])),
                "target_actor_ids": _joined(list(event["target"])),
                "date_start": event["date"].get("start"),
                "date_end": event["date"].get("end"),
                "date_precision": event["date"]["precision"],
                "place_id": event.get("place"),
                "status": event["status"],
                "n_mentions": len(reports),
                "n_articles": len({m["article_id"] for m in reports}),
                "n_disagreements": sum(1 for m in reports if m["disagreement"]),
                "note": event.get("note"),
            }
        )
    return rows, problems


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
        {
            "place_id": p["id"],
            **{k: p.get(k) for k in ("name", "kind", "country")},
            "aliases": _joined(list(p.get("aliases") or [])),
            "note": p.get("note"),
        }
        for p in reg.places.values()
    ]
    retired = [
        {"event_id": r["id"], "reason": r["reason"], "replaced_by": r.get("replaced_by")}
        for r in reg.retired.values()
    ]
    books = reg.codebooks
    return {
        "actors": actors,
        "places": places,
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
    tables = {
        "events": events,
        "mentions": mentions,
        "articles": [r.article for r in results if r.article is not None],
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
        "mentions disagreeing with their event": sum(1 for m in tables["mentions"] if m["disagreement"]),
    }
