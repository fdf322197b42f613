"""Pinned releases: real archives served over HTTP on 127.0.0.1, with every way it can go wrong.

No part of the download is mocked: a server thread serves the bytes (or the errors), pooch and
requests fetch them. Each failure must say what happened, and leave no file in the cache.
"""

from __future__ import annotations

import json
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from synthetic_releases import entry, files_in, lie_about_size, released, rezip

import caucasus_events as ce
from caucasus_events import archive, download
from caucasus_events.cli import main
from caucasus_events.download import DownloadError, fetch
from caucasus_events.loading import DataError

VERSION = "0.0.1"  # not the installed version, so that loading goes through the download
TOP = archive.folder_name(VERSION)
NAME = archive.archive_name(VERSION)


class Server:
    """A real HTTP server on 127.0.0.1; ``routes`` maps a path to what to answer."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                kind, *args = server.routes.get(self.path, ("status", 404))
                try:
                    if kind == "status":
                        self.send_error(args[0])
                        return
                    data = args[0]
                    if kind == "slow":
                        time.sleep(args[1])
                    self.send_response(200)
                    self.send_header("Content-Type", "application/zip")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    # "cut": the connection drops halfway through the promised bytes.
                    self.wfile.write(data[: len(data) // 2] if kind == "cut" else data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/releases"
        # A short poll interval: shutdown() waits for it.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def serve(self, version: str, data: bytes, kind: str = "file", *args: object) -> None:
        self.routes[f"/releases/{archive.archive_name(version)}"] = (kind, data, *args)

    def fail(self, version: str, status: int) -> None:
        self.routes[f"/releases/{archive.archive_name(version)}"] = ("status", status)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real release archive of the synthetic project, as VERSION."""
    return released(tmp_path_factory.mktemp("good") / "p", version=VERSION).read_bytes()


@pytest.fixture(scope="module")
def good_files(good: bytes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    path = tmp_path_factory.mktemp("read") / NAME
    path.write_bytes(good)
    return archive.read(path, VERSION)[1]


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def env(tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch):
    """Cache, registry and server URL of one test; returns a function that registers archives."""
    cache = tmp_path / "cache"
    registry = tmp_path / "registry.json"
    monkeypatch.setenv("CAUCASUS_EVENTS_CACHE", str(cache))
    monkeypatch.setenv("CAUCASUS_EVENTS_REGISTRY", str(registry))
    monkeypatch.setenv("CAUCASUS_EVENTS_RELEASES_URL", server.url)
    monkeypatch.delenv("CAUCASUS_EVENTS_OFFLINE", raising=False)
    monkeypatch.delenv("CAUCASUS_EVENTS_TIMEOUT", raising=False)
    entries: dict[str, dict] = {}

    def register(version: str, data: bytes | None, sha256: str | None = None) -> None:
        digest = sha256 or (archive.sha256_hex(data) if data is not None else None)
        entries[version] = {
            "url": f"https://example.invalid/{archive.archive_name(version)}",
            "sha256": digest,
        }
        registry.write_text(json.dumps(entries))

    register.cache = cache  # type: ignore[attr-defined]
    registry.write_text("{}")
    return register


def _nothing_cached(cache: Path) -> None:
    assert not cache.exists() or files_in(cache) == [], files_in(cache)


def test_fetch_downloads_verifies_unpacks_and_then_works_offline(
    env, server: Server, good: bytes, monkeypatch
) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    folder = fetch(VERSION)
    assert folder == env.cache / VERSION
    assert (folder / "datapackage.json").is_file() and (folder / "SHA256SUMS").is_file()
    assert [p.name for p in env.cache.iterdir()] == [VERSION]  # no archive or work folder left
    events = ce.load("events", version=VERSION)
    assert events.attrs["version"] == VERSION and len(events) == 2
    assert len(server.hits) == 1
    # Cached: no network needed, even when forbidden, and the server is gone.
    server.close()
    monkeypatch.setenv("CAUCASUS_EVENTS_OFFLINE", "1")
    assert ce.load("mentions", version=VERSION).attrs["version"] == VERSION
    assert ce.load("mentions", version=f"v{VERSION}").attrs["version"] == VERSION  # the Git tag's name
    assert len(server.hits) == 1


def test_cli_download(env, server: Server, good: bytes, capsys: pytest.CaptureFixture) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    assert main(["download", VERSION]) == 0
    out = capsys.readouterr().out
    assert "verified its SHA-256 and unpacked it into" in out
    assert out.rstrip().endswith(f"{VERSION}: {env.cache / VERSION}")


def test_unknown_version_lists_the_published_ones(env, good: bytes, capsys: pytest.CaptureFixture) -> None:
    env(VERSION, good)
    env("0.0.2", None)  # listed but never published: not offered
    with pytest.raises(DownloadError, match=r"unknown release '9\.9\.9' \(published releases: 0\.0\.1\)"):
        fetch("9.9.9")
    with pytest.raises(DataError, match=r"unknown release '0\.0\.2' \(published releases: 0\.0\.1\)"):
        ce.load("events", version="0.0.2")
    with pytest.raises(DownloadError, match=r"'\.\./x' is not a version X\.Y\.Z"):
        fetch("../x")
    assert main(["download", "9.9.9"]) == 2
    assert "unknown release '9.9.9'" in capsys.readouterr().err
    _nothing_cached(env.cache)


def test_no_published_release(env) -> None:
    with pytest.raises(DownloadError, match=r"published releases: none has been published yet"):
        fetch(VERSION)


def test_broken_registry(env, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "registry.json").write_text("{not json")
    with pytest.raises(DownloadError, match=r"registry.json is not valid JSON"):
        fetch(VERSION)
    monkeypatch.setenv("CAUCASUS_EVENTS_REGISTRY", str(tmp_path / "none.json"))
    with pytest.raises(DownloadError, match=r"none.json not found \(check CAUCASUS_EVENTS_REGISTRY\)"):
        fetch(VERSION)


def test_packaged_registry_lists_releases_with_urls() -> None:
    entries = json.loads((Path(download.__file__).with_name("registry.json")).read_text())
    assert entries, "registry.json lists no release"
    for version, item in entries.items():
        assert archive.VERSION_PATTERN.match(version)
        assert item["url"].endswith("/" + archive.archive_name(version))
        # Filled in only by `caucasus-events release --register`.
        assert item["sha256"] is None or len(item["sha256"]) == 64


def test_offline_and_not_cached(env, server: Server, good: bytes, monkeypatch) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    monkeypatch.setenv("CAUCASUS_EVENTS_OFFLINE", "1")
    with pytest.raises(
        DownloadError,
        match=r"release 0\.0\.1 is not in the cache \(.*cache\) and CAUCASUS_EVENTS_OFFLINE is set; "
        r"run `caucasus-events download 0\.0\.1` with a network connection first",
    ):
        ce.load("events", version=VERSION)
    assert server.hits == []
    _nothing_cached(env.cache)


def test_not_found(env, good: bytes) -> None:
    env(VERSION, good)
    with pytest.raises(DownloadError, match=r"caucasus-events-data-0\.0\.1\.zip: not found \(HTTP 404\)"):
        fetch(VERSION)
    _nothing_cached(env.cache)


def test_server_error(env, server: Server, good: bytes) -> None:
    env(VERSION, good)
    server.fail(VERSION, 500)
    with pytest.raises(
        DownloadError, match=r"the server answered HTTP 500; try again later; nothing was kept"
    ):
        fetch(VERSION)
    _nothing_cached(env.cache)


def test_slow_server_times_out(env, server: Server, good: bytes, monkeypatch) -> None:
    env(VERSION, good)
    server.serve(VERSION, good, "slow", 2.0)
    started = time.monotonic()
    with pytest.raises(
        DownloadError, match=r"no answer within 0\.2 s \(set CAUCASUS_EVENTS_TIMEOUT to wait longer\)"
    ):
        fetch(VERSION, timeout_s=0.2)
    monkeypatch.setenv("CAUCASUS_EVENTS_TIMEOUT", "0.3")  # the way load() is configured
    with pytest.raises(DownloadError, match=r"no answer within 0\.3 s"):
        ce.load("events", version=VERSION)
    assert time.monotonic() - started < 1.5
    _nothing_cached(env.cache)
    monkeypatch.setenv("CAUCASUS_EVENTS_TIMEOUT", "soon")
    with pytest.raises(DownloadError, match=r"CAUCASUS_EVENTS_TIMEOUT='soon' is not a number of seconds"):
        fetch(VERSION)


def test_connection_refused(env, server: Server, good: bytes) -> None:
    env(VERSION, good)
    server.close()  # nothing listens on the port any more
    with pytest.raises(
        DownloadError, match=r"cannot connect .*set CAUCASUS_EVENTS_OFFLINE=1 to use only cached"
    ):
        fetch(VERSION, timeout_s=2)
    _nothing_cached(env.cache)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:1000] + bytes([data[1000] ^ 1]) + data[1001:],  # one bit flipped
        lambda data: data + b"\0",  # something appended
    ],
    ids=["truncated", "tampered", "appended"],
)
def test_archive_not_matching_its_hash_is_refused(env, server: Server, good: bytes, damage) -> None:
    env(VERSION, good)
    server.serve(VERSION, damage(good))
    with pytest.raises(
        DownloadError,
        match=r"the archive has SHA-256 [0-9a-f]{64}, not the registered [0-9a-f]{64} \(truncated or tampered with\); nothing was kept",
    ):
        fetch(VERSION)
    _nothing_cached(env.cache)


def test_connection_cut_short_is_refused(env, server: Server, good: bytes) -> None:
    env(VERSION, good)
    server.serve(VERSION, good, "cut")
    with pytest.raises(DownloadError, match=r"the download failed \(.*\); nothing was kept"):
        fetch(VERSION, timeout_s=5)
    _nothing_cached(env.cache)


def _bomb(files: dict[str, bytes]) -> bytes:
    zeros = entry(f"{TOP}/processed/zeros.csv", deflate=True)
    return rezip(files, TOP, [(zeros, b"\0" * (20 * 1024**2))])


def _lying_size(files: dict[str, bytes]) -> bytes:
    data = rezip(files, TOP)
    return lie_about_size(data, f"{TOP}/processed/events.csv", 10)


def _sums_mismatch(files: dict[str, bytes]) -> bytes:
    return rezip({**files, "processed/events.csv": files["processed/events.csv"] + b"x"}, TOP)


def _resummed(files: dict[str, bytes]) -> bytes:
    files = {k: v for k, v in files.items() if k != "SHA256SUMS"}
    return rezip({**files, "SHA256SUMS": archive.sums_text(files)}, TOP)


def _other_descriptor_version(files: dict[str, bytes]) -> bytes:
    package = json.loads(files["datapackage.json"])
    return _resummed({**files, "datapackage.json": json.dumps({**package, "version": "0.0.2"}).encode()})


UNSAFE = {
    "parent-dir": (
        lambda f: rezip(f, TOP, [(entry(f"{TOP}/../evil.txt"), b"x")]),
        r"entry 'caucasus-events-data-0\.0\.1/\.\./evil\.txt' points outside the archive folder \(\.\.\)",
    ),
    "absolute": (
        lambda f: rezip(f, TOP, [(entry("/tmp/evil.txt"), b"x")]),
        r"entry '/tmp/evil\.txt' is an absolute path",
    ),
    "symlink": (
        lambda f: rezip(f, TOP, [(entry(f"{TOP}/link", mode=stat.S_IFLNK | 0o777), b"/etc/passwd")]),
        r"entry 'caucasus-events-data-0\.0\.1/link' is a symbolic link",
    ),
    "device": (
        lambda f: rezip(f, TOP, [(entry(f"{TOP}/fifo", mode=stat.S_IFIFO | 0o644), b"")]),
        r"entry 'caucasus-events-data-0\.0\.1/fifo' is not a regular file \(hard link, device or pipe\)",
    ),
    "duplicate": (
        lambda f: rezip(f, TOP, [(entry(f"{TOP}/processed/events.csv"), b"event_id\n")]),
        r"entry 'caucasus-events-data-0\.0\.1/processed/events\.csv' appears more than once",
    ),
    "zip-bomb": (
        _bomb,
        r"would unpack \d+ bytes from \d+ \(more than 100 times its size; refusing a possible zip bomb\)",
    ),
    "size-lie": (
        _lying_size,
        r"entry 'caucasus-events-data-0\.0\.1/processed/events\.csv' is damaged \(Bad CRC-32",
    ),
    "sums-mismatch": (
        _sums_mismatch,
        r"files do not match SHA256SUMS:\n  processed/events\.csv: SHA-256 [0-9a-f]{64} \(SHA256SUMS says",
    ),
    "no-sums": (
        lambda f: rezip({k: v for k, v in f.items() if k != "SHA256SUMS"}, TOP),
        r"no SHA256SUMS \(expected one in every release archive\)",
    ),
    "other-version": (
        lambda f: rezip(f, archive.folder_name("0.0.2")),
        r"entries are in \['caucasus-events-data-0\.0\.2'\] \(expected one folder, caucasus-events-data-0\.0\.1\)",
    ),
    "descriptor-version": (
        _other_descriptor_version,
        r"the archive holds release '0\.0\.2', not '0\.0\.1'; nothing was kept",
    ),
    "no-descriptor": (
        lambda f: _resummed({k: v for k, v in f.items() if k != "datapackage.json"}),
        r"no readable datapackage\.json in the archive; nothing was kept",
    ),
    "stray-file": (
        lambda f: rezip(f, TOP, [(entry("README"), b"x")]),
        r"entries are in \['README', 'caucasus-events-data-0\.0\.1'\] \(expected one folder",
    ),
}


@pytest.mark.parametrize("case", UNSAFE, ids=list(UNSAFE))
def test_unsafe_or_damaged_archive_is_refused(env, server: Server, good_files: dict, case: str) -> None:
    # Registered with its own SHA-256, so it passes the download and meets the unpacking checks.
    make, message = UNSAFE[case]
    data = make(good_files)
    env(VERSION, data)
    server.serve(VERSION, data)
    with pytest.raises(DownloadError, match=message):
        fetch(VERSION)
    _nothing_cached(env.cache)
    assert not (Path("/tmp") / "evil.txt").exists()


def test_archive_over_the_size_limit_is_refused(env, server: Server, good: bytes, monkeypatch) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10_000)
    with pytest.raises(
        DownloadError, match=r"would unpack \d+ bytes \(more than 10000; refusing a possible zip bomb\)"
    ):
        fetch(VERSION)
    _nothing_cached(env.cache)


def test_changed_cached_file_is_refused_on_every_use(
    env, server: Server, good: bytes, capsys: pytest.CaptureFixture
) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    folder = fetch(VERSION)
    schema = folder / "schemas" / "mentions.json"  # a file load("events") does not even read
    schema.write_bytes(schema.read_bytes() + b" ")
    refused = (
        r"the cached release 0\.0\.1 was changed after it was downloaded and verified:\n  "
        r".*schemas/mentions\.json: SHA-256 [0-9a-f]{64}, release says [0-9a-f]{64}\n"
        r"Delete the folder .*cache/0\.0\.1 \(for example `rm -r '.*cache/0\.0\.1'`\); "
        r"the next use downloads and verifies it again\."
    )
    for use in (
        lambda: ce.load("events", version=VERSION),
        lambda: ce.load("mentions", version=f"v{VERSION}"),
        lambda: ce.citation(version=VERSION),
        lambda: fetch(VERSION),
    ):
        with pytest.raises(DataError, match=refused):
            use()
    assert main(["download", VERSION]) == 2
    assert "was changed after it was downloaded" in capsys.readouterr().err
    assert len(server.hits) == 1  # refused, never silently replaced
    # Cleared as the message says: downloaded and verified again.
    import shutil

    shutil.rmtree(folder)
    assert ce.load("events", version=VERSION).attrs["version"] == VERSION
    assert len(server.hits) == 2


def test_a_release_registered_without_file_hashes_is_checked_against_its_sha256sums(
    env, server: Server, good: bytes, tmp_path: Path
) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    folder = fetch(VERSION)
    registry = json.loads((tmp_path / "registry.json").read_text())
    assert "files" not in registry[VERSION]  # as written by this test's register()
    parquet = folder / "processed" / "events.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-1] + bytes([parquet.read_bytes()[-1] ^ 1]))
    with pytest.raises(DataError, match=r"processed/events\.parquet: SHA-256 [0-9a-f]{64}, release says"):
        ce.load("mentions", version=VERSION)
    (folder / archive.SUMS).unlink()
    with pytest.raises(DataError, match=r"SHA256SUMS: missing"):
        ce.load("mentions", version=VERSION)


def _installed_as(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    from caucasus_events import settings

    monkeypatch.setattr(settings, "installed_data", lambda: folder)


def test_pinned_version_uses_the_installed_copy_only_when_its_files_are_that_release(
    env, server: Server, good: bytes, good_files: dict, tmp_path: Path, monkeypatch
) -> None:
    """A checkout or installed copy labelled VERSION but with edited data is not VERSION."""
    registry = tmp_path / "registry.json"
    env(VERSION, good)
    entries = json.loads(registry.read_text())
    entries[VERSION]["files"] = {rel: archive.sha256_hex(data) for rel, data in good_files.items()}
    registry.write_text(json.dumps(entries))
    installed = tmp_path / "installed"
    for rel, data in good_files.items():
        if download._INSTALLED_LAYOUT.match(rel):  # what a wheel or a checkout holds
            (installed / rel).parent.mkdir(parents=True, exist_ok=True)
            (installed / rel).write_bytes(data)
    _installed_as(monkeypatch, installed)
    server.serve(VERSION, good)
    # The installed files are exactly VERSION's: used as they are, no download.
    assert ce.path("events", version=VERSION) == installed / "processed" / "events.parquet"
    assert ce.load("events", version=VERSION).attrs["version"] == VERSION and server.hits == []
    # Edited data, same label: the pinned load returns the release's files, downloaded.
    csv = installed / "processed" / "events.csv"
    csv.write_bytes(csv.read_bytes().replace(b"minister", b"MINISTER"))
    assert ce.path("events", "csv", version=VERSION) == env.cache / VERSION / "processed" / "events.csv"
    assert (env.cache / VERSION / "processed" / "events.csv").read_bytes() == good_files[
        "processed/events.csv"
    ]
    assert len(server.hits) == 1
    # Unpinned, the installed (edited) copy is what is loaded.
    assert ce.path("events", "csv") == csv


def test_unusable_cache_folder_names_the_variable(
    env, server: Server, good: bytes, tmp_path: Path, monkeypatch
) -> None:
    # Tests run as root, where a read-only folder is still writable: a cache path below a
    # regular file can be created by nobody.
    env(VERSION, good)
    server.serve(VERSION, good)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CAUCASUS_EVENTS_CACHE", str(blocker / "cache"))
    with pytest.raises(
        DownloadError,
        match=r"cannot write to the cache folder .*a-file/cache \(Not a directory\); "
        r"set CAUCASUS_EVENTS_CACHE to a writable folder",
    ):
        fetch(VERSION)
    assert blocker.read_text() == "not a folder" and server.hits == []


def test_debris_in_the_cache_is_replaced(env, server: Server, good: bytes) -> None:
    env(VERSION, good)
    server.serve(VERSION, good)
    (env.cache / VERSION / "processed").mkdir(parents=True)  # an unpacking interrupted by hand
    (env.cache / VERSION / "processed" / "events.csv").write_text("partial")
    folder = fetch(VERSION)
    assert (folder / "processed" / "events.csv").read_bytes() != b"partial"
    assert ce.load("events", version=VERSION).attrs["version"] == VERSION
