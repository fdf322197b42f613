"""Resolve an annotator's quote to character offsets in a text."""

from __future__ import annotations

import difflib
import re
import unicodedata

# Characters that look alike in print but differ in the text: used only for hints.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    }
)  # fmt: skip


#: Bounds on the "nearest passage" hint, a courtesy whose search may not cost seconds: texts
#: longer than MAX_HINT_TEXT characters get no hint (folding costs about 2 µs a character),
#: and the fuzzy search runs only while text length x quote length stays under MAX_HINT_WORK
#: (a few tenths of a second at the bound). No real article comes near either.
MAX_HINT_TEXT = 200_000
MAX_HINT_WORK = 5_000_000


class QuoteError(ValueError):
    """The quote cannot be placed in the text; the message says why and what to do."""


def _occurrences(text: str, quote: str) -> list[int]:
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).translate(_TYPOGRAPHY))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def nearest(text: str, quote: str) -> str | None:
    """The passage of ``text`` that most resembles ``quote``, for a hint; ``None`` if none does."""
    if len(text) > MAX_HINT_TEXT:
        return None
    folded_quote = _fold(quote)
    # Map each folded text position back to the original one, so the hint quotes the text.
    folded, origin = [], []
    for i, ch in enumerate(text):
        piece = _fold(ch)
        if folded and piece == " " and folded[-1] == " ":
            continue
        folded.append(piece)
        origin.extend([i] * len(piece))
    folded_text = "".join(folded)
    at = folded_text.find(folded_quote)
    if at != -1:
        start, end = origin[at], origin[at + len(folded_quote) - 1] + 1
        return text[start:end]
    if len(folded_text) * len(folded_quote) > MAX_HINT_WORK:
        return None
    matcher = difflib.SequenceMatcher(None, folded_text, folded_quote, autojunk=False)
    block = matcher.find_longest_match(0, len(folded_text), 0, len(folded_quote))
    if block.size < max(8, len(folded_quote) // 3):
        return None
    start = max(0, block.a - block.b)
    end = min(len(folded_text), start + len(folded_quote))
    # The window is aligned on the longest common block only; trim it to whole words, since a
    # hint that starts or ends mid-word ("nia. The Minister") reads as noise.
    while start < end - 1 and not (
        folded_text[start].isalnum() and (start == 0 or not folded_text[start - 1].isalnum())
    ):
        start += 1
    while end > start + 1 and not (
        folded_text[end - 1].isalnum() and (end == len(folded_text) or not folded_text[end].isalnum())
    ):
        end -= 1
    return text[origin[start] : origin[end - 1] + 1]


def resolve(
    text: str, quote: str, prefix: str | None = None, occurrence: int | None = None
) -> tuple[int, int]:
    """Place ``quote`` in ``text`` and return its half-open code-point span.

    Parameters
    ----------
    text : str
        The article text.
    quote : str
        The exact passage.
    prefix : str, optional
        Text that immediately precedes the quote, to choose among several occurrences.
    occurrence : int, optional
        1-based number of the occurrence to take (after filtering by ``prefix``).

    Raises
    ------
    QuoteError
        When the quote is empty, missing, ambiguous, or the disambiguator does not fit.
    """
    if not quote:
        raise QuoteError("quote is empty (expected a passage of the text)")
    starts = _occurrences(text, quote)
    if not starts:
        hint = nearest(text, quote)
        if hint is None:
            raise QuoteError("quote not found in the text (expected an exact passage)")
        line = _line_of(text, text.find(hint))
        if _fold(hint) == _fold(quote):
            raise QuoteError(
                f"quote not found in the text: line {line} has {hint!r}, which differs only in "
                "quotation marks, dashes, spaces or Unicode form (expected an exact copy)"
            )
        raise QuoteError(
            f"quote not found in the text (expected an exact passage; nearest on line {line}: {hint!r})"
        )
    if prefix is not None:
        starts = [s for s in starts if text[:s].endswith(prefix)]
        if not starts:
            raise QuoteError(
                f"no occurrence of the quote follows prefix {prefix!r} (expected the text just before it)"
            )
    if occurrence is not None:
        if not 1 <= occurrence <= len(starts):
            raise QuoteError(
                f"occurrence {occurrence} requested, the quote occurs {len(starts)} time(s) (expected 1..{len(starts)})"
            )
        start = starts[occurrence - 1]
    elif len(starts) > 1:
        lines = ", ".join(str(_line_of(text, s)) for s in starts)
        raise QuoteError(
            f"quote occurs {len(starts)} times (on lines {lines}) (expected a prefix or an occurrence number)"
        )
    else:
        start = starts[0]
    end = start + len(quote)
    # A span that cuts a combining sequence (a letter and its accents) would split a character
    # as a reader sees it: the quote would drop, or begin with, an accent of its neighbour. A
    # mark at the very start of a text has no neighbour: a quote may begin with it.
    for at, side in ((end, "end"), (start, "start")):
        if 0 < at < len(text) and unicodedata.category(text[at]).startswith("M"):
            raise QuoteError(
                f"quote would {side} inside a combining character sequence (the text has "
                f"U+{ord(text[at]):04X} {unicodedata.name(text[at], 'a combining mark')} at offset {at}; "
                "expected the quote to include the whole character with its marks)"
            )
    return start, end
