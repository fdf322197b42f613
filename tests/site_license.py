"""What a page shows of a text that may not be redistributed, beyond what the license allows.

Shared by the HTML and the browser tests of the site. The license of such a text allows what the
published tables carry (short quotes); the site may also show the tables' other strings
(summaries and notes that cite the text) and passages the text shares with texts that may be
redistributed (the Asbarez article quotes a public-domain readout verbatim).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: A passage this long outside the allowed strings is part of a sentence of the text.
SENTENCE_PART = 40


def closed_texts(repo: Path, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The texts that may not be redistributed, by article ID."""
    articles = tables["articles"]
    ids = articles.loc[~articles["redistributable"].astype(bool), "article_id"]
    return {a: (repo / "raw" / "articles" / f"{a}.txt").read_text(encoding="utf-8") for a in ids}


class LicenseCheck:
    """Finds the passages of one such text that a page shows beyond what the license allows.

    What the published tables carry (the quotes, which are only the first words of each passage
    from data model 0.2 on, and the summaries and notes) is taken out of a page's text; any part
    of a sentence of the text left over, that no redistributable text shares, is a leak.
    """

    def __init__(self, repo: Path, tables: dict[str, pd.DataFrame], text: str):
        articles = tables["articles"]
        public = "\x00".join(
            (repo / "raw" / "articles" / f"{a}.txt").read_text(encoding="utf-8")
            for a in articles.loc[articles["redistributable"].astype(bool), "article_id"]
        )
        self.carried = sorted(
            {
                v
                for t in ("events", "mentions", "articles")
                for c in tables[t]
                for v in tables[t][c]
                if isinstance(v, str)
            },
            key=len,
            reverse=True,
        )
        parts = {text[i : i + SENTENCE_PART] for i in range(len(text) - SENTENCE_PART)}
        self.parts = sorted(w for w in parts if w not in public)

    def leaks(self, shown: str) -> list[str]:
        """Parts of sentences of the text in ``shown`` that the license does not allow."""
        for allowed in self.carried:
            if allowed in shown:
                shown = shown.replace(allowed, "\x00")
        return [w for w in self.parts if w in shown]
