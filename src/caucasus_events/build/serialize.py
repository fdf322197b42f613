"""Deterministic bytes for the published files: CSV, Parquet and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from caucasus_events.build.rows import ColumnRows
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
    """The rows as one list of values per field of the Table Schema, in its order."""
    if isinstance(rows, ColumnRows):
        return {f["name"]: rows.columns[f["name"]] for f in schema["fields"]}
    return {f["name"]: [row[f["name"]] for row in rows] for f in schema["fields"]}


def csv_bytes(rows: ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None) -> bytes:
    """RFC 4180 CSV, UTF-8, LF line endings, ISO dates, ``true``/``false``, empty for null.

    ``columns`` (from :func:`columns_of`) saves taking the rows apart again.
    """
    columns = columns if columns is not None else columns_of(rows, schema)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(columns))
    writer.writerows(zip(*(_cells(values) for values in columns.values()), strict=True))
    return buffer.getvalue().encode("utf-8")


def arrow_table(
    rows: ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None
) -> pa.Table:
    """The rows as an Arrow table typed by the Table Schema (no pandas metadata)."""
    columns = columns if columns is not None else columns_of(rows, schema)
    return pa.Table.from_pydict(columns, schema=arrow_schema(schema))


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet with fixed compression and row groups, so the bytes depend only on the rows."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def json_bytes(document: object) -> bytes:
    """Pretty JSON with a trailing newline (keys in the order given)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
