"""Rows held as columns read and sort as the same rows held as dictionaries."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from caucasus_events.build import serialize
from caucasus_events.build.assemble import sort_rows
from caucasus_events.build.rows import ArrowRows, ColumnRows, RowBatches
from caucasus_events.frames import arrow_schema


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
    assert table.take("value", [7, 3]) == [rows[7]["value"], rows[3]["value"]]
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
    assert held.take("day", [1500, 2]) == [rows[1500]["day"], rows[2]["day"]]
    assert list(held.columns) == fields and len(held.columns) == len(fields)
    assert held.columns["day"] == [row["day"] for row in rows]
    with pytest.raises(KeyError):
        held.columns["missing"]


def _typed_rows(n: int, seed: int) -> list[dict]:
    """Rows of every type the tables hold, nulls included."""
    rng = random.Random(seed)
    return [
        {
            **row,
            "day": rng.choice([None, dt.date(2021, 1, 1 + i % 28)]),
            "share": rng.choice([None, i / 7]),
            "flag": rng.choice([None, True, False]),
            "note": rng.choice([None, "", 'é, "quoted"\nline', "plain"]),
        }
        for i, row in enumerate(_rows(n, seed))
    ]


SCHEMA = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "group", "type": "string", "categorical": True},
        {"name": "value", "type": "integer"},
        {"name": "day", "type": "date"},
        {"name": "share", "type": "number"},
        {"name": "flag", "type": "boolean"},
        {"name": "note", "type": "string"},
    ]
}


def _batched(rows: list[dict], per_batch: int) -> ArrowRows:
    schema = pa.schema(
        [field.with_type(pa.string()) if field.name == "group" else field for field in arrow_schema(SCHEMA)]
    )
    batches = RowBatches(schema, rows_per_batch=per_batch)
    for first in range(0, len(rows), 7):  # as the stage gives them: a few rows at a time
        batches.extend(rows[first : first + 7])
    assert len(batches) == len(rows)
    return batches.finish()


@pytest.mark.parametrize("per_batch", [1, 50, 10_000])
def test_rows_gathered_in_batches_read_back_as_given(per_batch: int) -> None:
    rows = _typed_rows(300, 3)
    held = _batched(rows, per_batch)
    assert len(held) == 300 and list(held) == rows
    chunks = held.table.column("id").chunks  # a batch closes once it holds per_batch rows
    assert all(len(chunk) < per_batch + 7 for chunk in chunks) and (len(chunks) > 1) == (per_batch < 300)
    positions = [299, 0, 17, 17]
    for name in ("id", "value", "day", "note"):
        assert held.column(name) == [row[name] for row in rows]
        assert held.take(name, positions) == [rows[i][name] for i in positions]
    with pytest.raises(KeyError):
        RowBatches(pa.schema([("id", pa.string()), ("n", pa.int64())])).extend([{"id": "R1"}])


def test_a_text_column_of_arrow_rows_holds_each_distinct_text_once() -> None:
    rows = _typed_rows(500, 4)
    groups = _batched(rows, 64).column("group")
    assert groups == [row["group"] for row in rows]
    assert len({id(value) for value in groups if value is not None}) == len({g for g in groups if g})
    same = ColumnRows(list(rows[0]), rows)
    assert same.column("group") is same.columns["group"]
    assert same.take("value", [3, 1]) == [rows[3]["value"], rows[1]["value"]]


@pytest.mark.parametrize("seed", range(4))
def test_arrow_rows_sort_as_dictionaries_do(seed: int) -> None:
    rows = _typed_rows(400, seed)
    for keys in (["group", "value"], ["note", "id"], ["day", "share", "flag"]):
        assert list(sort_rows(_batched(rows, 64), keys)) == sort_rows(rows, keys)


@pytest.mark.parametrize("seed", range(3))
def test_arrow_rows_encode_to_the_bytes_columns_do(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _typed_rows(600, seed)
    columns = ColumnRows(list(rows[0]), rows)
    monkeypatch.setattr(serialize, "CSV_ARROW_ROWS_AT_ONCE", 97)
    held = _batched(rows, 128)
    assert serialize.csv_bytes(held, SCHEMA) == serialize.csv_bytes(columns, SCHEMA)
    from_arrow, from_columns = serialize.arrow_table(held, SCHEMA), serialize.arrow_table(columns, SCHEMA)
    # One chunk each, the categories in the order they first occur, as from columns.
    assert from_arrow.equals(from_columns) and from_arrow.column("group").num_chunks == 1
    assert (
        from_arrow.column("group")
        .chunk(0)
        .dictionary.equals(from_columns.column("group").chunk(0).dictionary)
    )
    assert serialize.parquet_bytes(from_arrow) == serialize.parquet_bytes(from_columns)


def test_no_rows_gathered_encode_as_no_rows() -> None:
    empty, columns = _batched([], 8), ColumnRows([f["name"] for f in SCHEMA["fields"]])
    assert len(empty) == 0 and serialize.csv_bytes(empty, SCHEMA) == serialize.csv_bytes(columns, SCHEMA)
    assert serialize.parquet_bytes(serialize.arrow_table(empty, SCHEMA)) == serialize.parquet_bytes(
        serialize.arrow_table(columns, SCHEMA)
    )
