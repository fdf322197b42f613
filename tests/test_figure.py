"""The README figure and summary tables regenerate from the built tables."""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd

from caucasus_events.publish import figure

REPO = Path(__file__).resolve().parents[1]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_figure_regenerates_from_the_tables(tmp_path):
    out = figure.draw(tmp_path / "figure.png")
    committed = REPO / "docs" / "events-over-time.png"
    assert _png_size(out) == _png_size(committed)
    assert "docs/events-over-time.png" in (REPO / "README.md").read_text(encoding="utf-8")


def test_dyads_use_countries_and_mark_international_actors():
    events = pd.DataFrame({"source_actor_id": ["a", "b", "a"], "target_actor_id": ["b", "c", None]})
    actors = pd.DataFrame({"actor_id": ["a", "b", "c"], "country": ["USA", "ARM", None]})
    assert list(figure.dyads(events, actors)) == ["USA → ARM", "ARM → international/disputed"]


def test_summary_tables_count_every_act_and_every_text():
    from caucasus_events.build.readme import read_tables, summary_block
    from caucasus_events.settings import installed_data

    frames = read_tables(installed_data())
    tables = summary_block(frames).split("\n\n")[1:]

    def total(table: str) -> int:
        return sum(int(line.rsplit("|", 2)[1]) for line in table.splitlines()[2:])

    acts = int((frames["events"]["kind"] == "act").sum())
    assert total(tables[0]) == acts and total(tables[1]) == acts  # by type, by year
    assert total(tables[2]) == total(tables[3]) == len(frames["articles"])  # by publisher, by year
    assert total(tables[4]) == len(frames["mentions"])
