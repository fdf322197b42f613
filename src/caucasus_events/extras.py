"""Name the extra to install when an optional dependency is missing.

A plain ``pip install caucasus-events`` brings only what loading needs; building, validating,
downloading pinned releases, drawing the figure and the Polars backend need an extra. The
extras and their packages are read from the installed package's metadata (pyproject.toml is
the one place they are declared), so a new optional dependency is covered without a change here.
"""

from __future__ import annotations

import re
from importlib import metadata

DISTRIBUTION = "caucasus-events"

#: Import names that differ from the distribution's name.
_DISTRIBUTION_OF = {"yaml": "pyyaml"}


class MissingExtra(Exception):
    """An optional dependency is not installed; the message says which extra brings it."""

    exit_code = 2


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def extra_for(module: str) -> str | None:
    """The smallest extra of this package that installs ``module``, or None if none does."""
    top = module.split(".")[0]
    wanted = _normalize(_DISTRIBUTION_OF.get(top, top))
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return None
    members: dict[str, set[str]] = {}
    for requirement in requirements:
        found = re.match(
            r"\s*([A-Za-z0-9][A-Za-z0-9._-]*).*;\s*extra\s*==\s*['\"]([^'\"]+)['\"]", requirement
        )
        if found:
            members.setdefault(found.group(2), set()).add(_normalize(found.group(1)))
    fitting = [extra for extra, names in members.items() if wanted in names]
    return min(fitting, key=lambda extra: (len(members[extra]), extra)) if fitting else None


def missing(exc: ModuleNotFoundError, needed_for: str) -> MissingExtra | ModuleNotFoundError:
    """The error to raise for ``exc``: a :class:`MissingExtra` naming the extra, if one brings it.

    Parameters
    ----------
    exc : ModuleNotFoundError
        The failed import.
    needed_for : str
        What the user asked for, such as ``"caucasus-events build"`` or ``"load(validate=True)"``.
    """
    extra = extra_for(exc.name or "")
    if extra is None:
        return exc  # not an optional dependency: a real bug, reported as such
    return MissingExtra(
        f"{needed_for} needs the {extra!r} extra ({exc.name} is not installed): "
        f'pip install "{DISTRIBUTION}[{extra}]"'
    )
