"""Arrow tables to pandas DataFrames with the dataset's dtypes, driven by a Table Schema.

Used by loading and by validation alike, so that a table has the same dtypes whichever
path reads it. Imports only pandas and pyarrow.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def arrow_type(field: dict) -> pa.DataType:
    """The Arrow type a Table Schema field is stored as in Parquet."""
    if field.get("categorical"):
        return pa.dictionary(pa.int32(), pa.string())
    return ARROW_TYPES[field["type"]]


def arrow_schema(schema: dict) -> pa.Schema:
    """The Arrow schema of a table, from its Table Schema."""
    return pa.schema([pa.field(f["name"], arrow_type(f)) for f in schema["fields"]])


# Arrow types that pandas would otherwise turn into numpy int, float and bool columns, which
# cannot hold missing values.
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}


class CategoryError(ValueError):
    """A categorical column holds a value its schema does not allow."""


def to_frame(table: pa.Table, schema: dict) -> pd.DataFrame:
    """Convert an Arrow table to pandas with the dataset's dtypes.

    Strings become pandas strings, integers and booleans nullable ``Int64``/``boolean``,
    numbers ``Float64``, dates ``datetime64[s]``, and categorical columns
    ``CategoricalDtype`` with all the categories of the codebook, not just those present.
    One ``to_pandas`` call converts every column (in parallel, as ``pandas.read_parquet``
    does); only the dates and the categories are adjusted afterwards.
    """
    frame = table.select([f["name"] for f in schema["fields"]]).to_pandas(
        types_mapper=_NULLABLE.get, date_as_object=False
    )
    for field in schema["fields"]:
        name = field["name"]
        if field.get("categorical"):
            allowed = field["constraints"]["enum"]
            column = frame[name]
            if not isinstance(column.dtype, pd.CategoricalDtype):
                column = column.astype("category")
            unknown = set(column.cat.categories) - set(allowed)
            if unknown:
                raise CategoryError(
                    f"column {name!r} holds {sorted(unknown)} (allowed: {', '.join(allowed)})"
                )
            frame[name] = column.cat.set_categories(allowed)
        elif field["type"] == "date":
            frame[name] = frame[name].astype("datetime64[s]")
    return frame


def to_polars(table: pa.Table, schema: dict):
    """Convert an Arrow table to a Polars DataFrame with the dataset's types.

    Dates stay ``Date``, integers ``Int64``, numbers ``Float64``, booleans ``Boolean``, text
    ``String``; categorical columns become ``Enum`` with all the codebook's categories, in the
    codebook's order (as the pandas categoricals have). Polars is imported here only.
    """
    import polars as pl

    frame = pl.from_arrow(table.select([f["name"] for f in schema["fields"]]))
    casts = []
    for field in schema["fields"]:
        if field.get("categorical"):
            allowed = field["constraints"]["enum"]
            unknown = set(frame[field["name"]].drop_nulls().cast(pl.String).unique()) - set(allowed)
            if unknown:
                raise CategoryError(
                    f"column {field['name']!r} holds {sorted(unknown)} (allowed: {', '.join(allowed)})"
                )
            casts.append(pl.col(field["name"]).cast(pl.String).cast(pl.Enum(allowed)))
    return frame.with_columns(casts) if casts else frame
