"""A cache of build work that depends only on input bytes: parsed registries and article results.

An incremental build re-reads every input file, but re-parses and re-checks only what changed.
Entries live in ``<root>/.caucasus-events-cache/`` (git-ignored), one file each, named by the
SHA-256 of everything the cached work reads:

- the registries: the bytes and resolved paths of raw/codebooks, actors, places, retired and
  events files;
- an article: its ID, the bytes, resolved paths and link status of its metadata, text and
  annotation, plus the registries' fingerprint;

both combined with a fingerprint of the code (the bytes of every module of this package, and
the versions of Python, PyYAML and pycountry). A changed input or a changed program gives a new
key, so a stale entry is never looked up.

An entry is used only when its header names the key it was looked up by and its payload has
the SHA-256 the header gives; anything else (truncated, corrupt, renamed, unreadable) counts as
a miss and the work is redone. A cache can make a build faster, never different.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from caucasus_events import __version__
from caucasus_events.rawdata import CODEBOOK_FILES

CACHE_DIR = ".caucasus-events-cache"
MAGIC = b"caucasus-events build cache 1\n"
PACKAGE = Path(__file__).resolve().parent
_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# caucasus-events build cache; safe to delete.\n"


def code_fingerprint() -> str:
    """SHA-256 of the program: every module of the package and the versions of what parses."""
    digest = hashlib.sha256()
    versions = [__version__, sys.version]
    for dist in ("PyYAML", "pycountry"):
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    digest.update("\n".join(versions).encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(b"\0" + path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_part(digest, path: Path) -> None:
    # Everything a reader of ``path`` can observe: whether it is a link and where it leads,
    # whether it is a regular file, and its bytes. Cheap system calls only: this runs for
    # every input file of every build.
    name = os.fspath(path)
    digest.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0")
    try:
        if stat.S_ISLNK(os.lstat(name).st_mode):
            digest.update(b"link to " + os.path.realpath(name).encode("utf-8", "surrogateescape") + b"\0")
        regular = stat.S_ISREG(os.stat(name).st_mode)  # never open a FIFO or a device
        with open(name, "rb") if regular else contextlib.nullcontext() as handle:
            data = handle.read() if handle else None
    except OSError:
        data = None
    if data is None:
        digest.update(b"absent or not a regular file")
    else:
        digest.update(len(data).to_bytes(8, "little") + data)


@functools.lru_cache(maxsize=8)
def _folders(root: Path) -> bytes:
    # Resolved once per build: where the project's folders really are (they may be links).
    raw = root / "raw"
    return "\0".join(str(p.resolve()) for p in (root, raw, raw / "articles", raw / "annotations")).encode()


def registries_key(root: Path, code: str) -> str:
    """Key of the parsed registries: the code and every file ``read_registries`` reads."""
    raw = root / "raw"
    digest = hashlib.sha256(b"registries\0" + code.encode() + b"\0" + _folders(root))
    paths = [raw / "codebooks" / name for name in CODEBOOK_FILES.values()]
    paths += [raw / "actors.yaml", raw / "places.yaml", raw / "retired.yaml"]
    paths += sorted((raw / "events").glob("*.yaml"))
    for path in paths:
        _file_part(digest, path)
    return digest.hexdigest()


def article_key(root: Path, article_id: str, registries: str) -> str:
    """Key of one article's stage result: its files, the registries' key and the code."""
    raw = root / "raw"
    digest = hashlib.sha256(b"article\0" + registries.encode() + b"\0" + article_id.encode())
    digest.update(_folders(root))
    for path in (
        raw / "articles" / f"{article_id}.yaml",
        raw / "articles" / f"{article_id}.txt",
        raw / "annotations" / f"{article_id}.yaml",
    ):
        _file_part(digest, path)
    return digest.hexdigest()


class BuildCache:
    """Entries of one project's cache folder, with hit and miss counts.

    Parameters
    ----------
    root : Path
        Project root; the cache is ``root / CACHE_DIR``.
    """

    def __init__(self, root: Path):
        self.folder = root / CACHE_DIR
        self.code = code_fingerprint()
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> object | None:
        """The value stored under ``key``, or ``None`` when there is no sound entry."""
        path = self._path(kind, key)
        self.used.add(path)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        head = len(MAGIC) + 2 * 65
        if (
            data[: len(MAGIC)] != MAGIC
            or data[len(MAGIC) : len(MAGIC) + 64] != key.encode()
            or data[len(MAGIC) + 65 : head - 1] != hashlib.sha256(data[head:]).hexdigest().encode()
        ):
            self.misses += 1
            return None
        try:
            value = pickle.loads(data[head:])
        except Exception:  # a sound hash over unloadable bytes: treat as a miss all the same
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: object) -> None:
        """Store ``value`` under ``key``; a cache that cannot be written is silently skipped."""
        path = self._path(kind, key)
        self.used.add(path)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        data = MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.folder / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_bytes(_TAG)
            partial.write_bytes(data)
            os.replace(partial, path)  # readers see the whole entry or none
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()

    def prune(self, kinds: Iterable[str] = ("registries", "article")) -> int:
        """Delete the entries of ``kinds`` this build did not use; return how many."""
        removed = 0
        for kind in kinds:
            folder = self.folder / kind
            if not folder.is_dir():
                continue
            for path in folder.glob("*/*"):
                if path not in self.used:
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
        return removed
