"""Pinned releases: download once, verify by SHA-256, unpack safely into the cache.

The package ships ``registry.json``: the published releases, each with the URL and SHA-256 of
its archive (recorded by ``caucasus-events release --register``; never typed by hand).

Settings (environment variables) are described in :mod:`caucasus_events.settings`.

pooch (the ``download`` extra) is imported only when an archive must be downloaded.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from caucasus_events import archive, settings
from caucasus_events.loading import DataError

RELEASES_URL_ENV = settings.RELEASES_URL_ENV
REGISTRY_ENV = settings.REGISTRY_ENV
TIMEOUT_ENV = settings.TIMEOUT_ENV


class DownloadError(DataError):
    """A release cannot be downloaded, verified or unpacked; the message says why and what to do."""


def registry() -> dict[str, dict]:
    """All releases the registry lists, published or not: ``{version: {"url", "sha256", "files"}}``.

    ``files`` (recorded by ``caucasus-events release --register``) maps each file of the release
    to its SHA-256; releases registered before it was recorded are checked against their own
    ``SHA256SUMS``.
    """
    path = settings.registry_path()
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DownloadError(f"release registry {path} not found (check {REGISTRY_ENV})") from None
    except ValueError as exc:
        raise DownloadError(f"release registry {path} is not valid JSON ({exc})") from None
    if not isinstance(entries, dict):
        raise DownloadError(f"release registry {path}: expected an object {{version: {{url, sha256}}}}")
    return entries


def _key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def published() -> list[str]:
    """Versions that can be downloaded (those with a recorded SHA-256), oldest first."""
    return sorted((v for v, e in registry().items() if isinstance(e, dict) and e.get("sha256")), key=_key)


def timeout() -> float:
    """Seconds to wait for the server, from CAUCASUS_EVENTS_TIMEOUT or the default."""
    text = settings.timeout_text()
    try:
        return float(text) if text else settings.DEFAULT_TIMEOUT
    except ValueError:
        raise DownloadError(f"{TIMEOUT_ENV}={text!r} is not a number of seconds") from None


def _entry(version: str) -> dict:
    valid = published()
    listed = ", ".join(valid) if valid else "none has been published yet"
    if not archive.VERSION_PATTERN.match(version or ""):
        raise DownloadError(f"release {version!r} is not a version X.Y.Z (published releases: {listed})")
    entry = registry().get(version)
    if version not in valid or not isinstance(entry, dict):
        raise DownloadError(f"unknown release {version!r} (published releases: {listed})")
    return entry


def url_of(version: str, entry: dict) -> str:
    """Where the archive of ``version`` is downloaded from."""
    if base := settings.releases_url():
        return f"{base.rstrip('/')}/{archive.archive_name(version)}"
    return entry["url"]


#: Where the files of a release are in an installed package (a wheel's data folder or a
#: checkout); the archive's other files (licenses, README.txt, release notes) are not there.
_INSTALLED_LAYOUT = re.compile(
    r"^(datapackage\.json|CITATION\.cff|docs/codebook\.md|processed/.+|schemas/.+)$"
)


def release_files(version: str) -> dict[str, str] | None:
    """SHA-256 of every file of release ``version``, as the registry records it (None if it does not)."""
    entry = registry().get(archive.normalize(version))
    files = entry.get("files") if isinstance(entry, dict) else None
    return files if isinstance(files, dict) and files else None


def _changed(folder: Path, expected: dict[str, str]) -> list[str]:
    problems = []
    for rel, digest in sorted(expected.items()):
        path = folder / rel
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (found := archive.sha256_hex(path.read_bytes())) != digest:
            problems.append(f"{path}: SHA-256 {found}, release says {digest}")
    return problems


def is_release(folder: Path, version: str) -> bool:
    """Whether ``folder`` (an installed package) holds exactly the data files of release ``version``.

    Compared with the SHA-256 of each file the registry records for the release, so a checkout
    or an installed copy with edited data is never taken for a published release.
    """
    files = release_files(version)
    if files is None:
        return False
    return not _changed(folder, {rel: d for rel, d in files.items() if _INSTALLED_LAYOUT.match(rel)})


def _verify_cached(folder: Path, version: str, entry: dict) -> None:
    # Every use re-checks the cache: a file edited after download is refused, not served.
    expected, problems = release_files(version), []
    if expected is None:  # registered before file hashes were recorded: the archive's own list
        sums = folder / archive.SUMS
        if sums.is_file():
            expected, problems = archive.parse_sums(sums.read_bytes())
        else:
            expected, problems = {}, [f"{sums}: missing"]
    if problems := problems + _changed(folder, expected):
        raise DownloadError(
            f"the cached release {version} was changed after it was downloaded and verified:\n  "
            + "\n  ".join(problems)
            + f"\nDelete the folder {folder} (for example `rm -r '{folder}'`); "
            f"the next use downloads and verifies it again."
        )


def cached(version: str) -> Path | None:
    """The unpacked release in the cache, or None."""
    folder = settings.cache_dir() / version
    return folder if (folder / "datapackage.json").is_file() else None


def _usable_cache() -> Path:
    cache = settings.cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=cache):
            pass
    except OSError as exc:
        raise DownloadError(
            f"cannot write to the cache folder {cache} ({exc.strerror or exc}); "
            f"set {settings.CACHE_ENV} to a writable folder"
        ) from None
    return cache


def _download(url: str, sha256: str, folder: Path, name: str, seconds: float) -> Path:
    try:
        import pooch  # the only place the download machinery is imported
        import requests
    except ModuleNotFoundError as exc:
        from caucasus_events.extras import missing

        raise missing(exc, f"downloading {name}") from None

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # pooch announces every download on stderr
    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=name,
            path=folder,
            downloader=pooch.HTTPDownloader(progressbar=False, timeout=seconds),
        )
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        if status == 404:
            raise DownloadError(
                f"{url}: not found (HTTP 404); the release is not at that address "
                f"(check {RELEASES_URL_ENV} if you set it); nothing was kept"
            ) from None
        raise DownloadError(
            f"{url}: the server answered HTTP {status}; try again later; nothing was kept"
        ) from None
    except requests.exceptions.Timeout:
        raise DownloadError(
            f"{url}: no answer within {seconds:g} s (set {TIMEOUT_ENV} to wait longer); nothing was kept"
        ) from None
    except requests.exceptions.ConnectionError as exc:
        raise DownloadError(
            f"{url}: cannot connect ({type(exc).__name__}); check the network, or set "
            f"{settings.OFFLINE_ENV}=1 to use only cached releases; nothing was kept"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DownloadError(f"{url}: the download failed ({exc}); nothing was kept") from None
    except ValueError as exc:  # pooch: the hash does not match (it has deleted the file)
        got = re.search(r"but got ([0-9a-f]{64})", str(exc))
        raise DownloadError(
            f"{url}: the archive has SHA-256 {got.group(1) if got else '(unknown)'}, not the registered "
            f"{sha256} (truncated or tampered with); nothing was kept"
        ) from None
    finally:
        logger.setLevel(level)
    return folder / name


def fetch(version: str, *, timeout_s: float | None = None, say=None) -> Path:
    """The folder of release ``version``: from the cache, or downloaded, verified and unpacked.

    Parameters
    ----------
    version : str
        A published release (see :func:`published`).
    timeout_s : float, optional
        Seconds to wait for the server (default: CAUCASUS_EVENTS_TIMEOUT, or 30).
    say : callable, optional
        Called with a line when something is downloaded.

    Returns
    -------
    Path
        ``<cache>/<version>``, holding datapackage.json, processed/ and schemas/.

    Raises
    ------
    DownloadError
        Unknown version, offline and not cached, unusable cache folder, HTTP error, timeout,
        wrong hash, unsafe or damaged archive. Nothing is left in the cache.
    """
    version = archive.normalize(version)
    entry = _entry(version)
    if folder := cached(version):
        _verify_cached(folder, version, entry)
        return folder
    if settings.offline():
        raise DownloadError(
            f"release {version} is not in the cache ({settings.cache_dir()}) and {settings.OFFLINE_ENV} "
            f"is set; run `caucasus-events download {version}` with a network connection first"
        )
    cache = _usable_cache()
    url = url_of(version, entry)
    seconds = timeout() if timeout_s is None else timeout_s
    # Everything happens in a private folder, renamed into place at the end: an interrupted or
    # refused download never leaves a partial release where loading would find it.
    work = Path(tempfile.mkdtemp(prefix=f".download-{version}-", dir=cache))
    try:
        path = _download(url, entry["sha256"], work, archive.archive_name(version), seconds)
        unpacked = work / "release"
        try:
            archive.unpack(path, unpacked, version, label=url)
        except archive.ArchiveError as exc:
            raise DownloadError(
                f"{exc}\n(the archive has the SHA-256 the registry records: please report this release)"
            ) from None
        try:
            found = json.loads((unpacked / "datapackage.json").read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError, AttributeError):
            raise DownloadError(
                f"{url}: no readable datapackage.json in the archive; nothing was kept"
            ) from None
        if found != version:
            raise DownloadError(
                f"{url}: the archive holds release {found!r}, not {version!r}; nothing was kept"
            )
        target = cache / version
        if target.exists() and not cached(version):
            shutil.rmtree(target)  # debris of something other than this code: never a finished release
        try:
            os.replace(unpacked, target)
        except OSError:
            if not cached(version):  # another process finishing first is fine; anything else is not
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if say:
        say(f"downloaded {url}, verified its SHA-256 and unpacked it into {target}")
    return target
