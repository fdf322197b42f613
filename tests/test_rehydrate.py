"""Quotes of texts that may not be redistributed: published as snippets, restored by rehydrate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import TEXT, article_meta, build_project, copy_project

from caucasus_events.build.validate import validate_package
from caucasus_events.frames import to_frame
from caucasus_events.loading import DataError
from caucasus_events.rehydrate import rehydrate


def _table(root: Path, table: str):
    import json

    import pyarrow.parquet as pq

    schema = json.loads((root / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
    return to_frame(pq.read_table(root / "processed" / f"{table}.parquet"), schema)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory, built_synthetic: Path) -> Path:
    """The synthetic project with its text marked not redistributable, built."""
    root = copy_project(built_synthetic, tmp_path_factory.mktemp("closed") / "project")
    meta = root / "raw/articles/synthetic-readout.yaml"
    meta.write_text(article_meta(TEXT, redistributable="false"), encoding="utf-8")
    return build_project(root)


def test_published_quotes_stay_within_the_bound(closed: Path) -> None:
    mentions, articles = _table(closed, "mentions"), _table(closed, "articles")
    assert not mentions["quote_complete"].any()
    assert not articles["quotes_complete"].any()
    assert mentions["quote"].str.len().sum() <= 0.10 * len(TEXT)
    for row in mentions.itertuples():
        assert TEXT[row.start : row.end].startswith(row.quote) and row.quote
        assert row.quote_length == row.end - row.start
        assert row.quote_sha256 == hashlib.sha256(TEXT[row.start : row.end].encode()).hexdigest()
    assert validate_package(closed, frictionless=False) == []


def test_rehydrate_restores_the_full_quotes(closed: Path, tmp_path: Path) -> None:
    (tmp_path / "synthetic-readout.txt").write_text(TEXT, encoding="utf-8")
    mentions = rehydrate(_table(closed, "mentions"), tmp_path, _table(closed, "articles"))
    assert mentions["quote_complete"].all()
    assert [q for q in mentions["quote"]] == [TEXT[r.start : r.end] for r in mentions.itertuples()]


def test_rehydrate_refuses_another_text(closed: Path, tmp_path: Path) -> None:
    (tmp_path / "synthetic-readout.txt").write_text(TEXT.replace("today", "yesterday"), encoding="utf-8")
    with pytest.raises(DataError, match=r"synthetic-readout.txt: SHA-256 [0-9a-f]{64} is not the dataset's"):
        rehydrate(_table(closed, "mentions"), tmp_path, _table(closed, "articles"))
    with pytest.raises(DataError, match=r"missing \(expected the text of synthetic-readout\)"):
        rehydrate(_table(closed, "mentions"), tmp_path / "nowhere", _table(closed, "articles"))


def test_validate_refuses_quotes_beyond_the_bound(closed: Path, tmp_path: Path) -> None:
    from test_validate import rewrite

    package = copy_project(closed, tmp_path / "p")

    def lengthen(rows):
        for row in rows:
            row["quote"] = TEXT[row["start"] : row["end"]]

    rewrite(package, "mentions", lengthen)
    problems = [str(p) for p in validate_package(package, frictionless=False)]
    assert any("false, but the mentions publish" in p for p in problems), problems


def test_the_released_asbarez_quotes_stay_within_the_bound() -> None:
    import caucasus_events as ce

    articles = ce.load("articles")
    closed = articles[~articles["redistributable"]]
    assert list(closed["article_id"]) == ["asbarez-us-sees-historic-opportunity"]
    mentions = ce.load("mentions")
    for article in closed.itertuples():
        quotes = mentions.loc[mentions["article_id"] == article.article_id, "quote"]
        assert len(quotes) > 0 and quotes.str.len().sum() <= 0.10 * article.text_length
        assert quotes.str.len().max() <= 40
