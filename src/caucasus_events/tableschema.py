"""Frictionless Table Schemas generated from the Pandera models.

Pandera cannot export a Table Schema (its importer loses dates and foreign keys), so this
module translates each model: dtype to field type, nullability to ``required``, ``isin`` to
``enum``, ranges to ``minimum``/``maximum``, ``str_matches`` to ``pattern``, and the model's
``Config.metadata`` to ``primaryKey`` and ``foreignKeys``.
"""

from __future__ import annotations

from typing import Any

import pandera.pandas as pa

from caucasus_events.models import MODELS

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


def table_schema(table: str, categories: dict[str, list[str]] | None = None) -> dict:
    """The Frictionless Table Schema of ``table``.

    Parameters
    ----------
    table : str
        A key of :data:`caucasus_events.models.MODELS`.
    categories : dict, optional
        Categories of codebook-backed categorical columns, by column name.
    """
    model = MODELS[table]
    meta = model.Config.metadata
    schema: dict[str, Any] = {
        "fields": field_descriptors(model, categories or {}),
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
