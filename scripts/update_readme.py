"""Regenerate the README's generated blocks from the built tables (maintainer tool).

Blocks: table row counts, the agreement figures, the summary tables and linking figures, and
the figure (docs/events-over-time.png). Tests fail when a block is stale.

Usage: python scripts/update_readme.py
"""

from __future__ import annotations

import re
from pathlib import Path

import caucasus_events as ce
from caucasus_events import agreement, figure

ROOT = Path(__file__).resolve().parents[1]
TABLE_NOTES = {
    "events": "one row per real-world event: PLOVER type, mode, contexts; CAMEO code; derived CAMEO root, Goldstein value, quad class, PLOVER score; source and target; date interval and precision; place; status; numbers of mentions, texts and disagreements",
    "mentions": "one row per report of an event in a text: exact span (Unicode code points, half-open), quote, date as written and as resolved, names as written",
    "articles": "the texts with their provenance, license, length and SHA-256",
    "actors": "canonical people, governments and organizations (ISO 3166-1 alpha-3 country, PLOVER sector, office)",
    "places": "canonical places; disputed names map to one neutral name",
    "retired_events": "withdrawn event IDs with the reason (never reused)",
}
CODEBOOKS = ["cameo_codes", "plover_types", "plover_modes", "plover_contexts", "cameo_plover"]


def counts_block() -> str:
    rows = ce.tables().set_index("table")["rows"]
    lines = ["| table | rows | what it holds |", "|---|---|---|"]
    lines += [f"| `{t}` | {rows[t]} | {note} |" for t, note in TABLE_NOTES.items()]
    names = ", ".join(f"`{t}`" for t in CODEBOOKS)
    lines.append(
        f"| {names} | {', '.join(str(rows[t]) for t in CODEBOOKS)} | the codebooks, to join on codes |"
    )
    return "\n".join(lines)


def summary_block() -> str:
    events = ce.load("events")
    multi = int((events["n_articles"] > 1).sum())
    disagreements = int(events["n_disagreements"].sum())
    head = (
        f"{len(events)} events from {len(ce.load('articles'))} texts; {multi} events are reported by more "
        f"than one text, and {disagreements} mentions record a disagreement between their text and the "
        "adjudicated event (dates, initiators, numbers; see the `disagreement` column of `mentions`)."
    )
    return head + "\n\n" + figure.summary_tables().rstrip()


def replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:[^>]*-->\n).*?(<!-- end of {name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no block {name!r}")
    return pattern.sub(lambda m: m.group(1) + body.rstrip() + "\n" + m.group(2), text)


def main() -> None:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    text = replace(text, "counts", counts_block())
    text = replace(text, "agreement", agreement.markdown(agreement.compute(ROOT)))
    text = replace(text, "summary", summary_block())
    text = replace(
        text, "citation", f'```\n>>> print(ce.citation("bibtex"))\n{ce.citation("bibtex").rstrip()}\n```'
    )
    path.write_text(text, encoding="utf-8")
    figure.draw(ROOT / "docs" / "events-over-time.png")


if __name__ == "__main__":
    main()
