"""The build's files, kept on disk until they are committed (build.spool)."""

from __future__ import annotations

import gc
import io

import pyarrow as pa
import pytest

from caucasus_events.build import serialize
from caucasus_events.build.rows import ColumnRows
from caucasus_events.build.spool import Spool
from caucasus_events.problems import InputError

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer"},
        {"name": "when", "type": "date"},
    ]
}


def test_spool_reads_back_what_was_written_in_sorted_order() -> None:
    files = Spool()
    files.write("processed/b.csv", b"b\n")
    with files.writing("processed/a.parquet") as handle:
        handle.write(b"PAR1")
    files.write("datapackage.json", b"{}\n")
    assert list(files) == ["datapackage.json", "processed/a.parquet", "processed/b.csv"]
    assert dict(files) == {
        "datapackage.json": b"{}\n",
        "processed/a.parquet": b"PAR1",
        "processed/b.csv": b"b\n",
    }
    assert files == {"datapackage.json": b"{}\n", "processed/a.parquet": b"PAR1", "processed/b.csv": b"b\n"}
    with pytest.raises(KeyError):
        files["processed/missing.csv"]


def test_spool_folder_goes_with_the_spool() -> None:
    files = Spool()
    files.write("processed/a.csv", b"a\n")
    folder = files.folder
    assert (folder / "processed/a.csv").is_file()
    del files
    gc.collect()
    assert not folder.exists()


def test_a_file_that_cannot_be_written_is_named_and_not_listed() -> None:
    files = Spool()
    (files.folder / "processed").write_text("a file where the folder should be")
    with pytest.raises(InputError) as caught:
        files.write("processed/a.csv", b"a\n")
    [problem] = caught.value.problems
    assert problem.path == "processed/a.csv" and "cannot be written" in problem.message
    assert "processed/a.csv" not in files and len(files) == 0


def test_a_failed_write_leaves_nothing_listed() -> None:
    files = Spool()
    with pytest.raises(RuntimeError), files.writing("processed/a.csv") as handle:
        handle.write(b"half")
        raise RuntimeError("the encoder failed")
    assert len(files) == 0


def test_csv_written_in_chunks_is_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    rows = ColumnRows(
        ["id", "n", "when"],
        [{"id": f"r{i}" if i % 3 else None, "n": i, "when": dt.date(2022, 1, 1 + i % 28)} for i in range(50)],
    )
    whole = serialize.csv_bytes(rows, SCHEMA)
    monkeypatch.setattr(serialize, "CSV_ROWS_AT_ONCE", 7)
    handle = io.BytesIO()
    serialize.write_csv(handle, rows, SCHEMA)
    assert handle.getvalue() == whole == serialize.csv_bytes(rows, SCHEMA)
    assert whole.count(b"\n") == 51 and b",2022-01-01\n" in whole


def test_parquet_written_to_a_file_is_the_same_bytes(tmp_path) -> None:
    table = pa.table({"id": ["a", "b", None], "n": [1, 2, 3]})
    serialize.write_parquet(table, tmp_path / "t.parquet")
    assert (tmp_path / "t.parquet").read_bytes() == serialize.parquet_bytes(table)
