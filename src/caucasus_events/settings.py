"""Where the data lives, with environment overrides.

``CAUCASUS_EVENTS_CACHE``
    Folder for downloaded releases (default: the per-user cache folder,
    ``$XDG_CACHE_HOME/caucasus-events`` or ``~/.cache/caucasus-events``).
``CAUCASUS_EVENTS_OFFLINE``
    Set to ``1`` to never use the network; pinned releases must then be in the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CACHE_ENV = "CAUCASUS_EVENTS_CACHE"
OFFLINE_ENV = "CAUCASUS_EVENTS_OFFLINE"


def installed_data() -> Path:
    """The folder holding the installed release (datapackage.json, processed/, schemas/).

    A wheel carries it as ``caucasus_events/data``; in a source checkout it is the
    repository root.
    """
    bundled = PACKAGE / "data"
    if (bundled / "datapackage.json").is_file():
        return bundled
    return PACKAGE.parents[1]


def cache_dir() -> Path:
    """The folder downloaded releases are unpacked into."""
    if override := os.environ.get(CACHE_ENV):
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "caucasus-events"


def offline() -> bool:
    """Whether the network must not be used."""
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")
