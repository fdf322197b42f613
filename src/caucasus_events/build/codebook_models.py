"""Strict reading of the codebook CSVs in raw/codebooks, with Pandera models of their own.

A codebook is read in three passes, each reported at ``raw/codebooks/<file>.csv`` and the raw
line of the row (never at a processed/ line, which belongs to a sorted table):

1. the file: a regular UTF-8 file without byte-order mark, the exact header, every row with
   one cell per column and no control character;
2. the cells as written, checked by the ``*Csv`` models below: numbers written as numbers,
   booleans written ``true`` or ``false`` (nothing else is read as a boolean), required
   cells present;
3. the values, checked by the published table's model (:data:`caucasus_events.build.models.MODELS`),
   and the codebooks against each other (:func:`consistency_problems`): a CAMEO root is the
   first two digits of its code, a quad name is the name of its quad class, every type, mode
   and context the mapping names exists.

Only codebooks that pass all three are handed to the build.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pandera.errors
import pandera.pandas as pa
from pandera.typing import Series

from caucasus_events.build.models import QUAD_NAMES
from caucasus_events.build.safefile import FileFault, read_regular
from caucasus_events.problems import Problem, relpath

NUMBER = r"^-?\d+(\.\d+)?$"
INTEGER = r"^-?\d+$"
BOOLEAN = ["true", "false"]
#: No codebook comes near this; a larger file is refused unread.
MAX_CODEBOOK_BYTES = 4 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CameoCodesCsv(pa.DataFrameModel):
    """raw/codebooks/cameo_codes.csv as written."""

    code: Series[str] = pa.Field(description="a CAMEO code of 2 to 4 digits")
    name: Series[str] = pa.Field(description="the code's name")
    goldstein: Series[str] = pa.Field(str_matches=NUMBER, description="a number such as -2.5")
    root: Series[str] = pa.Field(description="the two-digit root code")

    class Config:
        strict = True
        ordered = True


class PloverTypesCsv(pa.DataFrameModel):
    """raw/codebooks/plover_types.csv as written."""

    type: Series[str] = pa.Field(description="a PLOVER type in capitals")
    quad_class: Series[str] = pa.Field(str_matches=INTEGER, description="a quad class number, 1 to 4")
    quad_name: Series[str] = pa.Field(description="the quad class name")
    score: Series[str] = pa.Field(str_matches=NUMBER, description="a number such as -2.5")
    requires_recipient: Series[str] = pa.Field(isin=BOOLEAN, description="true or false, in lower case")
    description: Series[str] = pa.Field(description="what the type covers")

    class Config:
        strict = True
        ordered = True


class PloverModesCsv(pa.DataFrameModel):
    """raw/codebooks/plover_modes.csv as written."""

    type: Series[str] = pa.Field(description="a PLOVER type of plover_types.csv")
    mode: Series[str] = pa.Field(description="the mode's name")
    score: Series[str] = pa.Field(
        nullable=True, str_matches=NUMBER, description="a number such as -2.5, or empty"
    )
    description: Series[str] = pa.Field(description="what the mode covers")

    class Config:
        strict = True
        ordered = True


class PloverContextsCsv(pa.DataFrameModel):
    """raw/codebooks/plover_contexts.csv as written."""

    context: Series[str] = pa.Field(description="the context's name")
    description: Series[str] = pa.Field(description="what the context covers")

    class Config:
        strict = True
        ordered = True


class CameoPloverCsv(pa.DataFrameModel):
    """raw/codebooks/cameo_plover.csv as written."""

    cameo: Series[str] = pa.Field(description="a CAMEO code of cameo_codes.csv")
    type: Series[str] = pa.Field(nullable=True, description="a PLOVER type, or empty")
    mode: Series[str] = pa.Field(nullable=True, description="a PLOVER mode of the type, or empty")
    contexts: Series[str] = pa.Field(nullable=True, description="PLOVER contexts separated by ';', or empty")
    basis: Series[str] = pa.Field(description="plover-2021 or caucasus-events")
    note: Series[str] = pa.Field(nullable=True, description="text, or empty")

    class Config:
        strict = True
        ordered = True


#: Each codebook: its file in raw/codebooks and the model of its cells as written.
CSV_MODELS: dict[str, tuple[str, type[pa.DataFrameModel]]] = {
    "cameo_codes": ("cameo_codes.csv", CameoCodesCsv),
    "plover_types": ("plover_types.csv", PloverTypesCsv),
    "plover_modes": ("plover_modes.csv", PloverModesCsv),
    "plover_contexts": ("plover_contexts.csv", PloverContextsCsv),
    "cameo_plover": ("cameo_plover.csv", CameoPloverCsv),
}


def _columns(model: type[pa.DataFrameModel]) -> list[str]:
    return list(model.to_schema().columns)


def read_rows(path: Path, shown: str, columns: list[str]) -> tuple[list[dict], list[int], list[Problem]]:
    """The rows of one CSV file as dicts of text (``None`` for an empty cell), their raw lines,
    and the problems of the file as a file (encoding, header, cell counts, control characters).
    """
    try:
        data = read_regular(path, MAX_CODEBOOK_BYTES)
    except FileFault as exc:
        return [], [], [Problem(shown, None, "-", exc.message)]
    if data.startswith(b"\xef\xbb\xbf"):
        return (
            [],
            [],
            [Problem(shown, 1, "-", "file starts with a byte-order mark (expected UTF-8 without BOM)")],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [], [Problem(shown, line, "-", f"not UTF-8 at byte {exc.start} (expected UTF-8 text)")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, problems = [], [], []
    try:
        header = next(reader, None)
        if header != columns:
            return (
                [],
                [],
                [
                    Problem(
                        shown, 1, "-", f"header {','.join(header or [])!r} (expected {','.join(columns)!r})"
                    )
                ],
            )
        last = reader.line_num
        for cells in reader:
            line, last = last + 1, reader.line_num
            if len(cells) != len(columns):
                problems.append(Problem(shown, line, "-", f"{len(cells)} cells (expected {len(columns)})"))
                continue
            for name, cell in zip(columns, cells, strict=True):
                if _CONTROL.search(cell.replace("\n", "")):
                    problems.append(Problem(shown, line, name, "control character (expected printable text)"))
                elif cell != cell.strip():
                    problems.append(
                        Problem(
                            shown, line, name, f"{cell!r} has spaces around it (expected the value alone)"
                        )
                    )
            rows.append(
                {name: (cell if cell != "" else None) for name, cell in zip(columns, cells, strict=True)}
            )
            lines.append(line)
    except csv.Error as exc:
        problems.append(
            Problem(shown, reader.line_num, "-", f"CSV syntax error: {exc} (expected RFC 4180 CSV)")
        )
    return rows, lines, problems


def _cell_problems(
    model: type[pa.DataFrameModel], rows: list[dict], lines: list[int], shown: str
) -> list[Problem]:
    """Cells not written as the ``*Csv`` model requires, each at its raw line."""
    columns = _columns(model)
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        fields = model.to_schema().columns
        problems = []
        for case in exc.failure_cases.itertuples():
            line = lines[int(case.index)] if case.index == case.index and case.index is not None else None
            column = str(case.column)
            expected = fields[column].description if column in fields else "the codebook's columns"
            value = case.failure_case
            what = "empty" if value is None or value != value else repr(value)
            problems.append(Problem(shown, line, column, f"{what} (expected {expected})"))
        return problems
    return []


def _typed(name: str, rows: list[dict]) -> list[dict]:
    """Rows with the published table's types (after :func:`_cell_problems` found none)."""

    def number(value: str | None) -> float | None:
        return None if value is None else float(value)

    if name == "cameo_codes":
        return [{**row, "goldstein": number(row["goldstein"])} for row in rows]
    if name == "plover_types":
        return [
            {
                **row,
                "quad_class": int(row["quad_class"]),
                "score": number(row["score"]),
                "requires_recipient": row["requires_recipient"] == "true",
            }
            for row in rows
        ]
    if name == "plover_modes":
        return [{**row, "score": number(row["score"])} for row in rows]
    return rows


def _value_problems(
    name: str, rows: list[dict], lines: list[int], shown: str, types: list[str]
) -> list[Problem]:
    """The published model's checks on the typed rows, reported at raw lines."""
    # Imported here: these bring pyarrow, which reading raw/ alone does not need.
    from caucasus_events.build.serialize import arrow_table
    from caucasus_events.build.tableschema import codebook_categories, table_schema
    from caucasus_events.build.validate import model_problems
    from caucasus_events.frames import to_frame

    schema = table_schema(name, codebook_categories(name, {"plover_types.type": types}))
    # A categorical column cannot even be converted with a value outside its categories: those
    # are reported first, from the same schema the conversion uses.
    problems = [
        Problem(shown, line, field["name"], f"{row[field['name']]!r} (expected one of: {', '.join(allowed)})")
        for field in schema["fields"]
        if field.get("categorical") and (allowed := field["constraints"]["enum"])
        for row, line in zip(rows, lines, strict=True)
        if row[field["name"]] is not None and row[field["name"]] not in allowed
    ]
    if problems:
        return problems
    frame = to_frame(arrow_table(_typed(name, rows), schema), schema)
    for problem in model_problems(name, frame):
        # model_problems names processed/<name>.csv line i + 2 for row i: the raw row's line here.
        row = problem.line - 2 if problem.line else None
        line = lines[row] if row is not None and 0 <= row < len(lines) else None
        message = re.sub(r"line (\d+)", lambda m: f"line {lines[int(m.group(1)) - 2]}", problem.message)
        problems.append(Problem(shown, line, problem.field, message))
    return problems


def consistency_problems(
    books: dict[str, list[dict]], lines: dict[str, list[int]], shown: dict[str, str]
) -> list[Problem]:
    """The codebooks checked against themselves and each other."""
    problems = []

    def bad(name: str, i: int, field: str, message: str) -> None:
        problems.append(Problem(shown[name], lines[name][i], field, message))

    codes = {row["code"] for row in books["cameo_codes"]}
    for i, row in enumerate(books["cameo_codes"]):
        if row["root"] != row["code"][:2]:
            bad(
                "cameo_codes",
                i,
                "root",
                f"{row['root']!r} (expected {row['code'][:2]!r}, the code's first two digits)",
            )
        elif row["root"] not in codes:
            bad(
                "cameo_codes", i, "root", f"{row['root']!r} is not a code of this file (expected a root line)"
            )
    for i, row in enumerate(books["plover_types"]):
        number = int(row["quad_class"])
        if 1 <= number <= len(QUAD_NAMES) and row["quad_name"] != QUAD_NAMES[number - 1]:
            bad(
                "plover_types",
                i,
                "quad_name",
                f"{row['quad_name']!r} (expected {QUAD_NAMES[number - 1]!r}, the name of quad class {number})",
            )
    types = {row["type"] for row in books["plover_types"]}
    modes = {(row["type"], row["mode"]) for row in books["plover_modes"]}
    contexts = {row["context"] for row in books["plover_contexts"]}
    for i, row in enumerate(books["plover_modes"]):
        if row["type"] not in types:
            bad(
                "plover_modes",
                i,
                "type",
                f"unknown PLOVER type {row['type']!r} (expected a type of plover_types.csv)",
            )
    for i, row in enumerate(books["cameo_plover"]):
        if row["cameo"] not in codes:
            bad(
                "cameo_plover",
                i,
                "cameo",
                f"unknown CAMEO code {row['cameo']!r} (expected a code of cameo_codes.csv)",
            )
        if row["type"] is not None and row["type"] not in types:
            bad(
                "cameo_plover",
                i,
                "type",
                f"unknown PLOVER type {row['type']!r} (expected a type of plover_types.csv)",
            )
        if row["mode"] is not None and (row["type"], row["mode"]) not in modes:
            bad(
                "cameo_plover",
                i,
                "mode",
                f"{row['mode']!r} is not a mode of {row['type']} (expected one of plover_modes.csv)",
            )
        for item in row["contexts"].split(";") if row["contexts"] else []:
            if item not in contexts:
                bad(
                    "cameo_plover",
                    i,
                    "contexts",
                    f"unknown PLOVER context {item!r} (expected contexts of plover_contexts.csv separated by ';')",
                )
    return problems


def read_codebooks(raw: Path, root: Path) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Every codebook as a list of row dicts (text; ``None`` for an empty cell), all checked.

    Returns
    -------
    tuple
        The codebooks, all of them or none, and every problem found.
    """
    books, lines, shown, problems = {}, {}, {}, []
    for name, (filename, model) in CSV_MODELS.items():
        path = raw / "codebooks" / filename
        shown[name] = relpath(path, root)
        if not path.exists() and not path.is_symlink():
            problems.append(Problem(shown[name], None, "-", "missing codebook file"))
            continue
        if path.is_symlink():
            problems.append(
                Problem(shown[name], None, "-", "file is a symbolic link (expected a plain file inside raw/)")
            )
            continue
        rows, row_lines, found = read_rows(path, shown[name], _columns(model))
        found = found or _cell_problems(model, rows, row_lines, shown[name])
        problems += found
        if not found:
            books[name], lines[name] = rows, row_lines
    if problems:
        return {}, problems
    types = [row["type"] for row in books["plover_types"]]
    for name, rows in books.items():
        problems += _value_problems(name, rows, lines[name], shown[name], types)
    if problems:
        return {}, problems
    problems = consistency_problems(books, lines, shown)
    return ({}, problems) if problems else (books, [])
