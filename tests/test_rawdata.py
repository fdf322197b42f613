"""The registries' checked events, as the build keeps them (rawdata.Settled)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from caucasus_events.build.rawdata import Settled
from caucasus_events.build.yamlio import load_yaml

EVENTS = """\
- id: E1
  kind: act
  source: [arm-gov, aze-gov]
  date: {start: 2022-09-17, end: 2022-09-18, precision: day}
  note: null
- id: E2
  kind: act
  source: [arm-gov]
  date: {start: 2023-01-02, end: 2023-01-02, precision: day}
  note: |
{long}
  place: yerevan
"""


@pytest.fixture
def parsed(tmp_path: Path) -> list:
    path = tmp_path / "events.yaml"
    # E2's last key lies more than 255 lines below its first: its lines cannot be one byte each.
    path.write_text(EVENTS.replace("{long}", "\n".join(f"    line {i}" for i in range(300))))
    doc, problems = load_yaml(path, "raw/events/e.yaml")
    assert not problems
    return list(doc)


def test_settled_reads_as_the_parsed_mapping(parsed: list) -> None:
    for record in parsed:
        settled = Settled(record, "raw/events/e.yaml")
        assert dict(settled) == dict(record)
        assert list(settled) == list(record)
        assert settled.lines == record.lines
        assert settled.line == record.line
        assert settled.shown == "raw/events/e.yaml"
        assert settled.get("missing", "default") == "default"
        assert settled.lines.get("missing", settled.line) == record.line
    assert Settled(parsed[1], "x").lines["place"] - parsed[1].line > 255


def test_settled_cannot_be_changed(parsed: list) -> None:
    settled = Settled(parsed[0], "x")
    with pytest.raises(TypeError):
        settled["kind"] = "state"  # type: ignore[index]
    with pytest.raises(AttributeError):
        settled.extra = 1  # type: ignore[attr-defined]


def test_settled_records_share_their_keys_through_pickling(parsed: list) -> None:
    first, second = Settled(parsed[0], "x"), Settled(parsed[0], "y")
    assert first._index is second._index
    copies = pickle.loads(pickle.dumps([first, second, Settled(parsed[1], "z")]))
    assert [dict(c) for c in copies] == [dict(parsed[0]), dict(parsed[0]), dict(parsed[1])]
    assert [c.lines for c in copies] == [parsed[0].lines, parsed[0].lines, parsed[1].lines]
    assert copies[0]._index is first._index  # one index per set of keys, in this process too
    assert copies[1].shown == "y"
