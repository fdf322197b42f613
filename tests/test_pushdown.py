"""``load(columns=, filters=)`` reads only the asked part of a table of several row groups.

The events table here is synthetic, generated below: the rows of the synthetic project's
events repeated 60,000 times under new IDs, long incompressible summaries (as real summaries
are the bulk of the table) and dates rising with the row order (as event IDs are reserved in
annotation order) but one in ten missing (undated events), written with the project's Parquet
options in row groups of 5,000 rows.
"""

from __future__ import annotations

import hashlib
import io
import json
import types
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import caucasus_events as ce
from caucasus_events import loading, settings
from caucasus_events.build import serialize
from caucasus_events.frames import to_frame

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
        # One event in ten is undated, as in the real release: every row group holds nulls.
        "date_start": pc.if_else(pa.array(index % 10 == 0), None, days),
        "date_end": pc.if_else(pa.array(index % 10 == 0), None, days),
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


class CountingArrow(types.ModuleType):
    """pyarrow as ``loading`` sees it, but whose in-memory files count the bytes read."""

    def __init__(self) -> None:
        super().__init__("pyarrow")
        self.files: list[CountingFile] = []

    def __getattr__(self, name: str) -> object:
        return getattr(pa, name)

    def BufferReader(self, data: bytes) -> pa.PythonFile:
        self.files.append(CountingFile(data))
        return pa.PythonFile(self.files[-1], mode="r")


@pytest.fixture
def reads(package: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes the Parquet reader reads in each ``load``, with ``package`` installed.

    ``load`` checks the hash of the file's bytes, then hands them to the Parquet reader in an
    in-memory file: here a file that counts what is read.
    """
    monkeypatch.setattr(settings, "installed_data", lambda: package)
    arrow = CountingArrow()
    monkeypatch.setattr(loading, "pa", arrow)
    counts: list[int] = []
    real_load = ce.load

    def counting_load(*args: object, **kwargs: object) -> pd.DataFrame:
        arrow.files.clear()
        frame = real_load(*args, **kwargs)
        counts.append(sum(f.bytes_read for f in arrow.files))
        return frame

    monkeypatch.setattr(ce, "load", counting_load)
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


def _bounds(package: Path, group: int) -> tuple[date, date]:
    """The smallest and largest date of a row group (from its statistics)."""
    metadata = pq.ParquetFile(package / "processed" / "events.parquet").metadata
    statistics = metadata.row_group(group).column(metadata.schema.names.index("date_start")).statistics
    return statistics.min, statistics.max


FILTERS = {
    "on a group's smallest date": lambda low, high: [("date_start", "<=", low)],
    "before it": lambda low, high: [("date_start", "<", low)],
    "on its largest date": lambda low, high: [("date_start", ">=", high)],
    "after it": lambda low, high: [("date_start", ">", high)],
    "equal to it": lambda low, high: [("date_start", "==", high)],
    "in a list": lambda low, high: [("date_start", "in", [low, date(1999, 1, 1)])],
    "either of two ranges": lambda low, high: [
        [("date_start", "<", date(2020, 3, 1))],
        [("date_start", ">", high), ("date_start", "<", date(2023, 1, 1))],
    ],
    "predicates as lists": lambda low, high: [["date_start", ">=", high]],
    "not equal": lambda low, high: [("date_start", "!=", low)],
    "a timestamp (not comparable in Python, cast by pyarrow)": lambda low, high: [
        ("date_start", ">=", pd.Timestamp(high))
    ],
    "a categorical column": lambda low, high: [("plover_type", "==", "CONSULT"), ("date_start", "<=", low)],
    "an expression": lambda low, high: pc.field("date_start") >= pa.scalar(high),
}


@pytest.mark.parametrize("make", FILTERS.values(), ids=FILTERS.keys())
def test_row_groups_left_out_hold_no_row_the_filters_keep(make, package: Path, monkeypatch) -> None:
    """Against pyarrow filtering every row group: leaving row groups out loses no row."""
    monkeypatch.setattr(settings, "installed_data", lambda: package)
    filters = make(*_bounds(package, 5))
    schema = json.loads((package / "schemas" / "events.json").read_text(encoding="utf-8"))
    table = pq.read_table(package / "processed" / "events.parquet")
    expected = to_frame(
        table.filter(filters if isinstance(filters, pc.Expression) else pq.filters_to_expression(filters)),
        schema,
    )
    part = ce.load("events", filters=filters)
    assert 0 < len(part) < table.num_rows
    pd.testing.assert_frame_equal(part, expected)


def test_a_filter_on_a_missing_column_is_refused_by_pyarrow_with_its_reason(
    package: Path, monkeypatch
) -> None:
    monkeypatch.setattr(settings, "installed_data", lambda: package)
    with pytest.raises(
        ce.DataError, match=r"cannot apply filters=\[\('nope', '>', 1\)\] \(No match for FieldRef"
    ):
        ce.load("events", filters=[("nope", ">", 1)])
