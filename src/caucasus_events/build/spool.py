"""The files a build makes, kept on disk as they are encoded rather than in memory.

The CSV and Parquet files of a large corpus are as large as its tables: held as bytes until
the build commits them, they were a sixth of its peak memory. A :class:`Spool` writes each file
once, as it is made, to a private temporary folder (in the system's temporary folder, which
``TMPDIR`` chooses), and reads it back when asked for. The folder goes with the spool.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from caucasus_events.build.safefile import os_message
from caucasus_events.problems import InputError, Problem


class Spool(Mapping[str, bytes]):
    """Files by path relative to the package root (``processed/events.csv``), on disk.

    Reads as a dictionary of bytes (each read from disk when asked for), its paths sorted. Writing a file that cannot be written raises :class:`InputError`
    naming it and the system's reason; nothing is left of it.
    """

    def __init__(self) -> None:
        try:
            self.folder = Path(tempfile.mkdtemp(prefix="caucasus-events-build-"))
        except OSError as exc:
            raise InputError(
                [
                    Problem(
                        tempfile.gettempdir(),
                        None,
                        "-",
                        f"cannot be written: {os_message(exc)}; the build writes its files here "
                        "before committing them (set TMPDIR to a writable folder)",
                    )
                ]
            ) from None
        self._names: dict[str, None] = {}
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

    def write(self, rel: str, data: bytes) -> None:
        """Write the file ``rel`` with ``data``."""
        with self.writing(rel) as handle:
            handle.write(data)

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self._names:
            raise KeyError(rel)
        return (self.folder / rel).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names))  # the same order however the files were written

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Spool({len(self)} files in {self.folder})"
