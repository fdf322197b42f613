"""The figures a build prints are counted from the encoded tables as the rows say."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

from caucasus_events.build import assemble
from caucasus_events.build.assemble import summary_counts
from caucasus_events.build.pipeline import make
from caucasus_events.build.rows import ArrowRows

FIELDS = [None, "", "date", "place", "source"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_counts_count_as_the_rows_read(seed: int) -> None:
    rng = random.Random(seed)
    n_articles = [rng.choice([1, 1, 2, 3]) for _ in range(200)]
    disagreement = [rng.choice(FIELDS) for _ in range(500)]
    # Several chunks, and the field dictionary-encoded as a categorical column is.
    events = pa.Table.from_batches(
        [
            pa.record_batch({"n_articles": pa.array(part, pa.int64())})
            for part in (n_articles[:70], n_articles[70:])
        ]
    )
    mentions = pa.table({"disagreement_field": pa.array(disagreement).dictionary_encode()})
    counts = summary_counts({"events": ArrowRows(events), "mentions": ArrowRows(mentions)})
    assert counts == {
        "events reported by more than one text": sum(1 for n in n_articles if n > 1),
        "mentions disagreeing with their event": sum(1 for value in disagreement if value),
    }


def test_summary_counts_of_empty_tables_are_zero() -> None:
    events = pa.table({"n_articles": pa.array([], pa.int64())})
    mentions = pa.table({"disagreement_field": pa.array([], pa.string())})
    counts = summary_counts({"events": ArrowRows(events), "mentions": ArrowRows(mentions)})
    assert counts == {"events reported by more than one text": 0, "mentions disagreeing with their event": 0}


@pytest.mark.parametrize("at_once", [1])
def test_event_rows_are_the_same_whatever_the_batches(
    project: Path, monkeypatch: pytest.MonkeyPatch, at_once: int
) -> None:
    expected = make(project).tables["events"]
    monkeypatch.setattr(assemble, "ROWS_AT_ONCE", at_once)
    found = make(project).tables["events"]
    assert len(expected) > at_once
    assert found.table.equals(expected.table)


def test_quotes_of_a_closed_text_are_cut_to_snippets_and_the_stage_rows_stay() -> None:
    long = "The ministers met in Brussels and agreed on the text of a peace treaty draft"
    mentions = [
        {"mention_id": f"M{i}", "quote": quote, "quote_complete": True}
        for i, quote in enumerate([long, "Short one.", long[:45]])
    ]
    stage_rows = [dict(m) for m in mentions]
    open_text = {"redistributable": True, "text_length": 100}
    assert assemble.limit_quotes(mentions, open_text) is mentions
    closed = {"redistributable": False, "text_length": 1000}  # a budget of min(40, 100 // 3) = 33
    limited = assemble.limit_quotes(mentions, closed)
    assert mentions == stage_rows  # the stage's result (which the cache holds) is unchanged
    assert [m["quote"] for m in limited] == [
        "The ministers met in Brussels",
        "Short one.",
        "The ministers met in Brussels",
    ]
    assert [m["quote_complete"] for m in limited] == [False, True, False]
    assert limited[1] is mentions[1]
    assert all(len(m["quote"]) <= 33 for m in limited)
    assert assemble.limit_quotes([], closed) == []
