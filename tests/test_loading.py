"""Loading the installed release: dtypes, provenance, errors, light imports, README snippets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import caucasus_events as ce
from caucasus_events.loading import DataError

REPO = Path(__file__).resolve().parents[1]


def test_events_have_proper_dtypes_and_provenance():
    events = ce.load("events")
    assert str(events["date_start"].dtype) == "datetime64[s]"
    assert isinstance(events["plover_type"].dtype, pd.CategoricalDtype)
    # All the codebook's categories, not just those that occur.
    assert len(events["plover_type"].cat.categories) == 16
    assert str(events["n_mentions"].dtype) == "Int64"
    assert events.attrs["table"] == "events" and events.attrs["version"] == ce.__version__
    assert len(events.attrs["sha256"]) == 64


def test_every_table_loads_and_validates():
    for table in ce.tables()["table"]:
        frame = ce.load(table, validate=True)
        assert len(frame) == ce.tables().set_index("table").at[table, "rows"]


def test_unknown_table_lists_the_valid_ones():
    with pytest.raises(DataError, match=r"unknown table 'event' \(expected one of: events, event_actors"):
        ce.load("event")


def test_describe_lists_columns_with_meaning():
    columns = ce.describe("mentions").set_index("column")
    assert columns.at["start", "type"] == "integer"
    assert "half-open" in columns.at["end", "description"] or "just after" in columns.at["end", "description"]


def test_loading_imports_no_build_validation_or_download_machinery():
    code = (
        "import sys, caucasus_events as ce; ce.load('events'); ce.tables(); ce.describe('events');"
        "heavy = [m for m in ('yaml', 'pandera', 'frictionless', 'pooch', 'caucasus_events.build',"
        " 'caucasus_events.validate', 'caucasus_events.download') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_readme_duckdb_and_polars_snippets_run():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "duckdb" in b or "polars" in b]
    assert blocks
    for block in blocks:
        namespace: dict = {}
        lines = [line for line in block.splitlines() if line.strip()]
        for line in lines:
            # Each expression line must evaluate to a non-empty result.
            if line.startswith(("import ", "from ")):
                exec(line, namespace)
            else:
                result = eval(line, namespace)
                assert len(result) > 0, line
