"""Loading the installed release: dtypes, provenance, errors, light imports, README snippets."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import caucasus_events as ce
from caucasus_events import archive
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
        "heavy = [m for m in ('yaml', 'pandera', 'frictionless', 'pooch', 'caucasus_events.build', 'caucasus_events.publish',"
        " 'caucasus_events.build.validate', 'caucasus_events.download') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


#: Runs a README block statement by statement; an expression statement must give a non-empty result.
RUN_BLOCK = """
import ast, sys
tree = ast.parse(sys.stdin.read())
namespace = {}
for node in tree.body:
    if isinstance(node, ast.Expr):
        result = eval(compile(ast.Expression(node.value), "<readme>", "eval"), namespace)
        assert result is None or len(result) > 0, ast.unparse(node)
    else:
        exec(compile(ast.Module([node], []), "<readme>", "exec"), namespace)
"""


@pytest.mark.parametrize(
    "block",
    [b for b in re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)],
)
def test_readme_python_blocks_run_outside_a_clone(block: str, tmp_path: Path) -> None:
    """Every Python block of README (DuckDB and Polars ones included) runs from another folder.

    A release a block pins is served, as a synthetic archive, by a real HTTP server on
    127.0.0.1 and listed in a registry of this test: the download path runs for real.
    """
    from synthetic_releases import released
    from test_download import Server

    if "ce." in block and "import caucasus_events as ce" not in block:
        block = "import caucasus_events as ce\n" + block  # blocks that continue the one above
    server, entries = Server(), {}
    try:
        for version in sorted(set(re.findall(r'version="v?([\d.]+)"', block))):
            data = released(tmp_path / f"release-{version}", version=version).read_bytes()
            server.serve(version, data)
            entries[version] = {"url": "https://example.invalid/x.zip", "sha256": archive.sha256_hex(data)}
        (tmp_path / "registry.json").write_text(json.dumps(entries))
        env = {
            **os.environ,
            "CAUCASUS_EVENTS_CACHE": str(tmp_path / "cache"),
            "CAUCASUS_EVENTS_REGISTRY": str(tmp_path / "registry.json"),
            "CAUCASUS_EVENTS_RELEASES_URL": server.url,
        }
        out = subprocess.run(
            [sys.executable, "-c", RUN_BLOCK],
            input=block,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )
    finally:
        server.close()
    assert out.returncode == 0, out.stderr
    assert len(server.hits) == len(entries)


def test_the_package_lists_its_whole_api_for_completion_and_help():
    names = {
        "load",
        "tables",
        "describe",
        "path",
        "codebook",
        "citation",
        "sources",
        "DataError",
        "rehydrate",
    }
    assert names <= set(dir(ce)) and names | {"__version__"} == set(ce.__all__)
    assert [n for n in dir(ce) if not n.startswith("__")] == sorted(names)  # nothing else offered
    for name in ce.__all__:
        assert getattr(ce, name) is not None
        if callable(getattr(ce, name)):
            assert f"{name}(" in ce.__doc__ or (name == "DataError" and "DataError" in ce.__doc__), name
    with pytest.raises(AttributeError, match="has no attribute 'lod'"):
        ce.lod  # noqa: B018
    out = subprocess.run(
        [sys.executable, "-c", "import caucasus_events as ce; help(ce)"],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in names:
        assert name in out.stdout


def test_codebook_travels_with_the_data():
    text = ce.codebook().read_text(encoding="utf-8")
    assert ce.codebook() == ce.path("events").parents[1] / "docs" / "codebook.md"
    assert "CAMEO" in text and "plover_type" in text


def test_polars_backend_has_the_same_types_and_rows():
    import polars as pl

    for table in ce.tables()["table"]:
        frame = ce.load(table, backend="polars")
        pandas = ce.load(table)
        assert frame.columns == list(pandas.columns) and frame.height == len(pandas)
        for field in ce.describe(table).itertuples():
            dtype = frame.schema[field.column]
            if isinstance(pandas[field.column].dtype, pd.CategoricalDtype):
                assert dtype == pl.Enum(list(pandas[field.column].cat.categories)), field.column
            else:
                expected = {
                    "string": pl.String,
                    "integer": pl.Int64,
                    "number": pl.Float64,
                    "boolean": pl.Boolean,
                    "date": pl.Date,
                }[field.type]
                assert dtype == expected, (table, field.column, dtype)
    events = ce.load(
        "events",
        backend="polars",
        columns=["event_id", "plover_type"],
        filters=[("plover_type", "==", "AGREE")],
    )
    assert events["plover_type"].unique().to_list() == ["AGREE"]
    assert events.height == (ce.load("events")["plover_type"] == "AGREE").sum()


def test_readme_links_and_figure_are_absolute_and_point_into_the_repository():
    """README is also the package index page, where relative links break."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets
    blob = "https://github.com/caucasus-events/caucasus-events/blob/main/"
    raw = "https://raw.githubusercontent.com/caucasus-events/caucasus-events/main/"
    for target in targets:
        assert target.startswith(("https://", "http://")), target
        for base in (blob, raw):
            if target.startswith(base):
                assert (REPO / target.removeprefix(base).split("#")[0]).exists(), target
    assert any(t.startswith(raw) and t.endswith(".png") for t in targets)
