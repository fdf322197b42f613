"""Check a built package: models, keys, derived values, quotes, hashes, sizes, descriptor."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from caucasus_events.build import partchecks
from caucasus_events.build.arrays import sorted_distinct
from caucasus_events.build.models import MODELS
from caucasus_events.build.progress import QUIET, Reporter
from caucasus_events.build.safefile import FileFault, read_regular
from caucasus_events.frames import arrow_schema, to_frame
from caucasus_events.problems import Problem


def _where(table: str, index) -> tuple[str, int | None]:
    # Row i of a table is line i + 2 of its CSV (after the header).
    return f"processed/{table}.csv", (int(index) + 2 if isinstance(index, int) else None)


UNIQUENESS = ("field_uniqueness", "multiple_fields_uniqueness")
#: The descriptor and schemas are small; a larger file is refused unread.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Descriptor keys every release carries: what a reader or an archive needs to identify it.
REQUIRED_KEYS = ("profile", "name", "title", "version", "licenses", "resources")


def _plain(value: object) -> object:
    """A value as a reader would write it: no numpy or pandas wrapper in messages."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value


def duplicate_problems(table: str, frame: pd.DataFrame, columns: list[str]) -> list[Problem]:
    """Each row whose ``columns`` repeat an earlier row's, naming the earlier row's line."""
    problems, first = [], {}
    for index, key in zip(frame.index, frame[columns].itertuples(index=False, name=None), strict=True):
        key = tuple(_plain(v) for v in key)
        path, line = _where(table, index)
        if key in first:
            shown = key[0] if len(key) == 1 else key
            problems.append(
                Problem(
                    path,
                    line,
                    ",".join(columns),
                    f"duplicate {shown!r} (first on line {first[key]}; expected each once)",
                )
            )
        else:
            first[key] = line
    return problems


def model_problems(table: str, frame: pd.DataFrame) -> list[Problem]:
    """Run the table's Pandera model, every failure reported once.

    Pandera reports a failed table-wide check once per column of the row and a duplicate
    once per copy; here a broken rule gives one problem per row, and a duplicate one problem
    per repeated row, naming the first.
    """
    return schema_problems_of(table, frame, MODELS[table].to_schema())


def row_problems(table: str, part: pd.DataFrame) -> list[Problem]:
    """The row-local part of the table's model (see :mod:`.partchecks`) on some of its rows.

    ``part`` keeps the whole table's index, so that problems name the lines of the whole table.
    """
    return schema_problems_of(table, part, partchecks.split(table)[0])


def table_problems(table: str, frame: pd.DataFrame) -> list[Problem]:
    """The table-wide part of the table's model (uniqueness, dtypes, columns) on the whole table."""
    return schema_problems_of(table, frame, partchecks.split(table)[1])


def schema_problems_of(table: str, frame: pd.DataFrame, schema) -> list[Problem]:
    """:func:`model_problems` with ``schema``, a model of the table or a part of one."""
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pandera.errors.SchemaErrors as exc:
        rules = {check.name: check.description or check.name for check in schema.checks}
        problems, seen = [], set()
        for case in exc.failure_cases.itertuples():
            index = case.index if case.index == case.index else None
            path, line = _where(table, index)
            if case.check in UNIQUENESS:
                columns = [case.column] if case.check == UNIQUENESS[0] else list(schema.unique)
                if tuple(columns) not in seen:
                    seen.add(tuple(columns))
                    problems += duplicate_problems(table, frame, columns)
            elif case.schema_context == "DataFrameSchema" and case.check in rules:
                if (case.check, index) not in seen:
                    seen.add((case.check, index))
                    problems.append(Problem(path, line, "-", f"{rules[case.check]} failed"))
            else:
                problems.append(
                    Problem(
                        path,
                        line,
                        str(case.column or "-"),
                        f"{case.check} failed (value {_plain(case.failure_case)!r})",
                    )
                )
        return problems
    return []


def _bad_rows(table: str, frame: pd.DataFrame, mask: pd.Series, column: str, message: str) -> list[Problem]:
    problems = []
    for index in frame.index[mask.fillna(False).to_numpy(dtype=bool)]:
        path, line = _where(table, index)
        problems.append(Problem(path, line, column, message.format(value=_plain(frame.at[index, column]))))
    return problems


def key_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Primary keys unique and every foreign key resolving."""
    problems = []
    for table, model in MODELS.items():
        frame, meta = frames[table], model.Config.metadata
        if not _declared_unique(model, meta["primary_key"]):  # else the model checked it already
            duplicated = frame.duplicated(meta["primary_key"], keep="first")
            problems += _bad_rows(
                table, frame, duplicated, meta["primary_key"][0], "duplicate primary key {value!r}"
            )
        for fk in meta["foreign_keys"]:
            ref = fk["reference"]
            column = frame[fk["fields"]]
            missing = column.notna() & ~_isin(column, frames[ref["resource"]][ref["fields"]])
            problems += _bad_rows(
                table,
                frame,
                missing,
                fk["fields"],
                f"{{value!r}} not found in {ref['resource']}.{ref['fields']}",
            )
    return problems


def _declared_unique(model, key: list[str]) -> bool:
    """Whether the model itself requires ``key`` to be unique (one column, or the table's unique)."""
    schema = model.to_schema()
    if len(key) == 1:
        return bool(schema.columns[key[0]].unique)
    return sorted(schema.unique or []) == sorted(key)


def _strings(column: pd.Series) -> pa.Array:
    """A text column (categoricals decoded) as one Arrow array, for vectorized checks."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(column.dtype.categories.dtype)
    array = pa.array(column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _isin(column: pd.Series, reference: pd.Series) -> pd.Series:
    # pandas' isin on Arrow strings turns the reference into a Python list first, which
    # dominates on a million keys; Arrow's hash lookup does not. Missing values never match.
    found = pc.is_in(_strings(column), value_set=_strings(reference).drop_null(), skip_nulls=True)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=column.index)


def derived_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Codebook-derived event values, modes and mention counts agree with their sources."""
    events, mentions = frames["events"], frames["mentions"]
    cameo = frames["cameo_codes"].drop_duplicates("code").set_index("code")
    types = frames["plover_types"].drop_duplicates("type").set_index("type")
    modes = frames["plover_modes"]
    # (type, mode) pairs as one text key, so that a million events are looked up by hashing.
    mode_keys = modes["type"].astype("str") + "\x1f" + modes["mode"].astype("str")
    mode_scores = pd.Series(modes["score"].to_numpy(), index=mode_keys.to_numpy())
    mode_scores = mode_scores[~mode_scores.index.duplicated()]
    problems = []
    code = events["cameo_code"]
    kind = events["plover_type"].astype(events["plover_type"].dtype.categories.dtype)
    event_keys = kind + "\x1f" + events["plover_mode"]
    checks = {
        "cameo_name": code.map(cameo["name"]),
        "cameo_root": code.map(cameo["root"]),
        "goldstein": code.map(cameo["goldstein"]),
        "quad_class": kind.map(types["quad_class"]),
        "quad_name": kind.map(types["quad_name"].astype("str")),
    }
    mode_score = event_keys.map(mode_scores).astype("Float64")
    checks["plover_score"] = mode_score.fillna(kind.map(types["score"]).astype("Float64"))
    for column, expected in checks.items():
        differs = _differs(events[column], expected)
        problems += _bad_rows("events", events, differs, column, "{value!r} disagrees with the codebooks")
    bad_mode = events["plover_mode"].notna() & ~event_keys.isin(mode_scores.index)
    problems += _bad_rows(
        "events", events, bad_mode, "plover_mode", "{value!r} is not a mode of the event's type"
    )
    # Counted with integer codes: pandas' groupby-nunique and Arrow's count_distinct both take
    # seconds on a million events.
    event_codes, event_ids = pd.factorize(mentions["event_id"])
    article_codes, article_ids = pd.factorize(mentions["article_id"])
    known = event_codes >= 0
    per_event = np.bincount(event_codes[known], minlength=len(event_ids))
    both = known & (article_codes >= 0)
    width = np.int64(len(article_ids) + 1)
    pairs = sorted_distinct(event_codes[both].astype(np.int64) * width + article_codes[both])
    distinct = np.bincount(pairs // width, minlength=len(event_ids))
    # Each event's place among the mentioned ones (-1: no mention), by Arrow's hash lookup.
    where = pc.index_in(_strings(events["event_id"]), value_set=pa.array(event_ids, pa.large_string()))
    where = where.fill_null(-1).to_numpy(zero_copy_only=False)
    found = where >= 0
    expected_counts = {}
    for column, values in (("n_mentions", per_event), ("n_articles", distinct)):
        expected = np.full(len(events), np.nan)
        expected[found] = values[where[found]]
        expected_counts[column] = pd.Series(expected, index=events.index)
    for column, expected in expected_counts.items():
        differs = _differs(events[column], expected)
        problems += _bad_rows(
            "events", events, differs, column, "{value!r} disagrees with the mentions table"
        )
    return problems


def _differs(actual: pd.Series, expected: pd.Series) -> pd.Series:
    """Rows where two columns differ; missing values (None, NaN, NA) equal only each other."""
    actual_na, expected_na = actual.isna().to_numpy(bool), expected.isna().to_numpy(bool)
    equal = actual.reset_index(drop=True).eq(expected.reset_index(drop=True)).fillna(False)
    same = equal.to_numpy(dtype=bool) | (actual_na & expected_na)
    return pd.Series(~same, index=actual.index)


def quote_problems(mentions: pd.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Each quote agrees with its passage: its SHA-256 and length always, and the slice
    [start, end) of its text (only its beginning for a snippet) for the texts at hand."""
    problems = []
    for low in range(0, len(mentions), QUOTE_ROWS_AT_ONCE):
        problems += _quote_problems(mentions.iloc[low : low + QUOTE_ROWS_AT_ONCE], texts)
    return problems


#: Mentions whose quotes :func:`quote_problems` takes into Python at once: all of them made
#: seven columns of Python objects, as large for a moment as the table of mentions.
QUOTE_ROWS_AT_ONCE = 8192


def _quote_problems(mentions: pd.DataFrame, texts: dict[str, str]) -> list[Problem]:
    problems = []
    names = ("article_id", "start", "end", "quote", "quote_complete", "quote_length", "quote_sha256")
    columns = (mentions[c].tolist() for c in names)
    for index, article_id, start, end, quote, complete, length, digest in zip(
        mentions.index, *columns, strict=True
    ):
        # The row's file and line are made only for a problem: made for every row, they took
        # 1.3 to 2 s of `validate --fast` on 2,000,000 mentions (about 22 s).
        text = texts.get(article_id)
        passage = text[start:end] if text is not None else (quote if complete else None)
        if end - start != length:
            problems.append(
                Problem(
                    *_where("mentions", index),
                    "quote_length",
                    f"{length} (expected end - start = {end - start})",
                )
            )
        if passage is not None and hashlib.sha256(passage.encode("utf-8")).hexdigest() != digest:
            problems.append(
                Problem(*_where("mentions", index), "quote_sha256", "is not the SHA-256 of the passage")
            )
        snippet_differs = text is not None and not passage.startswith(quote)
        if snippet_differs or (complete and passage is not None and quote != passage):
            problems.append(
                Problem(
                    *_where("mentions", index), "quote", f"differs from text[{start}:{end}] of {article_id}"
                )
            )
    return problems


def quote_share_problems(mentions: pd.DataFrame, articles: pd.DataFrame) -> list[Problem]:
    """Texts that may not be redistributed: quotes are snippets within the documented bound."""
    from caucasus_events.build.assemble import QUOTE_SHARE, SNIPPET_MAX

    problems = []
    closed = articles[~articles["redistributable"].astype(bool)]
    for index, article_id, length in zip(
        closed.index, closed["article_id"], closed["text_length"], strict=True
    ):
        quotes = mentions.loc[mentions["article_id"] == article_id, ["quote", "quote_complete"]]
        path, line = _where("articles", index)
        published = int(quotes["quote"].str.len().sum())
        if published > QUOTE_SHARE * length:
            problems.append(
                Problem(
                    path,
                    line,
                    "redistributable",
                    f"false, but the mentions publish {published} of its {length} characters "
                    f"(expected at most {QUOTE_SHARE:.0%})",
                )
            )
        if (quotes["quote"].str.len() > SNIPPET_MAX).any():
            problems.append(
                Problem(
                    path,
                    line,
                    "redistributable",
                    f"false, but a quote is longer than {SNIPPET_MAX} characters",
                )
            )
    return problems


def partitions(frame: pd.DataFrame, rows: int = partchecks.PARTITION_ROWS) -> list[pd.DataFrame]:
    """Slices of ``rows`` rows of ``frame``, each keeping the frame's index (so, its lines)."""
    return [frame.iloc[start : start + rows] for start in range(0, len(frame), rows)]


def _order(problem: Problem) -> tuple:
    return (problem.line is not None, problem.line or 0, problem.field, problem.message)


@dataclass(frozen=True)
class TableFindings:
    """What :func:`check_frames` finds in one table alone, found where the table was made.

    The build's encoding processes check each table they encode, so that the process that
    assembles the build is left with the checks across tables only.
    """

    #: The problems of the table's whole model, sorted as :func:`check_frames` gives them.
    model: list[Problem]
    #: For the mentions, the quotes checked against no texts (their hashes and lengths).
    quotes: list[Problem]


def table_findings(table: str, frame: pd.DataFrame) -> TableFindings:
    """The checks of :func:`check_frames` that read ``table`` alone, on the whole table in one call."""
    model = sorted(table_problems(table, frame) + row_problems(table, frame), key=_order)
    return TableFindings(model, quote_problems(frame, {}) if table == "mentions" else [])


class FramesOfTables(Mapping[str, pd.DataFrame]):
    """Each Arrow table's pandas frame (:func:`~caucasus_events.frames.to_frame`), made when
    read; only the RECENT last read are kept.

    The checks across tables read a few frames at a time: a frame of every table held at once,
    beside its Arrow table, was a twentieth of the peak memory of a build of 10,000 articles.
    """

    RECENT = 3

    def __init__(self, tables: Mapping[str, pa.Table], schemas: Mapping[str, dict]):
        self.tables, self.schemas = tables, schemas
        self._recent: dict[str, pd.DataFrame] = {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        frame = self._recent.pop(table, None)
        if frame is None:
            frame = to_frame(self.tables[table], self.schemas[table])
        self._recent[table] = frame  # the last read is last
        while len(self._recent) > self.RECENT:
            del self._recent[next(iter(self._recent))]
        return frame

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


def check_frames(
    frames: Mapping[str, pd.DataFrame],
    texts: dict[str, str] | None = None,
    mapper: Callable[..., Iterable[list[Problem]]] = map,
    rows: int | None = None,
    found: Mapping[str, TableFindings] | None = None,
) -> list[Problem]:
    """All table-level checks of a set of frames.

    The row-local part of each model runs on partitions of ``rows`` rows (default
    :data:`.partchecks.PARTITION_ROWS`, read at each call; whole tables with plain ``map``), through ``mapper``
    (``map``, or the ``map`` of a process pool or of a Dask client, called as
    ``mapper(row_problems, tables, parts)``); the table-wide part and the checks across tables
    run here, on whole columns. The model problems are the whole-table model's, table by table
    and sorted by line, field and message. ``found`` holds the :func:`table_findings` of tables
    already checked alone, which are not checked again (the quotes' only without ``texts``).
    """
    done = found or {}
    todo = {table: frames[table] for table in frames if table not in done}  # a frame read once
    # Partitions pay off only where they run in parallel: in one process, one per table.
    size = rows or (partchecks.PARTITION_ROWS if mapper is not map else max([1, *map(len, todo.values())]))
    parts = [(table, part) for table, frame in todo.items() for part in partitions(frame, size)]
    model = {table: table_problems(table, frame) for table, frame in todo.items()}
    tables, slices = [table for table, _ in parts], [part for _, part in parts]
    for table, chunk in zip(tables, mapper(row_problems, tables, slices), strict=True):
        model[table] += chunk
    problems = [
        problem
        for table in frames
        for problem in (done[table].model if table in done else sorted(model[table], key=_order))
    ]
    if problems:
        return problems
    problems += key_problems(frames)
    problems += derived_problems(frames)
    if "mentions" in done and not texts:
        problems += done["mentions"].quotes
    else:
        problems += quote_problems(frames["mentions"], texts or {})
    problems += quote_share_problems(frames["mentions"], frames["articles"])
    return problems


def read_texts(root: Path) -> dict[str, str]:
    """Article texts of a source tree (raw/articles), if there is one beside the package."""
    folder = root / "raw" / "articles"
    # A text that does not decode, or cannot be read, is the build's to report; here it just
    # fails its quotes, or is left out.
    texts = {}
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        with contextlib.suppress(FileFault):
            texts[path.stem] = read_regular(path).decode("utf-8", "replace")
    return texts


def file_problems(root: Path, package: dict, progress=None) -> list[Problem]:
    """Every resource file exists with the bytes and SHA-256 the descriptor gives.

    ``progress``, if given, is called as ``progress(1, item=...)`` after each file.
    """
    step = progress or (lambda *_, **__: None)
    problems = []
    for i, resource in enumerate(package["resources"]):
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            problems.append(
                Problem("datapackage.json", None, f"resources[{i}]", "expected a resource with a path")
            )
            continue
        for key in ("schema", "dialect"):  # the other places a resource may name a file
            named = resource.get(key)
            if isinstance(named, str) and not _inside(root, named):
                problems.append(
                    Problem(
                        "datapackage.json",
                        None,
                        f"resources[{i}].{key}",
                        f"{named!r} (expected a path inside the package, such as schemas/events.json)",
                    )
                )
        path = root / resource["path"]
        if not _inside(root, resource["path"]):
            problems.append(
                Problem(
                    resource["path"], None, "-", "path leaves the package folder (expected a path inside it)"
                )
            )
            continue
        if not path.is_file():
            problems.append(Problem(resource["path"], None, "-", "missing file named by datapackage.json"))
            continue
        # Hashed in chunks: a large table is never held in memory just to check it.
        with path.open("rb") as handle:
            digest = "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()
            actual = handle.tell()
        size = resource.get("bytes", resource.get("x-bytes"))
        step(1, item=f"{resource['path']}: {actual:,} bytes, {digest}")
        if actual != size:
            problems.append(
                Problem(
                    resource["path"],
                    None,
                    "bytes",
                    f"{actual} bytes (datapackage.json says {size})",
                )
            )
        if digest != resource.get("hash"):
            problems.append(
                Problem(
                    resource["path"],
                    None,
                    "hash",
                    f"{digest} (datapackage.json says {resource.get('hash')})",
                )
            )
    return problems


def _inside(root: Path, rel: str) -> bool:
    """Whether ``rel`` is a relative path that stays inside ``root`` (links resolved)."""
    return "://" not in rel and not Path(rel).is_absolute() and (root / rel).resolve().is_relative_to(root)


def schema_problems(root: Path, plover_types: list[str]) -> list[Problem]:
    """Each Table Schema file is the one the models give (no hash covers these files)."""
    from caucasus_events.build.serialize import json_bytes
    from caucasus_events.build.tableschema import codebook_categories, table_schema

    problems = []
    for table in MODELS:
        shown = f"schemas/{table}.json"
        expected = json_bytes(
            table_schema(table, codebook_categories(table, {"plover_types.type": plover_types}))
        )
        if (root / shown).read_bytes() != expected:
            problems.append(
                Problem(
                    shown, None, "-", "differs from the Table Schema the models give (expected it unedited)"
                )
            )
    return problems


def frictionless_problems(root: Path) -> list[Problem]:
    """Row-by-row Frictionless validation of the CSV resources (slow on large packages).

    Frictionless runs untrusted: it refuses absolute paths and paths that leave the package
    (the paths were also checked before), so a descriptor cannot make it read elsewhere.
    """
    from frictionless import FrictionlessException, Package, system

    try:
        with system.use_context(trusted=False):
            report = Package(str(root / "datapackage.json")).validate()
    except FrictionlessException as exc:
        return [Problem("datapackage.json", None, "-", f"frictionless: {exc.error.message}")]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            line = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None) or "-"
            problems.append(
                Problem(
                    task.name or str(root / "datapackage.json"),
                    line,
                    field,
                    f"frictionless: {error.message}",
                )
            )
    problems += [Problem("datapackage.json", None, "-", f"frictionless: {e.message}") for e in report.errors]
    return problems


def descriptor_problems(package: dict, profile: bool = True) -> list[Problem]:
    """The descriptor names both files of every table, and (``profile``) is a valid Data Package.

    The profile check validates the descriptor alone against the Frictionless Data Package
    profile, without reading any rows: what ``--fast`` keeps of the Frictionless pass.
    """
    named = {r.get("path") for r in package["resources"] if isinstance(r, dict)}
    problems = [
        Problem("datapackage.json", None, key, f"missing (expected the package's {key})")
        for key in REQUIRED_KEYS
        if key not in package
    ]
    problems += [
        Problem(
            "datapackage.json",
            None,
            "resources",
            f"no resource for {path} (expected one per table and format, with its size and hash)",
        )
        for table in MODELS
        for path in (f"processed/{table}.csv", f"processed/{table}.parquet")
        if path not in named
    ]
    if profile:
        from frictionless import Package

        problems += [
            Problem("datapackage.json", None, "-", f"frictionless: {error.message}")
            for error in Package.metadata_validate(package)
        ]
    return problems


def validate_package(
    root: Path, *, frictionless: bool = True, progress: Reporter | None = None
) -> list[Problem]:
    """Check a built package (this repository or an unpacked release) completely.

    Parameters
    ----------
    root : Path
        The package folder (holding datapackage.json).
    frictionless : bool
        Also run the row-by-row Frictionless validation of the CSV files (slow on large
        packages). Without it, sizes, hashes, the descriptor and every table check still run.
    progress : Reporter, optional
        Where to report progress (default: nowhere).
    """
    report = progress or QUIET
    root = root.resolve()
    # Named here rather than imported: output.py brings the build's lock machinery with it.
    if (root / ".caucasus-events-staging" / "MANIFEST.json").is_file():
        return [
            Problem(
                ".caucasus-events-staging",
                None,
                "-",
                "a build was interrupted while replacing the outputs (run `caucasus-events build` to finish it)",
            )
        ]
    descriptor_path = root / "datapackage.json"
    if not descriptor_path.is_file():
        return [
            Problem(
                str(descriptor_path),
                None,
                "-",
                "missing (expected a built package with datapackage.json)",
            )
        ]
    package, problems = _read_json(descriptor_path, "datapackage.json")
    if problems:
        return problems
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        return [Problem("datapackage.json", None, "resources", "missing (expected a list of resources)")]
    with report.bar("files", total=len(package["resources"])) as bar:
        problems = file_problems(root, package, bar)
    if problems:
        return problems
    # The full Frictionless pass below checks the descriptor against the profile itself.
    problems = descriptor_problems(package, profile=not frictionless)
    frames = {}
    with report.bar("tables", total=len(MODELS)) as bar:
        for table in MODELS:
            frame, found = _read_table(root, table)
            problems += found
            if frame is not None:
                frames[table] = frame
            bar(1, item=f"{table}: {'unreadable' if frame is None else f'{len(frame):,} rows read'}")
    if len(frames) < len(MODELS):
        return problems  # the table checks need every table
    problems += schema_problems(root, [str(t) for t in frames["plover_types"]["type"]])
    with report.bar("checks") as bar:
        problems += check_frames(frames, read_texts(root))
        bar(1, item="models, keys, derived values and quotes checked")
    if frictionless:
        with report.bar("frictionless") as bar:
            problems += frictionless_problems(root)
            bar(1, item="row-by-row validation of the CSV files done")
    return problems


def _read_json(path: Path, shown: str) -> tuple[object, list[Problem]]:
    if not path.is_file():
        return None, [Problem(shown, None, "-", "missing (expected a JSON file)")]
    try:
        return json.loads(read_regular(path, MAX_JSON_BYTES).decode("utf-8")), []
    except FileFault as exc:
        return None, [Problem(shown, None, "-", f"{exc.message} (expected a JSON file)")]
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, None, "-", f"not UTF-8 at byte {exc.start} (expected JSON)")]
    except json.JSONDecodeError as exc:
        return None, [Problem(shown, exc.lineno, "-", f"not valid JSON: {exc.msg}")]


def _read_table(root: Path, table: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A table's Parquet file as a frame, checked against its CSV twin; or the problems found."""
    shown = f"schemas/{table}.json"
    if not (root / shown).is_file():
        return None, [Problem(shown, None, "-", f"missing (expected the Table Schema of {table})")]
    schema, problems = _read_json(root / shown, shown)
    if problems:
        return None, problems
    # The two files are compared as Arrow tables of plain types (categories as text), which is
    # what a CSV can hold; only the Parquet file is converted to the pandas frame checked below.
    names = [f["name"] for f in schema["fields"]]
    plain = pa.schema([pa.field(f.name, _plain_type(f.type)) for f in arrow_schema(schema)])
    tables, frame = {}, None
    for suffix, read in (("parquet", pq.read_table), ("csv", lambda path: _read_csv_arrow(path, schema))):
        path = f"processed/{table}.{suffix}"
        try:
            arrow = read(root / path)
            if suffix == "parquet":
                frame = to_frame(arrow, schema)
            tables[suffix] = arrow.select(names).cast(plain)
        except (pa.ArrowException, OSError, KeyError, TypeError, ValueError) as exc:
            kind = {"parquet": "Parquet", "csv": "CSV"}[suffix]
            message = f"cannot be read (expected a {kind} file with the columns of {shown}: {exc})"
            problems.append(Problem(path, None, "-", message))
    if problems:
        return None, problems
    if not tables["csv"].equals(tables["parquet"]):
        problems.append(Problem(f"processed/{table}.csv", None, "-", "rows differ from the Parquet file"))
    return frame, problems


def _plain_type(kind: pa.DataType) -> pa.DataType:
    return kind.value_type if pa.types.is_dictionary(kind) else kind


def _read_csv_arrow(path: Path, schema: dict):
    from pyarrow import csv as pacsv

    plain = {f.name: _plain_type(f.type) for f in arrow_schema(schema)}
    options = pacsv.ConvertOptions(
        column_types=plain,
        strings_can_be_null=True,
        null_values=[""],
        true_values=["true"],
        false_values=["false"],
    )
    return pacsv.read_csv(path, convert_options=options)
