"""A table's rows as a build holds them: one list per column, or Arrow record batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter

import pyarrow as pa


class ColumnRows:
    """Rows with the same fields, stored as one list of values per field.

    A dictionary per row costs about a kilobyte for the table of mentions before any value is
    counted; a list per field costs eight bytes a value. Rows are still read as dictionaries
    (made one at a time by iteration or :meth:`row`), so code that reads rows needs no change;
    code that changes values writes to :attr:`columns`.

    Parameters
    ----------
    fields : iterable of str
        The fields, in the order of the rows' keys.
    rows : iterable of dict, optional
        Rows to start with; each must have every field.
    """

    __slots__ = ("columns",)

    def __init__(self, fields: Iterable[str], rows: Iterable[dict] = ()):
        self.columns: dict[str, list] = {name: [] for name in fields}
        self.extend(rows)

    def append(self, row: dict) -> None:
        """Add one row (a ``KeyError`` when it lacks a field)."""
        self.extend([row])

    def extend(self, rows: Iterable[dict]) -> None:
        """Add every row of ``rows``, all or none (a ``KeyError`` when one lacks a field)."""
        rows = list(rows)
        picked = [list(map(itemgetter(name), rows)) for name in self.columns]  # before any change
        for values, more in zip(self.columns.values(), picked, strict=True):
            values.extend(more)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def __iter__(self) -> Iterator[dict]:
        names = list(self.columns)
        return (dict(zip(names, values, strict=True)) for values in zip(*self.columns.values(), strict=True))

    def column(self, name: str) -> list:
        """The values of field ``name`` (the column itself)."""
        return self.columns[name]

    def take(self, name: str, positions: Sequence[int]) -> list:
        """The values of field ``name`` in the rows at ``positions``."""
        column = self.columns[name]
        return [column[i] for i in positions]

    def reorder(self, order: list[int]) -> None:
        """Put the rows in ``order`` (positions of the current rows), in place."""
        for name, values in self.columns.items():
            self.columns[name] = [values[i] for i in order]

    def __repr__(self) -> str:
        return f"ColumnRows({len(self)} rows; {', '.join(self.columns)})"


class ArrowRows:
    """The rows of a built table, read from the Arrow table its files were encoded from.

    Once a table is encoded, its rows are kept in this form: Arrow holds a value in a few
    bytes where a Python list holds a pointer to an object (about a third of the memory of
    :class:`ColumnRows` for the tables of 10,000 articles). Rows and columns read as they do
    from :class:`ColumnRows`, made as they are asked for; they cannot be changed.

    Parameters
    ----------
    table : pyarrow.Table
        The table, typed by its Table Schema.
    """

    __slots__ = ("table",)

    def __init__(self, table: pa.Table):
        self.table = table

    @property
    def columns(self) -> Mapping[str, list]:
        """Each field's values as a list, made when asked for."""
        return _ArrowColumns(self.table)

    def __len__(self) -> int:
        return self.table.num_rows

    def __iter__(self) -> Iterator[dict]:
        for batch in self.table.to_batches():
            yield from batch.to_pylist()

    def column(self, name: str) -> list:
        """The values of field ``name`` as a list, made when asked for, one object per distinct
        text (a column of IDs repeats each many times)."""
        column = self.table.column(name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return column.to_pylist()
        encoded = column.combine_chunks().dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        return [None if i is None else distinct[i] for i in encoded.indices.to_pylist()]

    def take(self, name: str, positions: Sequence[int]) -> list:
        """The values of field ``name`` in the rows at ``positions``."""
        if not len(positions):
            return []
        # Taken from the slice of rows the positions span: Arrow's take joins the chunks it is
        # given into one array first, which for a few rows of a table of many record batches
        # copies the whole column (12 s of the linter at 100,000 articles).
        low = min(positions)
        span = self.table.column(name).slice(low, max(positions) - low + 1)
        return span.take(pa.array([position - low for position in positions], pa.int64())).to_pylist()

    def __repr__(self) -> str:
        return f"ArrowRows({len(self)} rows; {', '.join(self.table.column_names)})"


class _ArrowColumns(Mapping[str, list]):
    __slots__ = ("table",)

    def __init__(self, table: pa.Table):
        self.table = table

    def __getitem__(self, name: str) -> list:
        if name not in self.table.column_names:
            raise KeyError(name)
        return self.table.column(name).to_pylist()

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.column_names)

    def __len__(self) -> int:
        return self.table.num_columns


class RowBatches:
    """Rows taken in as they come and kept as Arrow record batches, for a table too large to
    hold as Python objects (the mentions: a third of the memory of :class:`ColumnRows`).

    Rows wait as columns until ``rows_per_batch`` of them have come, then become one record
    batch of ``schema``; :meth:`finish` gives the table.

    Parameters
    ----------
    schema : pyarrow.Schema
        The fields of the rows and their Arrow types.
    rows_per_batch : int
        Rows held as Python objects at most.
    """

    __slots__ = ("batches", "pending", "rows_per_batch", "schema")

    def __init__(self, schema: pa.Schema, rows_per_batch: int = 8192):
        self.schema, self.rows_per_batch = schema, rows_per_batch
        self.pending = ColumnRows(schema.names)
        self.batches: list[pa.RecordBatch] = []

    def extend(self, rows: Iterable[dict]) -> None:
        """Add every row of ``rows`` (a ``KeyError`` when one lacks a field)."""
        self.pending.extend(rows)
        if len(self.pending) >= self.rows_per_batch:
            self._close_batch()

    def _close_batch(self) -> None:
        if len(self.pending):
            self.batches.append(pa.RecordBatch.from_pydict(self.pending.columns, schema=self.schema))
            self.pending = ColumnRows(self.schema.names)

    def __len__(self) -> int:
        return sum(batch.num_rows for batch in self.batches) + len(self.pending)

    def finish(self) -> ArrowRows:
        """The rows taken in, in order, as one table (whose batches these were)."""
        self._close_batch()
        return ArrowRows(pa.Table.from_batches(self.batches, schema=self.schema))


#: A build's tables by name while it assembles and checks them: the mentions as Arrow, the
#: other large ones as columns, the small ones as dictionaries.
Tables = dict[str, "ArrowRows | ColumnRows | list[dict]"]
