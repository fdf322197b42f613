"""Traceable event data on the Armenia-Azerbaijan peace process (2020-2025).

Load a table with :func:`load`; list the tables with :func:`tables`; read the columns of one
with :func:`describe`; cite the dataset with :func:`citation`; restore the full quotes of texts
that may not be redistributed from your own copy with :func:`rehydrate`. Everything else (building,
validating, downloading releases) lives in submodules that loading never imports.
"""

from __future__ import annotations

__version__ = "0.2.0"

__all__ = ["__version__", "citation", "describe", "load", "rehydrate", "sources", "tables"]


def __getattr__(name: str):
    # Lazy: `import caucasus_events` stays cheap; pandas is imported on first use.
    if name in {"load", "tables", "describe"}:
        from caucasus_events import loading

        return getattr(loading, name)
    if name == "rehydrate":
        from caucasus_events.rehydrate import rehydrate

        return rehydrate
    if name in {"citation", "sources"}:
        from caucasus_events import citing

        return getattr(citing, name)
    raise AttributeError(f"module 'caucasus_events' has no attribute {name!r}")
