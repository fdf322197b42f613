"""Deterministic bytes for the published files: CSV, Parquet and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import BinaryIO

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


#: Rows whose cells are made at once: the cells of a whole large table would take as much
#: memory again as its file.
CSV_ROWS_AT_ONCE = 65536


def write_csv(
    handle: BinaryIO, rows: ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None
) -> None:
    """Write the rows to ``handle`` as RFC 4180 CSV, UTF-8, LF line endings, ISO dates,
    ``true``/``false``, empty for null.

    ``columns`` (from :func:`columns_of`) saves taking the rows apart again.
    """
    columns = columns if columns is not None else columns_of(rows, schema)
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(columns))
    for low in range(0, len(next(iter(columns.values()), ())), CSV_ROWS_AT_ONCE):
        high = low + CSV_ROWS_AT_ONCE
        writer.writerows(zip(*(_cells(values[low:high]) for values in columns.values()), strict=True))
    text.flush()
    text.detach()  # the handle stays the caller's to close


def csv_bytes(rows: ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None) -> bytes:
    """The bytes :func:`write_csv` writes."""
    buffer = io.BytesIO()
    write_csv(buffer, rows, schema, columns)
    return buffer.getvalue()


def arrow_table(
    rows: ColumnRows | list[dict], schema: dict, columns: dict[str, list] | None = None
) -> pa.Table:
    """The rows as an Arrow table typed by the Table Schema (no pandas metadata)."""
    columns = columns if columns is not None else columns_of(rows, schema)
    return pa.Table.from_pydict(columns, schema=arrow_schema(schema))


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
