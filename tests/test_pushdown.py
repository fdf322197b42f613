"""``load(columns=, filters=)`` reads only the asked part of a table of several row groups.

The events table here is synthetic, generated below: the rows of the synthetic project's
events repeated 60,000 times under new IDs, long incompressible summaries (as real summaries
are the bulk of the table) and dates rising with the row order (as event IDs are reserved in
annotation order), written with the project's Parquet options in row groups of 5,000 rows.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import caucasus_events as ce
from caucasus_events import settings
from caucasus_events.build import serialize

ROWS, GROUP = 60_000, 5_000
COLUMNS = ["event_id", "date_start", "cameo_code"]
YEAR = [("date_start", ">=", date(2022, 1, 1)), ("date_start", "<", date(2023, 1, 1))]


def _large_events(events: pa.Table) -> pa.Table:
    """``ROWS`` events made from the small table's rows, dated 2020-2025 in row order."""
    index = np.arange(ROWS)
    table = events.take(pa.array(index % events.num_rows))
    days = pa.array(np.datetime64("2020-01-01", "D") + index * (6 * 365) // ROWS, pa.date32())
    replaced = {
        "event_id": pa.array([f"E{n:06d}" for n in index + 1]),
        "summary": pa.array([hashlib.sha256(str(n).encode()).hexdigest() * 3 for n in index.tolist()]),
        "date_start": days,
        "date_end": days,
    }
    for name, column in replaced.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory, built_synthetic: Path) -> Path:
    """The synthetic package with a large events table; its descriptor records the new hash."""
    root = tmp_path_factory.mktemp("pushdown")
    for name in ("datapackage.json", "schemas", "processed"):
        source = built_synthetic / name
        if source.is_dir():
            (root / name).mkdir()
            for file in source.iterdir():
                (root / name / file.name).write_bytes(file.read_bytes())
        else:
            (root / name).write_bytes(source.read_bytes())
    path = root / "processed" / "events.parquet"
    table = _large_events(pq.read_table(path))
    pq.write_table(table, path, **{**serialize.PARQUET_OPTIONS, "row_group_size": GROUP})
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "events-parquet")
    data = path.read_bytes()
    resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    resource["x-bytes"] = len(data)
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


class CountingFile(io.BytesIO):
    """A file in memory that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.fixture
def reads(package: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes pyarrow reads from the table in each ``load``, with ``package`` installed.

    ``load`` hands the Parquet reader the file's bytes (after checking their hash); here the
    reader gets them through a file that counts what is read, with whatever columns and filters
    ``load`` passes on.
    """
    monkeypatch.setattr(settings, "installed_data", lambda: package)
    read_table, counts = pq.read_table, []

    def counting(source: pa.BufferReader, **kwargs: object) -> pa.Table:
        file = CountingFile(source.read())
        table = read_table(pa.PythonFile(file, mode="r"), **kwargs)
        counts.append(file.bytes_read)
        return table

    monkeypatch.setattr(pq, "read_table", counting)
    return counts


def test_the_table_spans_several_row_groups_with_date_statistics(package: Path) -> None:
    metadata = pq.ParquetFile(package / "processed" / "events.parquet").metadata
    assert metadata.num_row_groups == ROWS // GROUP
    column = metadata.schema.names.index("date_start")
    assert all(metadata.row_group(g).column(column).statistics.has_min_max for g in range(ROWS // GROUP))


def test_columns_and_filters_read_only_what_is_asked_and_match_the_whole_table_filtered(
    reads: list[int],
) -> None:
    whole = ce.load("events")
    columns = ce.load("events", columns=COLUMNS)
    part = ce.load("events", columns=COLUMNS, filters=YEAR)
    # Row-group statistics exclude every row of this one: only the footer is read.
    nothing = ce.load("events", columns=COLUMNS, filters=[("date_start", "<", date(2000, 1, 1))])
    footer = reads[3]
    whole_bytes, column_bytes, part_bytes = (n - footer for n in reads[:3])
    assert nothing.empty
    # Three of 26 columns, none of them the summaries that are the bulk of the table.
    assert column_bytes < 0.1 * whole_bytes, reads
    # Of those, the two or three row groups of 2022 among twelve.
    assert part_bytes < 0.35 * column_bytes, reads
    in_year = (whole["date_start"] >= pd.Timestamp(2022, 1, 1)) & (
        whole["date_start"] < pd.Timestamp(2023, 1, 1)
    )
    assert 0 < in_year.sum() < len(whole) / 4
    pd.testing.assert_frame_equal(part, whole.loc[in_year, COLUMNS].reset_index(drop=True))
    pd.testing.assert_frame_equal(columns, whole[COLUMNS])
