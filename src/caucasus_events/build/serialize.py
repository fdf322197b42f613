"""Deterministic bytes for the published files: CSV, Parquet and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

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


def csv_bytes(rows: list[dict], schema: dict) -> bytes:
    """RFC 4180 CSV, UTF-8, LF line endings, ISO dates, ``true``/``false``, empty for null."""
    names = [f["name"] for f in schema["fields"]]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in names])
    return buffer.getvalue().encode("utf-8")


def arrow_table(rows: list[dict], schema: dict) -> pa.Table:
    """The rows as an Arrow table typed by the Table Schema (no pandas metadata)."""
    target = arrow_schema(schema)
    columns = {f.name: [row[f.name] for row in rows] for f in target}
    return pa.Table.from_pydict(columns, schema=target)


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet with fixed compression and row groups, so the bytes depend only on the rows."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def json_bytes(document: object) -> bytes:
    """Pretty JSON with a trailing newline (keys in the order given)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
