"""The files a build makes, kept on disk as they are encoded rather than in memory.

The CSV and Parquet files of a large corpus are as large as its tables: held as bytes until
the build commits them, they were a sixth of its peak memory. A :class:`Spool` writes each file
once, as it is made, to a private temporary folder (in the system's temporary folder, which
``TMPDIR`` chooses), and reads it back when asked for. The folder goes with the spool.

An :class:`ArraySpool` does the same for arrays the build reads once, late (each text's
passage fingerprints, which only the linter reads): held in memory, they were a tenth of the
peak of a build of 100,000 articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import BinaryIO

import numpy as np

from caucasus_events.build.safefile import os_message
from caucasus_events.problems import InputError, Problem


def _unwritable(exc: OSError) -> InputError:
    return InputError(
        [
            Problem(
                tempfile.gettempdir(),
                None,
                "-",
                f"cannot be written: {os_message(exc)}; the build writes its files here "
                "before committing them (set TMPDIR to a writable folder)",
            )
        ]
    )


#: How much of a spooled file is read at once where it is not read whole.
BLOCK_SIZE = 1 << 20


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of the file at ``path``, read a block at a time."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class Spool(Mapping[str, bytes]):
    """Files by path relative to the package root (``processed/events.csv``), on disk.

    Reads as a dictionary of bytes (each read from disk when asked for), its paths sorted. Writing a file that cannot be written raises :class:`InputError`
    naming it and the system's reason; nothing is left of it.
    """

    def __init__(self) -> None:
        try:
            self.folder = Path(tempfile.mkdtemp(prefix="caucasus-events-build-"))
        except OSError as exc:
            raise _unwritable(exc) from None
        self._names: dict[str, None] = {}
        self._digests: dict[str, str] = {}
        # The folder goes when the spool does, or at exit, whichever comes first.
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    @contextlib.contextmanager
    def writing(self, rel: str) -> Iterator[BinaryIO]:
        """Write the file ``rel`` through a binary handle; it is listed once written in full."""
        path = self.folder / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                yield handle
        except OSError as exc:
            with contextlib.suppress(OSError):  # whatever is left goes with the folder
                path.unlink(missing_ok=True)
            raise InputError(
                [Problem(rel, None, "-", f"cannot be written to {self.folder}: {os_message(exc)}")]
            ) from None
        self._names[rel] = None
        self._digests.pop(rel, None)

    def write(self, rel: str, data: bytes) -> None:
        """Write the file ``rel`` with ``data``."""
        with self.writing(rel) as handle:
            handle.write(data)

    def __getitem__(self, rel: str) -> bytes:
        return self._path(rel).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))  # the same order however the files were written

    def size(self, rel: str) -> int:
        """The size of the file ``rel`` in bytes, without reading it."""
        return self._path(rel).stat().st_size

    def sha256(self, rel: str) -> str:
        """The hex SHA-256 of the file ``rel``, read a block at a time (once: it is kept)."""
        if rel not in self._digests:
            self._digests[rel] = sha256_file(self._path(rel))
        return self._digests[rel]

    def blocks(self, rel: str) -> Iterator[bytes]:
        """The bytes of the file ``rel``, BLOCK_SIZE at a time."""
        with self._path(rel).open("rb") as handle:
            while block := handle.read(BLOCK_SIZE):
                yield block

    def _path(self, rel: str) -> Path:
        """Where the file ``rel`` is, or a ``KeyError`` when the spool has none by that name."""
        if rel not in self._names:
            raise KeyError(rel)
        return self.folder / rel

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Spool({len(self)} files in {self.folder})"


# A build's files are a Spool; tests and tools pass plain dictionaries of bytes. These read
# either, a Spool's files a block at a time: a large table's file read whole for its size or
# hash was, for that moment, the largest thing in the build's memory.


def file_size(files: Mapping[str, bytes], rel: str) -> int:
    """The size in bytes of file ``rel`` of ``files``."""
    return files.size(rel) if isinstance(files, Spool) else len(files[rel])


def file_sha256(files: Mapping[str, bytes], rel: str) -> str:
    """The hex SHA-256 of file ``rel`` of ``files``."""
    return files.sha256(rel) if isinstance(files, Spool) else hashlib.sha256(files[rel]).hexdigest()


def file_blocks(files: Mapping[str, bytes], rel: str) -> Iterator[bytes]:
    """The bytes of file ``rel`` of ``files``, in blocks."""
    return files.blocks(rel) if isinstance(files, Spool) else iter((files[rel],))


class ArraySpool(MutableMapping[str, np.ndarray]):
    """One-dimensional arrays of one ``dtype`` by key, kept in an unnamed temporary file.

    Each array is appended to the file as it is stored, and read back (a copy) when asked for;
    only the key, offset and length of each stay in memory. Removing a key forgets its array
    (its bytes stay in the file until the spool goes). The file goes with the spool; a forked
    process reads its own copy of the keys from the same file. Writing that fails (no room,
    no temporary folder) raises :class:`InputError`.
    """

    def __init__(self, dtype: np.dtype | type = np.uint64) -> None:
        self.dtype = np.dtype(dtype)
        try:
            # Closed by the finalizer below: the file lives as long as the spool.
            self._file = tempfile.TemporaryFile(prefix="caucasus-events-build-")  # noqa: SIM115
        except OSError as exc:
            raise _unwritable(exc) from None
        weakref.finalize(self, self._file.close)
        self._end = 0
        self._where: dict[str, tuple[int, int]] = {}  # key: (offset, number of items)

    def __setitem__(self, key: str, values: np.ndarray) -> None:
        data = memoryview(np.ascontiguousarray(values, dtype=self.dtype)).cast("B")
        try:
            written = 0
            while written < len(data):  # a write may take only part of the bytes
                written += os.pwrite(self._file.fileno(), data[written:], self._end + written)
        except OSError as exc:
            raise _unwritable(exc) from None
        self._where[key] = (self._end, len(data) // self.dtype.itemsize)
        self._end += len(data)

    def __getitem__(self, key: str) -> np.ndarray:
        offset, count = self._where[key]
        data = os.pread(self._file.fileno(), count * self.dtype.itemsize, offset)
        return np.frombuffer(data, dtype=self.dtype)

    def __delitem__(self, key: str) -> None:
        del self._where[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def clear(self) -> None:
        """Forget every array (without reading them, as the mixin's would)."""
        self._where.clear()

    def __repr__(self) -> str:
        return f"ArraySpool({len(self)} arrays of {self.dtype}, {self._end:,} bytes)"
