"""`caucasus-events diff`: two releases differ by exactly the events changed between them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synthetic_releases import (
    NEW_SUMMARY,
    OLD_SUMMARY,
    add_event,
    built,
    edit_summary,
    released,
    remove_event_2,
    replace,
)

from caucasus_events.cli import main
from caucasus_events.diff import diff, schema_change
from caucasus_events.problems import UsageError

EVENT = '- id: E000001\n  summary: "x"\n'


def _only_summary_changed(d) -> None:
    assert d.events_changed == [
        {"event_id": "E000001", "changes": [{"field": "summary", "old": OLD_SUMMARY, "new": NEW_SUMMARY}]}
    ]
    assert d.events_added == [] and d.events_removed == [] and d.problems == []
    for name, t in d.tables.items():
        assert t.rows_a == t.rows_b, name
        assert t.added == [] and t.removed == [], name
        assert t.changed == ([["E000001"]] if name == "events" else []), name
        assert t.schema.lines() == [], name


def test_diff_of_two_builds_shows_exactly_the_edited_field(tmp_path: Path) -> None:
    a = built(tmp_path / "a")
    b = built(tmp_path / "b", edit=edit_summary)
    _only_summary_changed(diff(a, b))


def test_diff_reads_release_archives_as_well_as_folders(tmp_path: Path) -> None:
    a = released(tmp_path / "a")
    b = released(tmp_path / "b", edit=edit_summary)
    _only_summary_changed(diff(a, b))
    _only_summary_changed(diff(a, tmp_path / "b"))
    same = diff(a, tmp_path / "a")
    assert same.events_changed == [] and all(not t.changed for t in same.tables.values())


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch) -> None:
    a = built(tmp_path / "a")
    b = built(tmp_path / "b", edit=edit_summary)
    monkeypatch.setenv("COLUMNS", "72")
    assert main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 72 for line in out.splitlines())
    assert "events changed (1)\n  E000001\n" in out
    # Long lines are wrapped, never cut: the whole change is there.
    assert f'summary: "{OLD_SUMMARY}" -> "{NEW_SUMMARY}"' in " ".join(out.split())
    assert "events added (0)" in out and "events removed (0)" in out
    assert main(["diff", str(a), str(b), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == diff(a, b).to_json()
    assert document["events"]["changed"][0]["changes"] == [
        {"field": "summary", "old": OLD_SUMMARY, "new": NEW_SUMMARY}
    ]
    assert document["tables"]["events"]["rows_a"] == 2


def test_added_and_retired_events(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a = built(tmp_path / "a")

    def change(root: Path) -> None:
        remove_event_2(root, tombstone=True)
        add_event(root)

    b = built(tmp_path / "b", edit=change)
    d = diff(a, b)
    assert d.events_added == [{"event_id": "E000003", "summary": "The minister speaks again."}]
    assert d.events_removed == [
        {
            "event_id": "E000002",
            "summary": "The minister urges the release of detainees.",
            "retired": {"reason": "duplicate of E000001", "replaced_by": "E000001"},
        }
    ]
    assert d.problems == []
    assert d.tables["retired_events"].added == [["E000002"]]
    assert main(["diff", str(a), str(b)]) == 0
    assert "E000002  retired: duplicate of E000001; replaced by E000001" in capsys.readouterr().out


def test_removed_event_without_tombstone_is_flagged(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a = built(tmp_path / "a")
    b = built(tmp_path / "b", edit=lambda root: remove_event_2(root, tombstone=False))
    d = diff(a, b)
    assert d.events_removed[0]["retired"] is None
    assert d.problems == [
        f"event E000002 was removed but {b} has no tombstone for it "
        "(expected a row in retired_events with the reason)"
    ]
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "E000002  NO tombstone in retired_events" in out
    assert "problems (1):" in out


def test_reused_id_and_dropped_tombstone_are_flagged(tmp_path: Path) -> None:
    a = built(
        tmp_path / "a",
        edit=lambda root: (root / "raw/retired.yaml").write_text("- id: E000003\n  reason: withdrawn\n"),
    )
    b = built(tmp_path / "b", edit=add_event)
    assert diff(a, b).problems == [
        f"event E000003 was retired in {a} and is used again in {b} (IDs are never reused)",
        f"the tombstone of E000003 is gone from {b}'s retired_events (tombstones are permanent)",
    ]


def test_changed_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a = built(tmp_path / "a")
    b = built(tmp_path / "b")
    parquet = b / "processed" / "events.parquet"
    parquet.write_bytes(parquet.read_bytes() + b"\0")
    with pytest.raises(
        UsageError, match=r"processed/events.parquet has sha256:[0-9a-f]{64}, datapackage.json says"
    ):
        diff(a, b)
    assert main(["diff", str(a), str(tmp_path / "nowhere")]) == 2
    assert (
        "nowhere: not found (expected a package folder or a release archive .zip)" in capsys.readouterr().err
    )


def test_folder_without_descriptor_is_refused(tmp_path: Path) -> None:
    a = built(tmp_path / "a")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no datapackage\.json"):
        diff(a, tmp_path / "empty")


def test_truncated_archive_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a = released(tmp_path / "a")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(a.read_bytes()[: len(a.read_bytes()) // 2])
    assert main(["diff", str(a), str(cut)]) == 2
    assert "not a readable ZIP archive" in capsys.readouterr().err


def _schema(*fields: dict, key: list[str] | None = None) -> dict:
    return {"fields": list(fields), "primaryKey": key or ["a"]}


def test_schema_change_names_every_kind_of_change() -> None:
    a = _schema(
        {"name": "a", "type": "string"},
        {"name": "b", "type": "integer"},
        {"name": "c", "type": "string", "categorical": True, "constraints": {"enum": ["x", "y"]}},
        {"name": "d", "type": "string"},
    )
    b = _schema(
        {"name": "b", "type": "number"},
        {"name": "a", "type": "string"},
        {"name": "c", "type": "string", "categorical": True, "constraints": {"enum": ["y", "z"]}},
        {"name": "e", "type": "string"},
        key=["b"],
    )
    assert schema_change(a, b).lines() == [
        "column e added",
        "column d removed (or renamed)",
        "column b retyped integer -> number",
        "columns reordered",
        "c: categories added z",
        "c: categories removed x",
        "primary key ['a'] -> ['b']",
    ]
    assert schema_change(a, a).lines() == []


def test_text_values_are_quoted_and_missing_ones_are_null(tmp_path: Path) -> None:
    a = built(tmp_path / "a")
    b = built(
        tmp_path / "b",
        edit=lambda root: replace(root, "raw/events/events.yaml", "  place: capital\n", "  place: null\n"),
    )
    d = diff(a, b)
    assert d.events_changed == [
        {"event_id": "E000002", "changes": [{"field": "place_id", "old": "capital", "new": None}]}
    ]
    assert '    place_id: "capital" -> null' in d.text(width=100)
    assert "  - place_id: `capital` -> `null`" in d.markdown()
