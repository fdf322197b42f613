"""Rows held as columns read and sort as the same rows held as dictionaries."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from caucasus_events.build.assemble import sort_rows
from caucasus_events.build.rows import ArrowRows, ColumnRows


def _rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "id": f"R{i:04d}",
            "group": rng.choice(["b", "a", None, "c"]),
            "value": rng.choice([None, *range(5)]),
        }
        for i in range(n)
    ]


def test_rows_read_back_as_given() -> None:
    rows = _rows(50, 1)
    table = ColumnRows(["id", "group", "value"], rows[:10])
    table.extend(rows[10:49])
    table.append(rows[49])
    assert len(table) == 50
    assert list(table) == rows
    assert table.row(7) == rows[7]
    assert table.columns["id"] == [row["id"] for row in rows]
    assert len(ColumnRows(["id"])) == 0 and list(ColumnRows(["id"])) == []


def test_a_row_without_a_field_adds_nothing() -> None:
    table = ColumnRows(["id", "group"], [{"id": "R1", "group": "a"}])
    with pytest.raises(KeyError):
        table.extend([{"id": "R2", "group": "b"}, {"id": "R3"}])
    assert list(table) == [{"id": "R1", "group": "a"}]


@pytest.mark.parametrize("seed", range(5))
def test_sorted_as_dictionaries_are(seed: int) -> None:
    rows = _rows(200, seed)
    keys = ["group", "value"]
    table = sort_rows(ColumnRows(["id", "group", "value"], rows), keys)
    assert list(table) == sort_rows(rows, keys)


def test_arrow_rows_read_as_the_rows_they_were_made_from() -> None:
    rows = [
        {**row, "day": None if i % 3 else dt.date(2021, 1, 1 + i % 28), "share": i / 7}
        for i, row in enumerate(_rows(3000, 2))
    ]
    fields = list(rows[0])
    # Several batches, as a table gathered from a pool's processes has.
    table = pa.concat_tables([pa.Table.from_pylist(rows[:1000]), pa.Table.from_pylist(rows[1000:])])
    held = ArrowRows(table)
    assert len(held) == 3000
    assert list(held) == rows == list(ColumnRows(fields, rows))
    assert held.row(1500) == rows[1500]
    assert list(held.columns) == fields and len(held.columns) == len(fields)
    assert held.columns["day"] == [row["day"] for row in rows]
    with pytest.raises(KeyError):
        held.columns["missing"]
