"""Model checks per partition: the row-local part of each model on slices of rows (in this
process, a process pool or a Dask LocalCluster) plus the table-wide part on whole tables give
the problems of the whole-table model, at the same lines."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow.parquet as pq
import pytest
from pandera.typing import Series

from caucasus_events.build import partchecks
from caucasus_events.build.models import MODELS, Events
from caucasus_events.build.validate import TableFindings, check_frames, model_problems, table_findings
from caucasus_events.frames import to_frame
from caucasus_events.problems import Problem

REPO = Path(__file__).resolve().parents[1]
#: Partitions of 100 rows: the mentions table (over 500 rows) has several.
ROWS = 100
ROW = 150  # in the second partition; line ROW + 2 of processed/mentions.csv


def frames() -> dict[str, pd.DataFrame]:
    """The committed tables (built from raw/ by the build) as the build checks them."""
    found = {}
    for table in MODELS:
        schema = json.loads((REPO / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
        found[table] = to_frame(pq.read_table(REPO / "processed" / f"{table}.parquet"), schema)
    return found


def whole(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The whole-table model's problems, in the order check_frames gives."""
    found = []
    for table, frame in tables.items():
        problems = model_problems(table, frame)
        found += sorted(problems, key=lambda p: (p.line is not None, p.line or 0, p.field, p.message))
    return [str(p) for p in found]


def broken_row(tables: dict[str, pd.DataFrame]) -> str:
    mentions = tables["mentions"]
    assert len(mentions) > 2 * ROWS
    mentions.loc[ROW, "quote_sha256"] = "not-a-hash"
    return f"processed/mentions.csv:{ROW + 2}: quote_sha256: str_matches('^[0-9a-f]{{64}}$') failed (value 'not-a-hash')"


def duplicate(tables: dict[str, pd.DataFrame]) -> str:
    mentions = tables["mentions"]
    first = mentions.at[10, "mention_id"]
    mentions.loc[ROW, "mention_id"] = first  # partition 0 and partition 1
    return f"processed/mentions.csv:{ROW + 2}: mention_id: duplicate {first!r} (first on line 12; expected each once)"


def test_committed_tables_pass_per_partition() -> None:
    assert check_frames(frames(), rows=ROWS) == []


@pytest.mark.parametrize("damage", [broken_row, duplicate])
def test_in_this_process_the_problems_are_the_whole_tables(damage) -> None:
    tables = frames()
    expected = damage(tables)
    found = [str(p) for p in check_frames(tables, rows=ROWS)]
    assert expected in found
    assert found == whole(tables)


def test_row_violation_in_the_second_partition_on_a_dask_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    from caucasus_events.build import daskengine

    tables = frames()
    expected = broken_row(tables)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
    ):
        found = [str(p) for p in check_frames(tables, mapper=daskengine.mapper(client), rows=ROWS)]
    assert found == whole(tables) == [expected]
    assert any(task["key"].startswith("row_problems") for task in stream.data)


def test_duplicate_across_partitions_in_a_process_pool() -> None:
    tables = frames()
    expected = duplicate(tables)
    with ProcessPoolExecutor(2) as pool:
        found = [str(p) for p in check_frames(tables, mapper=pool.map, rows=ROWS)]
    assert found == whole(tables) == [expected]


def test_tables_checked_where_they_were_encoded_are_not_checked_again() -> None:
    tables = frames()
    expected = broken_row(tables)
    found = {table: table_findings(table, frame) for table, frame in tables.items()}
    assert [str(p) for p in check_frames(tables, rows=ROWS, found=found)] == whole(tables) == [expected]
    # What was found where the table was made stands for its checks, the quotes' included.
    planted = Problem("processed/mentions.csv", 3, "quote", "planted")
    clean = {**found, "mentions": TableFindings(model=[], quotes=[planted])}
    assert check_frames(tables, rows=ROWS, found=clean) == [planted]


def test_the_models_checks_are_split_by_what_they_look_at() -> None:
    local, rest = partchecks.split("mentions")
    assert [c.name for c in local.checks] == ["span_ordered", "dates_ordered"]
    assert [c.name for c in local.columns["start"].checks] == ["greater_than_or_equal_to"]
    assert [c.name for c in local.columns["quote_sha256"].checks] == ["str_matches"]
    assert not local.columns["start"].nullable and not local.columns["mention_id"].unique
    assert local.unique is None and local.columns["start"].dtype is None
    assert rest.columns["mention_id"].unique and rest.unique == ["article_id", "event_id", "start", "end"]
    assert str(rest.columns["start"].dtype) == "Int64" and rest.strict and rest.ordered
    assert rest.checks == [] and all(not c.checks for c in rest.columns.values())


class Counted(pa.DataFrameModel):
    value: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check
    @classmethod
    def rising(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"] >= df["value"].shift(1).fillna(0)

    @pa.dataframe_check
    @classmethod
    def positive(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["value"] > 0) | df["value"].isna()


@pytest.mark.parametrize(
    ("check", "local"),
    [
        (pa.Check.ge(0), True),
        (pa.Check.isin([1, 2]), True),
        (pa.Check.str_matches("^a$"), True),
        (pa.Check(lambda x: x > 0, element_wise=True), True),
        (pa.Check.unique_values_eq([1, 2]), False),  # needs every row
        (pa.Check(lambda s: s > s.mean()), False),  # its source is not readable alone: table-wide
        (pa.Check(lambda s: s > 0, groupby="value"), False),
    ],
)
def test_a_check_is_row_local_only_when_its_code_says_so(check: pa.Check, local: bool) -> None:
    assert partchecks.row_local(check, Counted) is local


def test_a_dataframe_check_that_looks_at_other_rows_is_table_wide() -> None:
    checks = {c.name: partchecks.row_local(c, Counted) for c in Counted.to_schema().checks}
    assert checks == {"rising": False, "positive": True}
    assert partchecks.row_local(Events.to_schema().checks[0], Events)


def test_frames_made_from_arrow_when_read_check_as_frames_held_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from caucasus_events.build import validate

    schemas = {
        table: json.loads((REPO / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
        for table in MODELS
    }
    arrow = {table: pq.read_table(REPO / "processed" / f"{table}.parquet") for table in MODELS}
    held = frames()
    made = []
    monkeypatch.setattr(
        validate, "to_frame", lambda table, schema: made.append(schema) or to_frame(table, schema)
    )
    lazy = validate.FramesOfTables(arrow, schemas)
    assert list(lazy) == list(held) and len(lazy) == len(held) and not made
    pd.testing.assert_frame_equal(lazy["mentions"], held["mentions"])
    assert lazy["mentions"] is lazy["mentions"] and len(made) == 1  # the last read is kept
    for table in ("events", "articles", "actors", "places"):
        lazy[table]
    assert len(lazy._recent) == validate.FramesOfTables.RECENT and "mentions" not in lazy._recent
    found = {table: table_findings(table, frame) for table, frame in held.items()}
    made.clear()
    assert check_frames(lazy, found=found) == check_frames(held, found=found) == []
    # Every table's checks were found where it was made: the frames are made only for the
    # checks across tables, a few at a time.
    assert made and len(lazy._recent) <= validate.FramesOfTables.RECENT
