"""The CSV files as type-guessing readers see them, and the recipes README gives for them.

Every CSV is read the naive way (``pd.read_csv(path)``, no arguments). The columns such a
reader turns into numbers must be exactly the ones the schemas mark as text codes; every join
on a foreign key must keep its row count, naively for all other columns, and with README's
recipe (those columns read as text) for the codes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import caucasus_events as ce
from caucasus_events.build.tableschema import TEXT_CODE_NOTE

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
TABLES = list(ce.tables()["table"])


def _schema(table: str) -> dict:
    return json.loads((ce.path(table).parents[1] / "schemas" / f"{table}.json").read_text(encoding="utf-8"))


def marked(table: str) -> list[str]:
    """The columns the schema marks as text codes."""
    return [f["name"] for f in _schema(table)["fields"] if TEXT_CODE_NOTE in f.get("description", "")]


def naive(table: str) -> pd.DataFrame:
    return pd.read_csv(ce.path(table, "csv"))


def recipe(table: str) -> pd.DataFrame:
    return pd.read_csv(ce.path(table, "csv"), dtype=dict.fromkeys(marked(table), str))


def foreign_keys() -> list[tuple[str, str, str, str]]:
    keys = []
    for table in TABLES:
        for fk in _schema(table).get("foreignKeys", []):
            target = fk["reference"]["resource"] or table
            keys.append((table, fk["fields"], target, fk["reference"]["fields"]))
    return keys


def _join_rows(left: pd.DataFrame, column: str, right: pd.DataFrame, key: str) -> int:
    return len(
        left.merge(right[[key]].rename(columns={key: "_key"}), left_on=column, right_on="_key", how="left")
    )


@pytest.mark.parametrize("table", TABLES)
def test_the_marked_columns_are_exactly_those_a_naive_reader_turns_into_numbers(table: str) -> None:
    frame = naive(table)
    text_fields = [f["name"] for f in _schema(table)["fields"] if f["type"] == "string"]
    # A text column a type-guessing reader makes numeric (all-empty columns aside: nothing to lose).
    numeric = [c for c in text_fields if frame[c].notna().any() and pd.api.types.is_numeric_dtype(frame[c])]
    assert numeric == marked(table)


@pytest.mark.parametrize(("table", "column", "target", "key"), foreign_keys())
def test_joins_on_foreign_keys_keep_their_row_counts(table: str, column: str, target: str, key: str) -> None:
    left, right = recipe(table), recipe(target)
    if left[column].isna().all():
        return  # an empty column joins nothing (and pandas reads it as float, refusing the merge)
    assert _join_rows(left, column, right, key) == len(left)
    if column not in marked(table) and key not in marked(target):
        assert _join_rows(naive(table), column, naive(target), key) == len(left)  # read naively


def test_the_recipe_gives_the_values_of_the_parquet_files() -> None:
    for table in TABLES:
        frame, loaded = recipe(table), ce.load(table)
        for column in marked(table):
            assert frame[column].fillna("").tolist() == loaded[column].fillna("").astype(str).tolist()


def test_what_readme_says_about_the_naive_join_is_true() -> None:
    events, codes = naive("events"), naive("cameo_codes")
    joined = _join_rows(events, "cameo_code", codes, "code")
    assert "gives more rows than there are events" in README.replace("\n", " ")
    assert joined > len(events)  # as README says: the naive join duplicates events
    # README names every marked column, with its table.
    listed = re.search(r'marks each one "Text, not a number": (.*?)\.\n\n', README, re.S).group(1)
    named = {}
    for columns, table in re.findall(r"((?:`\w+`(?: and |, )?)+) in `(\w+)`", listed.replace("\n", " ")):
        named[table] = re.findall(r"`(\w+)`", columns)
    assert named == {t: marked(t) for t in TABLES if marked(t)}


def _block(language: str, containing: str) -> str:
    (block,) = [b for b in re.findall(rf"```{language}\n(.*?)```", README, re.S) if containing in b]
    return block


def test_readme_pandas_recipe_keeps_the_join(tmp_path: Path) -> None:
    namespace: dict = {}
    block = _block("python", "pd.read_csv")
    *statements, last = block.strip().splitlines()
    exec("\n".join(statements), namespace)
    joined = eval(last, namespace)
    assert len(joined) == len(namespace["events"]) == len(ce.load("events"))
    coded = joined[joined["cameo_code"].notna()]
    assert coded["cameo_code"].str.len().min() >= 2 and coded["name"].notna().all()
    assert str(namespace["events"]["date_start"].dtype).startswith("datetime64")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_readme_r_recipe_keeps_the_join() -> None:
    code = _block("r", "read.csv") + (
        'cat(nrow(events), nrow(joined), class(events$date_start), min(nchar(events$cameo_code[nzchar(events$cameo_code)])), "\\n")\n'
    )
    out = subprocess.run(
        ["Rscript", "-e", code], capture_output=True, text=True, cwd=ce.path("events", "csv").parent
    )
    assert out.returncode == 0, out.stderr
    rows, joined, date_class, shortest = out.stdout.split()
    assert int(rows) == int(joined) == len(ce.load("events")) and date_class == "Date"
    assert int(shortest) == ce.load("events")["cameo_code"].dropna().str.len().min()  # zeros kept
