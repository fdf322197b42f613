"""A cache of build work that depends only on input bytes: parsed registries and article results.

An incremental build re-reads every input file, but re-parses and re-checks only what changed.
The cache lives in ``<root>/.caucasus-events-cache/`` (git-ignored): one pack file per kind of
work (``registries.pack``, ``article.pack``), each a table of entries keyed by the SHA-256 of
everything the cached work reads:

- the registries: the bytes (and link status) of raw/codebooks, actors, places, retired and
  events files;
- an article: its ID, the bytes and link status of its metadata, text and annotation, and the
  registries' key;

both combined with a fingerprint of the code (the bytes of every module of this package, and
the versions of Python, PyYAML and pycountry) and the resolved project folders. A changed
input or a changed program gives a new key, so a stale entry is never looked up. A pack holds
only the entries the last build used, so it never grows beyond the corpus.

A pack is used only when its SHA-256 matches its contents, and an entry only when it names the
key it was looked up by; anything else (truncated, corrupt, foreign, unreadable) counts as a
miss and the work is redone. A cache can make a build faster, never different. (Entries are
pickles: the cache trusts whoever can write to the project folder, as the build itself does.)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import sys
from importlib import metadata
from pathlib import Path

from caucasus_events import __version__
from caucasus_events.build.rawdata import CODEBOOK_FILES
from caucasus_events.build.safefile import MAX_INPUT_BYTES

CACHE_DIR = ".caucasus-events-cache"
MAGIC = b"caucasus-events build cache 2\n"
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


def _file_part(digest, path: Path | str) -> None:
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
            # Bounded: a file over the readers' limit is refused by them, whatever its bytes.
            data = handle.read(MAX_INPUT_BYTES + 1) if handle else None
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
    paths += sorted(raw.glob("*.yaml"))  # every registry: actors, places, publishers, retired, ...
    paths += sorted((raw / "events").glob("*.yaml"))
    for path in paths:
        _file_part(digest, path)
    return digest.hexdigest()


def article_key(root: Path, article_id: str, registries: str) -> str:
    """Key of one article's stage result: its files, the registries' key and the code."""
    raw = os.path.join(root, "raw")  # plain strings: this runs for every article of every build
    digest = hashlib.sha256(b"article\0" + registries.encode() + b"\0" + article_id.encode())
    digest.update(_folders(root))
    for path in (
        os.path.join(raw, "articles", f"{article_id}.yaml"),
        os.path.join(raw, "articles", f"{article_id}.txt"),
        os.path.join(raw, "annotations", f"{article_id}.yaml"),
    ):
        _file_part(digest, path)
    return digest.hexdigest()


class BuildCache:
    """The cache of one project, with hit and miss counts.

    Entries read or stored during a build are written back by :meth:`save`, all at once: one
    file per kind, as creating thousands of small files costs more than the work they save.

    Parameters
    ----------
    root : Path
        Project root; the cache is ``root / CACHE_DIR``.
    """

    def __init__(self, root: Path):
        self.folder = root / CACHE_DIR
        self.code = code_fingerprint()
        self.hits = 0
        self.misses = 0
        self._packs: dict[str, dict[str, bytes]] = {}
        self._used: dict[str, dict[str, bytes]] = {}

    def _pack(self, kind: str) -> dict[str, bytes]:
        if kind not in self._packs:
            self._packs[kind] = self._read(self.folder / f"{kind}.pack")
        return self._packs[kind]

    @staticmethod
    def _read(path: Path) -> dict[str, bytes]:
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        head = len(MAGIC) + 65
        if (
            data[: len(MAGIC)] != MAGIC
            or data[len(MAGIC) : head - 1] != hashlib.sha256(data[head:]).hexdigest().encode()
        ):
            return {}
        try:
            pack = pickle.loads(data[head:])
        except Exception:  # a sound hash over unloadable bytes: a miss all the same
            return {}
        return pack if isinstance(pack, dict) else {}

    def get(self, kind: str, key: str) -> object | None:
        """The value stored under ``key``, or ``None`` when there is no sound entry."""
        payload = self._pack(kind).get(key)
        value = None
        if isinstance(payload, bytes):
            try:
                stored_key, value = pickle.loads(payload)
            except Exception:
                stored_key = None
            if stored_key != key:  # an entry must name the key it is found under
                value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used.setdefault(kind, {})[key] = payload
        return value

    def put(self, kind: str, key: str, value: object) -> None:
        """Keep ``value`` under ``key``, to be written by :meth:`save`."""
        payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        self._used.setdefault(kind, {})[key] = payload

    def save(self) -> None:
        """Write the entries this build used; a cache that cannot be written is skipped."""
        for kind, entries in self._used.items():
            if entries == self._pack(kind):
                continue  # nothing new: keep the file as it is
            body = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            data = MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
            path = self.folder / f"{kind}.pack"
            partial = path.with_name(f"{path.name}.{os.getpid()}.part")
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                tag = self.folder / "CACHEDIR.TAG"
                if not tag.exists():
                    tag.write_bytes(_TAG)
                partial.write_bytes(data)
                os.replace(partial, path)  # readers see the whole pack or the previous one
                self._packs[kind] = dict(entries)
            except OSError:
                with contextlib.suppress(OSError):
                    partial.unlink()
