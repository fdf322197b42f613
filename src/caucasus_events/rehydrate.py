"""Restore full quotes from the user's own copies of texts that may not be redistributed.

The published mentions of such a text (``articles.redistributable`` is false) carry offsets,
the passage's length and SHA-256, and a short snippet (``quote_complete`` is false). A user who
holds the text, for example from the publisher's site or a library, fills the quotes back in:

>>> import caucasus_events as ce
>>> mentions = ce.rehydrate(ce.load("mentions"), "my-texts/")  # doctest: +SKIP

Imports only pandas (through loading).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from caucasus_events.loading import DataError, load


def rehydrate(
    mentions: pd.DataFrame, folder: str | Path, articles: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Mentions with the full quote of every snippet, from ``folder/<article_id>.txt``.

    Parameters
    ----------
    mentions : DataFrame
        The mentions table (or a subset of its rows), as :func:`caucasus_events.load` gives it.
    folder : str or Path
        A folder holding the texts as UTF-8 files named ``<article_id>.txt``, byte for byte
        as the publisher's text the dataset was built from (its SHA-256 is in ``articles``).
    articles : DataFrame, optional
        The articles table of the same release (default: the installed one).

    Returns
    -------
    DataFrame
        A copy of ``mentions`` whose ``quote`` is the whole passage and ``quote_complete`` true
        for every row; rows already complete are unchanged.

    Raises
    ------
    DataError
        When a text is missing, is not the text the dataset was built from (SHA-256), or a
        restored passage does not match its recorded SHA-256; nothing is returned then.
    """
    articles = load("articles") if articles is None else articles
    digests = dict(zip(articles["article_id"], articles["sha256"], strict=True))
    out = mentions.copy()
    todo = out.index[~out["quote_complete"].astype(bool)]
    problems, texts = [], {}
    for article_id in sorted(set(out.loc[todo, "article_id"])):
        path = Path(folder) / f"{article_id}.txt"
        if not path.is_file():
            problems.append(f"{path}: missing (expected the text of {article_id})")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digests.get(article_id):
            problems.append(
                f"{path}: SHA-256 {hashlib.sha256(data).hexdigest()} is not the dataset's "
                f"{digests.get(article_id)} (expected the text byte for byte, UTF-8, LF line endings)"
            )
            continue
        texts[article_id] = data.decode("utf-8")
    for index in todo:
        row = out.loc[index]
        text = texts.get(row["article_id"])
        if text is None:
            continue
        passage = text[int(row["start"]) : int(row["end"])]
        if hashlib.sha256(passage.encode("utf-8")).hexdigest() != row["quote_sha256"]:
            problems.append(f"mention {row['mention_id']}: the restored passage does not match quote_sha256")
            continue
        out.at[index, "quote"] = passage
        out.at[index, "quote_complete"] = True
    if problems:
        raise DataError("cannot rehydrate the quotes:\n" + "\n".join(problems))
    return out
