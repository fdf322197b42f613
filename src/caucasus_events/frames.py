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


def to_frame(table: pa.Table, schema: dict) -> pd.DataFrame:
    """Convert an Arrow table to pandas with the dataset's dtypes.

    Strings become pandas strings, integers and booleans nullable ``Int64``/``boolean``,
    numbers ``Float64``, dates ``datetime64[s]``, and categorical columns
    ``CategoricalDtype`` with all the categories of the codebook, not just those present.
    """
    columns = {}
    for field in schema["fields"]:
        name, kind = field["name"], field["type"]
        array = table.column(name)
        if field.get("categorical"):
            categories = field["constraints"]["enum"]
            values = array.cast(pa.string()).to_pandas()
            columns[name] = pd.Categorical(values, categories=categories)
        elif kind == "date":
            columns[name] = array.cast(pa.timestamp("s")).to_pandas()
        elif kind == "integer":
            columns[name] = array.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif kind == "number":
            columns[name] = array.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get)
        elif kind == "boolean":
            columns[name] = array.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
        else:
            columns[name] = array.to_pandas()
    return pd.DataFrame(columns)
