"""Check a built package: models, keys, derived values, quotes, hashes, sizes, descriptor."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.errors
import pyarrow.parquet as pq

from caucasus_events.frames import to_frame
from caucasus_events.models import MODELS
from caucasus_events.problems import Problem
from caucasus_events.rawdata import sha256_bytes

LIST_COLUMNS = {
    ("events", "source_actor_ids"): ("actors", "actor_id"),
    ("events", "target_actor_ids"): ("actors", "actor_id"),
    ("events", "plover_contexts"): ("plover_contexts", "context"),
}


def _where(table: str, index) -> tuple[str, int | None]:
    # Row i of a table is line i + 2 of its CSV (after the header).
    return f"processed/{table}.csv", (int(index) + 2 if isinstance(index, int) else None)


def model_problems(table: str, frame: pd.DataFrame) -> list[Problem]:
    """Run the table's Pandera model, every failure reported."""
    try:
        MODELS[table].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        problems = []
        for case in exc.failure_cases.itertuples():
            path, line = _where(table, case.index if case.index == case.index else None)
            problems.append(
                Problem(
                    path,
                    line,
                    str(case.column or "-"),
                    f"{case.check} failed (value {case.failure_case!r})",
                )
            )
        return problems
    return []


def _bad_rows(table: str, frame: pd.DataFrame, mask: pd.Series, column: str, message: str) -> list[Problem]:
    problems = []
    for index in frame.index[mask.fillna(False).to_numpy(dtype=bool)]:
        path, line = _where(table, index)
        problems.append(Problem(path, line, column, message.format(value=frame.at[index, column])))
    return problems


def key_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Primary keys unique and every foreign key (including ';'-separated lists) resolving."""
    problems = []
    for table, model in MODELS.items():
        frame, meta = frames[table], model.Config.metadata
        duplicated = frame.duplicated(meta["primary_key"], keep="first")
        problems += _bad_rows(
            table, frame, duplicated, meta["primary_key"][0], "duplicate primary key {value!r}"
        )
        for fk in meta["foreign_keys"]:
            ref = fk["reference"]
            known = set(frames[ref["resource"]][ref["fields"]].dropna())
            column = frame[fk["fields"]]
            missing = column.notna() & ~column.isin(known)
            problems += _bad_rows(
                table,
                frame,
                missing,
                fk["fields"],
                f"{{value!r}} not found in {ref['resource']}.{ref['fields']}",
            )
    for (table, column), (ref_table, ref_column) in LIST_COLUMNS.items():
        frame, known = frames[table], set(frames[ref_table][ref_column])
        missing = frame[column].map(
            lambda v, known=known: isinstance(v, str) and not set(v.split(";")) <= known
        )
        problems += _bad_rows(
            table,
            frame,
            missing.astype(bool),
            column,
            f"{{value!r}} has an item not in {ref_table}.{ref_column}",
        )
    return problems


def derived_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Codebook-derived event values, modes and mention counts agree with their sources."""
    events, mentions = frames["events"], frames["mentions"]
    cameo = frames["cameo_codes"].set_index("code")
    types = frames["plover_types"].set_index("type")
    modes = frames["plover_modes"].set_index(["type", "mode"])["score"]
    problems = []
    code = events["cameo_code"]
    kind = events["plover_type"].astype(str)
    checks = {
        "cameo_root": code.map(cameo["root"]),
        "goldstein": code.map(cameo["goldstein"]),
        "quad_class": kind.map(types["quad_class"]),
    }
    mode_key = list(zip(kind, events["plover_mode"], strict=True))
    mode_score = pd.Series(
        [modes.get(key) if key[1] == key[1] else None for key in mode_key],
        index=events.index,
        dtype="Float64",
    )
    checks["plover_score"] = mode_score.fillna(kind.map(types["score"]).astype("Float64"))
    for column, expected in checks.items():
        differs = pd.Series(
            [not _same(a, b) for a, b in zip(events[column], expected, strict=True)], index=events.index
        )
        problems += _bad_rows("events", events, differs, column, "{value!r} disagrees with the codebooks")
    has_mode = events["plover_mode"].notna()
    bad_mode = has_mode & pd.Series([key not in modes.index for key in mode_key], index=events.index)
    problems += _bad_rows(
        "events", events, bad_mode, "plover_mode", "{value!r} is not a mode of the event's type"
    )
    counts = mentions.groupby("event_id").agg(
        n_mentions=("mention_id", "size"), n_articles=("article_id", "nunique")
    )
    for column in ("n_mentions", "n_articles"):
        expected = events["event_id"].map(counts[column])
        differs = pd.Series(
            [not _same(a, b) for a, b in zip(events[column], expected, strict=True)], index=events.index
        )
        problems += _bad_rows(
            "events", events, differs, column, "{value!r} disagrees with the mentions table"
        )
    return problems


def _same(a: object, b: object) -> bool:
    # Missing values (None, NaN, NA) are equal to each other and to nothing else.
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return a == b


def quote_problems(mentions: pd.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Each quote equals the slice [start, end) of its text (for the texts at hand)."""
    problems = []
    for row in mentions.itertuples():
        text = texts.get(row.article_id)
        if text is not None and text[row.start : row.end] != row.quote:
            path, line = _where("mentions", row.Index)
            problems.append(
                Problem(
                    path,
                    line,
                    "quote",
                    f"differs from text[{row.start}:{row.end}] of {row.article_id}",
                )
            )
    return problems


def check_frames(frames: dict[str, pd.DataFrame], texts: dict[str, str] | None = None) -> list[Problem]:
    """All table-level checks of a set of frames."""
    problems = []
    for table, frame in frames.items():
        problems += model_problems(table, frame)
    if problems:
        return problems
    problems += key_problems(frames)
    problems += derived_problems(frames)
    if texts:
        problems += quote_problems(frames["mentions"], texts)
    return problems


def read_texts(root: Path) -> dict[str, str]:
    """Article texts of a source tree (raw/articles), if there is one beside the package."""
    folder = root / "raw" / "articles"
    return (
        {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
        if folder.is_dir()
        else {}
    )


def file_problems(root: Path, package: dict) -> list[Problem]:
    """Every resource file exists with the bytes and SHA-256 the descriptor gives."""
    problems = []
    for resource in package["resources"]:
        path = root / resource["path"]
        if not path.is_file():
            problems.append(Problem(resource["path"], None, "-", "missing file named by datapackage.json"))
            continue
        data = path.read_bytes()
        size = resource.get("bytes", resource.get("x-bytes"))
        if len(data) != size:
            problems.append(
                Problem(
                    resource["path"],
                    None,
                    "bytes",
                    f"{len(data)} bytes (datapackage.json says {size})",
                )
            )
        digest = "sha256:" + sha256_bytes(data)
        if digest != resource["hash"]:
            problems.append(
                Problem(
                    resource["path"],
                    None,
                    "hash",
                    f"{digest} (datapackage.json says {resource['hash']})",
                )
            )
    return problems


def frictionless_problems(root: Path) -> list[Problem]:
    """Row-by-row Frictionless validation of the CSV resources (slow on large packages)."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(root / "datapackage.json")).validate()
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


def validate_package(root: Path, *, frictionless: bool = True) -> list[Problem]:
    """Check a built package (this repository or an unpacked release) completely."""
    root = root.resolve()
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
    package = json.loads(descriptor_path.read_text(encoding="utf-8"))
    problems = file_problems(root, package)
    if problems:
        return problems
    frames = {}
    for table in MODELS:
        schema = json.loads((root / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
        frames[table] = to_frame(pq.read_table(root / "processed" / f"{table}.parquet"), schema)
        csv_frame = to_frame(_read_csv_arrow(root / "processed" / f"{table}.csv", schema), schema)
        if not csv_frame.equals(frames[table]):
            problems.append(Problem(f"processed/{table}.csv", None, "-", "rows differ from the Parquet file"))
    problems += check_frames(frames, read_texts(root))
    if frictionless:
        problems += frictionless_problems(root)
    return problems


def _read_csv_arrow(path: Path, schema: dict):
    from pyarrow import csv as pacsv

    from caucasus_events.frames import arrow_schema

    target = arrow_schema(schema)
    plain = {f.name: (f.type.value_type if hasattr(f.type, "value_type") else f.type) for f in target}
    options = pacsv.ConvertOptions(
        column_types=plain,
        strings_can_be_null=True,
        null_values=[""],
        true_values=["true"],
        false_values=["false"],
    )
    return pacsv.read_csv(path, convert_options=options)
