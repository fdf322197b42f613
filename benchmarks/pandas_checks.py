"""The baseline of figure 4: the package's rules, hand-written as vectorized pandas/Arrow code.

Checks what ``caucasus-events validate --fast`` checks, the straightforward way, with no
Pandera and no problem reports beyond a count per rule: sizes and SHA-256 of every file, the
descriptor (resource for each table file, Data Package profile), CSV equal to Parquet, every
column rule of the Table Schemas (names and order, required, unique, pattern, enum, minimum,
maximum), the table rules (span and date order, composite keys), primary and foreign keys
(including ';'-separated lists) and the values derived from the codebooks and the mentions.

Usage: ``python benchmarks/pandas_checks.py PACKAGE`` prints the failed rules (none: valid).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ORDERED = {"events": [("date_start", "date_end")], "mentions": [("start", "end"), ("date_start", "date_end")]}
# The long tables' references (actors, contexts) are foreign keys of their schemas, checked below.
COMPOSITE = {
    "mentions": ["article_id", "event_id", "start", "end"],
    "plover_modes": ["type", "mode"],
    "event_actors": ["event_id", "role", "actor_id"],
    "event_contexts": ["event_id", "context"],
}
PLAIN = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def _read(root: Path, table: str, schema: dict) -> tuple[pa.Table, bool]:
    types = {f["name"]: PLAIN[f["type"]] for f in schema["fields"]}
    parquet = pq.read_table(root / "processed" / f"{table}.parquet")
    parquet = parquet.cast(pa.schema([pa.field(n, t) for n, t in types.items()]))
    options = pacsv.ConvertOptions(
        column_types=types,
        strings_can_be_null=True,
        null_values=[""],
        true_values=["true"],
        false_values=["false"],
    )
    csv = pacsv.read_csv(root / "processed" / f"{table}.csv", convert_options=options)
    return parquet, csv.equals(parquet)


def check(root: Path) -> dict[str, int]:
    """Count the failures of each rule (an empty dict: the package is valid)."""
    failures: dict[str, int] = {}

    def fail(rule: str, count: int | np.integer) -> None:
        if count:
            failures[rule] = failures.get(rule, 0) + int(count)

    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        with (root / resource["path"]).open("rb") as handle:
            digest = "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()
            fail(f"{resource['path']} bytes", handle.tell() != resource.get("bytes", resource.get("x-bytes")))
        fail(f"{resource['path']} hash", digest != resource["hash"])
    from frictionless import Package  # the same descriptor check as ours: profile only, no rows

    fail("descriptor profile", len(list(Package.metadata_validate(package))))

    schemas, tables = {}, {}
    for path in sorted((root / "schemas").glob("*.json")):
        table = path.stem
        schemas[table] = json.loads(path.read_text(encoding="utf-8"))
        arrow, same = _read(root, table, schemas[table])
        fail(f"{table} csv differs from parquet", not same)
        tables[table] = arrow.to_pandas(types_mapper=pd.ArrowDtype)
    for name in ("csv", "parquet"):
        named = {r["path"] for r in package["resources"]}
        fail("resource missing", sum(f"processed/{t}.{name}" not in named for t in schemas))

    for table, frame in tables.items():
        fields = schemas[table]["fields"]
        fail(f"{table} columns", list(frame.columns) != [f["name"] for f in fields])
        for field in fields:
            column, rules = frame[field["name"]], field.get("constraints", {})
            present = column.notna()
            if rules.get("required"):
                fail(f"{table}.{field['name']} required", (~present).sum())
            if rules.get("unique"):
                fail(f"{table}.{field['name']} unique", column.duplicated().sum())
            if "pattern" in rules:
                ok = column.str.fullmatch(rules["pattern"])
                fail(f"{table}.{field['name']} pattern", (present & ~ok.fillna(False)).sum())
            if "enum" in rules:
                fail(f"{table}.{field['name']} enum", (present & ~column.isin(rules["enum"])).sum())
            if "minimum" in rules:
                fail(f"{table}.{field['name']} minimum", (column < rules["minimum"]).fillna(False).sum())
            if "maximum" in rules:
                fail(f"{table}.{field['name']} maximum", (column > rules["maximum"]).fillna(False).sum())
        for first, second in ORDERED.get(table, []):
            later = frame[first].notna() & ~(
                frame[first] < frame[second] if first == "start" else frame[first] <= frame[second]
            ).fillna(False)
            fail(f"{table} {first} before {second}", later.sum())
        if table in COMPOSITE:
            fail(f"{table} composite key", frame.duplicated(COMPOSITE[table]).sum())
        for fk in schemas[table].get("foreignKeys", []):
            ref = fk["reference"]
            values = pa.array(frame[fk["fields"]].array)
            known = pa.array(tables[ref["resource"] or table][ref["fields"]].dropna().array)
            fail(
                f"{table}.{fk['fields']} foreign key",
                pc.sum(
                    pc.invert(pc.is_in(values, known, skip_nulls=True)).filter(pc.is_valid(values))
                ).as_py()
                or 0,
            )
    events, mentions = tables["events"], tables["mentions"]
    cameo = tables["cameo_codes"].set_index("code")
    types = tables["plover_types"].set_index("type")
    modes = tables["plover_modes"].set_index(["type", "mode"])["score"]
    joined = events.join(modes.rename("mode_score"), on=["plover_type", "plover_mode"])
    expected = {
        "cameo_root": events["cameo_code"].map(cameo["root"]),
        "goldstein": events["cameo_code"].map(cameo["goldstein"]),
        "quad_class": events["plover_type"].map(types["quad_class"]),
        "plover_score": joined["mode_score"].fillna(events["plover_type"].map(types["score"])),
    }
    counts = mentions.groupby("event_id").agg(
        n_mentions=("mention_id", "size"), n_articles=("article_id", "nunique")
    )
    expected["n_mentions"] = events["event_id"].map(counts["n_mentions"])
    expected["n_articles"] = events["event_id"].map(counts["n_articles"])
    for column, values in expected.items():
        same = (events[column] == values).fillna(False) | (events[column].isna() & values.isna())
        fail(f"events.{column} derived", (~same).sum())
    fail(
        "events.plover_mode of its type",
        (
            events["plover_mode"].notna()
            & joined["mode_score"].isna()
            & ~pd.Series(
                pd.MultiIndex.from_frame(events[["plover_type", "plover_mode"]]).isin(modes.index),
                index=events.index,
            )
        ).sum(),
    )
    return failures


if __name__ == "__main__":
    found = check(Path(sys.argv[1]))
    print("\n".join(f"{rule}: {count}" for rule, count in found.items()) or "valid")
    sys.exit(1 if found else 0)
