"""Load the tables: one small function per need, importing only pandas and pyarrow.

Examples
--------
>>> import caucasus_events as ce
>>> events = ce.load("events")
>>> mentions = ce.load("mentions", version="0.1.0")
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from caucasus_events import settings
from caucasus_events.frames import to_frame

if TYPE_CHECKING:
    import polars as pl
    import pyarrow.compute as pc


class DataError(Exception):
    """A table, version or file cannot be loaded; the message says what is valid."""

    exit_code = 2


def package_dir(version: str | None = None) -> Path:
    """The folder of a release: the installed one, or exactly the files of release ``version``.

    A pinned ``version`` (``"0.1.0"`` or ``"v0.1.0"``) is served from the installed copy only
    when every file there has the SHA-256 the registry records for that release; otherwise
    from the verified download cache.
    """
    if version is None:
        return settings.installed_data()
    from caucasus_events.download import fetch, is_release  # only for pinned releases

    installed = settings.installed_data()
    return installed if is_release(installed, version) else fetch(version)


def _descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def _resource(package: dict, table: str, format: str = "parquet") -> dict:
    names = [r["name"] for r in package["resources"] if r["format"] == "csv"]
    if table not in names:
        raise DataError(f"unknown table {table!r} (expected one of: {', '.join(names)})")
    # The descriptor names the CSV resource after the table and the Parquet one "<table>-parquet".
    name = table if format == "csv" else f"{table}-{format}"
    return next(r for r in package["resources"] if r["name"] == name)


def path(table: str, format: str = "parquet", version: str | None = None) -> Path:
    """The file of a table, for reading it with DuckDB, Polars, Arrow, R or a spreadsheet.

    Parameters
    ----------
    table : str
        Table name (see :func:`tables`).
    format : {"parquet", "csv"}
        Which of the two files with the same rows.
    version : str, optional
        A published release instead of the installed one (as for :func:`load`).

    Returns
    -------
    pathlib.Path
        The installed (or cached) file. Its SHA-256 is the one the release records: read it,
        never write to it.
    """
    if format not in ("parquet", "csv"):
        raise DataError(f"unknown format {format!r} (expected parquet or csv)")
    folder = package_dir(version)
    resource = _resource(_descriptor(folder), table, format)
    return folder / resource["path"]


BACKENDS = ("pandas", "polars")


def load(
    table: str,
    version: str | None = None,
    validate: bool = False,
    *,
    columns: list[str] | None = None,
    filters: list | pc.Expression | None = None,
    backend: str = "pandas",
) -> pd.DataFrame | pl.DataFrame:
    """Load one table with the dataset's types, as a pandas (or Polars) DataFrame.

    Parameters
    ----------
    table : str
        Table name, such as ``"events"`` or ``"mentions"`` (see :func:`tables`).
    version : str, optional
        A published release (``"0.1.0"`` or ``"v0.1.0"``) instead of the installed data: exactly
        that release's files, from the installed copy if its files are that release's, otherwise
        downloaded once, verified by SHA-256 and cached (needs the ``download`` extra).
    validate : bool, default False
        Also run the table's Pandera model (needs the ``build`` extra; whole tables only).
    columns : list of str, optional
        Read only these columns (in this order); pushed down to the Parquet reader.
    filters : list or pyarrow.compute.Expression, optional
        Read only the matching rows, pushed down to the Parquet reader: pyarrow's filter
        syntax, such as ``[("plover_type", "==", "AGREE"), ("date_start", ">=", date(2022, 1, 1))]``.
        In that list form, row groups whose statistics hold no match are not read at all.
    backend : {"pandas", "polars"}
        ``"polars"`` returns a Polars DataFrame (needs the ``polars`` extra).

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        pandas: dates as ``datetime64[s]``, codes as categoricals with all the codebook's
        categories, nullable ``Int64``/``Float64``/``boolean``, text in pandas' default string
        dtype (``str`` from pandas 3, ``object`` before). ``df.attrs`` holds the provenance:
        dataset, version, table and the file's SHA-256.
        Polars: ``Date``, ``Enum`` with the codebook's categories, ``Int64``, ``Float64``,
        ``Boolean``, ``String``.
    """
    if backend not in BACKENDS:
        raise DataError(f"unknown backend {backend!r} (expected one of: {', '.join(BACKENDS)})")
    if validate and (columns is not None or filters is not None):
        raise DataError("validate=True checks whole tables: load without columns= and filters=")
    folder = package_dir(version)
    package = _descriptor(folder)
    resource = _resource(package, table)
    file = folder / resource["path"]
    data = file.read_bytes()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest != resource["hash"]:
        raise DataError(
            f"{file}: SHA-256 is {digest}, the release says {resource['hash']}: the file was changed "
            "after it was published (reinstall the package, or run `caucasus-events build` in a checkout)"
        )
    schema = json.loads((folder / resource["schema"]).read_text(encoding="utf-8"))
    if columns is not None:
        schema = _only(schema, columns, table)
    try:
        arrow = _read(pa.BufferReader(data), columns, filters)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError, ValueError) as exc:
        raise DataError(f"{table}: cannot apply filters={filters!r} ({exc})") from None
    provenance = {
        "dataset": package["name"],
        "version": package["version"],
        "table": table,
        "sha256": digest.removeprefix("sha256:"),
    }
    if backend == "polars" and not validate:
        return _polars(arrow, schema)
    frame = to_frame(arrow, schema)
    frame.attrs = provenance
    if validate:
        try:
            from caucasus_events.build.validate import model_problems
        except ModuleNotFoundError as exc:
            from caucasus_events.extras import missing

            raise missing(exc, "load(validate=True)") from None

        if problems := model_problems(table, frame):
            raise DataError("\n".join(str(p) for p in problems))
    return _polars(arrow, schema) if backend == "polars" else frame


def _read(source: pa.NativeFile, columns: list[str] | None, filters: list | pc.Expression | None) -> pa.Table:
    """Read the asked columns of the row groups that can hold a row the filters keep.

    pyarrow skips a row group only when its statistics rule the filters out *and* the column
    holds no null there, so a table with undated events in every row group would be read
    whole for a date filter. A comparison never keeps a null, so :func:`_row_groups` rules
    row groups out by minimum and maximum alone; pyarrow then filters the rows of the others.
    """
    groups = _row_groups(pq.ParquetFile(source).metadata, filters)
    if groups is None:
        return pq.read_table(source, columns=columns, filters=filters)
    import pyarrow.dataset as ds  # as pq.read_table imports it for filters: not for whole tables

    fragment = ds.ParquetFileFormat().make_fragment(source, row_groups=groups)
    return fragment.to_table(columns=columns, filter=pq.filters_to_expression(filters))


def _row_groups(metadata: pq.FileMetaData, filters: object) -> list[int] | None:
    """The row groups whose statistics allow a match of ``filters`` in pyarrow's list form.

    ``None`` for no filters or an expression, which pyarrow reads as given.
    """
    if not isinstance(filters, list) or not filters:
        return None
    # As pyarrow reads the list: predicates (name, op, value) all kept, or lists of them any kept.
    clauses = [filters] if isinstance(filters[0][0], str) else filters
    names = metadata.schema.names
    return [
        group
        for group in range(metadata.num_row_groups)
        if any(
            all(
                name not in names
                or _may_hold(metadata.row_group(group).column(names.index(name)).statistics, op, value)
                for name, op, value in clause
            )
            for clause in clauses
        )
    ]


def _may_hold(statistics: pq.Statistics | None, op: str, value: object) -> bool:
    """Whether a column chunk of these statistics may hold a value satisfying ``op value``."""
    if statistics is None or not statistics.has_min_max:
        return True
    low, high = statistics.min, statistics.max
    try:
        if op in ("=", "=="):
            return low <= value <= high
        if op == "in":
            return any(low <= v <= high for v in value)
        if op in ("<", "<="):
            return low < value or (op == "<=" and low == value)
        if op in (">", ">="):
            return high > value or (op == ">=" and high == value)
    except TypeError:  # a value of another type: pyarrow casts it, or says why it cannot
        return True
    return True  # "!=" and "not in": the minimum and maximum rarely rule them out


def _only(schema: dict, columns: list[str], table: str) -> dict:
    names = [f["name"] for f in schema["fields"]]
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise DataError(f"columns= must be a list of column names (got {columns!r})")
    if unknown := [c for c in columns if c not in names]:
        raise DataError(
            f"{table} has no column {', '.join(map(repr, unknown))} (columns: {', '.join(names)})"
        )
    fields = {f["name"]: f for f in schema["fields"]}
    return {**schema, "fields": [fields[c] for c in columns]}


def _polars(arrow: pa.Table, schema: dict) -> pl.DataFrame:
    from caucasus_events.frames import to_polars

    try:
        return to_polars(arrow, schema)
    except ModuleNotFoundError as exc:
        from caucasus_events.extras import missing

        raise missing(exc, 'load(backend="polars")') from None


def tables(version: str | None = None) -> pd.DataFrame:
    """The tables of a release: name, title, description and number of rows."""
    folder = package_dir(version)
    package = _descriptor(folder)
    rows = []
    for resource in package["resources"]:
        if resource["format"] != "parquet":
            continue
        rows.append(
            {
                "table": resource["name"].removesuffix("-parquet"),
                "title": resource["title"].removesuffix(" (Parquet)"),
                "rows": pq.ParquetFile(folder / resource["path"]).metadata.num_rows,
                "description": resource["description"],
            }
        )
    return pd.DataFrame(rows)


#: The codebook's place in a release folder, a checkout and the installed package alike.
CODEBOOK = "docs/codebook.md"


def codebook(version: str | None = None) -> Path:
    """The codebook of a release: the coding rules and the reference of every column.

    Parameters
    ----------
    version : str, optional
        A published release instead of the installed one (as for :func:`load`).

    Returns
    -------
    pathlib.Path
        A Markdown file; read it with ``print(ce.codebook().read_text())`` or open it in an
        editor or browser.
    """
    file = package_dir(version) / CODEBOOK
    if not file.is_file():
        raise DataError(
            f"{file}: missing (this release carries no codebook; see "
            "https://github.com/caucasus-events/caucasus-events/blob/main/docs/codebook.md)"
        )
    return file


def describe(table: str, version: str | None = None) -> pd.DataFrame:
    """The columns of a table: name, type, whether required, meaning and allowed values."""
    folder = package_dir(version)
    resource = _resource(_descriptor(folder), table)
    schema = json.loads((folder / resource["schema"]).read_text(encoding="utf-8"))
    rows = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        allowed = constraints.get("enum")
        rows.append(
            {
                "column": field["name"],
                "type": field["type"],
                "required": bool(constraints.get("required", False)),
                "description": field.get("description", ""),
                "allowed": ", ".join(map(str, allowed)) if allowed else "",
            }
        )
    return pd.DataFrame(rows)
