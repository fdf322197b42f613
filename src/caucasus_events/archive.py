"""The release archive: its name and layout, deterministic writing, and safe reading.

A release archive ``caucasus-events-data-X.Y.Z.zip`` holds one folder,
``caucasus-events-data-X.Y.Z/``, with the package files and a ``SHA256SUMS`` listing every
other file. Archives are read defensively, whoever made them: entries that would land outside
the folder, links, special files, duplicate names, encryption, unknown compression and
archives that unpack to far more than they take are refused before anything is
written, and every file is checked against ``SHA256SUMS`` afterwards.

Imports only the standard library, so that loading a cached release stays light.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

SUMS = "SHA256SUMS"
#: Fixed metadata of every entry, so that equal files give equal archive bytes.
FILE_MODE = 0o644
EARLIEST = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP header can hold
#: Stored, not deflated: the bytes of a deflated entry depend on the zlib build (zlib and
#: zlib-ng differ), and the archive must be byte-identical wherever it is rebuilt. Parquet
#: files are already compressed and the CSV files are small.
COMPRESSION = zipfile.ZIP_STORED
#: Limits for archives from elsewhere. No release comes near them.
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RATIO = 100
RATIO_FLOOR = 1024**2  # archives unpacking to less than this may compress as well as they like
CHUNK = 1024**2
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
#: A release version as users may write it: ``0.1.0`` or the tag's ``v0.1.0``.
_TAGGED = re.compile(r"^[vV](\d+\.\d+\.\d+)$")
_SUMS_LINE = re.compile(r"^([0-9a-f]{64})  (\S(?:.*\S)?)$")


class ArchiveError(Exception):
    """An archive is unsafe, damaged or not a release archive (exit code 2)."""

    exit_code = 2


def normalize(version: str) -> str:
    """``version`` without the ``v`` of a Git tag (``v0.1.0`` is ``0.1.0``); anything else unchanged."""
    tagged = _TAGGED.match(version)
    return tagged.group(1) if tagged else version


def archive_name(version: str) -> str:
    """The file name of the release archive of ``version``."""
    return f"caucasus-events-data-{version}.zip"


def folder_name(version: str) -> str:
    """The one folder inside the archive of ``version``."""
    return f"caucasus-events-data-{version}"


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def sums_text(files: dict[str, bytes]) -> bytes:
    """``SHA256SUMS`` of ``files`` (``sha256sum -c`` format, sorted by path)."""
    return "".join(f"{sha256_hex(data)}  {rel}\n" for rel, data in sorted(files.items())).encode()


def write_zip(
    files: dict[str, bytes], version: str, date_time: tuple = EARLIEST, top: str | None = None
) -> bytes:
    """The archive bytes of ``files`` (paths relative to the package folder), ``SHA256SUMS`` added.

    Entries are sorted, stored uncompressed, and carry the same timestamp, permissions and
    creator system, so the bytes depend only on the files, the version and ``date_time``.
    ``top`` names the one folder inside (default: the data archive's, :func:`folder_name`).
    """
    if SUMS in files:
        raise ValueError(f"{SUMS} is generated; do not pass it")
    entries = {**files, SUMS: sums_text(files)}
    top = top or folder_name(version)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=COMPRESSION) as archive:
        for rel in sorted(entries):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=date_time)
            info.compress_type = COMPRESSION
            info.create_system = 3  # Unix, so that the permission bits below are honoured
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            archive.writestr(info, entries[rel])
    return buffer.getvalue()


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name or "\x00" in name:
        return "has a backslash or NUL in its name"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "points outside the archive folder (..)"
    if any(part in ("", ".") for part in parts):
        return "has an empty or '.' path component"
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "is a symbolic link"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file (hard link, device or pipe)"
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"uses compression method {info.compress_type} (expected stored or deflated)"
    return None


def members(
    archive: zipfile.ZipFile, label: str, version: str | None = None
) -> tuple[str, dict[str, zipfile.ZipInfo]]:
    """The version and files of a release archive (by path inside its folder), checked for safety.

    Parameters
    ----------
    archive : zipfile.ZipFile
        The open archive.
    label : str
        How to name the archive in messages.
    version : str, optional
        The release it must be; any ``caucasus-events-data-X.Y.Z`` folder when omitted.

    Raises
    ------
    ArchiveError
        Naming every unsafe entry, or the first structural problem.
    """
    problems, seen, files = [], set(), {}
    infos = archive.infolist()
    for info in infos:
        if problem := _entry_problem(info):
            problems.append(f"entry {info.filename!r} {problem}")
            continue
        key = info.filename.rstrip("/").casefold()  # also catches names equal on a case-insensitive disk
        if key in seen:
            problems.append(f"entry {info.filename!r} appears more than once")
        seen.add(key)
    if problems:
        raise ArchiveError(f"{label}: unsafe archive, nothing was unpacked:\n  " + "\n  ".join(problems))
    tops = {PurePosixPath(info.filename).parts[0] for info in infos}
    expected = folder_name(version) if version else None
    if len(tops) != 1 or (expected and tops != {expected}):
        raise ArchiveError(
            f"{label}: entries are in {sorted(tops)} "
            f"(expected one folder, {expected or 'caucasus-events-data-X.Y.Z'})"
        )
    top = tops.pop()
    if not VERSION_PATTERN.match(top.removeprefix("caucasus-events-data-")):
        raise ArchiveError(f"{label}: folder {top!r} is not caucasus-events-data-X.Y.Z")
    # Limits on the whole archive, not per entry: many entries each just under a per-entry
    # limit would add up to a bomb. The archive's real size bounds what its headers claim.
    total = sum(info.file_size for info in infos)
    packed = min(sum(info.compress_size for info in infos), _size(archive))
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(
            f"{label}: would unpack {total} bytes (more than {MAX_TOTAL_BYTES}; refusing a possible zip bomb)"
        )
    if total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        raise ArchiveError(
            f"{label}: would unpack {total} bytes from {packed} "
            f"(more than {MAX_RATIO} times its size; refusing a possible zip bomb)"
        )
    for info in infos:
        if not info.is_dir() and info.filename != top:
            files[info.filename.split("/", 1)[1]] = info
    if SUMS not in files:
        raise ArchiveError(f"{label}: no {SUMS} (expected one in every release archive)")
    return top.removeprefix("caucasus-events-data-"), files


def _size(archive: zipfile.ZipFile) -> int:
    """The archive's size in bytes, as its file holds it."""
    handle = archive.fp
    if handle is None:
        return 0
    here = handle.tell()
    try:
        return handle.seek(0, io.SEEK_END)
    finally:
        handle.seek(here)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, sink) -> None:
    # zipfile stops at the declared size and checks the CRC at the end; counting as well keeps
    # the promise (never more than declared) independent of that implementation detail.
    written = 0
    try:
        with archive.open(info) as source:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise ArchiveError(
                        f"{label}: entry {info.filename!r} unpacks to more than the "
                        f"{info.file_size} bytes it declares (corrupt or malicious archive)"
                    )
                sink(chunk)
    # zlib.error: a damaged deflate stream; NotImplementedError: a compression method the
    # local header names but the central directory did not.
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error, NotImplementedError) as exc:
        if isinstance(exc, ArchiveError):
            raise
        raise ArchiveError(f"{label}: entry {info.filename!r} is damaged ({exc})") from None
    if written != info.file_size:
        raise ArchiveError(
            f"{label}: entry {info.filename!r} unpacks to {written} bytes, "
            f"not the {info.file_size} it declares (corrupt archive)"
        )


def _open(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise ArchiveError(f"{label}: not a readable ZIP archive ({exc}; truncated or damaged?)") from None


def parse_sums(data: bytes) -> tuple[dict[str, str], list[str]]:
    """The SHA-256 of each path ``SHA256SUMS`` lists, and its malformed lines."""
    listed, problems = {}, []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        match = _SUMS_LINE.match(line)
        if not match:
            problems.append(f"{SUMS} line {number}: {line!r} (expected '<sha256>  <path>')")
            continue
        listed[match.group(2)] = match.group(1)
    return listed, problems


def check_sums(files: dict[str, bytes], label: str) -> None:
    """Check every file against ``SHA256SUMS`` (which must list exactly the other files)."""
    listed, problems = parse_sums(files[SUMS])
    for rel, data in sorted(files.items()):
        if rel == SUMS:
            continue
        if rel not in listed:
            problems.append(f"{rel}: not listed in {SUMS}")
        elif sha256_hex(data) != listed[rel]:
            problems.append(f"{rel}: SHA-256 {sha256_hex(data)} (SHA256SUMS says {listed[rel]})")
    problems += [
        f"{rel}: listed in {SUMS} but not in the archive" for rel in sorted(set(listed) - set(files))
    ]
    if problems:
        raise ArchiveError(f"{label}: files do not match {SUMS}:\n  " + "\n  ".join(problems))


def read(path: Path, version: str | None = None, label: str | None = None) -> tuple[str, dict[str, bytes]]:
    """The version and files of a release archive, read into memory and checked.

    Returns
    -------
    (str, dict)
        The version its folder names, and each file's bytes by path inside the folder.
    """
    label = label or str(path)
    with _open(path, label) as archive:
        found, infos = members(archive, label, version)
        files = {}
        for rel, info in infos.items():
            parts: list[bytes] = []
            _read_entry(archive, info, label, parts.append)
            files[rel] = b"".join(parts)
    check_sums(files, label)
    return found, files


def unpack(path: Path, dest: Path, version: str, label: str | None = None) -> None:
    """Unpack the archive of ``version`` into the new folder ``dest``, checked as :func:`read` does.

    ``dest`` must not exist. On any problem :class:`ArchiveError` is raised and the caller
    removes ``dest``.
    """
    label = label or str(path)
    dest.mkdir()
    root = dest.resolve()
    with _open(path, label) as archive:
        _, infos = members(archive, label, version)
        for rel, info in sorted(infos.items()):
            target = (dest / rel).resolve()
            if root not in target.parents:  # unreachable after the checks above; kept as a guard
                raise ArchiveError(f"{label}: entry {info.filename!r} points outside {dest}")
            target.parent.mkdir(parents=True, exist_ok=True)
            # "xb": never follow or overwrite something already there.
            with target.open("xb") as handle:
                _read_entry(archive, info, label, handle.write)
    check_sums({rel: (dest / rel).read_bytes() for rel in infos}, label)
