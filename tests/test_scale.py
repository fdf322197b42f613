"""Scale features: incremental and parallel builds give the bytes of a plain full build; the
build cache never changes a result; progress stays quiet unless asked; the benchmark harness runs.

The projects here are small synthetic corpora written by ``benchmarks/synthetic.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from caucasus_events.build import buildcache, descriptor, lint
from caucasus_events.build import pipeline as build_module
from caucasus_events.build.pipeline import build
from caucasus_events.build.progress import Progress, Reporter, _amount, interactive
from caucasus_events.build.rawdata import read_registries
from caucasus_events.build.rows import ColumnRows
from caucasus_events.build.spool import Spool
from caucasus_events.build.validate import table_findings, validate_package
from caucasus_events.cli import main
from caucasus_events.frames import to_frame
from caucasus_events.problems import InputError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import synthetic  # noqa: E402

N_ARTICLES = 12


def outputs(root: Path) -> dict[str, str]:
    """SHA-256 of every output file."""
    files = [root / "datapackage.json", *(root / "processed").iterdir(), *(root / "schemas").iterdir()]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def quiet(*_: object) -> None:
    pass


def edit_note(root: Path, article_id: str, note: str) -> None:
    """Give the first mention of an article a new note (a real change of the outputs)."""
    path = root / "raw" / "annotations" / f"{article_id}.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("  - event:"))
    end = next((i for i in range(first + 1, len(lines)) if lines[i].startswith("  - event:")), len(lines))
    lines = (
        lines[:first] + [line for line in lines[first:end] if not line.startswith("    note:")] + lines[end:]
    )
    lines.insert(first + 2, f'    note: "{note}"')  # after the event and quote lines
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "corpus"
    synthetic.generate(root, N_ARTICLES, seed=7, n_actors=40)
    return root


@pytest.fixture
def project(corpus: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    return root


def clean_build(root: Path, where: Path, **options) -> dict[str, str]:
    """Build a copy of ``root`` from scratch, without cache; return its outputs' hashes."""
    copy = where / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root / "raw", copy / "raw")
    shutil.copy(root / "CITATION.cff", copy / "CITATION.cff")
    assert build(copy, say=quiet, cache=False, **options) == 0
    return outputs(copy)


def cached_count(root: Path, **options) -> tuple[int, int]:
    """Build with the cache and a verbose reporter: (articles from the cache, articles built)."""
    stream = io.StringIO()
    assert build(root, say=quiet, progress=Reporter("verbose", stream), **options) == 0
    lines = stream.getvalue().splitlines()
    hits = sum("from the cache" in line for line in lines)
    return hits, sum(line.startswith("articles: raw/articles/") for line in lines) - hits


def test_incremental_build_is_byte_identical_to_a_full_build(project: Path, tmp_path: Path) -> None:
    assert cached_count(project) == (0, N_ARTICLES)
    first = outputs(project)
    edit_note(project, "syn-000003", "changed after the first build")
    assert cached_count(project) == (N_ARTICLES - 1, 1)  # only the edited article is redone
    incremental = outputs(project)
    assert incremental != first
    assert incremental["processed/mentions.csv"] != first["processed/mentions.csv"]
    assert incremental == clean_build(project, tmp_path)
    assert b"changed after the first build" in (project / "processed" / "mentions.csv").read_bytes()


def test_registry_change_invalidates_every_article(project: Path, tmp_path: Path) -> None:
    build(project, say=quiet)
    events = project / "raw" / "events" / "synthetic-0001.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("Synthetic event 1:", "Renamed event 1:"), encoding="utf-8"
    )
    assert cached_count(project) == (0, N_ARTICLES)
    assert outputs(project) == clean_build(project, tmp_path)
    assert b"Renamed event 1:" in (project / "processed" / "events.csv").read_bytes()


def test_publisher_registry_change_invalidates_every_article(project: Path, tmp_path: Path) -> None:
    build(project, say=quiet)
    publishers = project / "raw" / "publishers.yaml"
    publishers.write_text(
        publishers.read_text(encoding="utf-8").replace("short: Synthetic Wire", "short: Renamed Wire"),
        encoding="utf-8",
    )
    assert cached_count(project) == (0, N_ARTICLES)
    assert outputs(project) == clean_build(project, tmp_path)
    assert b"Renamed Wire" in (project / "processed" / "articles.csv").read_bytes()


def test_parallel_build_reads_the_event_files_in_the_workers(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    real = build_module.read_registries

    def spy(root, mapper=map):
        def recording(function, files):
            for result in mapper(function, files):
                seen.append(result.shown)
                yield result

        seen.append(mapper)
        return real(root, recording)

    monkeypatch.setattr(build_module, "read_registries", spy)
    assert build(project, say=quiet, workers=2, cache=False) == 0
    assert isinstance(getattr(seen[0], "__self__", None), ProcessPoolExecutor)  # the pool's map
    assert "raw/events/synthetic-0001.yaml" in seen[1:]


def test_parallel_build_reports_registry_problems_like_serial(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    events = project / "raw" / "events" / "synthetic-0001.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("  status: ", "  staus: ", 1), encoding="utf-8"
    )
    actors = project / "raw" / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + "- id: [not, text]\n", encoding="utf-8")
    messages = []
    for workers in ("1", "2"):
        assert main(["build", "--root", str(project), "--quiet", "--no-cache", "--workers", workers]) == 2
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1]
    assert "raw/events/synthetic-0001.yaml:" in messages[0] and "staus" in messages[0]
    assert "raw/actors.yaml:" in messages[0]


def unencoded(built: build_module.Built) -> tuple[dict[str, ColumnRows], dict[str, dict]]:
    """A build's tables as the stage's columns again (a fresh copy), and their schemas."""
    tables = {table: ColumnRows(list(rows.columns), rows) for table, rows in built.tables.items()}
    schemas = {table: json.loads(built.files[f"schemas/{table}.json"]) for table in built.tables}
    return tables, schemas


def test_tables_encoded_in_two_processes_are_the_same(project: Path) -> None:
    """The pool's processes sort the rows they are given as this process would, then encode."""
    built = build_module.make(project)
    _, schemas = unencoded(built)
    shuffled = {}
    for table, rows in built.tables.items():
        # A table without a row order is published in the order given.
        ordered = build_module.MODELS[table].Config.metadata["row_order"]
        shuffled[table] = ColumnRows(list(rows.columns), list(rows)[:: -1 if ordered else 1])
    parallel_files, serial_files = Spool(), Spool()
    with build_module._executor(shuffled, schemas, 2) as (pool, _):
        assert pool is not None
        parallel = {
            table: (arrow, found)
            for table, arrow, found in build_module._encoding(shuffled, schemas, pool, parallel_files)
        }
    in_order = {table: build_module._sorted(table, rows) for table, rows in shuffled.items()}
    with build_module._executor(in_order, schemas, 1) as (pool, _):
        assert pool is None
        serial = {
            table: arrow
            for table, arrow, found in build_module._encoding(in_order, schemas, pool, serial_files)
            if found is None
        }
    assert serial.keys() == parallel.keys() == schemas.keys()
    assert serial_files == parallel_files
    assert set(serial_files) == {
        f"processed/{table}.{kind}" for table in schemas for kind in ("csv", "parquet")
    }
    for table, arrow in serial.items():
        assert parallel[table][0].equals(arrow)
        # Each table is checked where it was encoded, as this process would check it.
        assert parallel[table][1] == table_findings(table, to_frame(arrow, schemas[table]))
        assert built.files[f"processed/{table}.csv"] == serial_files[f"processed/{table}.csv"]
        assert built.files[f"processed/{table}.parquet"] == serial_files[f"processed/{table}.parquet"]


def test_a_pool_starts_encoding_before_its_tables_are_asked_for(project: Path) -> None:
    """The pool encodes while this process runs the linter: the tables are sent to it when
    the encoding is made, not when its first table is read (which comes after the linter)."""
    built = build_module.make(project)
    tables, schemas = unencoded(built)

    class RecordingPool:
        asked: list[str] = []

        def map(self, function, items):
            self.asked += items
            return iter(())

    pool = RecordingPool()
    build_module._encoding(tables, schemas, pool, Spool())  # not iterated
    largest, *rest = sorted(schemas, key=lambda table: len(tables[table]), reverse=True)
    # The largest table's two files are made apart, by two processes.
    assert pool.asked == [(largest, "csv"), (largest, "parquet"), *((table, "both") for table in rest)]


def test_the_shared_passage_rule_refuses_rows_an_encoding_sorted(project: Path, monkeypatch) -> None:
    """In a pool's process, the shared-passage rule runs only on rows in the stage's order."""
    reg, _ = read_registries(project)
    built = build_module.make(project)
    tables, schemas = unencoded(built)
    texts = lint.Texts(project, tables["articles"].columns["article_id"])
    passages = {article_id: lint.passage_fingerprints(texts[article_id]) for article_id in texts}
    linting = build_module.Linting(project, [0] * len(tables["mentions"]), passages)
    monkeypatch.setattr(build_module, "_SORTED_HERE", False)
    monkeypatch.setattr(build_module, "_ENCODER", None)
    build_module._start_encoder(tables, schemas, reg, linting)
    assert build_module._shared_passages_in_worker() == []
    build_module._encode_in_worker(("actors", "both"))
    with pytest.raises(RuntimeError, match="after an encoding"):
        build_module._shared_passages_in_worker()


def test_pool_checks_report_a_broken_table_as_this_process_does(project: Path) -> None:
    """A table that breaks its model gives the same problems checked in the encoding pool."""
    reg, _ = read_registries(project)
    cff, _ = descriptor.read_citation(project)
    built = build_module.make(project)
    messages = []
    for workers in (1, 2):
        tables, _ = unencoded(built)
        tables["mentions"].columns["quote_sha256"][3] = "not-a-hash"
        tables["events"].columns["n_articles"][0] = 0
        with pytest.raises(InputError) as caught:
            build_module.serialize_all(tables, cff, reg, workers)
        messages.append([str(problem) for problem in caught.value.problems])
    assert messages[0] == messages[1]
    assert [message.split(": ")[1] for message in messages[0]] == ["n_articles", "quote_sha256"]


def test_parallel_build_is_byte_identical_to_serial(project: Path, tmp_path: Path) -> None:
    assert build(project, say=quiet, workers=2, cache=False) == 0
    assert not (project / buildcache.CACHE_DIR).exists()
    assert outputs(project) == clean_build(project, tmp_path, workers=1)


def test_parallel_build_with_cache_misses_only(project: Path, tmp_path: Path) -> None:
    build(project, say=quiet)
    edit_note(project, "syn-000005", "edited")
    edit_note(project, "syn-000009", "edited too")
    assert cached_count(project, workers=2) == (N_ARTICLES - 2, 2)
    assert outputs(project) == clean_build(project, tmp_path)


def test_problems_read_in_the_registries_pool_are_reported_like_serial(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    """With workers, the article list and the citation are read in the pool: same messages."""
    (project / "raw" / "annotations" / "nowhere.yaml").write_text("article: nowhere\n", encoding="utf-8")
    (project / "CITATION.cff").write_text("cff-version: [\n", encoding="utf-8")
    messages = []
    for workers in ("1", "2"):
        assert main(["build", "--root", str(project), "--quiet", "--no-cache", "--workers", workers]) == 2
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1]
    assert "annotation of unknown article 'nowhere'" in messages[0] and "CITATION.cff" in messages[0]


def test_parallel_build_reports_problems_like_serial(project: Path, capsys: pytest.CaptureFixture) -> None:
    path = project / "raw" / "annotations" / "syn-000004.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('quote: "', 'quote: "nowhere ', 1), encoding="utf-8"
    )
    messages = []
    for workers in ("1", "2"):
        assert main(["build", "--root", str(project), "--quiet", "--no-cache", "--workers", workers]) == 2
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1]
    assert "raw/annotations/syn-000004.yaml:" in messages[0] and "quote not found in the text" in messages[0]


def read_pack(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    return pickle.loads(data[len(buildcache.MAGIC) + 65 :])


def write_pack(path: Path, entries: dict[str, bytes]) -> None:
    body = pickle.dumps(entries)
    path.write_bytes(buildcache.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        flip,  # one bit flipped
        lambda data: b"not a cache entry",
        lambda data: b"",
    ],
    ids=["truncated", "bit-flip", "garbage", "empty"],
)
def test_damaged_cache_is_ignored(project: Path, damage) -> None:
    build(project, say=quiet)
    expected = outputs(project)
    packs = sorted((project / buildcache.CACHE_DIR).glob("*.pack"))
    assert [p.name for p in packs] == ["article.pack", "registries.pack"]
    assert len(read_pack(packs[0])) == N_ARTICLES
    for path in packs:
        path.write_bytes(damage(path.read_bytes()))
    assert cached_count(project) == (0, N_ARTICLES)
    assert outputs(project) == expected
    assert cached_count(project) == (N_ARTICLES, 0)  # and the cache was rewritten whole


def test_cache_entry_under_another_key_is_ignored(project: Path) -> None:
    build(project, say=quiet)
    path = project / buildcache.CACHE_DIR / "article.pack"
    entries = read_pack(path)
    first, second = sorted(entries)[:2]
    # Each entry is sound but stored under the other's key: both must count as misses.
    entries[first], entries[second] = entries[second], entries[first]
    write_pack(path, entries)
    assert cached_count(project) == (N_ARTICLES - 2, 2)
    entries = read_pack(path)
    entries[first] = b"\x80\x05 not a pickle"
    write_pack(path, entries)
    assert cached_count(project) == (N_ARTICLES - 1, 1)


def test_unreadable_cache_is_not_an_error(project: Path) -> None:
    (project / buildcache.CACHE_DIR).write_text("a file where the folder should be", encoding="utf-8")
    assert build(project, say=quiet) == 0
    assert (project / "processed" / "events.csv").is_file()


def test_text_replaced_by_a_link_is_not_taken_from_the_cache(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    build(project, say=quiet)
    text = project / "raw" / "articles" / "syn-000002.txt"
    copy = project / "elsewhere.txt"
    shutil.copy(text, copy)
    text.unlink()
    text.symlink_to(copy)  # same bytes, but a link: the build must refuse it
    assert main(["build", "--root", str(project), "--quiet"]) == 2
    assert (
        "raw/articles/syn-000002.txt: -: text is a link or lies outside raw/articles"
        in capsys.readouterr().err
    )


def test_cache_keeps_only_the_entries_of_the_last_build(project: Path) -> None:
    build(project, say=quiet)
    path = project / buildcache.CACHE_DIR / "article.pack"
    before = set(read_pack(path))
    edit_note(project, "syn-000006", "edited")
    build(project, say=quiet)
    after = set(read_pack(path))
    assert len(after) == N_ARTICLES
    assert len(before - after) == 1  # the entry of the old annotation is gone
    assert build(project, say=quiet, check=True) == 0  # --check reads the cache too
    assert set(read_pack(path)) == after


def test_code_fingerprint_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "pkg"
    shutil.copytree(buildcache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    monkeypatch.setattr(buildcache, "PACKAGE", copy)
    before = buildcache.code_fingerprint()
    stage = copy / "stage.py"
    stage.write_text(stage.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert buildcache.code_fingerprint() != before


def test_workers_must_be_positive(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", "--root", str(project), "--workers", "0"]) == 2
    assert "--workers 0 (expected 1 or more processes)" in capsys.readouterr().err


# Progress --------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_build_is_quiet_on_stderr_when_not_a_terminal(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", "--root", str(project)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "table             rows" in out


def test_validate_is_quiet_on_stderr_when_not_a_terminal(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["build", "--root", str(project), "--quiet"]) == 0
    capsys.readouterr()  # the build's linter warnings
    assert main(["validate", "--fast", str(project)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"{project.resolve()}: package is valid\n", "")


def test_verbose_lists_each_article_even_when_piped(project: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", "--root", str(project), "--quiet", "--verbose"]) == 0
    assert capsys.readouterr().err == ""  # --quiet wins over --verbose
    assert main(["build", "--root", str(project), "--verbose"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len([line for line in err if line.startswith("articles: raw/articles/syn-")]) == N_ARTICLES
    assert all("\r" not in line for line in err)  # no bar: stderr is not a terminal


def test_validate_verbose_names_each_file(project: Path, capsys: pytest.CaptureFixture) -> None:
    main(["build", "--root", str(project), "--quiet"])
    assert main(["validate", "--fast", "--verbose", str(project)]) == 0
    err = capsys.readouterr().err
    assert "files: processed/events.csv: " in err and ", sha256:" in err
    assert "tables: mentions: " in err


def test_bar_is_drawn_in_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = FakeTerminal()
    with Reporter("auto", terminal).bar("articles", total=4) as bar:
        for _ in range(4):
            bar(1)
    text = terminal.getvalue()
    assert text.startswith("\rarticles  [")
    assert "4/4" in text and "/s" in text and text.endswith("\n")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_bar_is_not_drawn_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    terminal = FakeTerminal()
    with Reporter("auto", terminal).bar("articles", total=2) as bar:
        bar(2)
    assert terminal.getvalue() == ""
    assert not interactive(terminal)


def test_bar_in_ci_false_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    assert interactive(FakeTerminal())


def test_quiet_reporter_writes_nothing_even_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = FakeTerminal()
    reporter = Reporter.from_flags(quiet=True, verbose=True, stream=terminal)
    assert list(reporter.track(["a", "b"], "files")) == ["a", "b"]
    assert terminal.getvalue() == ""


def test_progress_line_counts_bytes_and_rate() -> None:
    bar = Progress("download", total=4 * 1024 * 1024, unit="B")
    bar.started -= 2.0  # two seconds ago
    bar(1024 * 1024)
    line = bar.line(now=bar.started + 2.0)
    assert line.startswith("download  [#####...............]  25%  1.0 MiB/4.0 MiB  512.0 KiB/s  ETA 0:06")
    assert _amount(512, "B") == "512 B"
    assert _amount(12345, "") == "12,345"


def test_unknown_progress_mode() -> None:
    with pytest.raises(ValueError, match="unknown progress mode 'loud'"):
        Reporter("loud")


# Fast validation -----------------------------------------------------------------------------


def test_fast_validation_checks_the_descriptor_profile(project: Path) -> None:
    build(project, say=quiet)
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["name"] = "Events Table!"
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    problems = [str(p) for p in validate_package(project, frictionless=False)]
    assert len(problems) == 1
    assert problems[0].startswith("datapackage.json: -: frictionless: ") and "'Events Table!'" in problems[0]


def test_fast_validation_needs_a_resource_for_each_table_file(project: Path) -> None:
    build(project, say=quiet)
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["path"] != "processed/places.parquet"]
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert [str(p) for p in validate_package(project, frictionless=False)] == [
        "datapackage.json: resources: no resource for processed/places.parquet "
        "(expected one per table and format, with its size and hash)"
    ]


# The synthetic corpus and the benchmark harness -----------------------------------------------


def test_generator_is_deterministic_and_marks_its_files(tmp_path: Path) -> None:
    synthetic.generate(tmp_path / "a", 5, seed=3, n_actors=20)
    synthetic.generate(tmp_path / "b", 5, seed=3, n_actors=20)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    for f in files:
        if f.suffix == ".yaml":
            assert (tmp_path / "a" / f).read_text(encoding="utf-8").startswith("# SYNTHETIC benchmark data")
        elif f.suffix == ".txt":
            assert (tmp_path / "a" / f).read_text(encoding="utf-8").startswith("[SYNTHETIC benchmark data")


def test_generator_refuses_the_repository_raw_folder() -> None:
    with pytest.raises(SystemExit, match="refusing to write synthetic data into the repository"):
        synthetic.generate(REPO / "raw" / "synthetic", 1)


@pytest.mark.slow
def test_benchmark_runner_quick_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--quick",
            "--out",
            str(tmp_path),
            "--frictionless-timeout",
            "120",
            "--markdown",
            str(tmp_path / "B.md"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "1"},
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for figure in (
        "1 full build",
        "2 incremental",
        "3 full build, 2 workers",
        "4 validate --fast",
        "4b frictionless",
        "5 load events",
        "6 peak RSS",
        "7 Parquet bytes",
        "8 load one year and three columns",
        "8 pyarrow: same selection",
    ):
        assert figure in result.stdout
    assert "| figure | ours | baseline | ratio | target | met | note |" in (tmp_path / "B.md").read_text(
        encoding="utf-8"
    )
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["details"]["identical outputs (incremental, 1 worker, 2 workers)"] is True


def test_benchmark_floor_writes_parquet_as_the_build_does():
    import importlib.util

    from caucasus_events.build.serialize import PARQUET_OPTIONS

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "floor.py"
    spec = importlib.util.spec_from_file_location("floor", path)
    floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floor)
    assert floor.PARQUET_OPTIONS == PARQUET_OPTIONS
