"""The build's files, kept on disk until they are committed (build.spool)."""

from __future__ import annotations

import gc
import io
import multiprocessing
import os

import numpy as np
import pyarrow as pa
import pytest

from caucasus_events.build import serialize
from caucasus_events.build import spool as spool_module
from caucasus_events.build.rows import ColumnRows
from caucasus_events.build.spool import ArraySpool, Spool, file_blocks, file_sha256, file_size
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


def test_array_spool_reads_back_each_array_and_holds_only_keys_in_memory() -> None:
    arrays = ArraySpool()
    made = {f"t{i}": np.arange(i * 7, dtype=np.uint64) * np.uint64(2**61 + i) for i in range(40)}
    for key, values in made.items():
        arrays[key] = values
    assert list(arrays) == list(made) and len(arrays) == 40
    assert not arrays._where["t0"][1] and arrays._end == sum(v.nbytes for v in made.values())
    for key in ("t39", "t3", "t0", "t17"):
        assert arrays[key].dtype == np.uint64 and np.array_equal(arrays[key], made[key])
    assert np.array_equal(arrays.pop("t5"), made["t5"]) and "t5" not in arrays and len(arrays) == 39
    with pytest.raises(KeyError):
        arrays["t5"]
    arrays.clear()
    assert len(arrays) == 0 and not list(arrays)


def _read_in_child(arrays: ArraySpool, key: str, out) -> None:
    out.send(arrays.pop(key).tolist())


def test_a_forked_process_reads_the_arrays_the_parent_forgot() -> None:
    arrays = ArraySpool()
    arrays["a"] = np.array([3, 1, 2], dtype=np.uint64)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(arrays, "a", send))
    child.start()
    arrays.clear()  # as the build does once a pool's process has the rule
    assert receive.recv() == [3, 1, 2]
    child.join()
    assert child.exitcode == 0


def test_an_array_spool_without_a_writable_temporary_folder_says_where(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # as TMPDIR would set it
    with pytest.raises(InputError) as caught:
        ArraySpool()
    [problem] = caught.value.problems
    assert "cannot be written" in problem.message and "TMPDIR" in problem.message


def test_a_failed_write_to_an_array_spool_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = ArraySpool()

    def full(*_: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full)
    with pytest.raises(InputError) as caught:
        arrays["a"] = np.arange(3, dtype=np.uint64)
    assert "No space left" in caught.value.problems[0].message and "a" not in arrays


def test_sizes_hashes_and_blocks_of_a_spool_are_those_of_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setattr(spool_module, "BLOCK_SIZE", 5)
    data = bytes(range(256)) * 3
    files = Spool()
    files.write("processed/a.csv", data)
    plain = {"processed/a.csv": data}
    for source in (files, plain):
        assert file_size(source, "processed/a.csv") == len(data)
        assert file_sha256(source, "processed/a.csv") == hashlib.sha256(data).hexdigest()
        assert b"".join(file_blocks(source, "processed/a.csv")) == data
    assert max(map(len, file_blocks(files, "processed/a.csv"))) == 5  # never read whole
    files.write("processed/a.csv", b"other")  # a file written again is hashed again
    assert file_sha256(files, "processed/a.csv") == hashlib.sha256(b"other").hexdigest()
    for ask in (file_size, file_sha256, lambda f, r: list(file_blocks(f, r))):
        with pytest.raises(KeyError):
            ask(files, "processed/missing.csv")
