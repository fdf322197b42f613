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

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from caucasus_events import settings
from caucasus_events.frames import to_frame


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


def load(table: str, version: str | None = None, validate: bool = False) -> pd.DataFrame:
    """Load one table as a pandas DataFrame with the dataset's dtypes.

    Parameters
    ----------
    table : str
        Table name, such as ``"events"`` or ``"mentions"`` (see :func:`tables`).
    version : str, optional
        A published release to use instead of the installed one; downloaded once, verified
        by its SHA-256 and cached (see :mod:`caucasus_events.settings`).
    validate : bool, default False
        Also run the table's Pandera model (needs the ``build`` extra).

    Returns
    -------
    pandas.DataFrame
        Dates as ``datetime64[s]``, codes as categoricals with all the codebook's categories,
        nullable integers and booleans, pandas strings. ``df.attrs`` holds the provenance:
        dataset, version, table and the file's SHA-256.
    """
    folder = package_dir(version)
    package = _descriptor(folder)
    resource = _resource(package, table)
    file = folder / resource["path"]
    data = file.read_bytes()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest != resource["hash"]:
        raise DataError(
            f"{file}: SHA-256 is {digest}, the release says {resource['hash']}: the file was changed "
            "after it was published (delete it, or the cached release, to download it again)"
        )
    schema = json.loads((folder / resource["schema"]).read_text(encoding="utf-8"))
    frame = to_frame(pq.read_table(pa.BufferReader(data)), schema)
    frame.attrs = {
        "dataset": package["name"],
        "version": package["version"],
        "table": table,
        "sha256": digest.removeprefix("sha256:"),
    }
    if validate:
        try:
            from caucasus_events.validate import model_problems
        except ModuleNotFoundError as exc:
            from caucasus_events.extras import missing

            raise missing(exc, "load(validate=True)") from None

        if problems := model_problems(table, frame):
            raise DataError("\n".join(str(p) for p in problems))
    return frame


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
