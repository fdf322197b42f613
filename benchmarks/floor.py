"""The floor of figure 1: read and parse the raw files, write the same tables, check nothing.

Reads exactly the files ``caucasus-events build`` reads, with the fastest well-kept YAML parser
(libyaml's C loader, ``yaml.CSafeLoader``; the build composes nodes with the same parser to
keep line numbers) and the csv module, computes the same columns (quote offsets, mention IDs,
derived event values and counts) the shortest way, and writes each table as Parquet (the
project's Parquet options) and CSV with pyarrow. No type, key, date, quote or registry check,
no line numbers, no problem reports: the cost any build of these tables must pay.

Usage: ``python benchmarks/floor.py PROJECT OUT``
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

# The same options as the project's serializer, so that Parquet costs the same. Copied rather
# than imported: importing the package would add its imports (pandas, pandera) to the floor's
# time; tests/test_scale.py checks that the two stay equal.
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "row_group_size": 131072,
    "use_dictionary": True,
    "write_statistics": True,
}


def _load(path: Path):
    return yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)


def _nth(text: str, quote: str, n: int) -> int:
    at = text.find(quote)
    for _ in range(n - 1):
        at = text.find(quote, at + 1)
    return at


def _interval(d: dict) -> tuple:
    return d.get("start"), d.get("end")


def _relation(mention: tuple, event: tuple) -> str:
    """The shortest honest version of the build's date relation (no weekday check)."""
    if None in mention or None in event:
        return "unknown"
    if mention == event:
        return "same"
    if mention[1] < event[0] or event[1] < mention[0]:
        return "disjoint"
    return "overlap"


def tables(root: Path) -> dict[str, list[dict]]:
    """Every table's rows, from the raw files."""
    raw = root / "raw"
    books = {}
    for path in sorted((raw / "codebooks").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            books[path.stem] = [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]
    actors = _load(raw / "actors.yaml") or []
    places = _load(raw / "places.yaml") or []
    retired = _load(raw / "retired.yaml") or []
    publishers = _load(raw / "publishers.yaml") or []
    events = [e for path in sorted((raw / "events").glob("*.yaml")) for e in _load(path) or []]
    by_id = {e["id"]: e for e in events}

    articles, mentions, quantities = [], [], []
    for meta_path in sorted((raw / "articles").glob("*.yaml")):
        article_id = meta_path.stem
        meta = _load(meta_path)
        data = meta_path.with_suffix(".txt").read_bytes()
        text = data.decode("utf-8")
        annotation_path = raw / "annotations" / f"{article_id}.yaml"
        annotation = _load(annotation_path) if annotation_path.exists() else {"mentions": []}
        rows = []
        for m in annotation["mentions"]:
            start = _nth(text, m["quote"], m.get("occurrence") or 1)
            end = start + len(m["quote"])
            date, written = m.get("date") or {}, m.get("as_written") or {}
            disagreement = m.get("disagreement") or {}
            key = f"{article_id}\n{m['event']}\n{start}\n{end}".encode()
            row_id = "M" + hashlib.sha256(key).hexdigest()[:12]
            quote = text[start:end]
            rows.append(
                {
                    "mention_id": row_id,
                    "event_id": m["event"],
                    "article_id": article_id,
                    "start": start,
                    "end": end,
                    "quote": quote,
                    "quote_complete": True,
                    "quote_length": end - start,
                    "quote_sha256": hashlib.sha256(quote.encode()).hexdigest(),
                    "date_text": date.get("text"),
                    "date_relative": date.get("relative"),
                    "date_start": date.get("start"),
                    "date_end": date.get("end"),
                    "date_precision": date.get("precision"),
                    "date_relation": _relation(_interval(date), _interval(by_id[m["event"]]["date"])),
                    "disagreement_field": disagreement.get("field"),
                    "disagreement": disagreement.get("note"),
                    "source_as_written": written.get("source"),
                    "target_as_written": written.get("target"),
                    "place_as_written": written.get("place"),
                    "annotator": annotation.get("annotator"),
                    "note": m.get("note"),
                }
            )
            for q in m.get("quantities") or []:
                quantities.append(
                    {
                        "quantity_id": "Q"
                        + hashlib.sha256(f"{row_id}\n{q['kind']}\n{q['as_written']}".encode()).hexdigest()[
                            :12
                        ],
                        "event_id": m["event"],
                        "mention_id": row_id,
                        "article_id": article_id,
                        **{k: q.get(k) for k in ("kind", "low", "best", "high", "unit", "approximate")},
                        "as_written": q["as_written"],
                        "note": q.get("note"),
                    }
                )
        rows.sort(key=lambda r: (r["start"], r["end"], r["event_id"]))
        mentions += rows
        publisher = max(
            (
                (len(prefix), p)
                for p in publishers
                for prefix in p["matches"]
                if meta["publisher"].startswith(prefix)
            ),
            key=lambda pair: pair[0],
        )[1]
        articles.append(
            {
                "article_id": article_id,
                **{k: v for k, v in meta.items() if k != "sha256"},
                "publisher_short": publisher["short"],
                "publisher_kind": publisher["kind"],
                "publisher_country": publisher.get("country"),
                "text_length": len(text),
                "quotes_complete": True,
                "sha256": hashlib.sha256(data).hexdigest(),
                "annotator": annotation.get("annotator"),
                "n_mentions": len(rows),
                "n_events": len({r["event_id"] for r in rows}),
            }
        )

    cameo = {r["code"]: r for r in books["cameo_codes"]}
    kinds = {r["type"]: r for r in books["plover_types"]}
    modes = {(r["type"], r["mode"]): r["score"] for r in books["plover_modes"]}
    reports = defaultdict(list)
    for m in mentions:
        reports[m["event_id"]].append(m)
    event_rows, event_actors, event_contexts = [], [], []
    for e in sorted(events, key=lambda e: e["id"]):
        got, kind = reports[e["id"]], kinds.get(e.get("type"), {})
        score = modes.get((e.get("type"), e.get("mode"))) or kind.get("score")
        code = cameo.get(e.get("cameo")) or {}
        event_rows.append(
            {
                "event_id": e["id"],
                "kind": e.get("kind"),
                "summary": e["summary"],
                "plover_type": e.get("type"),
                "plover_mode": e.get("mode"),
                "cameo_code": e.get("cameo"),
                "cameo_name": code.get("name"),
                "cameo_root": code.get("root"),
                "goldstein": None if code.get("goldstein") is None else float(code["goldstein"]),
                "quad_class": int(kind["quad_class"]) if kind else None,
                "quad_name": kind.get("quad_name"),
                "plover_score": None if score is None else float(score),
                "mapping_departure": e.get("mapping_departure"),
                "source_actor_id": e["source"][0] if e["source"] else None,
                "target_actor_id": e["target"][0] if e["target"] else None,
                "within_event_id": e.get("within"),
                "date_start": e["date"].get("start"),
                "date_end": e["date"].get("end"),
                "date_precision": e["date"]["precision"],
                "date_reason": e["date"].get("reason"),
                "place_id": e.get("place"),
                "status": e["status"],
                "n_mentions": len(got),
                "n_articles": len({m["article_id"] for m in got}),
                "n_disagreements": sum(1 for m in got if m["disagreement_field"]),
                "note": e.get("note"),
            }
        )
        for role in ("source", "target"):
            event_actors += [
                {"event_id": e["id"], "role": role, "actor_id": a, "rank": i}
                for i, a in enumerate(e[role], 1)
            ]
        event_contexts += [
            {"event_id": e["id"], "context": c, "rank": i} for i, c in enumerate(e.get("contexts") or [], 1)
        ]
    return {
        "events": event_rows,
        "event_actors": event_actors,
        "event_contexts": event_contexts,
        "mentions": mentions,
        "quantities": quantities,
        "articles": articles,
        "actors": [{"actor_id": a.pop("id"), **a} for a in actors],
        "places": [
            {"place_id": p["id"], **{k: v for k, v in p.items() if k not in ("id", "aliases")}}
            for p in places
        ],
        "place_aliases": [{"place_id": p["id"], "alias": a} for p in places for a in p.get("aliases") or []],
        "retired_events": [{"event_id": r.pop("id"), **r} for r in retired],
        **books,
    }


def write(rows_by_table: dict[str, list[dict]], out: Path) -> None:
    """Each table as Parquet and CSV, written by pyarrow."""
    (out / "processed").mkdir(parents=True, exist_ok=True)
    for table, rows in rows_by_table.items():
        arrow = pa.Table.from_pylist(rows)
        pq.write_table(arrow, out / "processed" / f"{table}.parquet", **PARQUET_OPTIONS)
        pacsv.write_csv(arrow, out / "processed" / f"{table}.csv")


if __name__ == "__main__":
    write(tables(Path(sys.argv[1])), Path(sys.argv[2]))
