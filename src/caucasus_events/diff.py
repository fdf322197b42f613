"""What changed between two releases: tables, columns, rows and, event by event, fields.

Either side is a package folder (with ``datapackage.json``) or a release archive. Rows are
matched by the table's primary key; a value counts as changed when it differs after both
sides are read with the dataset's dtypes (so ``1`` and ``1.0`` in a CSV never differ).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from caucasus_events import archive
from caucasus_events.frames import to_frame
from caucasus_events.problems import UsageError


class Package:
    """A built package read from a folder or a release archive, files checked by their hashes."""

    def __init__(self, label: str, files: dict[str, bytes] | Path):
        self.label = label
        self._files = files
        try:
            self.descriptor: dict = json.loads(self.read("datapackage.json"))
        except (KeyError, FileNotFoundError):
            raise UsageError(
                f"{label}: no datapackage.json (expected a built package or a release archive)"
            ) from None
        except ValueError as exc:
            raise UsageError(f"{label}: datapackage.json is not valid JSON ({exc})") from None
        self.version: str = str(self.descriptor.get("version", "?"))
        self._frames: dict[str, pd.DataFrame] = {}

    def read(self, rel: str) -> bytes:
        """The bytes of a file of the package (path relative to its root)."""
        if isinstance(self._files, Path):
            return (self._files / rel).read_bytes()
        return self._files[rel]

    @property
    def tables(self) -> list[str]:
        """Table names, in the descriptor's order."""
        return [r["name"] for r in self.descriptor.get("resources", []) if r.get("format") == "csv"]

    def schema(self, table: str) -> dict:
        """The Table Schema of ``table``."""
        return json.loads(self.read(self._resource(table)["schema"]))

    def _resource(self, table: str) -> dict:
        for resource in self.descriptor["resources"]:
            if resource["name"] == f"{table}-parquet":
                return resource
        raise UsageError(f"{self.label}: datapackage.json has no Parquet resource for table {table!r}")

    def frame(self, table: str) -> pd.DataFrame:
        """The rows of ``table`` with the dataset's dtypes, after checking the file's SHA-256."""
        if table not in self._frames:
            resource = self._resource(table)
            try:
                data = self.read(resource["path"])
            except (KeyError, FileNotFoundError):
                raise UsageError(f"{self.label}: {resource['path']} is missing") from None
            digest = "sha256:" + archive.sha256_hex(data)
            if digest != resource["hash"]:
                raise UsageError(
                    f"{self.label}: {resource['path']} has {digest}, datapackage.json says "
                    f"{resource['hash']} (the file was changed after the build)"
                )
            self._frames[table] = to_frame(pq.read_table(pa.BufferReader(data)), self.schema(table))
        return self._frames[table]


def open_package(path: Path) -> Package:
    """Open a package folder or a release archive (``.zip``).

    Raises
    ------
    UsageError
        When ``path`` is neither.
    caucasus_events.archive.ArchiveError
        When the archive is unsafe or damaged.
    """
    path = Path(path)
    if path.is_dir():
        return Package(str(path), path)
    if path.is_file():
        _, files = archive.read(path)
        return Package(str(path), files)
    raise UsageError(f"{path}: not found (expected a package folder or a release archive .zip)")


def plain(value: object) -> object:
    """A cell as a JSON value: dates as ISO strings, every kind of missing value as None."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame: pd.DataFrame, key: list[str]) -> dict[tuple, dict]:
    columns = {name: [plain(v) for v in frame[name].tolist()] for name in frame.columns}
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return {tuple(row[k] for k in key): row for row in rows}


@dataclass
class SchemaChange:
    """How a table's columns changed."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retyped: list[tuple[str, str, str]] = field(default_factory=list)
    reordered: bool = False
    categories_added: dict[str, list[str]] = field(default_factory=dict)
    categories_removed: dict[str, list[str]] = field(default_factory=dict)
    key: tuple[list[str], list[str]] | None = None

    def lines(self) -> list[str]:
        """One phrase per change."""
        out = [f"column {name} added" for name in self.added]
        out += [f"column {name} removed (or renamed)" for name in self.removed]
        out += [f"column {name} retyped {old} -> {new}" for name, old, new in self.retyped]
        out += ["columns reordered"] if self.reordered else []
        out += [f"{col}: categories added {', '.join(v)}" for col, v in self.categories_added.items()]
        out += [f"{col}: categories removed {', '.join(v)}" for col, v in self.categories_removed.items()]
        if self.key:
            out.append(f"primary key {self.key[0]} -> {self.key[1]}")
        return out


def _type(field_: dict) -> str:
    return field_["type"] + (" (categorical)" if field_.get("categorical") else "")


def schema_change(a: dict, b: dict) -> SchemaChange:
    """Compare two Table Schemas."""
    fa = {f["name"]: f for f in a["fields"]}
    fb = {f["name"]: f for f in b["fields"]}
    change = SchemaChange(
        added=[n for n in fb if n not in fa],
        removed=[n for n in fa if n not in fb],
    )
    common = [n for n in fa if n in fb]
    change.reordered = common != [n for n in fb if n in fa]
    for name in common:
        if _type(fa[name]) != _type(fb[name]):
            change.retyped.append((name, _type(fa[name]), _type(fb[name])))
        elif fa[name].get("categorical"):
            old = fa[name].get("constraints", {}).get("enum", [])
            new = fb[name].get("constraints", {}).get("enum", [])
            if added := [v for v in new if v not in old]:
                change.categories_added[name] = added
            if removed := [v for v in old if v not in new]:
                change.categories_removed[name] = removed
    if a.get("primaryKey") != b.get("primaryKey"):
        change.key = (list(a.get("primaryKey") or []), list(b.get("primaryKey") or []))
    return change


@dataclass
class TableDiff:
    """Rows and columns of one table on both sides (``None`` rows: the table is absent)."""

    rows_a: int | None
    rows_b: int | None
    added: list[list] = field(default_factory=list)
    removed: list[list] = field(default_factory=list)
    changed: list[list] = field(default_factory=list)
    schema: SchemaChange = field(default_factory=SchemaChange)


@dataclass
class PackageDiff:
    """Everything that differs between package ``a`` (older) and ``b`` (newer)."""

    a: dict
    b: dict
    tables: dict[str, TableDiff]
    events_added: list[dict]
    events_removed: list[dict]
    events_changed: list[dict]
    problems: list[str]

    @property
    def tables_added(self) -> list[str]:
        return [name for name, t in self.tables.items() if t.rows_a is None]

    @property
    def tables_removed(self) -> list[str]:
        return [name for name, t in self.tables.items() if t.rows_b is None]

    def to_json(self) -> dict:
        """A machine-readable document of the diff."""
        return {
            "a": self.a,
            "b": self.b,
            "tables": {
                name: {
                    "rows_a": t.rows_a,
                    "rows_b": t.rows_b,
                    "added": t.added,
                    "removed": t.removed,
                    "changed": t.changed,
                    "schema": t.schema.lines(),
                }
                for name, t in self.tables.items()
            },
            "tables_added": self.tables_added,
            "tables_removed": self.tables_removed,
            "events": {
                "added": self.events_added,
                "removed": self.events_removed,
                "changed": self.events_changed,
            },
            "problems": self.problems,
        }

    def text(self, width: int | None = None) -> str:
        """The diff for a terminal: a table of counts, then the events, wrapped to ``width``."""
        width = width or shutil.get_terminal_size((100, 24)).columns
        lines = [f"{self.a['label']} ({self.a['version']}) -> {self.b['label']} ({self.b['version']})", ""]
        lines += _count_lines(self)
        for name, t in self.tables.items():
            for phrase in t.schema.lines():
                lines.append(f"schema: {name}: {phrase}")
        lines += _event_lines(self, "  ")
        if self.problems:
            lines += ["", f"problems ({len(self.problems)}):"] + [f"  {p}" for p in self.problems]
        return "\n".join(_fit(line, width) for line in lines) + "\n"

    def markdown(self) -> str:
        """The diff as Markdown, for release notes."""
        lines = [
            "| table | rows before | rows after | added | removed | changed |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, t in self.tables.items():
            lines.append(
                f"| {name} | {_n(t.rows_a)} | {_n(t.rows_b)} | {len(t.added)} | {len(t.removed)} | {len(t.changed)} |"
            )
        schema = [f"- {name}: {p}" for name, t in self.tables.items() for p in t.schema.lines()]
        if schema:
            lines += ["", "Column changes:", "", *schema]
        lines += ["", f"### Events added ({len(self.events_added)})", ""]
        lines += [f"- {e['event_id']}: {e['summary']}" for e in self.events_added] or ["None."]
        lines += ["", f"### Events removed ({len(self.events_removed)})", ""]
        lines += [f"- {e['event_id']}: {e['summary']} ({_retired(e)})" for e in self.events_removed] or [
            "None."
        ]
        lines += ["", f"### Events changed ({len(self.events_changed)})", ""]
        for e in self.events_changed:
            lines.append(f"- {e['event_id']}")
            lines += [f"  - {c['field']}: `{_show(c['old'])}` -> `{_show(c['new'])}`" for c in e["changes"]]
        if not self.events_changed:
            lines.append("None.")
        return "\n".join(lines) + "\n"


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def _show(value: object) -> str:
    return "null" if value is None else str(value)


def _literal(value: object) -> str:
    # JSON spelling: strings quoted, so their ends and a missing value (null) are visible.
    return json.dumps(value, ensure_ascii=False)


def _retired(event: dict) -> str:
    tomb = event["retired"]
    if tomb is None:
        return "NO tombstone in retired_events"
    text = f"retired: {tomb['reason']}"
    return text + (f"; replaced by {tomb['replaced_by']}" if tomb.get("replaced_by") else "")


def _fit(line: str, width: int) -> str:
    # Wrap rather than cut: a changed value must be readable in full.
    if len(line) <= width:
        return line
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return "\n".join(
        textwrap.wrap(
            line, max(width, 20), subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True
        )
    )


def _count_lines(d: PackageDiff) -> list[str]:
    name_width = max([len("table"), *map(len, d.tables)])
    lines = [
        f"{'table':<{name_width}}  {'rows A':>7}  {'rows B':>7}  {'added':>6}  {'removed':>7}  {'changed':>7}"
    ]
    for name, t in d.tables.items():
        lines.append(
            f"{name:<{name_width}}  {_n(t.rows_a):>7}  {_n(t.rows_b):>7}  "
            f"{len(t.added):>6}  {len(t.removed):>7}  {len(t.changed):>7}"
        )
    return lines


def _event_lines(d: PackageDiff, indent: str) -> list[str]:
    lines = ["", f"events added ({len(d.events_added)})"]
    lines += [f"{indent}{e['event_id']}  {e['summary']}" for e in d.events_added]
    lines += ["", f"events removed ({len(d.events_removed)})"]
    lines += [f"{indent}{e['event_id']}  {_retired(e)}  ({e['summary']})" for e in d.events_removed]
    lines += ["", f"events changed ({len(d.events_changed)})"]
    for e in d.events_changed:
        lines.append(f"{indent}{e['event_id']}")
        for c in e["changes"]:
            old, new = _literal(c["old"]), _literal(c["new"])
            lines.append(f"{indent * 2}{c['field']}: {old} -> {new}")
    return lines


def _table_diff(a: Package, b: Package, name: str) -> tuple[TableDiff, dict, dict]:
    in_a, in_b = name in a.tables, name in b.tables
    frame_a = a.frame(name) if in_a else None
    frame_b = b.frame(name) if in_b else None
    result = TableDiff(
        rows_a=None if frame_a is None else len(frame_a), rows_b=None if frame_b is None else len(frame_b)
    )
    if frame_a is None or frame_b is None:
        return result, {}, {}
    schema_a, schema_b = a.schema(name), b.schema(name)
    result.schema = schema_change(schema_a, schema_b)
    key = list(schema_b.get("primaryKey") or [])
    if not key or any(k not in frame_a.columns or k not in frame_b.columns for k in key):
        key = [c for c in frame_b.columns if c in frame_a.columns]  # no shared key: whole rows
    rows_a, rows_b = _records(frame_a, key), _records(frame_b, key)
    common = [c for c in frame_b.columns if c in frame_a.columns]
    result.added = [list(k) for k in rows_b if k not in rows_a]
    result.removed = [list(k) for k in rows_a if k not in rows_b]
    result.changed = [
        list(k) for k in rows_b if k in rows_a and any(rows_a[k][c] != rows_b[k][c] for c in common)
    ]
    return result, rows_a, rows_b


def _tombstones(package: Package) -> dict[str, dict]:
    if "retired_events" not in package.tables:
        return {}
    return {k[0]: row for k, row in _records(package.frame("retired_events"), ["event_id"]).items()}


def compare(a: Package, b: Package) -> PackageDiff:
    """The diff from package ``a`` (older) to ``b`` (newer)."""
    names = a.tables + [t for t in b.tables if t not in a.tables]
    tables, rows = {}, {}
    for name in names:
        tables[name], rows_a, rows_b = _table_diff(a, b, name)
        rows[name] = (rows_a, rows_b)
    events_a, events_b = rows.get("events", ({}, {}))
    tombs_a, tombs_b = _tombstones(a), _tombstones(b)
    common = []
    if "events" in a.tables and "events" in b.tables:
        common = [c for c in b.frame("events").columns if c in a.frame("events").columns]
    added = [
        {"event_id": k[0], "summary": r.get("summary")} for k, r in events_b.items() if k not in events_a
    ]
    removed, changed, problems = [], [], []
    for k, r in events_a.items():
        if k in events_b:
            fields = [
                {"field": c, "old": r[c], "new": events_b[k][c]} for c in common if r[c] != events_b[k][c]
            ]
            if fields:
                changed.append({"event_id": k[0], "changes": fields})
            continue
        tomb = tombs_b.get(k[0])
        removed.append(
            {
                "event_id": k[0],
                "summary": r.get("summary"),
                "retired": None
                if tomb is None
                else {"reason": tomb["reason"], "replaced_by": tomb["replaced_by"]},
            }
        )
        if tomb is None:
            problems.append(
                f"event {k[0]} was removed but {b.label} has no tombstone for it "
                "(expected a row in retired_events with the reason)"
            )
    ids_b = {k[0] for k in events_b}
    problems += [
        f"event {e} was retired in {a.label} and is used again in {b.label} (IDs are never reused)"
        for e in sorted(set(tombs_a) & ids_b)
    ]
    problems += [
        f"the tombstone of {e} is gone from {b.label}'s retired_events (tombstones are permanent)"
        for e in sorted(set(tombs_a) - set(tombs_b))
    ]
    return PackageDiff(
        a={"label": a.label, "version": a.version},
        b={"label": b.label, "version": b.version},
        tables=tables,
        events_added=added,
        events_removed=removed,
        events_changed=changed,
        problems=problems,
    )


def diff(a: Path, b: Path) -> PackageDiff:
    """Open two packages (folders or release archives) and compare them."""
    return compare(open_package(a), open_package(b))
