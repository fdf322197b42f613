"""`caucasus-events events`: searching the registry for the events to link a mention to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caucasus_events.build.search import search
from caucasus_events.cli import main


def ids(rows: list[dict]) -> list[str]:
    return [row["event_id"] for row in rows]


def test_criteria_narrow_the_list(built_synthetic: Path) -> None:
    root = built_synthetic
    assert ids(search(root)) == ["E000001", "E000002"]
    assert ids(search(root, words=["DETAINEES"])) == ["E000002"]
    assert ids(search(root, words=["president", "calls"])) == ["E000001"]  # actor names count
    assert ids(search(root, actor="fre-president")) == ["E000001", "E000002"]
    assert ids(search(root, kind="CONSULT")) == ["E000001"]
    assert ids(search(root, kind="025")) == ["E000002"]
    assert ids(search(root, kind="state")) == []
    assert ids(search(root, since="2022-07-26")) == []
    assert ids(search(root, until="2022-07-25", since="2022-07-25")) == ["E000001", "E000002"]
    assert ids(search(root, text="synthetic")) == ["E000001", "E000002"]
    assert ids(search(root, text="other")) == []


def test_output_names_the_texts_and_where_the_event_is_defined(built_synthetic: Path, capsys) -> None:
    assert main(["events", "--root", str(built_synthetic), "release"]) == 0
    out = capsys.readouterr().out
    assert "E000002  2022-07-25..2022-07-25  REQUEST 0253" in out
    assert "texts: synthetic-readout   [raw/events/events.yaml:15]" in out and out.endswith("1 event(s)\n")
    assert main(["events", "--root", str(built_synthetic), "--json", "--type", "act"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["texts"] == ["synthetic-readout"] and rows[0]["source"] == ["rur-minister"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--actor", "nobody"], "--actor 'nobody': no such actor"),
        (["--from", "July"], "--from 'July' (expected a date YYYY-MM-DD)"),
    ],
)
def test_bad_criteria_exit_2(built_synthetic: Path, capsys, args, message) -> None:
    assert main(["events", "--root", str(built_synthetic), *args]) == 2
    assert message in capsys.readouterr().err
