"""Traceable event data on the Armenia-Azerbaijan peace process (2020-2025).

The installed package carries the data: loading works offline and imports only pandas and
pyarrow.

>>> import caucasus_events as ce
>>> events = ce.load("events")                  # a pandas DataFrame with the dataset's types
>>> ce.tables()                                 # the tables, their descriptions and row counts

Functions
---------
load(table, version=None, validate=False, *, columns=None, filters=None, backend="pandas")
    One table as a pandas (or, with ``backend="polars"``, Polars) DataFrame; ``columns=`` and
    ``filters=`` are pushed down to the Parquet reader; ``version="0.1.0"`` pins a release
    by content (its registered SHA-256).
tables(version=None)
    The tables of a release: name, title, number of rows, description.
describe(table, version=None)
    The columns of a table: type, whether required, meaning, allowed values.
path(table, format="parquet", version=None)
    The installed Parquet or CSV file of a table, for DuckDB, Polars, Arrow or R.
codebook(version=None)
    The codebook: coding rules and the column reference (a Markdown file).
citation(style="bibtex", version=None)
    How to cite the dataset: ``"bibtex"``, ``"apa"`` or ``"cff"``.
sources(version=None)
    The source texts to credit: publisher, title, date, URL, license.
rehydrate(mentions, folder, articles=None)
    Restore the full quotes of texts that may not be redistributed, from your own copy.

Errors
------
DataError
    An unknown table, column, release or style, or a file that is not what its release
    published; the message says what is valid.

Extras
------
``pip install "caucasus-events[download]"`` for pinned releases that are not installed,
``[polars]`` for the Polars backend, ``[build]`` to rebuild, validate and release,
``[figures]`` for the figure. The command line is ``caucasus-events --help``.
"""

from __future__ import annotations

__version__ = "0.2.0"

#: Where each public name lives: imported on first use, so ``import caucasus_events`` is cheap.
_LAZY = {
    "load": "loading",
    "tables": "loading",
    "describe": "loading",
    "path": "loading",
    "codebook": "loading",
    "DataError": "loading",
    "citation": "citing",
    "sources": "citing",
    "rehydrate": "rehydrate",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"caucasus_events.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'caucasus_events' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public API (lazy names included) and the module's own dunders; no helpers.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
