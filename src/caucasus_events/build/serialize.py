"""Deterministic bytes for the published files: CSV, Parquet and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from caucasus_events.build.rows import ArrowRows, ColumnRows
from caucasus_events.frames import arrow_schema

PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "row_group_size": 131072,
    "use_dictionary": True,
    "write_statistics": True,
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _cells(values: list) -> list:
    """A column's CSV cells, as :func:`_cell` writes them."""
    if set(map(type, values)) <= {str, type(None)}:  # most columns: text, written as it is
        return ["" if value is None else value for value in values]
    return [_cell(value) for value in values]


def columns_of(rows: ColumnRows | list[dict], schema: dict) -> dict[str, list]:
    """The rows as one list of values per field of the Table Schema, in its order (Arrow rows
    are read a slice at a time instead, see :func:`write_csv`)."""
    if isinstance(rows, ColumnRows):
        return {f["name"]: rows.columns[f["name"]] for f in schema["fields"]}
    return {f["name"]: [row[f["name"]] for row in rows] for f in schema["fields"]}


#: Rows whose cells are made at once: the cells of a whole large table would take as much
#: memory again as its file.
CSV_ROWS_AT_ONCE = 65536
#: The same for rows held in Arrow, each of whose values becomes a new Python object (where
#: columns share theirs): 65,536 rows of mentions at once took 50 MB.
CSV_ARROW_ROWS_AT_ONCE = 8192


def write_csv(
    handle: BinaryIO,
    rows: ArrowRows | ColumnRows | list[dict],
    schema: dict,
    columns: dict[str, list] | None = None,
) -> None:
    """Write the rows to ``handle`` as RFC 4180 CSV, UTF-8, LF line endings, ISO dates,
    ``true``/``false``, empty for null.

    ``columns`` (from :func:`columns_of`) saves taking the rows apart again. Arrow rows are
    made into Python values CSV_ARROW_ROWS_AT_ONCE rows at a time, the values columns hold.
    """
    names = [f["name"] for f in schema["fields"]]
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    if isinstance(rows, ArrowRows):
        table = rows.table.select(names)
        for low in range(0, table.num_rows, CSV_ARROW_ROWS_AT_ONCE):
            part = table.slice(low, CSV_ARROW_ROWS_AT_ONCE)
            writer.writerows(zip(*(_cells(values.to_pylist()) for values in part.columns), strict=True))
    else:
        columns = columns if columns is not None else columns_of(rows, schema)
        for low in range(0, len(next(iter(columns.values()), ())), CSV_ROWS_AT_ONCE):
            high = low + CSV_ROWS_AT_ONCE
            writer.writerows(zip(*(_cells(values[low:high]) for values in columns.values()), strict=True))
    text.flush()
    text.detach()  # the handle stays the caller's to close


def csv_bytes(
    rows: ArrowRows | ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None
) -> bytes:
    """The bytes :func:`write_csv` writes."""
    buffer = io.BytesIO()
    write_csv(buffer, rows, schema, columns)
    return buffer.getvalue()


def arrow_table(
    rows: ArrowRows | ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None
) -> pa.Table:
    """The rows as an Arrow table typed by the Table Schema (no pandas metadata).

    Whatever the rows were held in, the table is the same: one chunk per column, and each
    categorical column's dictionary in the order its values first occur.
    """
    typed = arrow_schema(schema)
    if not isinstance(rows, ArrowRows):
        columns = columns if columns is not None else columns_of(rows, schema)
        return pa.Table.from_pydict(columns, schema=typed)
    table = rows.table.select(typed.names).combine_chunks()
    arrays = [
        pc.dictionary_encode(column)
        if pa.types.is_dictionary(field.type) and not pa.types.is_dictionary(column.type)
        else column
        for field, column in zip(typed, table.columns, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=typed)


def write_parquet(table: pa.Table, where: str | Path | BinaryIO) -> None:
    """Write Parquet with fixed compression and row groups, so the bytes depend only on the rows."""
    pq.write_table(table, where, **PARQUET_OPTIONS)


def parquet_bytes(table: pa.Table) -> bytes:
    """The bytes :func:`write_parquet` writes."""
    sink = pa.BufferOutputStream()
    write_parquet(table, sink)
    return sink.getvalue().to_pybytes()


def json_bytes(document: object) -> bytes:
    """Pretty JSON with a trailing newline (keys in the order given)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
