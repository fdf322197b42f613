"""Strict YAML reading: line numbers kept, aliases, duplicate keys and huge files refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from caucasus_events.problems import Problem

#: No real annotation comes near this; anything larger is refused before parsing.
MAX_BYTES = 2 * 1024 * 1024


class Mapping(dict):
    """A YAML mapping that remembers the line of each key (``lines``) and its own ``line``."""

    line: int = 0
    lines: dict


class Sequence(list):
    """A YAML list that remembers the line of each item (``lines``) and its own ``line``."""

    line: int = 0
    lines: list


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
        return super().compose_node(parent, index)


def _build(node: yaml.Node, loader: _StrictLoader):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Mapping()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key = _build(key_node, loader)
            if not isinstance(key, str):
                raise _Refused(key_node.start_mark.line + 1, f"key {key!r} is not text")
            if key in out:
                raise _Refused(
                    key_node.start_mark.line + 1,
                    f"duplicate key {key!r} (first on line {out.lines[key]})",
                )
            out[key] = _build(value_node, loader)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = Sequence(_build(item, loader) for item in node.value)
        out.line, out.lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. 2022-02-30 matches the date pattern but is no date
        raise _Refused(line, f"invalid value {node.value!r}: {exc}") from None


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
    size = path.stat().st_size
    if size > MAX_BYTES:
        return None, [Problem(shown, None, "-", f"file is {size:,} bytes (expected at most {MAX_BYTES:,})")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, None, "-", f"not UTF-8 at byte {exc.start} (expected UTF-8 text)")]
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(shown, None, "-", "file is empty (expected a YAML document)")]
        return _build(node, loader), []
    except _Refused as exc:
        return None, [Problem(shown, exc.line, "-", exc.message)]
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
Spec = dict[str, tuple[bool, tuple, str]]


def check_record(record: object, spec: Spec, shown: str, where: str, line: int) -> list[Problem]:
    """Check that ``record`` is a mapping with the keys and value types of ``spec``.

    ``None`` is accepted for every optional key. Unknown keys are reported with the list of
    known ones, so that a typo such as ``soruce`` is caught.
    """
    if not isinstance(record, Mapping):
        return [Problem(shown, line, where or "-", f"expected a mapping, got {_kind(record)}")]
    problems = []
    for key in record:
        if key not in spec:
            known = ", ".join(spec)
            problems.append(
                Problem(
                    shown,
                    record.lines[key],
                    _join(where, key),
                    f"unknown key (expected one of: {known})",
                )
            )
    for key, (required, types, expected) in spec.items():
        if key not in record:
            if required:
                problems.append(
                    Problem(shown, record.line, _join(where, key), f"missing (expected {expected})")
                )
            continue
        value = record[key]
        if value is None and not required:
            continue
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            problems.append(
                Problem(
                    shown,
                    record.lines[key],
                    _join(where, key),
                    f"{_kind(value)} {value!r} (expected {expected})",
                )
            )
    return problems


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    if value is None:
        return "empty value"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__
