"""``caucasus-events build``: raw/ in; processed/, schemas/ and datapackage.json out."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from caucasus_events import assemble, descriptor, output, serialize
from caucasus_events.frames import to_frame
from caucasus_events.models import MODELS
from caucasus_events.problems import InputError, Problem, relpath
from caucasus_events.rawdata import CODEBOOK_FILES, Registries, read_registries, sha256_bytes
from caucasus_events.stage import ArticleResult, process_article
from caucasus_events.tableschema import codebook_categories, table_schema
from caucasus_events.validate import check_frames


@dataclass
class Built:
    """A complete, checked build held in memory."""

    tables: dict[str, list[dict]]
    files: dict[str, bytes]
    counts: dict[str, int]


def article_ids(root: Path) -> tuple[list[str], list[Problem]]:
    """Articles to build (one per metadata file), and annotations that name no article."""
    raw = root / "raw"
    ids = sorted(p.stem for p in (raw / "articles").glob("*.yaml"))
    problems = [
        Problem(
            relpath(p, root),
            None,
            "-",
            f"annotation of unknown article {p.stem!r} (expected raw/articles/{p.stem}.yaml)",
        )
        for p in sorted((raw / "annotations").glob("*.yaml"))
        if p.stem not in ids
    ]
    if not ids:
        problems.append(Problem("raw/articles", None, "-", "no articles (expected raw/articles/*.yaml)"))
    return ids, problems


def run_stage(
    root: Path, ids: list[str], reg: Registries, workers: int, progress=None
) -> list[ArticleResult]:
    """Run the per-article stage over ``ids``, in a process pool when ``workers`` > 1."""
    task = partial(process_article, root, reg=reg)
    if workers <= 1:
        results = []
        for article_id in ids:
            results.append(task(article_id))
            if progress:
                progress(1)
        return results
    chunk = max(1, len(ids) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = []
        for result in pool.map(task, ids, chunksize=chunk):
            results.append(result)
            if progress:
                progress(1)
        return results


def make(root: Path, workers: int = 1, progress=None) -> Built:
    """Read and check raw/, then produce every output file's bytes, or raise InputError."""
    root = root.resolve()
    reg, problems = read_registries(root)
    ids, found = article_ids(root)
    problems += found
    cff, found = descriptor.read_citation(root)
    problems += found
    results = (
        run_stage(root, ids, reg, workers, progress) if reg.codebooks.keys() == CODEBOOK_FILES.keys() else []
    )
    for result in results:
        problems += result.problems
    if problems:
        raise InputError(problems)
    tables, problems = assemble.all_rows(reg, results)
    if problems:
        raise InputError(problems)
    return serialize_all(tables, cff, reg)


def serialize_all(tables: dict[str, list[dict]], cff: dict, reg: Registries) -> Built:
    """Sort, validate and serialize the tables; generate schemas and the descriptor."""
    keys = {"plover_types.type": [row["type"] for row in reg.codebooks["plover_types"]]}
    files: dict[str, bytes] = {}
    schemas, frames = {}, {}
    for table, model in MODELS.items():
        rows = assemble.sort_rows(tables[table], model.Config.metadata["row_order"])
        tables[table] = rows
        schema = table_schema(table, codebook_categories(table, keys))
        schemas[table] = schema
        arrow = serialize.arrow_table(rows, schema)
        files[f"schemas/{table}.json"] = serialize.json_bytes(schema)
        files[f"processed/{table}.csv"] = serialize.csv_bytes(rows, schema)
        files[f"processed/{table}.parquet"] = serialize.parquet_bytes(arrow)
        frames[table] = to_frame(arrow, schema)
    problems = check_frames(frames)
    if problems:
        raise InputError(problems)
    sources = [
        {"title": f"{a['publisher']}: {a['title']}", "path": a["url"].split(" ")[0]}
        for a in tables["articles"]
    ]
    files["datapackage.json"] = serialize.json_bytes(descriptor.descriptor(cff, files, sources))
    counts = {f"{table} rows": len(rows) for table, rows in tables.items()}
    counts.update(assemble.summary_counts(tables))
    return Built(tables=tables, files=files, counts=counts)


def summary(built: Built) -> str:
    """The lines printed after a build: tables, rows, files with their SHA-256."""
    lines = ["table             rows"]
    lines += [f"{table:<16} {len(rows):>5}" for table, rows in built.tables.items()]
    for name, value in built.counts.items():
        if not name.endswith(" rows"):
            lines.append(f"{name}: {value}")
    lines.append("")
    lines += [f"{sha256_bytes(data)}  {rel}" for rel, data in sorted(built.files.items())]
    return "\n".join(lines)


def build(
    root: Path,
    *,
    check: bool = False,
    workers: int = 1,
    timeout: float = 60.0,
    say=print,
    progress=None,
) -> int:
    """Build (or, with ``check``, compare) the outputs; return the exit code."""
    root = root.resolve()
    if check:
        built = make(root, workers, progress)
        differing = output.differences(root, built.files)
        if differing:
            say("committed outputs are stale:\n" + "\n".join(differing))
            return 1
        say(f"outputs are up to date ({len(built.files)} files match what raw/ builds)")
        return 0
    with output.build_lock(root, timeout, say):
        if message := output.recover(root):
            say(message)
        built = make(root, workers, progress)
        output.commit(root, built.files)
    say(summary(built))
    return 0
