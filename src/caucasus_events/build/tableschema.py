"""Frictionless Table Schemas generated from the Pandera models.

Pandera cannot export a Table Schema (its importer loses dates and foreign keys), so this
module translates each model: dtype to field type, nullability to ``required``, ``isin`` to
``enum``, ranges to ``minimum``/``maximum``, ``str_matches`` to ``pattern``, and the model's
``Config.metadata`` to ``primaryKey`` and ``foreignKeys``.
"""

from __future__ import annotations

import re
from typing import Any

import pandera.pandas as pa

from caucasus_events.build.models import MODELS

#: Categorical columns whose categories are the keys of a codebook table.
CODEBOOK_CATEGORIES = {("events", "plover_type"): ("plover_types", "type")}

_CHECK_CONSTRAINTS = {
    "isin": lambda s: {"enum": list(s["allowed_values"])},
    "greater_than_or_equal_to": lambda s: {"minimum": s["min_value"]},
    "less_than_or_equal_to": lambda s: {"maximum": s["max_value"]},
    "str_matches": lambda s: {"pattern": s["pattern"].removeprefix("^").removesuffix("$")},
}


def _field_type(dtype: str) -> str:
    if dtype.startswith("datetime64"):
        return "date"
    return {"boolean": "boolean", "Int64": "integer", "Float64": "number"}.get(dtype, "string")


def field_names(table: str) -> list[str]:
    """The columns of ``table``, in the order its files give them."""
    return list(MODELS[table].to_schema().columns)


def field_descriptors(model: type[pa.DataFrameModel], categories: dict[str, list[str]]) -> list[dict]:
    """Describe each column of ``model`` as a Table Schema field."""
    fields = []
    for name, column in model.to_schema().columns.items():
        dtype = str(column.dtype)
        field: dict[str, Any] = {"name": name, "type": _field_type(dtype)}
        if column.description:
            field["description"] = column.description
        if field["type"] == "date":
            field["format"] = "%Y-%m-%d"
        constraints: dict[str, Any] = {}
        if not column.nullable:
            constraints["required"] = True
        if column.unique:
            constraints["unique"] = True
        for check in column.checks:
            if check.name in _CHECK_CONSTRAINTS:
                constraints.update(_CHECK_CONSTRAINTS[check.name](check.statistics))
        if name in categories:
            constraints["enum"] = categories[name]
        if "enum" in constraints and dtype == "category":
            field["categorical"] = True
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return fields


#: Appended to the description of every text code that looks like a number (see :func:`text_codes`).
TEXT_CODE_NOTE = (
    "Text, not a number: digits whose leading zeros are part of the code; read this column as text "
    "(codebook, 'Reading the CSV files')."
)
# A pattern that admits only digits, such as ^\d{2,4}$ or ^[0-9]+$.
_DIGITS_ONLY = re.compile(r"^\^?(?:(?:\\d|\[0-9\])(?:\{\d+(?:,\d*)?\}|[+*?])?)+\$?$")


def text_codes() -> dict[str, list[str]]:
    """The text columns of each table whose values are all digits, such as CAMEO codes ``"010"``.

    A type-guessing CSV reader (``pandas.read_csv``, R's ``read.csv``, Stata, spreadsheets)
    turns them into numbers, dropping the leading zeros. Found from the models: a text column
    whose pattern admits only digits, and every text column that is a foreign key to one.
    """
    found: set[tuple[str, str]] = set()
    for table, model in MODELS.items():
        for name, column in model.to_schema().columns.items():
            patterns = [c.statistics["pattern"] for c in column.checks if c.name == "str_matches"]
            if _field_type(str(column.dtype)) == "string" and any(_DIGITS_ONLY.match(p) for p in patterns):
                found.add((table, name))
    grown = True
    while grown:  # foreign keys to a text code are text codes too (chains are followed)
        before = len(found)
        for table, model in MODELS.items():
            for fk in model.Config.metadata["foreign_keys"]:
                target = (fk["reference"]["resource"], fk["reference"]["fields"])
                if target in found and isinstance(fk["fields"], str):
                    found.add((table, fk["fields"]))
        grown = len(found) > before
    return {table: [c for c in MODELS[table].to_schema().columns if (table, c) in found] for table in MODELS}


def table_schema(table: str, categories: dict[str, list[str]] | None = None) -> dict:
    """The Frictionless Table Schema of ``table``.

    Parameters
    ----------
    table : str
        A key of :data:`caucasus_events.build.models.MODELS`.
    categories : dict, optional
        Categories of codebook-backed categorical columns, by column name.
    """
    model = MODELS[table]
    meta = model.Config.metadata
    fields = field_descriptors(model, categories or {})
    codes = text_codes()[table]
    for field in fields:
        if field["name"] in codes:
            field["description"] = f"{field.get('description', '')} {TEXT_CODE_NOTE}".strip()
    schema: dict[str, Any] = {
        "fields": fields,
        # Frictionless reads a null number in Parquet as NaN, spelled "nan"; no cell of ours is
        # the text "nan" (CSV writes nulls as empty cells), so the two agree.
        "missingValues": ["", "nan"],
        "primaryKey": meta["primary_key"],
    }
    foreign_keys = []
    for fk in meta["foreign_keys"]:
        resource = fk["reference"]["resource"]
        foreign_keys.append(
            {
                "fields": fk["fields"],
                # Table Schema spells a reference to the same resource as "".
                "reference": {
                    "resource": "" if resource == table else resource,
                    "fields": fk["reference"]["fields"],
                },
            }
        )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def codebook_categories(table: str, codebooks: dict[str, list[str]]) -> dict[str, list[str]]:
    """Categories of ``table``'s codebook-backed columns, from the codebook key lists."""
    return {
        column: codebooks[f"{source}.{key}"]
        for (owner, column), (source, key) in CODEBOOK_CATEGORIES.items()
        if owner == table
    }
