"""Read an input file safely: regular files only, never blocking, never more than a limit.

Every file the build reads from raw/ goes through :func:`read_regular`, so that a FIFO, a
device, a folder or an unreadable file where a file is expected gives a problem naming it
(exit 2) rather than a hang or an internal error, and no file is read beyond its limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Upper bound for any single raw input (texts, YAML, CSV). No real input comes near it.
MAX_INPUT_BYTES = 64 * 1024 * 1024
#: Bytes read beyond a file's size as fstat gives it: the last read finds the end in a small
#: block (or the bytes of a file that grew).
READ_MARGIN = 64 * 1024


class FileFault(Exception):
    """A file cannot be read as a regular file; ``message`` says why, for a Problem."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def os_message(exc: OSError) -> str:
    """An OSError as a reader understands it: the system's words and what was expected."""
    what = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return f"{what} (expected free space on the device for the outputs)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what} (expected a folder and files this user may read and write)"
    if exc.errno == errno.EISDIR:
        return f"{what} (expected a file, not a folder)"
    if exc.errno == errno.ENOTDIR:
        return f"{what} (expected a folder, not a file)"
    return f"{what} (expected a readable file)"


def read_regular(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO with no writer would otherwise wait forever)
    and checked with ``fstat`` on the open descriptor, so what is checked is what is read.

    Raises
    ------
    FileFault
        When ``path`` is missing, not a regular file, unreadable or larger than ``limit``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileFault("missing file") from None
    except OSError as exc:
        raise FileFault(f"cannot be opened: {os_message(exc)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileFault("is a folder (expected a regular file)")
        if not stat.S_ISREG(info.st_mode):
            raise FileFault("is a FIFO, socket or device (expected a regular file)")
        if info.st_size > limit:
            raise FileFault(f"file is {info.st_size:,} bytes (expected at most {limit:,})")
        chunks, size = [], 0
        # Each read asks for what fstat says is left and a little more, bounded even if the file
        # grows while it is read. Python allocates a read's whole size first: blocks of 1 MiB
        # for files of a few kilobytes cost the build a fresh mapping per read (see
        # build.allocator), 40 s at 100,000 articles.
        while chunk := os.read(fd, min(max(info.st_size - size, 0) + READ_MARGIN, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileFault(f"file grew beyond {limit:,} bytes while being read")
        return b"".join(chunks)
    except OSError as exc:
        raise FileFault(f"cannot be read: {os_message(exc)}") from None
    finally:
        os.close(fd)
