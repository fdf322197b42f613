"""Add a source text to raw/: its metadata from the corpus sidecar, an annotation scaffold and
an event-ID block for the annotator (``caucasus-events add``; a maintainer tool).

Every uncertainty flag is taken from an explicit sidecar field, or asked for at a terminal;
none is guessed from the wording of the sidecar's prose. Nothing is overwritten and nothing is
written unless every check passes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

import yaml

from caucasus_events.build.rawdata import ARTICLE_ID, sha256_bytes
from caucasus_events.build.stage import decode_text
from caucasus_events.problems import InputError, Problem

#: Sidecar fields copied as they are: (required, JSON types, what is expected).
TEXT_FIELDS = {
    "title": (True, "the title"),
    "publisher": (True, "the publisher"),
    "url": (True, "a URL"),
    "license": (True, "the text's license"),
    "license_basis": (True, "why the license applies"),
    "retrieved_from": (True, "where the copy came from"),
    "published_note": (False, "text or null"),
    "scope": (False, "which passages are in scope, or null"),
}
#: Flags that record uncertainty; each must be stated, never inferred from prose.
FLAGS = ("title_from_slug", "published_inferred", "redistributable", "complete_text_inferred")
DATE_FIELDS = ("published", "published_earliest", "published_latest")
#: Size of the block of event IDs reserved for the annotator of a new text.
BLOCK_SIZE = 100
BLOCKS_FILE = "raw/id-blocks.yaml"


def _date(value: object) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError
    # A timestamp's date part is the publisher's local date (see the corpus README).
    return dt.date.fromisoformat(value[:10])


def metadata(sidecar: dict, shown: str, ask=None) -> tuple[dict, list[Problem]]:
    """The article metadata (without ``sha256``) from a sidecar, and the problems found.

    ``ask(field)`` is called for a missing flag when given (at a terminal); otherwise a
    missing flag is a problem.
    """
    problems: list[Problem] = []
    out: dict = {}
    for key, (required, expected) in TEXT_FIELDS.items():
        value = sidecar.get(key)
        if value is None and not required:
            out[key] = None
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(shown, None, key, f"{value!r} (expected {expected})"))
        else:
            out[key] = value
    for key in FLAGS:
        value = sidecar.get(key)
        if value is None and ask is not None:
            value = ask(key)
        if not isinstance(value, bool):
            problems.append(
                Problem(shown, None, key, f"{value!r} (expected true or false, stated in the sidecar)")
            )
        out[key] = value
    for key in DATE_FIELDS:
        try:
            out[key] = _date(sidecar.get(key))
        except ValueError:
            problems.append(
                Problem(shown, None, key, f"{sidecar.get(key)!r} (expected a date YYYY-MM-DD or null)")
            )
    if (
        not problems
        and out["published"] is None
        and out["published_earliest"] is None
        and not out["published_note"]
    ):
        problems.append(Problem(shown, None, "published_note", "missing (expected why the date is unknown)"))
    order = [
        "title", "title_from_slug", "publisher", "published", "published_inferred",
        "published_earliest", "published_latest", "published_note", "url", "license",
        "license_basis", "redistributable", "complete_text_inferred", "scope", "retrieved_from",
    ]  # fmt: skip
    return {key: out.get(key) for key in order}, problems


def _publisher_problems(root: Path, publisher: str | None, shown: str) -> list[Problem]:
    """The publisher must match an entry of raw/publishers.yaml (the build derives columns from it)."""
    path = root / "raw" / "publishers.yaml"
    if publisher is None or not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    prefixes = [p for e in entries if isinstance(e, dict) for p in e.get("matches") or []]
    if any(publisher.startswith(p) for p in prefixes):
        return []
    return [
        Problem(
            shown,
            None,
            "publisher",
            f"{publisher!r} matches no entry of raw/publishers.yaml (expected a publisher the "
            "registry knows: add an entry whose `matches` holds the beginning of this name first)",
        )
    ]


def next_block(root: Path) -> tuple[str, str]:
    """The first free block of event IDs above every defined, retired or reserved ID."""
    highest = 0
    for path in [*sorted((root / "raw" / "events").glob("*.yaml")), root / "raw" / "retired.yaml"]:
        for match in re.finditer(r"\bE(\d{6})\b", path.read_text(encoding="utf-8")):
            highest = max(highest, int(match.group(1)))
    blocks = root / BLOCKS_FILE
    if blocks.is_file():
        for match in re.finditer(r"\bE(\d{6})\b", blocks.read_text(encoding="utf-8")):
            highest = max(highest, int(match.group(1)))
    first = (highest // BLOCK_SIZE + 1) * BLOCK_SIZE
    return f"E{first:06d}", f"E{first + BLOCK_SIZE - 1:06d}"


def _dump(document: object) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def add_text(
    root: Path, text_path: Path, sidecar_path: Path | None, annotator: str, ask=None
) -> dict[str, str]:
    """Import one text into ``root``/raw and return what was written.

    Raises
    ------
    InputError
        With every problem, when the text, the sidecar or the project refuse the import;
        nothing is written then.
    """
    sidecar_path = sidecar_path or text_path.with_suffix(".json")
    article_id = text_path.stem
    problems: list[Problem] = []
    if not (root / "raw" / "articles").is_dir():
        raise InputError([Problem(str(root), None, "-", "not a project folder (expected raw/articles)")])
    if not ARTICLE_ID.match(article_id):
        problems.append(
            Problem(str(text_path), None, "-", "file name (expected letters, digits, '.', '_', '-')")
        )
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", annotator):
        problems.append(Problem("--annotator", None, "-", f"{annotator!r} (expected a lower-case slug)"))
    data = b""
    for path in (text_path, sidecar_path):
        if not path.is_file():
            problems.append(Problem(str(path), None, "-", "missing or not a regular file"))
    if problems:
        raise InputError(problems)
    data = text_path.read_bytes()
    problems += decode_text(data, str(text_path))[1]
    try:
        sidecar = json.loads(sidecar_path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([*problems, Problem(str(sidecar_path), None, "-", f"not JSON ({exc})")]) from None
    if not isinstance(sidecar, dict):
        raise InputError([*problems, Problem(str(sidecar_path), None, "-", "expected a JSON object")])
    meta, found = metadata(sidecar, str(sidecar_path), ask)
    problems += found
    problems += _publisher_problems(root, meta.get("publisher"), str(sidecar_path))
    targets = {
        "text": root / "raw" / "articles" / f"{article_id}.txt",
        "metadata": root / "raw" / "articles" / f"{article_id}.yaml",
        "annotation": root / "raw" / "annotations" / f"{article_id}.yaml",
    }
    for path in targets.values():
        if path.exists():
            problems.append(
                Problem(str(path.relative_to(root)), None, "-", "already exists (add never overwrites)")
            )
    if problems:
        raise InputError(problems)
    first, last = next_block(root)
    meta["sha256"] = sha256_bytes(data)
    blocks_path = root / BLOCKS_FILE
    blocks = blocks_path.read_text(encoding="utf-8") if blocks_path.is_file() else _BLOCKS_HEADER
    blocks += _dump([{"first": first, "last": last, "annotator": annotator, "article": article_id}])
    contents = {
        targets["text"]: data,
        targets["metadata"]: _dump(meta).encode(),
        targets["annotation"]: _scaffold(article_id, annotator, first, last).encode(),
        blocks_path: blocks.encode(),
    }
    # Written to temporary names first, then renamed: an interruption leaves no half file.
    staged = []
    for path, content in contents.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.adding")
        temp.write_bytes(content)
        staged.append((temp, path))
    for temp, path in staged:
        os.replace(temp, path)
    return {"article": article_id, "block": f"{first}-{last}", **{k: str(v) for k, v in targets.items()}}


_BLOCKS_HEADER = """\
# Event-ID blocks reserved for annotators by `caucasus-events add`: an annotator defines the new
# events of a text with IDs from its block, so that two annotators never pick the same ID.
"""


def _scaffold(article_id: str, annotator: str, first: str, last: str) -> str:
    return f"""\
# Annotation of {article_id}. Fill in the mentions (docs/annotating.md), define new events in
# raw/events/ with IDs {first} to {last}, then delete the line `pending: true`.
# While it is pending, the text is left out of the tables and the build says so.
article: {article_id}
annotator: {annotator}
pending: true
mentions: []
"""


def ask_at_terminal(field: str) -> bool | None:
    """Ask for a flag the sidecar does not state (only when input is a terminal)."""
    if not sys.stdin.isatty():
        return None
    answer = input(f"{field}? (the sidecar does not say) [true/false]: ").strip().lower()
    return {"true": True, "false": False}.get(answer)
