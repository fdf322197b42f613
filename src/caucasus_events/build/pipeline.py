"""``caucasus-events build``: raw/ in; processed/, schemas/ and datapackage.json out."""

from __future__ import annotations

import gc
import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, MutableMapping, MutableSequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

import numpy as np
import pyarrow as pa

from caucasus_events.build import assemble, buildcache, descriptor, lint, output, readme, serialize
from caucasus_events.build.buildcache import BuildCache
from caucasus_events.build.inventory import inventory_problems
from caucasus_events.build.models import MODELS
from caucasus_events.build.progress import QUIET, Reporter
from caucasus_events.build.rawdata import CODEBOOK_FILES, Registries, read_registries
from caucasus_events.build.rows import ArrowRows, ColumnRows, Tables
from caucasus_events.build.spool import Spool, file_sha256
from caucasus_events.build.stage import ArticleResult, process_article
from caucasus_events.build.tableschema import codebook_categories, table_schema
from caucasus_events.build.validate import FramesOfTables, TableFindings, check_frames, table_findings
from caucasus_events.frames import to_frame
from caucasus_events.problems import InputError, Problem, UsageError, relpath


@dataclass
class Built:
    """A complete, checked build held in memory."""

    #: The rows of each table, sorted, as encoded in its files.
    tables: dict[str, ArrowRows]
    #: Every output file by its path in the project (``processed/events.csv``), kept on disk
    #: until the build is committed (see :class:`~caucasus_events.build.spool.Spool`).
    files: Mapping[str, bytes]
    counts: dict[str, int]
    #: Findings of the linter's warning rules (errors stop the build).
    warnings: list[Problem] = field(default_factory=list)


def project_root(root: Path) -> Path:
    """``root`` resolved, or a UsageError when it is not a project folder (no raw/ in it)."""
    resolved = root.resolve()
    if not (resolved / "raw").is_dir():
        if not resolved.exists():
            what = "missing"
        else:
            what = "a file" if resolved.is_file() else "a folder without raw/"
        raise UsageError(
            f"{root}: not a project folder ({what}; expected the folder holding raw/, see docs/annotating.md)"
        )
    return resolved


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while a build allocates.

    A build makes millions of small objects (YAML nodes, mappings, rows) that nearly all live
    until its end, and the default thresholds make the collector walk them again and again: a
    fifth of the CPU time of a build of 10,000 articles. Higher thresholds still collect, just
    less often. The previous thresholds are restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def article_ids(root: Path) -> tuple[list[str], list[Problem]]:
    """Articles to build (one per metadata file), and annotations that name no article."""
    raw = root / "raw"
    ids = sorted(p.stem for p in (raw / "articles").glob("*.yaml"))
    known = set(ids)  # a set: a list makes this check quadratic in the number of articles
    problems = [
        Problem(
            relpath(p, root),
            None,
            "-",
            f"annotation of unknown article {p.stem!r} (expected raw/articles/{p.stem}.yaml)",
        )
        for p in sorted((raw / "annotations").glob("*.yaml"))
        if p.stem not in known
    ]
    if not ids:
        problems.append(Problem("raw/articles", None, "-", "no articles (expected raw/articles/*.yaml)"))
    return ids, problems


# What a pool worker needs to run the stage, set once per worker process by _start_worker, so
# that the registries are sent to each worker once rather than with every chunk of articles.
# It belongs to the pool plumbing: process_article itself reads no global state.
_WORKER: tuple[Path, Registries] | None = None


def _start_worker(root: Path, reg: Registries) -> None:
    global _WORKER
    _WORKER = (root, reg)


def _in_worker(article_id: str) -> ArticleResult:
    assert _WORKER is not None, "the pool was started without _start_worker"
    root, reg = _WORKER
    return process_article(root, article_id, reg)


ENGINES = ("local", "dask")
#: The most articles the stage sends to a pool's process at once.
CHUNK_MAX = 256
T = TypeVar("T")


def _dask_workers(workers: int) -> int:
    """Worker processes of the LocalCluster: ``--workers`` when more than one, else the default."""
    from caucasus_events.build import daskengine

    return workers if workers > 1 else daskengine.LOCAL_WORKERS


def _stage(
    root: Path, ids: list[str], reg: Registries, workers: int, engine: str, scheduler: str | None
) -> Iterator[ArticleResult]:
    """Results of the stage for ``ids``, in order; a process pool or Dask cluster when asked."""
    if engine == "dask" and ids:
        from caucasus_events.build import daskengine

        yield from daskengine.stage(root, ids, reg, scheduler, _dask_workers(workers))
        return
    if workers <= 1 or len(ids) < 2:
        for article_id in ids:
            yield process_article(root, article_id, reg)
        return
    # Chunks of about an eighth of a worker's share: few round trips, yet even load. At most
    # CHUNK_MAX articles: the results of a chunk arrive together, and those of the last chunk
    # are taken in here after the workers are done.
    chunk = max(1, min(len(ids) // (workers * 8), CHUNK_MAX))
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(root, reg)) as pool:
        yield from pool.map(_in_worker, ids, chunksize=chunk)


def run_stage(
    root: Path,
    ids: list[str],
    reg: Registries,
    workers: int,
    progress=None,
    cache: BuildCache | None = None,
    registries_key: str = "",
    engine: str = "local",
    scheduler: str | None = None,
) -> Iterator[tuple[str, ArticleResult]]:
    """Run the per-article stage over ``ids``, in a process pool when ``workers`` > 1.

    Parameters
    ----------
    root, ids, reg
        Project root, article IDs and the registries to check against.
    workers : int
        Processes for the stage (1: in this process).
    progress : callable, optional
        Called as ``progress(1, item=...)`` after each article.
    cache : BuildCache, optional
        Reuse, and store, the results of articles whose inputs are unchanged.
    registries_key : str
        The registries' cache key, part of every article's key.
    engine : str
        ``"local"`` (this process or a process pool) or ``"dask"`` (a Dask cluster).
    scheduler : str, optional
        With the Dask engine, the address of a running scheduler (default: a LocalCluster).

    Yields
    ------
    tuple of str and ArticleResult
        Each ID with its result, in the order of ``ids``, as soon as it is ready: the same
        whatever the workers and the cache. The caller keeps what it needs of each, so that
        the results of a large corpus are never held together.
    """
    step = progress or (lambda *_, **__: None)
    cached: dict[str, ArticleResult] = {}
    keys: dict[str, str] = {}
    if cache is not None:
        for article_id in ids:
            key = buildcache.article_key(root, article_id, registries_key)
            hit = cache.get("article", key)
            if isinstance(hit, ArticleResult):
                cached[article_id] = hit
            else:
                keys[article_id] = key
    todo = [article_id for article_id in ids if article_id not in cached]
    fresh = _stage(root, todo, reg, workers, engine, scheduler)
    for article_id in ids:
        if (result := cached.pop(article_id, None)) is not None:
            step(1, item=f"raw/articles/{article_id}.yaml (unchanged, from the cache)")
        else:
            result = next(fresh)
            if cache is not None:
                cache.put("article", keys[article_id], result)
            step(
                1,
                item=f"raw/articles/{article_id}.yaml ({len(result.mentions)} mentions, {len(result.problems)} problems)",
            )
        yield article_id, result


def registries(
    root: Path, cache: BuildCache | None, pool: ProcessPoolExecutor | None = None
) -> tuple[Registries, list[Problem], str]:
    """The registries and their problems (from the cache when their files are unchanged), and their key.

    With a ``pool``, the event files are read and checked in its processes: they are most of
    the registries' time. What needs every event (duplicate IDs, references between events)
    stays here.
    """
    key = buildcache.registries_key(root, cache.code) if cache is not None else ""
    hit = cache.get("registries", key) if cache is not None else None
    if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], Registries):
        return hit[0], hit[1], key
    reg, problems = read_registries(root, pool.map) if pool is not None else read_registries(root)
    if cache is not None:
        cache.put("registries", key, (reg, problems))
    return reg, problems, key


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` processes, or None for one worker."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def _meanwhile(
    pool: ProcessPoolExecutor | None, function: Callable[..., T], *args: object
) -> Callable[[], T]:
    """What gives ``function(*args)``: run in ``pool`` from now on, or here when asked for."""
    if pool is None:
        return lambda: function(*args)
    return pool.submit(function, *args).result


def make(
    root: Path,
    workers: int = 1,
    progress: Reporter | None = None,
    cache: BuildCache | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Built:
    """Read and check raw/, then produce every output file's bytes, or raise InputError.

    Parameters
    ----------
    root : Path
        Project root.
    workers : int
        Processes for the per-article stage.
    progress : Reporter, optional
        Where to report progress (default: nowhere).
    cache : BuildCache, optional
        Reuse the work of unchanged inputs (the outputs are the same with or without it).
    engine : str
        Where the per-article stage runs: ``"local"`` or ``"dask"`` (the outputs are the same).
    scheduler : str, optional
        Dask scheduler address (default: a LocalCluster of 2 workers, or ``workers``).
    """
    if workers < 1:
        raise UsageError(f"--workers {workers} (expected 1 or more processes)")
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine} (expected one of: {', '.join(ENGINES)})")
    if scheduler and engine != "dask":
        raise UsageError(f"--scheduler {scheduler} (expected only with --engine dask)")
    if engine != "dask":
        return _make(root, workers, progress, cache, engine, scheduler)
    from caucasus_events.build import daskengine

    daskengine.require()  # before any work: a missing extra is a usage error
    with daskengine.session(scheduler, _dask_workers(workers)):  # one cluster for the whole build
        return _make(root, workers, progress, cache, engine, scheduler)


@fewer_collections()
def _make(
    root: Path,
    workers: int,
    progress: Reporter | None,
    cache: BuildCache | None,
    engine: str,
    scheduler: str | None,
) -> Built:
    """:func:`make` once its options are checked (with Dask, inside the build's cluster session)."""
    report = progress or QUIET
    root = project_root(root)
    with _pool(workers if engine == "local" else 1) as pool:
        # What needs no registries is read in the pool while this process reads the codebooks
        # (asked for before the event files, it does not wait for them).
        inventory = _meanwhile(pool, inventory_problems, root)
        listed = _meanwhile(pool, article_ids, root)
        citation = _meanwhile(pool, descriptor.read_citation, root)
        reg, problems, reg_key = registries(root, cache, pool)
        problems += inventory()
        ids, found = listed()
        problems += found
        cff, found = citation()
        problems += found
    gathered = assemble.Gathered()
    if reg.codebooks.keys() == CODEBOOK_FILES.keys():
        with report.bar("articles", total=len(ids)) as bar:
            for article_id, result in run_stage(
                root, ids, reg, workers, bar, cache, reg_key, engine, scheduler
            ):
                gathered.add(article_id, result)
    if cache is not None:
        cache.save()  # even when there are problems: the next run redoes only what changes
    problems += gathered.problems
    if problems:
        raise InputError(problems)
    tables, problems = assemble.all_rows(reg, gathered)
    if problems:
        raise InputError(problems)
    pending, linting = gathered.pending, Linting(root, gathered.mention_lines, gathered.passages)
    del gathered  # the rows live on in ``tables``
    built = serialize_all(tables, cff, reg, workers if engine == "local" else 1, linting)
    if pending:
        built.counts["texts pending annotation (left out of the tables)"] = ", ".join(pending)
    return built


@dataclass
class Linting:
    """What the linter reads besides the registries and the tables (see :func:`.lint.lint`)."""

    root: Path
    #: The line of each mention in its annotation, in the stage's order of the mentions.
    lines: MutableSequence[int]
    #: Each text's passage fingerprints, for the shared-passage rule.
    passages: MutableMapping[str, np.ndarray]


def _lint(tables: Tables, reg: Registries, linting: Linting, shared: Future | None) -> list[Problem]:
    """Run the linter here on the rows in the stage's order; return its warnings, or raise its errors.

    ``shared`` is the shared-passage rule running in a pool's process (see
    :func:`_shared_passages_in_worker`), or None to run it here.
    """
    if shared is not None:
        linting.passages.clear()  # the pool's process has its own copy
    texts = lint.Texts(linting.root, tables["articles"].columns["article_id"])
    errors, warnings = lint.lint(
        reg, tables, texts, linting.lines, linting.passages, shared.result if shared is not None else None
    )
    # Only the linter reads them: emptied here, they do not stay beside the encoded tables (the
    # shared-passage rule empties ``passages`` as it reads them, unless no quote has a run to
    # look up).
    del linting.lines[:]
    linting.passages.clear()
    if errors:
        raise InputError(errors)
    return warnings


# What the processes of _encoding read, set by _start_encoder: the tables (unsorted), their
# schemas, and the registries and the rest of what the linter reads (or None).
_ENCODER: tuple[Tables, dict[str, dict], Registries | None, Linting | None] | None = None
# Whether this process has sorted rows (each encoding sorts its table's rows in place).
_SORTED_HERE = False


def _start_encoder(
    tables: Tables, schemas: dict[str, dict], reg: Registries | None, linting: Linting | None
) -> None:
    global _ENCODER
    _ENCODER = (tables, schemas, reg, linting)


def _shared_passages_in_worker() -> list[tuple[lint.Rule, Problem]]:
    """The shared-passage rule's findings (the linter's costliest), in a pool's process.

    It must run before the process encodes anything: the linter reads the rows in the order
    the stage made them, and an encoding sorts them in place. The build asks for it before any
    table, so the process that takes it has encoded nothing yet.
    """
    assert _ENCODER is not None, "the pool was started without _start_encoder"
    tables, _, reg, linting = _ENCODER
    if _SORTED_HERE or reg is None or linting is None:
        raise RuntimeError(
            "the shared-passage rule was asked for after an encoding, or without what it reads"
        )
    texts = lint.Texts(linting.root, tables["articles"].columns["article_id"])
    return lint.shared_passage_findings(reg, tables, texts, linting.lines, linting.passages)


def _sorted(table: str, rows: ArrowRows | ColumnRows | list[dict]) -> ArrowRows | ColumnRows | list[dict]:
    return assemble.sort_rows(rows, MODELS[table].Config.metadata["row_order"])


def _encode(
    rows: ArrowRows | ColumnRows | list[dict],
    schema: dict,
    csv_out: BinaryIO | None,
    parquet_out: BinaryIO | None,
) -> pa.Table | None:
    """Write one table's CSV and Parquet files (either left out when its handle is None); return
    its Arrow table when the Parquet file was written."""
    # Arrow rows are read a slice at a time; columns are taken apart once for both files.
    columns = None if isinstance(rows, ArrowRows) else serialize.columns_of(rows, schema)
    if csv_out is not None:
        serialize.write_csv(csv_out, rows, schema, columns)
    if parquet_out is None:
        return None
    arrow = serialize.arrow_table(rows, schema, columns)
    serialize.write_parquet(arrow, parquet_out)
    return arrow


#: The parts of a table's encoding a pool's process can be asked for: both files, or one.
BOTH, CSV, PARQUET = "both", "csv", "parquet"


def _encode_in_worker(
    job: tuple[str, str],
) -> tuple[bytes | None, bytes | None, pa.Table | None, TableFindings | None]:
    """Encode a table's CSV, its Parquet or both, in a pool's process.

    With the Parquet file come the Arrow table and the checks of the table alone (see
    :func:`.table_findings`); what was not asked for is None.
    """
    global _SORTED_HERE
    assert _ENCODER is not None, "the pool was started without _start_encoder"
    tables, schemas, _, _ = _ENCODER
    table, part = job
    _SORTED_HERE = True
    csv_out = io.BytesIO() if part != PARQUET else None
    parquet_out = io.BytesIO() if part != CSV else None
    arrow = _encode(_sorted(table, tables[table]), schemas[table], csv_out, parquet_out)
    findings = table_findings(table, to_frame(arrow, schemas[table])) if arrow is not None else None
    return (
        csv_out.getvalue() if csv_out is not None else None,
        parquet_out.getvalue() if parquet_out is not None else None,
        arrow,
        findings,
    )


@contextmanager
def _executor(
    tables: Tables,
    schemas: dict[str, dict],
    workers: int,
    reg: Registries | None = None,
    linting: Linting | None = None,
) -> Iterator[tuple[ProcessPoolExecutor | None, Callable[..., Iterator]]]:
    """Where serialization's parallel work runs: a process pool (or none) and a ``map``.

    Within a Dask session (``--engine dask``) the ``map`` runs on the build's cluster and the
    tables are encoded here; with ``workers`` > 1, one pool of processes encodes the tables
    and checks each against its model where it was encoded (sending a table's frames to a pool
    to be checked took longer than checking them here: 0.71 s against 0.58 s for 10,000
    articles, the frames pickled both ways).
    """
    from caucasus_events.build import daskengine

    if (client := daskengine.current()) is not None:
        yield None, daskengine.mapper(client)
    elif workers <= 1:
        yield None, map
    else:
        with ProcessPoolExecutor(
            workers, initializer=_start_encoder, initargs=(tables, schemas, reg, linting)
        ) as pool:
            try:
                yield pool, map
            except BaseException:
                pool.shutdown(cancel_futures=True)  # a failed build need not wait for every table
                raise


def _encoding(
    tables: Tables, schemas: dict[str, dict], pool: ProcessPoolExecutor | None, files: Spool
) -> Iterator[tuple[str, pa.Table, TableFindings | None]]:
    """Every table sorted and encoded into ``files``, with its Arrow table and, from a pool, its checks.

    Without a ``pool``, each table is encoded in this process when the iterator reaches it,
    from ``tables`` as they are then. With a ``pool``, every table is sent to its processes
    now, before the iterator is read (largest first, its two files apart), so that they
    encode while this process does other work (the linter); each process sorts its own copy
    of the rows, and each table's files are written here as they come back, with what the
    checks of the table alone found there (:func:`.table_findings`), not run again here.
    """
    if pool is None:
        return _encode_here(tables, schemas, files)
    largest, *rest = sorted(schemas, key=lambda table: len(tables[table]), reverse=True)
    # The largest table (the mentions) takes as long as all the others together: its CSV and
    # its Parquet file are made by two processes, each sorting its own copy of the rows.
    jobs = [(largest, CSV), (largest, PARQUET), *((table, BOTH) for table in rest)]
    return _receive(jobs, pool.map(_encode_in_worker, jobs), files)


def _encode_here(
    tables: Tables, schemas: dict[str, dict], files: Spool
) -> Iterator[tuple[str, pa.Table, TableFindings | None]]:
    for table, schema in schemas.items():
        # Arrow rows are sorted into a new table: the one in the stage's order goes now.
        tables[table] = _sorted(table, tables[table])
        with (
            files.writing(f"processed/{table}.csv") as csv_out,
            files.writing(f"processed/{table}.parquet") as parquet_out,
        ):
            arrow = _encode(tables[table], schema, csv_out, parquet_out)
        yield table, arrow, None


def _receive(
    jobs: list[tuple[str, str]],
    encoded: Iterator[tuple[bytes | None, bytes | None, pa.Table | None, TableFindings | None]],
    files: Spool,
) -> Iterator[tuple[str, pa.Table, TableFindings | None]]:
    """Write what the pool encoded; each table once its Parquet file (after its CSV) is in."""
    for (table, _), (csv_data, parquet_data, arrow, findings) in zip(jobs, encoded, strict=True):
        if csv_data is not None:
            files.write(f"processed/{table}.csv", csv_data)
        if parquet_data is not None:
            files.write(f"processed/{table}.parquet", parquet_data)
            yield table, arrow, findings
        del csv_data, parquet_data


def serialize_all(
    tables: Tables, cff: dict, reg: Registries, workers: int = 1, linting: Linting | None = None
) -> Built:
    """Sort, validate and serialize the tables; generate schemas and the descriptor.

    With ``workers`` > 1 the tables are sorted and encoded (CSV, Parquet) in that many
    processes: the bytes are the same, and each process checks the tables it encodes against
    their models. Within a Dask session, the row-local part of the models runs on partitions
    of rows on the build's cluster instead. The checks across tables run here.

    With ``linting``, the linter runs here on the rows in the stage's order, before they are
    sorted, while the processes encode; its shared-passage rule, the costliest, runs in one of
    them. Its errors are raised as an :class:`InputError`, its warnings kept in the result.

    The rows are moved, not copied: each table leaves ``tables`` once it is encoded, and
    :attr:`Built.tables` holds it, sorted, as the Arrow table its files were made from. The
    files go to disk as they are made (:attr:`Built.files`).
    """
    keys = {"plover_types.type": [row["type"] for row in reg.codebooks["plover_types"]]}
    files = Spool()
    schemas = {table: table_schema(table, codebook_categories(table, keys)) for table in MODELS}
    rows, found = {}, {}
    warnings = []
    with _executor(tables, schemas, workers, reg, linting) as (pool, mapper):
        # Asked for first, so that the process taking it has not sorted its rows yet.
        shared = pool.submit(_shared_passages_in_worker) if pool is not None and linting else None
        encoding = _encoding(tables, schemas, pool, files)
        if linting is not None:
            warnings = _lint(tables, reg, linting, shared)
        # Once a table is encoded its rows are kept as the Arrow table, sorted, in a third of
        # the memory of the rows the stage made.
        for table, arrow, findings in encoding:
            if findings is None and mapper is map:
                # Checked alone now, as a pool's process checks what it encodes: the checks'
                # memory is taken while the tables still to come are not yet made.
                findings = table_findings(table, to_frame(arrow, schemas[table]))
            if findings is not None:
                found[table] = findings
            rows[table] = ArrowRows(arrow)
            del tables[table]  # a pool's processes have their own copy
        for table, schema in schemas.items():
            files.write(f"schemas/{table}.json", serialize.json_bytes(schema))
        frames = FramesOfTables({table: rows[table].table for table in schemas}, schemas)
        problems = check_frames(frames, mapper=mapper, found=found)
        del frames
    if problems:
        raise InputError(problems)
    # One source per publisher: the articles table lists every text, and a descriptor that
    # listed them all would grow with the corpus and slow every load.
    publishers = Counter(rows["articles"].columns["publisher"])
    sources = [
        {"title": f"{publisher} ({n} text{'s' if n > 1 else ''}; see the articles table)"}
        for publisher, n in sorted(publishers.items())
    ]
    files.write("datapackage.json", serialize.json_bytes(descriptor.descriptor(cff, files, sources)))
    counts = {f"{table} rows": len(table_rows) for table, table_rows in rows.items()}
    counts.update(assemble.summary_counts(rows))
    return Built(tables=rows, files=files, counts=counts, warnings=warnings)


def summary(built: Built) -> str:
    """The lines printed after a build: tables, rows, files with their SHA-256."""
    lines = ["table             rows"]
    lines += [f"{table:<16} {len(rows):>5}" for table, rows in built.tables.items()]
    for name, value in built.counts.items():
        if not name.endswith(" rows"):
            lines.append(f"{name}: {value}")
    lines.append("")
    lines += [f"{file_sha256(built.files, rel)}  {rel}" for rel in sorted(built.files)]
    return "\n".join(lines)


def build(
    root: Path,
    *,
    check: bool = False,
    workers: int = 1,
    timeout: float = 60.0,
    say=print,
    progress: Reporter | None = None,
    cache: bool = True,
    engine: str = "local",
    scheduler: str | None = None,
) -> int:
    """Build (or, with ``check``, compare) the outputs; return the exit code.

    With ``cache`` (the default), the parsed registries and each article's checked rows are
    kept in ``.caucasus-events-cache/`` and reused while their input files are unchanged; the
    outputs are byte-identical to a build without it.
    """
    root = project_root(root)
    store = BuildCache(root) if cache else None
    if check:
        built = make(root, workers, progress, store, engine, scheduler)
        differing = output.differences(root, built.files)
        # Why the check failed is printed even with --quiet: a bare exit 1 says nothing.
        if differing:
            print("committed outputs are stale:\n" + "\n".join(differing))
            return 1
        if (root / "README.md").is_file() and (stale := readme.stale_blocks(root)):
            print(f"README.md: generated blocks {', '.join(stale)} are stale (run `{readme.REFRESH}`)")
            return 1
        say(f"outputs are up to date ({len(built.files)} files match what raw/ builds)")
        _warn(built)
        return 0
    with output.build_lock(root, timeout, say):
        if message := output.recover(root):
            say(message)
        built = make(root, workers, progress, store, engine, scheduler)
        output.commit(root, built.files)
    say(summary(built))
    _warn(built)
    return 0


def _warn(built: Built) -> None:
    # Findings, like the reasons a check fails, are printed even with --quiet.
    if built.warnings:
        lines = [
            f"{len(built.warnings)} linter warning(s) (see docs/codebook.md, rules checked by the linter):"
        ]
        print("\n".join(lines + [str(w) for w in built.warnings]))
