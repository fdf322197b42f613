"""``validate``: each check of a built package, fed a package that breaks exactly that check.

The package is the synthetic project, built; a test rewrites one table (Parquet and CSV
alike, through the package's own serializers) and records the new sizes and hashes in
datapackage.json, so that only the check under test can fire.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from caucasus_events.build import serialize
from caucasus_events.build.rawdata import sha256_bytes
from caucasus_events.build.validate import validate_package
from caucasus_events.cli import main
from caucasus_events.problems import Problem


@pytest.fixture
def built(built_synthetic: Path) -> Path:
    return built_synthetic


@pytest.fixture
def package(built_copy: Path) -> Path:
    return built_copy


def fix_descriptor(root: Path, paths: list[str]) -> None:
    """Record the current size and hash of ``paths`` in datapackage.json."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] in paths:
            data = (root / resource["path"]).read_bytes()
            resource["bytes" if "bytes" in resource else "x-bytes"] = len(data)
            resource["hash"] = "sha256:" + sha256_bytes(data)
    (root / "datapackage.json").write_bytes(serialize.json_bytes(descriptor))


def rewrite(root: Path, table: str, change: Callable[[list[dict]], None], *, csv_only: bool = False) -> None:
    """Apply ``change`` to a table's rows; write its CSV (and Parquet) and fix the descriptor."""
    schema = json.loads((root / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
    rows = pq.read_table(root / "processed" / f"{table}.parquet").to_pylist()
    change(rows)
    paths = [f"processed/{table}.csv"]
    (root / paths[0]).write_bytes(serialize.csv_bytes(rows, schema))
    if not csv_only:
        paths.append(f"processed/{table}.parquet")
        (root / paths[1]).write_bytes(serialize.parquet_bytes(serialize.arrow_table(rows, schema)))
    fix_descriptor(root, paths)


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in validate_package(root, frictionless=False)]


def row_with(rows: list[dict], **values) -> dict:
    (row,) = [r for r in rows if all(r[k] == v for k, v in values.items())]
    return row


def test_built_package_is_valid(built: Path, capsys: pytest.CaptureFixture) -> None:
    assert validate_package(built) == []  # with the row-by-row Frictionless pass
    assert main(["validate", str(built)]) == 0
    assert capsys.readouterr().out == f"{built.resolve()}: package is valid\n"


def test_edited_file_hash_and_size(package: Path) -> None:
    path = package / "processed" / "events.csv"
    size = path.stat().st_size
    data = path.read_bytes()
    path.write_bytes(data.replace(b"The minister calls", b"The minister called"))
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    recorded = next(r["hash"] for r in descriptor["resources"] if r["path"] == "processed/events.csv")
    assert problems_of(package) == [
        f"processed/events.csv: bytes: {size + 1} bytes (datapackage.json says {size})",
        f"processed/events.csv: hash: sha256:{sha256_bytes(path.read_bytes())} (datapackage.json says {recorded})",
    ]


def test_edited_parquet_hash(package: Path) -> None:
    path = package / "processed" / "actors.parquet"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(data))
    (problem,) = problems_of(package)
    assert problem.startswith("processed/actors.parquet: hash: sha256:")


def test_missing_file(package: Path) -> None:
    (package / "processed" / "places.parquet").unlink()
    assert problems_of(package) == ["processed/places.parquet: -: missing file named by datapackage.json"]


def test_descriptor_names_a_file_that_is_not_there(package: Path) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    extra = dict(descriptor["resources"][0], name="ghost", path="processed/ghost.csv")
    descriptor["resources"].append(extra)
    (package / "datapackage.json").write_bytes(serialize.json_bytes(descriptor))
    assert problems_of(package) == ["processed/ghost.csv: -: missing file named by datapackage.json"]


def test_missing_descriptor(package: Path, capsys: pytest.CaptureFixture) -> None:
    (package / "datapackage.json").unlink()
    assert main(["validate", "--fast", str(package)]) == 2
    err = capsys.readouterr().err
    assert f"{package.resolve() / 'datapackage.json'}: -: missing (expected a built package" in err
    assert "Traceback" not in err


def test_missing_schema(package: Path, capsys: pytest.CaptureFixture) -> None:
    (package / "schemas" / "events.json").unlink()
    assert problems_of(package) == ["schemas/events.json: -: missing (expected the Table Schema of events)"]


def test_descriptor_not_json(package: Path, capsys: pytest.CaptureFixture) -> None:
    (package / "datapackage.json").write_text('{"resources": [\n', encoding="utf-8")
    assert main(["validate", "--fast", str(package)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("datapackage.json:2: -: not valid JSON: ")
    assert "Traceback" not in err


def test_unreadable_parquet(package: Path) -> None:
    (package / "processed" / "places.parquet").write_bytes(b"PAR1 not really parquet")
    fix_descriptor(package, ["processed/places.parquet"])
    (problem,) = problems_of(package)
    assert problem.startswith("processed/places.parquet: -: cannot be read (expected a Parquet file")


def test_quote_differs_from_text(package: Path) -> None:
    def change(rows):
        row = rows[0]
        row["quote"] = row["quote"].upper()

    rewrite(package, "mentions", change)
    (problem,) = problems_of(package)
    assert problem.startswith("processed/mentions.csv:2: quote: differs from text[")
    assert problem.endswith("] of synthetic-readout")


def test_foreign_key(package: Path) -> None:
    rewrite(package, "events", lambda rows: row_with(rows, event_id="E000002").update(place_id="atlantis"))
    assert problems_of(package) == [
        "processed/events.csv:3: place_id: 'atlantis' not found in places.place_id"
    ]


def test_foreign_key_in_a_long_table(package: Path) -> None:
    rewrite(package, "event_actors", lambda rows: rows[0].update(actor_id="ghost"))
    assert problems_of(package) == [
        "processed/event_actors.csv:2: actor_id: 'ghost' not found in actors.actor_id"
    ]


def test_mention_of_missing_event(package: Path) -> None:
    rewrite(package, "mentions", lambda rows: rows[0].update(event_id="E999999"))
    problems = problems_of(package)
    assert "processed/mentions.csv:2: event_id: 'E999999' not found in events.event_id" in problems


@pytest.mark.parametrize(("column", "value"), [("goldstein", 9.5), ("quad_class", 4), ("cameo_root", "19")])
def test_derived_value_disagrees(package: Path, column: str, value) -> None:
    rewrite(package, "events", lambda rows: row_with(rows, event_id="E000001").update({column: value}))
    assert problems_of(package) == [
        f"processed/events.csv:2: {column}: {value!r} disagrees with the codebooks"
    ]


def test_count_disagrees(package: Path) -> None:
    rewrite(package, "events", lambda rows: row_with(rows, event_id="E000001").update(n_mentions=2))
    assert problems_of(package) == ["processed/events.csv:2: n_mentions: 2 disagrees with the mentions table"]


def test_span_not_ordered(package: Path) -> None:
    rewrite(package, "mentions", lambda rows: rows[0].update(end=rows[0]["start"]))
    assert problems_of(package) == ["processed/mentions.csv:2: -: start < end failed"]


def test_event_dates_not_ordered(package: Path) -> None:
    def change(rows):
        row = row_with(rows, event_id="E000001")
        row["date_start"], row["date_end"] = row["date_end"], row["date_start"].replace(day=20)

    rewrite(package, "events", change)
    assert problems_of(package) == ["processed/events.csv:2: -: date_start <= date_end failed"]


def test_duplicate_primary_key(package: Path) -> None:
    rewrite(package, "places", lambda rows: rows.append(dict(rows[0])))
    assert problems_of(package) == [
        "processed/places.csv:3: place_id: duplicate 'capital' (first on line 2; expected each once)"
    ]


def test_duplicate_composite_key(package: Path) -> None:
    rewrite(package, "plover_modes", lambda rows: rows.append(dict(rows[0])))
    assert problems_of(package) == [
        "processed/plover_modes.csv:69: type,mode: duplicate ('CONSULT', 'multilateral') (first on line 2; expected each once)"
    ]


def test_csv_differs_from_parquet(package: Path) -> None:
    rewrite(package, "actors", lambda rows: rows[0].update(office="Foreign Minister"), csv_only=True)
    assert problems_of(package) == ["processed/actors.csv: -: rows differ from the Parquet file"]


def test_cli_reports_and_exits_2(package: Path, capsys: pytest.CaptureFixture) -> None:
    rewrite(package, "events", lambda rows: row_with(rows, event_id="E000002").update(place_id="atlantis"))
    assert main(["validate", str(package)]) == 2
    out, err = capsys.readouterr()
    assert "processed/events.csv:3: place_id: 'atlantis' not found in places.place_id" in err
    assert "Traceback" not in out + err


def test_problem_format() -> None:
    assert str(Problem("a.csv", 3, "col", "bad (expected good)")) == "a.csv:3: col: bad (expected good)"
    assert str(Problem("a.csv", None, "-", "bad")) == "a.csv: -: bad"


def test_interrupted_commit_is_reported(package):
    staging = package / ".caucasus-events-staging"
    staging.mkdir()
    (staging / "MANIFEST.json").write_text('{"files": [], "remove": []}', encoding="utf-8")
    problems = validate_package(package, frictionless=False)
    assert [p.path for p in problems] == [".caucasus-events-staging"]
    assert "interrupted" in problems[0].message


def test_quotes_checked_a_slice_at_a_time_find_what_all_at_once_find(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caucasus_events.build import validate
    from caucasus_events.frames import to_frame

    schema = json.loads((built / "schemas" / "mentions.json").read_text(encoding="utf-8"))
    import pandas as pd

    read = to_frame(pq.read_table(built / "processed" / "mentions.parquet"), schema)
    mentions = pd.concat([read] * 4, ignore_index=True)  # rows enough for several slices
    broken = mentions.copy()
    for i in (0, 3, len(broken) - 1):  # in the first slice, a middle one and the last
        broken.loc[i, "quote_sha256"] = "0" * 64
    broken.loc[4, "quote_length"] = 0
    whole = validate.quote_problems(broken, {})
    monkeypatch.setattr(validate, "QUOTE_ROWS_AT_ONCE", 2)
    assert validate.quote_problems(broken, {}) == whole
    assert [(p.line, p.field) for p in whole] == [
        (2, "quote_sha256"),
        (5, "quote_sha256"),
        (6, "quote_length"),
        (len(broken) + 1, "quote_sha256"),
    ]
    assert validate.quote_problems(mentions, {}) == []
