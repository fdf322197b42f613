"""README.md's generated blocks: written by ``caucasus-events docs``, checked by ``build --check``.

Blocks are delimited by ``<!-- NAME: generated ... -->`` and ``<!-- end of NAME -->``. Every
figure in them is computed from the built tables of the project folder, so that the README
cannot state counts the data does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from caucasus_events.build.models import MODELS

BLOCKS = ("summary", "counts", "agreement", "citation")
CODEBOOKS = ["cameo_codes", "plover_types", "plover_modes", "plover_contexts", "cameo_plover"]
REFRESH = "caucasus-events docs"


def read_tables(root: Path) -> dict[str, pd.DataFrame]:
    """The built tables of ``root`` with the dataset's dtypes (each file's SHA-256 checked)."""
    from caucasus_events.diff import open_package

    package = open_package(root)
    return {table: package.frame(table) for table in MODELS}


def counts_block(frames: dict[str, pd.DataFrame]) -> str:
    """Rows of every table, with the table's description from its model."""
    lines = ["| table | rows | what it holds |", "|---|---|---|"]
    for table, model in MODELS.items():
        if table not in CODEBOOKS:
            lines.append(f"| `{table}` | {len(frames[table])} | {model.Config.metadata['description']} |")
    names = ", ".join(f"`{t}`" for t in CODEBOOKS)
    rows = ", ".join(str(len(frames[t])) for t in CODEBOOKS)
    lines.append(f"| {names} | {rows} | the codebooks, to join on codes |")
    return "\n".join(lines)


def _table(title: str, unit: str, series: pd.Series) -> list[str]:
    return [f"| {title} | {unit} |", "|---|---|", *(f"| {k} | {v} |" for k, v in series.items()), ""]


def summary_block(frames: dict[str, pd.DataFrame]) -> str:
    """What the data holds, counting acts (states apart), by type, year and publisher."""
    events, mentions, articles = frames["events"], frames["mentions"], frames["articles"]
    acts = events[events["kind"] == "act"]
    states = events[events["kind"] == "state"]
    years = pd.concat([articles["published"], articles["published_earliest"]]).dropna().dt.year
    head = (
        f"{_n(len(acts), 'act')} and {_n(len(states), 'state')} from {_n(len(articles), 'text')} published "
        f"{years.min()}-{years.max()}, in {len(mentions)} mentions; "
        f"{int((events['n_articles'] > 1).sum())} events are reported by more than one text, "
        f"{int(mentions['disagreement_field'].notna().sum())} mentions record a disagreement with "
        f"the adjudicated event (by field: {_fields(mentions)}), and the texts report "
        f"{len(frames['quantities'])} numbers (`quantities`). Counts below are of acts; states "
        "(roles, ongoing conflicts, processes) have no type or date of their own to count."
    )
    by_type = acts["plover_type"].astype("string").fillna("(no PLOVER type: CAMEO statement)")
    year = acts["date_start"].dt.year.astype("Int64").astype("string")
    # An act bounded only from above is counted in the year of its upper bound, marked so.
    upper = acts["date_end"].dt.year.astype("Int64").astype("string")
    year = year.fillna("≤ " + upper).fillna("undated")
    publisher = articles.set_index("article_id")["publisher_short"]
    texts = articles.assign(
        year=articles["published"]
        .fillna(articles["published_earliest"])
        .dt.year.astype("Int64")
        .astype("string")
    )
    parts = _table("PLOVER type", "acts", by_type.value_counts().sort_index())
    parts += _table(
        "year of the act (start; ≤ when only an upper bound is known)",
        "acts",
        year.value_counts().sort_index(),
    )
    parts += _table("publisher", "texts", texts["publisher_short"].value_counts().sort_index())
    parts += _table("year of publication", "texts", texts["year"].value_counts().sort_index())
    parts += _table(
        "publisher of the reporting text",
        "mentions",
        mentions["article_id"].map(publisher).value_counts().sort_index(),
    )
    return head + "\n\n" + "\n".join(parts).rstrip()


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _fields(mentions: pd.DataFrame) -> str:
    counts = mentions["disagreement_field"].value_counts()
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "none"


def blocks(root: Path) -> dict[str, str]:
    """The body of every generated block, from the built tables of ``root``."""
    from caucasus_events.build import agreement
    from caucasus_events.citing import citation

    frames = read_tables(root)
    return {
        "summary": summary_block(frames),
        "counts": counts_block(frames),
        "agreement": agreement.markdown(agreement.compute(root)),
        "citation": f'```\n>>> print(ce.citation("bibtex"))\n{citation("bibtex").rstrip()}\n```',
    }


def render(text: str, bodies: dict[str, str]) -> str:
    """``text`` with each generated block's body replaced."""
    for name, body in bodies.items():
        pattern = re.compile(rf"(<!-- {name}:[^>]*-->\n).*?(<!-- end of {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md has no generated block {name!r}")
        text = pattern.sub(lambda m, body=body: m.group(1) + body.rstrip() + "\n" + m.group(2), text)
    return text


def stale_blocks(root: Path) -> list[str]:
    """Names of README.md's generated blocks that differ from what the built tables give."""
    path = root / "README.md"
    current = path.read_text(encoding="utf-8")
    bodies = blocks(root)
    return [name for name in BLOCKS if render(current, {name: bodies[name]}) != current]


def update(root: Path) -> bool:
    """Rewrite README.md's generated blocks; return whether it changed."""
    path = root / "README.md"
    current = path.read_text(encoding="utf-8")
    new = render(current, blocks(root))
    if new != current:
        path.write_text(new, encoding="utf-8")
    return new != current
