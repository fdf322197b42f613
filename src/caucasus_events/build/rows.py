"""A table's rows held as one list per column, which is what a large build keeps in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from operator import itemgetter


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

    def row(self, index: int) -> dict:
        """Row ``index`` as a dictionary (a copy: changing it changes no column)."""
        return {name: values[index] for name, values in self.columns.items()}

    def reorder(self, order: list[int]) -> None:
        """Put the rows in ``order`` (positions of the current rows), in place."""
        for name, values in self.columns.items():
            self.columns[name] = [values[i] for i in order]

    def __repr__(self) -> str:
        return f"ColumnRows({len(self)} rows; {', '.join(self.columns)})"


#: A build's tables by name: the large ones as columns, the small ones as dictionaries.
Tables = dict[str, "ColumnRows | list[dict]"]
