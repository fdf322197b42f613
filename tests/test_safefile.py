"""Reading raw inputs as regular files of bounded size (build.safefile)."""

import os
from pathlib import Path

import pytest

from caucasus_events.build import safefile
from caucasus_events.build.safefile import FileFault, read_regular


def _recording_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    real_read = os.read

    def read(fd: int, size: int) -> bytes:
        asked.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(safefile.os, "read", read)
    return asked


def test_a_small_file_is_read_in_blocks_of_about_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(5000)
    (tmp_path / "a.txt").write_bytes(data)
    asked = _recording_reads(monkeypatch)
    assert read_regular(tmp_path / "a.txt") == data
    # Python allocates the whole size of a read: a block of 1 MiB for a file of 5 kB would
    # cost a fresh memory mapping per read.
    assert asked and max(asked) <= len(data) + safefile.READ_MARGIN


def test_a_file_larger_than_fstat_said_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(3 * safefile.READ_MARGIN + 17)
    (tmp_path / "a.txt").write_bytes(data)
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:  # as if the file grew after fstat
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(safefile.os, "fstat", fstat)
    assert read_regular(tmp_path / "a.txt") == data
    with pytest.raises(FileFault, match="grew beyond 100,000 bytes"):
        read_regular(tmp_path / "a.txt", limit=100_000)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x" * 101)
    assert read_regular(tmp_path / "a.txt", limit=101) == b"x" * 101
    with pytest.raises(FileFault, match="file is 101 bytes \\(expected at most 100\\)"):
        read_regular(tmp_path / "a.txt", limit=100)
