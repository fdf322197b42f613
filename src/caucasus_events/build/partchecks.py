"""The models' checks split into the part that looks at one row at a time and the rest.

A row-local check gives each row's verdict from that row alone, so it can run on any slice
of a table (a partition) on any worker, and the partitions' failures together are the whole
table's. The rest (uniqueness, the columns' presence, order and dtypes, and anything that
needs more than one row) runs once, on the whole table.

Which check is which is found from the checks themselves, not from a list kept beside the
models: a check is row-local when Pandera applies it element by element, or when the source
of its function uses only operations that work row by row (comparisons, ``&``, ``|``, ``~``,
arithmetic, ``isna``, ``fillna``, ``isin``, string matching, ...) on columns picked by name.
A check whose function cannot be read, or that uses anything else (``duplicated``, ``sum``,
``shift``, ``len(...)``, a slice of rows, ...), is table-wide.
"""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap
from functools import cache

import pandas as pd
import pandera.backends.pandas.builtin_checks  # noqa: F401  (registers the pandas implementations)
import pandera.pandas as pa
from pandera.api.checks import Check

from caucasus_events.build.models import MODELS

#: Rows per partition of a table for the row-local checks.
PARTITION_ROWS = 50_000

#: Methods that map each element (or row) to one result, whatever the other rows hold.
ROW_WISE_METHODS = frozenset(
    {
        "isna", "notna", "isnull", "notnull", "fillna", "astype", "isin", "between",
        "eq", "ne", "lt", "le", "gt", "ge", "match", "fullmatch", "contains",
        "startswith", "endswith", "len", "lower", "upper", "strip",
    }
)  # fmt: skip
#: Plain attributes a row-wise expression may go through (the string accessor).
ROW_WISE_ATTRIBUTES = frozenset({"str"})
#: Functions that do nothing at run time (``typing.cast``, in Pandera's own string checks).
NO_OPS = frozenset({"cast"})
_SYNTAX = (
    ast.Return, ast.Assign, ast.Expr, ast.If, ast.IfExp, ast.Name, ast.Load, ast.Store,
    ast.Constant, ast.Compare, ast.BinOp, ast.UnaryOp, ast.Call, ast.keyword, ast.Attribute,
    ast.Subscript, ast.cmpop, ast.operator, ast.Invert, ast.Not, ast.USub, ast.UAdd,
)  # fmt: skip


def _functions(check: Check, model: type[pa.DataFrameModel]) -> list:
    """The functions behind ``check``: a built-in's implementations, or the model's method."""
    registry = getattr(check._check_fn, "_function_registry", None)
    if registry is not None:
        # A built-in check (ge, isin, str_matches, ...): the functions that run on pandas data.
        return [registry[kind] for kind in (pd.Series, pd.DataFrame) if kind in registry]
    method = getattr(model, check.name, None)  # a @dataframe_check: the model's method of that name
    return [getattr(method, "__func__", method)] if callable(method) else []


def _row_wise_node(node: ast.AST) -> bool:
    if not isinstance(node, _SYNTAX):
        return False
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in NO_OPS
        return isinstance(func, ast.Attribute) and func.attr in ROW_WISE_METHODS
    if isinstance(node, ast.Attribute):
        return node.attr in ROW_WISE_METHODS | ROW_WISE_ATTRIBUTES
    if isinstance(node, ast.Subscript):  # a column by name, never a slice or a mask of rows
        return isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
    return True


def _row_wise_source(function) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return False
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef):
        return False
    # The body only: decorators and annotations are not run on the data.
    return all(_row_wise_tree(statement) for statement in definition.body)


def _row_wise_tree(node: ast.AST) -> bool:
    if isinstance(node, ast.Raise):  # refusing an argument gives no verdict on any row
        return True
    return _row_wise_node(node) and all(_row_wise_tree(child) for child in ast.iter_child_nodes(node))


def row_local(check: Check, model: type[pa.DataFrameModel]) -> bool:
    """Whether ``check`` gives each row's verdict from that row alone (else it is table-wide)."""
    if check.groupby is not None:
        return False
    if check.element_wise:
        return True
    functions = _functions(check, model)
    return bool(functions) and all(_row_wise_source(f) for f in functions)


def _divide(checks: list[Check], model: type[pa.DataFrameModel]) -> tuple[list[Check], list[Check]]:
    local, rest = [], []
    for check in checks:
        (local if row_local(check, model) else rest).append(check)
    return local, rest


@cache
def split(table: str) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """The table's model as two schemas: the row-local checks, and the table-wide rest.

    Returns
    -------
    tuple of DataFrameSchema
        The row-local schema (nullability and the row-local checks of every column and of the
        table; columns not required, no dtypes), for any slice of the table's rows; and the
        table-wide schema (dtypes, columns present and in order, uniqueness, every other
        check), for the whole table. Together they check what the model checks.
    """
    model = MODELS[table]
    schema = model.to_schema()
    local, rest = copy.deepcopy(schema), copy.deepcopy(schema)
    for name, column in schema.columns.items():
        local.columns[name].checks, rest.columns[name].checks = _divide(column.checks, model)
        local.columns[name].unique = False
        local.columns[name].dtype = None
        local.columns[name].required = False  # a missing column is reported once, by the rest
        rest.columns[name].nullable = True
    local.checks, rest.checks = _divide(schema.checks, model)
    local.unique, local.strict, local.ordered = None, False, False
    return local, rest
