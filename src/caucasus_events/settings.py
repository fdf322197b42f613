"""Where the data lives, with environment overrides.

``CAUCASUS_EVENTS_CACHE``
    Folder for downloaded releases (default: the per-user cache folder,
    ``$XDG_CACHE_HOME/caucasus-events`` or ``~/.cache/caucasus-events``).
``CAUCASUS_EVENTS_OFFLINE``
    Set to ``1`` to never use the network; pinned releases must then be in the cache.
``CAUCASUS_EVENTS_RELEASES_URL``
    Download archives from ``<this URL>/caucasus-events-data-X.Y.Z.zip`` instead of the
    registry's URLs (a mirror, or a local server in tests); the registry's SHA-256 still applies.
``CAUCASUS_EVENTS_REGISTRY``
    Path of a release registry to use instead of the packaged ``registry.json``.
``CAUCASUS_EVENTS_TIMEOUT``
    Seconds to wait for a server to connect or send data (default 30).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CACHE_ENV = "CAUCASUS_EVENTS_CACHE"
OFFLINE_ENV = "CAUCASUS_EVENTS_OFFLINE"
RELEASES_URL_ENV = "CAUCASUS_EVENTS_RELEASES_URL"
REGISTRY_ENV = "CAUCASUS_EVENTS_REGISTRY"
TIMEOUT_ENV = "CAUCASUS_EVENTS_TIMEOUT"
DEFAULT_TIMEOUT = 30.0


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


def registry_path() -> Path:
    """The release registry: the packaged one unless overridden."""
    return Path(os.environ.get(REGISTRY_ENV) or PACKAGE / "registry.json")


def releases_url() -> str | None:
    """A base URL that replaces the registry's download URLs, if set."""
    return os.environ.get(RELEASES_URL_ENV) or None


def timeout_text() -> str:
    """The raw timeout setting ("" when unset); parsed where it is used."""
    return os.environ.get(TIMEOUT_ENV, "")
