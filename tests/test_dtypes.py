"""Every table of the installed release loads with the documented dtypes, on any supported pandas.

This module needs only pandas, pyarrow and pytest: CI runs it a second time in an environment
holding the oldest supported pandas and pyarrow (see .ci/run), where
``CAUCASUS_EVENTS_EXPECT_LOWER_BOUNDS=1`` also checks that installing the package upgraded
neither.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import caucasus_events as ce

REPO = Path(__file__).resolve().parents[1]

#: The dtypes ``load`` documents, by Table Schema field type (categoricals apart).
DOCUMENTED = {
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[s]",
}


def _schema(table: str) -> dict:
    folder = ce.path(table).parents[1]
    return json.loads((folder / "schemas" / f"{table}.json").read_text(encoding="utf-8"))


def dtype_problems(frame: pd.DataFrame, schema: dict) -> list[str]:
    """Columns whose dtype is not the documented one for their Table Schema field."""
    problems = []
    for field in schema["fields"]:
        name, dtype = field["name"], frame[field["name"]].dtype
        if field.get("categorical"):
            if not isinstance(dtype, pd.CategoricalDtype):
                problems.append(f"{name}: {dtype}, expected category")
            elif list(dtype.categories) != field["constraints"]["enum"]:
                problems.append(f"{name}: categories {list(dtype.categories)}, expected the codebook's")
        elif field["type"] == "string":
            # pandas' default string dtype: ``str`` in pandas 3, ``object`` holding str before.
            values = frame[name].dropna()
            if not (pd.api.types.is_string_dtype(dtype) and all(isinstance(v, str) for v in values)):
                problems.append(f"{name}: {dtype}, expected strings")
        elif str(dtype) != DOCUMENTED[field["type"]]:
            problems.append(f"{name}: {dtype}, expected {DOCUMENTED[field['type']]}")
    return problems


@pytest.mark.parametrize("table", list(ce.tables()["table"]))
def test_every_table_loads_with_the_documented_dtypes(table: str) -> None:
    frame = ce.load(table)
    assert dtype_problems(frame, _schema(table)) == []
    assert len(frame) == ce.tables().set_index("table").at[table, "rows"]


def test_a_wrong_dtype_is_reported() -> None:
    frame = ce.load("events")
    schema = _schema("events")
    frame["n_mentions"] = frame["n_mentions"].astype("float64")
    frame["plover_type"] = frame["plover_type"].astype(str)
    frame["date_start"] = frame["date_start"].astype("datetime64[ns]")
    frame["summary"] = frame["summary"].str.len()
    problems = dtype_problems(frame, schema)
    assert [p.split(":")[0] for p in problems] == ["summary", "plover_type", "date_start", "n_mentions"]
    assert problems[2:] == [
        "date_start: datetime64[ns], expected datetime64[s]",
        "n_mentions: float64, expected Int64",
    ]


def _lower_bounds() -> dict[str, str]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = re.search(r"^dependencies = \[(.*?)\]", text, re.S | re.M).group(1)
    return dict(re.findall(r'"([a-z]+)>=([0-9.]+)"', dependencies))


@pytest.mark.skipif(
    not os.environ.get("CAUCASUS_EVENTS_EXPECT_LOWER_BOUNDS"), reason="only in CI's lower-bound environment"
)
def test_the_lower_bounds_are_what_is_installed() -> None:
    """Installing the package into an environment with the lower bounds upgraded neither."""
    assert REPO / "src" not in Path(ce.__file__).parents, "loaded the checkout, not the installed package"
    bounds = _lower_bounds()
    assert set(bounds) == {"pandas", "pyarrow"}
    installed = {"pandas": pd.__version__, "pyarrow": pa.__version__}
    for name, bound in bounds.items():
        assert installed[name].split(".")[: len(bound.split("."))] == bound.split("."), (name, installed)


def test_columns_and_filters_are_pushed_down_and_match_filtering_in_pandas() -> None:
    whole = ce.load("events")
    since = date(2022, 1, 1)
    part = ce.load(
        "events",
        columns=["date_start", "event_id", "plover_type"],
        filters=[("plover_type", "==", "AGREE"), ("date_start", ">=", since)],
    )
    expected = whole.loc[
        (whole["plover_type"] == "AGREE") & (whole["date_start"] >= pd.Timestamp(since)),
        ["date_start", "event_id", "plover_type"],
    ].reset_index(drop=True)
    assert 0 < len(part) < len(whole)
    pd.testing.assert_frame_equal(part, expected)
    assert (
        dtype_problems(part, {"fields": [f for f in _schema("events")["fields"] if f["name"] in part]}) == []
    )
    assert part.attrs["table"] == "events"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": ["event_id", "nope"]}, r"events has no column 'nope' \(columns: event_id, "),
        ({"columns": "event_id"}, r"columns= must be a list of column names \(got 'event_id'\)"),
        ({"filters": [("nope", "==", 1)]}, r"events: cannot apply filters=\[\('nope', '==', 1\)\]"),
        ({"columns": ["event_id"], "validate": True}, r"validate=True checks whole tables"),
        ({"backend": "spark"}, r"unknown backend 'spark' \(expected one of: pandas, polars\)"),
    ],
)
def test_bad_columns_filters_or_backend_say_what_is_valid(kwargs: dict, message: str) -> None:
    with pytest.raises(ce.DataError, match=message):
        ce.load("events", **kwargs)
