"""Read raw/: registries, codebooks and article files, reporting every problem found."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from collections import abc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pycountry

from caucasus_events.build.codebook_models import CSV_MODELS, read_codebooks
from caucasus_events.build.dates import interval_problem
from caucasus_events.build.models import (
    ACTOR_KINDS,
    EVENT_KINDS,
    PLACE_KINDS,
    PUBLISHER_KINDS,
    SECTORS,
    STATUSES,
)
from caucasus_events.build.yamlio import (
    DATE_T,
    TEXT,
    TEXT_LIST,
    Mapping,
    Sequence,
    Spec,
    check_record,
    load_yaml,
)
from caucasus_events.problems import Problem, relpath

ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
EVENT_ID = re.compile(r"^E\d{6}$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LIST = (Sequence,)
BOOL = (bool,)

ARTICLE_SPEC: Spec = {
    "title": (True, TEXT, "the title"),
    "title_from_slug": (True, BOOL, "true or false"),
    "publisher": (True, TEXT, "the publisher"),
    "published": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "published_inferred": (True, BOOL, "true when the date was inferred from other sources"),
    "published_earliest": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "published_latest": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "published_note": (False, TEXT, "text or null"),
    "url": (True, TEXT, "a URL"),
    "license": (True, TEXT, "the text's license"),
    "license_basis": (True, TEXT, "why the license applies"),
    "redistributable": (True, BOOL, "true or false"),
    "complete_text_inferred": (True, BOOL, "true when completeness rests on cross-checks"),
    "scope": (False, TEXT, "which passages are annotated, or null for the whole text"),
    "retrieved_from": (True, TEXT, "where the copy came from"),
    "sha256": (True, TEXT, "the SHA-256 of the text, 64 hex digits"),
}
ACTOR_SPEC: Spec = {
    "id": (True, TEXT, "a lower-case slug"),
    "name": (True, TEXT, "the canonical name"),
    "kind": (True, TEXT, " or ".join(ACTOR_KINDS)),
    "country": (False, TEXT, "an ISO 3166-1 alpha-3 code or null"),
    "sector": (True, TEXT, "a PLOVER sector code"),
    "office": (False, TEXT, "the office as the texts give it, or null"),
    "member_of": (False, TEXT, "an actor ID or null"),
    "note": (False, TEXT, "text or null"),
}
PLACE_SPEC: Spec = {
    "id": (True, TEXT, "a lower-case slug"),
    "name": (True, TEXT, "the canonical name"),
    "kind": (True, TEXT, " or ".join(PLACE_KINDS)),
    "country": (False, TEXT, "an ISO 3166-1 alpha-3 code or null"),
    "aliases": (False, TEXT_LIST, "a list of names"),
    "note": (False, TEXT, "text or null"),
}
INTERVAL_SPEC: Spec = {
    "start": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "end": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "precision": (True, TEXT, "day, month, season, year, range or unknown"),
    "reason": (False, TEXT, "why the interval has no bound (required for an undated act), or null"),
}
EVENT_SPEC: Spec = {
    "id": (True, TEXT, "E followed by 6 digits"),
    "kind": (True, TEXT, "act or state"),
    "summary": (True, TEXT, "one sentence"),
    "type": (False, TEXT, "a PLOVER event type (null only for CAMEO codes PLOVER does not code)"),
    "mode": (False, TEXT, "a PLOVER mode of the type, or null"),
    "contexts": (True, TEXT_LIST, "a list of PLOVER contexts"),
    "cameo": (False, TEXT, 'a quoted CAMEO code such as "041", or null for a state'),
    "source": (True, TEXT_LIST, "a list of actor IDs"),
    "target": (True, TEXT_LIST, "a list of actor IDs (may be empty)"),
    "within": (False, TEXT, "the event ID of the call or meeting this act was made in, or null"),
    "date": (True, (Mapping,), "a mapping with start, end, precision"),
    "place": (False, TEXT, "a place ID or null"),
    "status": (True, TEXT, " or ".join(STATUSES)),
    "mapping_departure": (False, TEXT, "the reason, or null"),
    "note": (False, TEXT, "text or null"),
}
PUBLISHER_SPEC: Spec = {
    "id": (True, TEXT, "a lower-case slug"),
    "short": (True, TEXT, "the short name"),
    "kind": (True, TEXT, " or ".join(PUBLISHER_KINDS)),
    "country": (False, TEXT, "an ISO 3166-1 alpha-3 code or null"),
    "matches": (True, TEXT_LIST, "the beginnings of the publisher names it covers"),
    "speaks_as": (False, TEXT, "the actor ID of the office whose statements it publishes, or null"),
    "note": (False, TEXT, "text or null"),
}
ID_BLOCK_SPEC: Spec = {
    "first": (True, TEXT, "the block's first event ID"),
    "last": (True, TEXT, "the block's last event ID"),
    "annotator": (True, TEXT, "who it is reserved for"),
    "article": (True, TEXT, "the text it is reserved for"),
}
RETIRED_SPEC: Spec = {
    "id": (True, TEXT, "E followed by 6 digits"),
    "reason": (True, TEXT, "why the ID was withdrawn"),
    "replaced_by": (False, TEXT, "an event ID or null"),
}
CODEBOOK_FILES = {name: filename for name, (filename, _) in CSV_MODELS.items()}


@dataclass
class Registries:
    """Everything an article's annotation is checked against."""

    actors: dict[str, dict] = field(default_factory=dict)
    places: dict[str, dict] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    retired: dict[str, dict] = field(default_factory=dict)
    publishers: dict[str, dict] = field(default_factory=dict)
    #: Event-ID blocks reserved by `caucasus-events add` (raw/id-blocks.yaml, optional).
    id_blocks: list[dict] = field(default_factory=list)
    codebooks: dict[str, list[dict]] = field(default_factory=dict)
    #: IDs of records that have problems of their own, and kinds of registry (``actor``,
    #: ``place``, ``event``) with a file that could not be read: references to them are not
    #: reported again as unknown, so that one mistake gives one message.
    invalid: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)

    def reported(self, kind: str, rid: object) -> bool:
        """Whether a reference to ``rid`` already has its problem reported elsewhere."""
        return kind in self.unreadable or rid in self.invalid


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _registry(
    path: Path, root: Path, spec: Spec, kind: str, reg: Registries
) -> tuple[list[tuple[Mapping, str]], list[Problem]]:
    shown = relpath(path, root)
    if not (path.exists() or path.is_symlink()):  # anything else is the reader's to report
        reg.unreadable.add(kind)
        return [], [Problem(shown, None, "-", f"missing file (expected the {kind} registry)")]
    doc, problems = load_yaml(path, shown)
    if problems:
        reg.unreadable.add(kind)
        return [], problems
    if not isinstance(doc, Sequence):
        reg.unreadable.add(kind)
        return [], [Problem(shown, None, "-", f"expected a list of {kind} records")]
    records = []
    for i, (record, line) in enumerate(zip(doc, doc.lines, strict=True)):
        where = f"[{i}]"
        found = check_record(record, spec, shown, where, line)
        problems += found
        if not found:
            records.append((record, shown))
        elif isinstance(record, Mapping) and isinstance(record.get("id"), str):
            reg.invalid.add(record["id"])
        else:
            reg.unreadable.add(kind)
    return records, problems


def _country_problem(code: str | None) -> str | None:
    if code is None:
        return None
    if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.countries.get(alpha_3=code) is None:
        return f"{code!r} is not an ISO 3166-1 alpha-3 country code (expected e.g. ARM, AZE, USA)"
    return None


def _unique(
    records, label: str, problems: list[Problem], seen: dict[str, Mapping] | None = None
) -> dict[str, Mapping]:
    """The records by ID (added to ``seen`` when given), reporting IDs defined twice."""
    seen = {} if seen is None else seen
    for record, shown in records:
        rid = record["id"]
        if rid in seen:
            first = seen[rid]
            problems.append(
                Problem(
                    shown,
                    record.lines["id"],
                    "id",
                    f"duplicate {label} ID {rid!r} (first defined in {first.shown}:{first.lines['id']})",
                )
            )
        else:
            record.shown = shown
            seen[rid] = record
    return seen


@dataclass
class EventFile:
    """One file of raw/events, read and checked by :func:`read_event_file`."""

    shown: str
    #: Each readable event, settled, with the problems of its own checks.
    records: list[tuple[Settled, list[Problem]]]
    #: Problems of the file and of its records' fields.
    problems: list[Problem]
    #: What :attr:`Registries.invalid` and :attr:`Registries.unreadable` gain from the file.
    invalid: set[str]
    unreadable: set[str]


def read_event_file(path: Path, root: Path, reg: Registries) -> EventFile:
    """Read one event file and check each event against ``reg`` (actors, places, codebooks).

    What needs every event (duplicate IDs, ``within``) is left to :func:`read_registries`. The
    function reads nothing but ``path`` and changes nothing in ``reg``, so that the files can
    be read in parallel.
    """
    books = CodebookSets.of(reg.codebooks) if reg.codebooks.keys() == CODEBOOK_FILES.keys() else None
    local = replace(reg, invalid=set(reg.invalid), unreadable=set(reg.unreadable))
    records, problems = _registry(path, root, EVENT_SPEC, "event", local)
    checked = []
    for record, shown in records:
        record.shown = shown
        checked.append((Settled(record, shown), check_event(record, local, books) if books else []))
    return EventFile(
        relpath(path, root),
        checked,
        problems,
        local.invalid - reg.invalid,
        local.unreadable - reg.unreadable,
    )


def read_registries(root: Path, mapper: Callable[..., Iterable] = map) -> tuple[Registries, list[Problem]]:
    """Read and check actors, places, events, retired IDs and codebooks.

    ``mapper`` (a ``map``, such as a process pool's) runs :func:`read_event_file` over the
    event files, and must return the results in their order.
    """
    raw = root / "raw"
    reg = Registries()
    problems: list[Problem] = []
    reg.codebooks, found = read_codebooks(raw, root)
    problems += found

    actors, found = _registry(raw / "actors.yaml", root, ACTOR_SPEC, "actor", reg)
    problems += found
    reg.actors = _unique(actors, "actor", problems)
    places, found = _registry(raw / "places.yaml", root, PLACE_SPEC, "place", reg)
    problems += found
    reg.places = _unique(places, "place", problems)
    retired, found = _registry(raw / "retired.yaml", root, RETIRED_SPEC, "retired event", reg)
    problems += found
    reg.retired = _unique(retired, "retired event", problems)
    if (raw / "id-blocks.yaml").exists():
        blocks, found = _registry(raw / "id-blocks.yaml", root, ID_BLOCK_SPEC, "ID block", reg)
        problems += found
        for record, shown in blocks:
            bad = [k for k in ("first", "last") if not EVENT_ID.match(record[k])]
            problems += [
                Problem(shown, record.lines[k], k, f"{record[k]!r} (expected E followed by 6 digits)")
                for k in bad
            ]
            if not bad:
                reg.id_blocks.append(dict(record))
    publishers, found = _registry(raw / "publishers.yaml", root, PUBLISHER_SPEC, "publisher", reg)
    problems += found
    reg.publishers = _unique(publishers, "publisher", problems)
    for record in reg.publishers.values():
        speaker = record.get("speaks_as")
        if speaker is not None and speaker not in reg.actors and not reg.reported("actor", speaker):
            problems.append(
                Problem(record.shown, record.lines["speaks_as"], "speaks_as", f"unknown actor {speaker!r}")
            )
        if message := _country_problem(record.get("country")):
            problems.append(Problem(record.shown, record.lines["country"], "country", message))
        if record["kind"] not in PUBLISHER_KINDS:
            problems.append(
                Problem(
                    record.shown,
                    record.lines["kind"],
                    "kind",
                    f"{record['kind']!r} (expected {' or '.join(PUBLISHER_KINDS)})",
                )
            )

    event_files = sorted((raw / "events").glob("*.yaml"))
    if not event_files:
        problems.append(Problem("raw/events", None, "-", "no event files (expected raw/events/*.yaml)"))
    # One file at a time, each event checked and settled where its file is parsed: the parsed
    # documents of every event file together would be several times the registries. The
    # files are checked against a copy of what they need, which the loop below does not change
    # (a pool may send it to its processes while the loop runs).
    before = replace(reg, events={}, invalid=set(reg.invalid), unreadable=set(reg.unreadable))
    for events_file in mapper(partial(read_event_file, root=root, reg=before), event_files):
        problems += events_file.problems
        reg.invalid |= events_file.invalid
        reg.unreadable |= events_file.unreadable
        _unique(
            [(record, events_file.shown) for record, _ in events_file.records], "event", problems, reg.events
        )
        for record, found in events_file.records:
            if reg.events[record["id"]] is not record:
                continue  # a duplicate, reported (its other problems are not)
            if found:
                reg.invalid.add(record["id"])
                problems += found

    for record in reg.actors.values():
        problems += _check_actor(record, reg)
    for record in reg.places.values():
        if message := _country_problem(record.get("country")):
            problems.append(Problem(record.shown, record.lines["country"], "country", message))
        if record["kind"] not in PLACE_KINDS:
            problems.append(
                Problem(
                    record.shown,
                    record.lines["kind"],
                    "kind",
                    f"{record['kind']!r} (expected {' or '.join(PLACE_KINDS)})",
                )
            )
        if not SLUG.match(record["id"]):
            problems.append(
                Problem(
                    record.shown,
                    record.lines["id"],
                    "id",
                    f"{record['id']!r} (expected a lower-case slug)",
                )
            )
    # Only now that every event is read can a reference to another event be checked.
    for record in reg.events.values() if reg.codebooks.keys() == CODEBOOK_FILES.keys() else ():
        if found := within_problems(record, reg):
            reg.invalid.add(record["id"])
            problems += found
    for record in reg.retired.values():
        if record["id"] in reg.events:
            event = reg.events[record["id"]]
            problems.append(
                Problem(
                    event.shown,
                    event.lines["id"],
                    "id",
                    f"{record['id']} was retired ({record['reason']}) and may not be reused (expected a new ID)",
                )
            )
        replaced = record.get("replaced_by")
        if replaced is not None and replaced not in reg.events and not reg.reported("event", replaced):
            problems.append(
                Problem(
                    record.shown,
                    record.lines["replaced_by"],
                    "replaced_by",
                    f"unknown event {replaced!r}",
                )
            )
    return reg, problems


class Settled(abc.Mapping):
    """A checked event as later steps read it: its values, its file and its keys' lines.

    A parsed :class:`Mapping` keeps three dictionaries per record (values, lines, written
    forms) and an object per line number; a corpus of 100,000 articles holds 250,000 events
    in every build process until the end. Here the values are one tuple, the keys one
    dictionary shared by every record with the same keys, and the lines one byte per key
    (each line as an offset from the record's first): about a third of the memory.

    It reads as the mapping did (``record["date"]``, ``record.get("place")``,
    ``record.lines["id"]``, ``record.line``, ``record.shown``) and cannot be changed.
    """

    __slots__ = ("_index", "_offsets", "_values", "line", "shown")
    #: The index of each key, one dictionary per distinct tuple of keys.
    _INDEXES: dict[tuple[str, ...], dict[str, int]] = {}

    def __init__(self, record: Mapping, shown: str):
        keys = tuple(record)
        self._index = _index_of(keys)
        self._values = tuple(_settled(value) for value in record.values())
        self.line, self.shown = record.line, shown
        offsets = [record.lines[key] - record.line for key in keys]
        # A key more than 255 lines below the record's start (a very long note) keeps ints.
        self._offsets = bytes(offsets) if max(offsets, default=0) < 256 else tuple(offsets)

    def __getitem__(self, key: str) -> object:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def lines(self) -> dict[str, int]:
        """The line of each key (made when asked for: only messages read it)."""
        return {key: self.line + offset for key, offset in zip(self._index, self._offsets, strict=True)}

    def __reduce__(self):
        # Rebuilt through the shared key index, not with a copy of it per record.
        return _unpickle_settled, (tuple(self._index), self._values, self._offsets, self.line, self.shown)

    def __repr__(self) -> str:
        return f"Settled({dict(self)!r}, line={self.line}, shown={self.shown!r})"


def _index_of(keys: tuple[str, ...]) -> dict[str, int]:
    """The position of each of ``keys``: one dictionary per distinct tuple of keys."""
    return Settled._INDEXES.setdefault(keys, {key: i for i, key in enumerate(keys)})


def _unpickle_settled(keys, values, offsets, line, shown) -> Settled:
    record = Settled.__new__(Settled)
    record._index = _index_of(keys)
    record._values, record._offsets, record.line, record.shown = values, offsets, line, shown
    return record


def _settled(value: object) -> object:
    """A value of a checked event, its written forms and nested lines dropped (they served the
    registry checks alone) and repeated short strings (IDs, codes) shared."""
    if isinstance(value, dict):
        return {k: shared_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shared_text(v) for v in value]
    return shared_text(value)


def shared_text(value: object) -> object:
    """``value``, or for a short string, the one copy of it this process shares (IDs, codes)."""
    return sys.intern(value) if type(value) is str and len(value) <= 40 else value


def _check_actor(record: Mapping, reg: Registries) -> list[Problem]:
    problems = []
    shown = record.shown
    if not SLUG.match(record["id"]):
        problems.append(
            Problem(shown, record.lines["id"], "id", f"{record['id']!r} (expected a lower-case slug)")
        )
    if message := _country_problem(record.get("country")):
        problems.append(Problem(shown, record.lines["country"], "country", message))
    if record["kind"] not in ACTOR_KINDS:
        problems.append(
            Problem(
                shown,
                record.lines["kind"],
                "kind",
                f"{record['kind']!r} (expected {' or '.join(ACTOR_KINDS)})",
            )
        )
    if record["sector"] not in SECTORS:
        problems.append(
            Problem(
                shown,
                record.lines["sector"],
                "sector",
                f"{record['sector']!r} (expected a PLOVER sector code: {', '.join(SECTORS)})",
            )
        )
    parent = record.get("member_of")
    if parent is not None and parent not in reg.actors and not reg.reported("actor", parent):
        problems.append(Problem(shown, record.lines["member_of"], "member_of", f"unknown actor {parent!r}"))
    return problems


@dataclass(frozen=True)
class CodebookSets:
    """What an event is checked against, made from the codebooks once rather than per event."""

    types: set[str]
    modes: set[tuple[str, str]]
    contexts: set[str]
    cameo: set[str]
    #: The default PLOVER type of each CAMEO code.
    default: dict[str, str]

    @classmethod
    def of(cls, books: dict[str, list[dict]]) -> CodebookSets:
        return cls(
            {row["type"] for row in books["plover_types"]},
            {(row["type"], row["mode"]) for row in books["plover_modes"]},
            {row["context"] for row in books["plover_contexts"]},
            {row["code"] for row in books["cameo_codes"]},
            {row["cameo"]: row["type"] for row in books["cameo_plover"]},
        )


def check_event(record: Mapping, reg: Registries, books: CodebookSets) -> list[Problem]:
    """Check one event against the codebooks and registries."""
    shown, lines, problems = record.shown, record.lines, []

    def bad(key: str, message: str, subline: int | None = None) -> None:
        problems.append(Problem(shown, subline or lines.get(key, record.line), key, message))

    types, modes, contexts, cameo, default = (
        books.types,
        books.modes,
        books.contexts,
        books.cameo,
        books.default,
    )

    if not EVENT_ID.match(record["id"]):
        bad("id", f"{record['id']!r} (expected E followed by 6 digits, e.g. E000123)")
    if record["kind"] not in EVENT_KINDS:
        bad("kind", f"{record['kind']!r} (expected act or state)")
    kind = record.get("type")
    if record["kind"] == "state":
        for key in ("type", "mode", "cameo"):
            if record.get(key) is not None:
                bad(key, "a state has no PLOVER type, mode or CAMEO code (expected null; code acts only)")
        kind = None
    elif record["kind"] == "act" and record.get("cameo") is None:
        bad("cameo", 'missing (expected a quoted CAMEO code such as "041"; a state has none)')
    elif kind is None:
        if default.get(record["cameo"]):
            bad(
                "type",
                f"missing (expected a PLOVER type; the default for CAMEO {record['cameo']} is {default[record['cameo']]})",
            )
    elif kind not in types:
        bad("type", f"unknown PLOVER type {kind!r} (expected one of: {', '.join(sorted(types))})")
    mode = record.get("mode")
    if mode is not None and kind in types and (kind, mode) not in modes:
        allowed = sorted(m for t, m in modes if t == kind) or ["none"]
        bad("mode", f"{mode!r} is not a mode of {kind} (expected one of: {', '.join(allowed)})")
    if not record["contexts"]:
        bad("contexts", "empty (expected at least one PLOVER context)")
    for item, line in zip(record["contexts"], record["contexts"].lines, strict=True):
        if item not in contexts:
            bad("contexts", f"unknown PLOVER context {item!r} (see plover_contexts.csv)", line)
    code = record.get("cameo")
    if code is None:
        pass
    elif code not in cameo:
        bad("cameo", f"unknown CAMEO code {code!r} (expected a code of cameo_codes.csv, quoted)")
    elif (
        kind is not None
        and kind in types
        and default.get(code) != kind
        and not record.get("mapping_departure")
    ):
        bad(
            "type",
            f"{kind} differs from the default PLOVER type {default.get(code) or 'none'!r} of CAMEO {code} "
            "(expected mapping_departure with the reason)",
        )
    for role in ("source", "target"):
        for item, line in zip(record[role], record[role].lines, strict=True):
            if item not in reg.actors and not reg.reported("actor", item):
                bad(role, f"unknown actor {item!r} (expected an ID of raw/actors.yaml)", line)
        if len(set(record[role])) != len(record[role]):
            bad(role, "an actor is listed twice")
    place = record.get("place")
    if place is not None and place not in reg.places and not reg.reported("place", place):
        bad("place", f"unknown place {place!r} (expected an ID of raw/places.yaml)")
    if record["status"] not in STATUSES:
        bad("status", f"{record['status']!r} (expected {' or '.join(STATUSES)})")
    date = record["date"]
    found = check_record(date, INTERVAL_SPEC, shown, "date", lines["date"])
    problems += found
    if not found and (message := interval_problem(date.get("start"), date.get("end"), date["precision"])):
        bad(f"date.{message.field}", message, date.lines.get(message.field))
    if (
        not found
        and record["kind"] == "act"
        and date.get("start") is None
        and date.get("end") is None
        and not date.get("reason")
    ):
        bad(
            "date",
            "an act with neither start nor end (expected the bound its texts support, such as the "
            "publication date as end for a past act, or a reason saying why there is none)",
        )
    return problems


def within_problems(record: Mapping, reg: Registries) -> list[Problem]:
    """Check the event's ``within``, once every event is read."""
    within = record.get("within")
    if within is None:
        return []
    if within == record["id"]:
        message = "the event itself (expected the call or meeting it was made in)"
    elif within not in reg.events and not reg.reported("event", within):
        message = f"unknown event {within!r} (expected the ID of a call or meeting)"
    else:
        return []
    return [Problem(record.shown, record.lines.get("within", record.line), "within", message)]


def event_interval(record: Mapping) -> tuple[dt.date | None, dt.date | None] | None:
    """The event's adjudicated interval (a bound may be open), or ``None`` when it has no date."""
    date = record["date"]
    if date.get("start") is None and date.get("end") is None:
        return None
    return date.get("start"), date.get("end")
