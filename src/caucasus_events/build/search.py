"""Search the event registry (``caucasus-events events``): the candidates for a new mention.

Reads raw/events (so that events of texts still being annotated are found) and, where the
project is built, the mentions table for the texts that report each event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from caucasus_events.build.rawdata import Registries, read_registries
from caucasus_events.problems import InputError, UsageError


def _reported_by(root: Path) -> dict[str, list[str]]:
    path = root / "processed" / "mentions.parquet"
    if not path.is_file():
        return {}
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["event_id", "article_id"]).to_pydict()
    found: dict[str, set[str]] = {}
    for event_id, article_id in zip(table["event_id"], table["article_id"], strict=True):
        found.setdefault(event_id, set()).add(article_id)
    return {event_id: sorted(articles) for event_id, articles in found.items()}


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} (expected a date YYYY-MM-DD)") from None


def search(
    root: Path,
    words: list[str] | None = None,
    actor: str | None = None,
    since: str | None = None,
    until: str | None = None,
    kind: str | None = None,
    text: str | None = None,
) -> list[dict]:
    """Events matching every criterion given, in ID order.

    Parameters
    ----------
    root : Path
        Project folder.
    words : list of str, optional
        Words that must all occur (case-insensitively) in the summary, the note or the actor names.
    actor : str, optional
        An actor ID, as source or target (or a member of it: ``arm-gov`` finds Pashinyan too).
    since, until : str, optional
        Dates YYYY-MM-DD: events whose interval reaches into [since, until] (open bounds match).
    kind : str, optional
        A PLOVER type (``CONSULT``), a CAMEO code prefix (``04``), or ``act`` / ``state``.
    text : str, optional
        An article ID (or the beginning of one): events that text reports.
    """
    reg, problems = read_registries(root)
    if problems:
        raise InputError(problems)
    lo, hi = _date(since, "--from"), _date(until, "--to")
    reported = _reported_by(root)
    members = _members(reg, actor) if actor else None
    if actor and actor not in reg.actors:
        raise UsageError(f"--actor {actor!r}: no such actor (see raw/actors.yaml)")
    out = []
    for event_id, event in sorted(reg.events.items()):
        names = " ".join(
            reg.actors[a]["name"] for role in ("source", "target") for a in event[role] if a in reg.actors
        )
        haystack = f"{event['summary']} {event.get('note') or ''} {names}".lower()
        if words and not all(w.lower() in haystack for w in words):
            continue
        if members is not None and not members & (set(event["source"]) | set(event["target"])):
            continue
        start, end = event["date"].get("start"), event["date"].get("end")
        if (lo and end is not None and end < lo) or (hi and start is not None and start > hi):
            continue
        if kind and not _kind_matches(event, kind):
            continue
        texts = reported.get(event_id, [])
        if text and not any(t.startswith(text) for t in texts):
            continue
        out.append(
            {
                "event_id": event_id,
                "kind": event["kind"],
                "type": event.get("type"),
                "cameo": event.get("cameo"),
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
                "source": list(event["source"]),
                "target": list(event["target"]),
                "summary": event["summary"],
                "texts": texts,
                "defined_in": f"{event.shown}:{event.lines['id']}",
            }
        )
    return out


def _members(reg: Registries, actor: str) -> set[str]:
    """The actor and every actor that is (transitively) a member of it."""
    found, grew = {actor}, True
    while grew:
        more = {a for a, r in reg.actors.items() if r.get("member_of") in found} - found
        found |= more
        grew = bool(more)
    return found


def _kind_matches(event: dict, kind: str) -> bool:
    if kind in ("act", "state"):
        return event["kind"] == kind
    if re.fullmatch(r"\d{2,4}", kind):
        return (event.get("cameo") or "").startswith(kind)
    return (event.get("type") or "").upper() == kind.upper()


def render(rows: list[dict], as_json: bool = False, width: int = 100) -> str:
    """The matches as a table (or JSON), one event per block."""
    if as_json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for row in rows:
        when = f"{row['start'] or '…'}..{row['end'] or '…'}"
        coding = row["type"] or row["kind"]
        if row["cameo"]:
            coding += f" {row['cameo']}"
        actors = f"{','.join(row['source']) or '?'} -> {','.join(row['target']) or '-'}"
        lines.append(f"{row['event_id']}  {when:<23} {coding:<14} {actors}")
        lines.append(f"    {row['summary'][: width - 4]}")
        lines.append(f"    texts: {', '.join(row['texts']) or '(none built yet)'}   [{row['defined_in']}]")
    lines.append(f"{len(rows)} event(s)")
    return "\n".join(lines) + "\n"
