"""The inventory of raw/: every file is one the build reads, or ignored by a stated rule.

A file the build does not read would otherwise be ignored without a word: an annotation saved
as ``.yml``, or in a misspelt folder, drops all its mentions while the build passes. The rules
below are the layout docs/annotating.md states; anything else under raw/ is a problem naming
the file.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from caucasus_events.build.codebook_models import CSV_MODELS
from caucasus_events.problems import Problem

#: Paths under raw/ that the build (or ``caucasus-events agreement`` and ``add``) reads, as
#: docs/annotating.md lists them (a test checks that it does); ``*`` is one name.
READ_GLOBS: tuple[str, ...] = (
    "articles/*.txt",
    "articles/*.yaml",
    "annotations/*.yaml",
    "events/*.yaml",
    "actors.yaml",
    "places.yaml",
    "publishers.yaml",
    "retired.yaml",
    "id-blocks.yaml",
    "agreement/*/*.yaml",
    "agreement/adjudication.yaml",
    *(f"codebooks/{filename}" for filename, _ in CSV_MODELS.values()),
    "codebooks/SOURCES.md",
)
_READ = re.compile("|".join(re.escape(glob).replace(r"\*", "[^/]+") for glob in READ_GLOBS))
#: The one rule for files the build ignores, as docs/annotating.md states it: hidden files and
#: folders (their name starts with '.', such as .gitkeep or an editor's swap file).
IGNORED_RULE = "names starting with '.' are ignored"


def _hint(rel: str) -> str:
    stem, _, suffix = rel.rpartition(".")
    if suffix.lower() in ("yml", "yaml") and suffix != "yaml":
        return f"; did you mean {stem}.yaml?"
    if suffix.lower() in ("txt", "csv") and suffix != suffix.lower():
        return f"; did you mean {stem}.{suffix.lower()}?"
    return ""


def inventory_problems(root: Path) -> list[Problem]:
    """Every entry under raw/ that the build would not read, nor ignore by a stated rule.

    Special files (FIFOs, sockets, devices) and links to folders are reported wherever they
    are; links to files are left to their readers, which report them with their own message.
    """
    raw = root / "raw"
    problems: list[Problem] = []
    # os.walk does not follow links to folders: they show up in ``folders`` and are reported.
    for folder, folders, files in os.walk(raw, onerror=lambda exc: _unreadable(exc, root, problems)):
        here = Path(folder)
        for name in sorted(folders):
            if (here / name).is_symlink():
                rel = (here / name).relative_to(root).as_posix()
                problems.append(
                    Problem(rel, None, "-", "link to a folder (expected plain folders inside raw/)")
                )
        # Plain strings below, not Path objects: raw/ of a large corpus holds many thousand files.
        listed = {*files, *folders}
        prefix = Path(folder).relative_to(raw).as_posix() + "/"
        prefix = "" if prefix == "./" else prefix
        folders[:] = sorted(n for n in folders if not n.startswith(".") and not (here / n).is_symlink())
        for name in sorted(files):
            if name.startswith("."):
                continue
            rel_raw = prefix + name
            rel = f"raw/{rel_raw}"
            try:
                mode = os.lstat(os.path.join(folder, name)).st_mode
            except OSError:
                continue  # removed while walking: nothing left to read
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                problems.append(
                    Problem(rel, None, "-", "is a FIFO, socket or device (expected a regular file)")
                )
            elif not _READ.fullmatch(rel_raw):
                message = (
                    "file is not read by the build (expected only the files docs/annotating.md lists, "
                    f"such as annotations/<article_id>.yaml; {IGNORED_RULE}){_hint(rel)}"
                )
                problems.append(Problem(rel, None, "-", message))
            elif rel_raw.startswith("articles/") and name.endswith(".txt"):
                meta = name.removesuffix(".txt") + ".yaml"
                if meta not in listed:
                    problems.append(
                        Problem(
                            rel,
                            None,
                            "-",
                            f"text without metadata (expected raw/articles/{meta} beside it)",
                        )
                    )
    return problems


def _unreadable(exc: OSError, root: Path, problems: list[Problem]) -> None:
    where = Path(exc.filename) if exc.filename else root / "raw"
    try:
        rel = where.relative_to(root).as_posix()
    except ValueError:
        rel = str(where)
    problems.append(
        Problem(rel, None, "-", f"folder cannot be listed: {exc.strerror} (expected a readable folder)")
    )
