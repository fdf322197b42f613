"""Strict YAML reading: line numbers kept, aliases, duplicate keys and huge files refused.

Files are composed into nodes (which keep line numbers) by libyaml's C parser where PyYAML has
it, about ten times faster than the pure-Python parser. The pure-Python strict loader stays
the reference: it reads every file libyaml is not used for, and every file the fast path
finds anything wrong with, so that each message and line is the same with or without libyaml.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from pathlib import Path

import yaml

from caucasus_events.build.safefile import FileFault, read_regular
from caucasus_events.problems import Problem

#: No real annotation comes near this; anything larger is refused before parsing.
MAX_BYTES = 2 * 1024 * 1024
_STR = "tag:yaml.org,2002:str"
#: Half of a UTF-16 pair, which a "\ud800" escape can produce but no UTF-8 file can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What YAML refuses as a raw character, and a carriage return (which YAML reads as a line
#: break when raw): escapes such as "\0", "\e" or "\r" may not bring them in either.
_CONTROL = re.compile(f"{yaml.reader.Reader.NON_PRINTABLE.pattern}|\r")


class Mapping(dict):
    """A YAML mapping that remembers the line of each key (``lines``) and its own ``line``.

    ``written`` keeps each scalar value as the file spells it, so that a message can show
    ``041`` rather than the number 33 YAML read it as.
    """

    line: int = 0
    lines: dict
    written: dict


class Sequence(list):
    """A YAML list that remembers the line of each item (``lines``) and its own ``line``."""

    line: int = 0
    lines: list


class Invalid(str):
    """A scalar YAML recognised but could not construct (``2022-02-30``), kept as written.

    It is text to a field that expects text, and a reported problem (with ``reason``) to a
    field that expects a date or number, so one bad value does not stop the file being read.
    """

    reason: str = ""


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                event.start_mark.line + 1,
                "YAML anchors and aliases are not allowed (write each value out)",
            )
        if getattr(event, "tag", None) not in (None, "!"):
            raise _Refused(
                event.start_mark.line + 1,
                f"YAML tag {event.tag} is not allowed (expected plain text, numbers, dates, lists and mappings)",
            )
        return super().compose_node(parent, index)


def _build(node: yaml.Node, loader: yaml.BaseConstructor, escapes: bool = True):
    # ``escapes``: whether the file has a backslash or a carriage return, the only ways a
    # scalar can come to hold a surrogate or control character; without, no scalar is searched.
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Mapping()
        out.line, out.lines, out.written = line, {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(
                    key_node.start_mark.line + 1, "merge keys (<<) are not allowed (write each key out)"
                )
            key = _build(key_node, loader, escapes)
            if not isinstance(key, str):
                raise _Refused(key_node.start_mark.line + 1, f"key {key!r} is not text")
            if key in out:
                raise _Refused(
                    key_node.start_mark.line + 1,
                    f"duplicate key {key!r} (first on line {out.lines[key]})",
                )
            if type(key) is str:  # the same few keys in every record: one copy of each
                key = sys.intern(key)
            out[key] = _build(value_node, loader, escapes)
            out.lines[key] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode):
                out.written[key] = value_node.value
        return out
    if isinstance(node, yaml.SequenceNode):
        out = Sequence(_build(item, loader, escapes) for item in node.value)
        out.line, out.lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    if node.tag == _STR:
        value = node.value  # what the constructor returns for text, without its bookkeeping
    else:
        try:
            value = loader.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. 2022-02-30 matches the date pattern but is no date
            value = Invalid(node.value)
            value.reason = str(exc)
            return value
    if not escapes:
        return value
    if isinstance(value, str) and _SURROGATE.search(value):
        raise _Refused(
            line, "text with an unpaired surrogate escape such as \\ud800 (expected valid Unicode)"
        )
    if isinstance(value, str) and (found := _CONTROL.search(value)):
        raise _Refused(
            line,
            f"text with control character #x{ord(found.group()):04x} from an escape "
            "(expected printable text; write line breaks as \\n)",
        )
    return value


#: libyaml's loader, or ``None`` where PyYAML was built without it.
_C_LOADER = getattr(yaml, "CSafeLoader", None)
#: Anchors (&), aliases (*) and tags (!) can only be written with one of these characters.
_MARKERS = re.compile("[&*!]")
#: Where libyaml accepts what PyYAML refuses or reads differently (found by the property test
#: in tests/test_yamlio.py): tabs, byte-order marks, a comment right after a block scalar's
#: indicators (``|#``).
_DIVERGES = re.compile(r"[\t\ufeff]|[|>][-+0-9]*#")


def _refused_event(text: str) -> bool:
    """Whether libyaml's events show an anchor, alias or tag, which the strict loader refuses."""
    for event in yaml.parse(text, Loader=_C_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return True
        if getattr(event, "tag", None) is not None:  # even "!": libyaml resolves it differently
            return True
    return False


def _fast(text: str) -> object | None:
    """The document read with libyaml, or ``None`` when the strict loader must read it.

    ``None`` covers everything that is not a plain, valid, non-empty document: no libyaml,
    text where the two parsers are known to differ, characters the reader refuses, anchors,
    aliases and tags (libyaml's composer would resolve them silently), syntax errors and every
    problem :func:`_build` finds. The strict loader then reads the file again and reports, so
    messages do not depend on the parser.
    """
    if _C_LOADER is None or _DIVERGES.search(text) or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    if "?" in text and ("[" in text or "{" in text):
        return None  # libyaml reads "?" inside a flow collection as text, PyYAML as a key marker
    try:
        # A cheap test on the text first: only files that contain a marker are scanned.
        if _MARKERS.search(text) and _refused_event(text):
            return None
        loader = _C_LOADER(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _build(node, loader, "\\" in text or "\r" in text)
        finally:
            loader.dispose()
    except (yaml.YAMLError, _Refused, RecursionError):
        return None


def load_yaml(path: Path, shown: str) -> tuple[object, list[Problem]]:
    """Read one YAML file strictly.

    Parameters
    ----------
    path : Path
        The file.
    shown : str
        How to name the file in problems (usually relative to the project root).

    Returns
    -------
    tuple
        The document (built of :class:`Mapping`, :class:`Sequence` and scalars) or ``None``,
        and the problems found.
    """
    if path.is_symlink():
        # A link could point anywhere; raw/ holds plain files only.
        return None, [
            Problem(shown, None, "-", "file is a symbolic link (expected a plain file inside raw/)")
        ]
    try:
        raw = read_regular(path, MAX_BYTES)
    except FileFault as exc:
        return None, [Problem(shown, None, "-", exc.message)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, "-", f"not UTF-8 at byte {exc.start} (expected UTF-8 text)")]
    doc = _fast(text)
    if doc is not None:
        return doc, []
    try:
        loader = _StrictLoader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return None, [
            Problem(shown, line, "-", f"control character #x{exc.character:04x} (expected printable text)")
        ]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(shown, None, "-", "file is empty (expected a YAML document)")]
        return _build(node, loader), []
    except _Refused as exc:
        return None, [Problem(shown, exc.line, "-", exc.message)]
    except RecursionError:
        return None, [Problem(shown, None, "-", "nested too deeply (expected a plain annotation)")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(shown, line, "-", f"YAML syntax error: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, "-", f"YAML error: {exc}")]
    finally:
        loader.dispose()


# Field specifications for records: name -> (required, accepted Python types, expected text).
TEXT = (str,)
DATE_T = (dt.date,)


class _TextItems:
    """Marker in a :data:`Spec`: the list's items must all be non-empty text."""


#: A list whose items are all non-empty text (IDs, codes, names).
TEXT_LIST = (Sequence, _TextItems)
Spec = dict[str, tuple[bool, tuple, str]]


def _wrong_type(value: object, types: tuple) -> bool:
    # bool is an int and datetime a date to Python, never to an annotator.
    if isinstance(value, bool) and bool not in types:
        return True
    if isinstance(value, dt.datetime) and dt.datetime not in types:
        return True
    if isinstance(value, Invalid):
        return str not in types
    return not isinstance(value, types)


def _value_problem(value: object, written: str | None, types: tuple, expected: str) -> str | None:
    """What is wrong with one value of a field, or ``None``."""
    if _wrong_type(value, types):
        if isinstance(value, Invalid):
            return f"{str(value)!r} is not a valid date: {value.reason} (expected {expected})"
        shown = written if written is not None and not isinstance(value, str) else repr(value)
        return f"{_kind(value)} {shown} (expected {expected})"
    if isinstance(value, str) and not value.strip():
        return f"empty text (expected {expected})"
    if _TextItems in types:
        for i, item in enumerate(value, 1):
            if not isinstance(item, str) or not item.strip():
                what = "empty text" if isinstance(item, str) else _kind(item)
                if not isinstance(item, str | Mapping | Sequence | None):
                    what += f" {item!r}"
                return f"item {i} is {what} (expected {expected})"
    return None


def check_record(record: object, spec: Spec, shown: str, where: str, line: int) -> list[Problem]:
    """Check that ``record`` is a mapping with the keys and value types of ``spec``.

    ``None`` is accepted for every optional key; empty text is not (write ``null``). Unknown
    keys are reported with the list of known ones and the likely intended key, so that a typo
    such as ``soruce`` is caught once, not also as a missing ``source``.
    """
    if not isinstance(record, Mapping):
        return [Problem(shown, line, where or "-", f"expected a mapping, got {_kind(record)}")]
    problems = []
    absent = [key for key in spec if key not in record]
    meant: set[str] = set()
    for key in record:
        if key not in spec:
            known = ", ".join(spec)
            guess = difflib.get_close_matches(key, absent, n=1, cutoff=0.7)
            hint = f"did you mean {guess[0]!r}? " if guess else ""
            meant.update(guess)
            problems.append(
                Problem(
                    shown,
                    record.lines[key],
                    _join(where, key),
                    f"unknown key ({hint}expected one of: {known})",
                )
            )
    for key, (required, types, expected) in spec.items():
        if key not in record:
            if required and key not in meant:
                problems.append(
                    Problem(shown, record.line, _join(where, key), f"missing (expected {expected})")
                )
            continue
        value = record[key]
        if value is None and not required:
            continue
        written = getattr(record, "written", {}).get(key)
        if message := _value_problem(value, written, types, expected):
            problems.append(Problem(shown, record.lines[key], _join(where, key), message))
    return problems


def _join(where: str, key: str) -> str:
    key = key if key.strip() else repr(key)  # an empty key must still show in the message
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    if value is None:
        return "empty value"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__
