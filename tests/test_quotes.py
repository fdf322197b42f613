"""The quote resolver: exact passages to code-point offsets, and clear refusals."""

from __future__ import annotations

import pytest

from caucasus_events.build.quotes import QuoteError, nearest, resolve

TEXT = (
    "The Minister spoke today with the President.\n"
    "The Minister urged the President to act. The Minister spoke today again.\n"
    "It called it a “historic opportunity” for 2022–2023.\u00a0Talks resume in Café Europa, Aliyev’s choice.\n"
)


def span_of(quote: str, **kwargs) -> str:
    start, end = resolve(TEXT, quote, **kwargs)
    assert TEXT[start:end] == quote
    return (start, end)


def test_unique_quote() -> None:
    assert span_of("urged the President") == (TEXT.index("urged"), TEXT.index("urged") + 19)


def test_prefix_chooses_the_occurrence() -> None:
    start, _ = span_of("spoke today", prefix="act. The Minister ")
    assert start == TEXT.index("spoke today again")


def test_occurrence_chooses() -> None:
    assert span_of("spoke today", occurrence=1)[0] == TEXT.index("spoke today")
    assert span_of("spoke today", occurrence=2)[0] == TEXT.index("spoke today again")


def test_prefix_then_occurrence() -> None:
    # Both occurrences of "The Minister spoke" follow a newline or ". "; the prefix keeps
    # those after ". ", the occurrence picks among what is left.
    assert span_of("The Minister", prefix=". ", occurrence=1)[0] == TEXT.index(
        "The Minister spoke today again"
    )


def test_overlapping_occurrences() -> None:
    assert resolve("aaa", "aa", occurrence=1) == (0, 2)
    assert resolve("aaa", "aa", occurrence=2) == (1, 3)


def test_offsets_are_code_points() -> None:
    text = "😀 naïve ℌ “quote” here"
    start, end = resolve(text, "“quote”")
    assert (start, end) == (10, 17)
    assert text[start:end] == "“quote”"


def test_quote_across_lines() -> None:
    start, end = resolve(TEXT, "President.\nThe Minister urged")
    assert TEXT[start:end] == "President.\nThe Minister urged"


def test_empty_quote() -> None:
    with pytest.raises(QuoteError, match=r"^quote is empty \(expected a passage of the text\)$"):
        resolve(TEXT, "")


def test_missing_without_a_hint() -> None:
    with pytest.raises(QuoteError) as exc:
        resolve(TEXT, "zzzz qqqq")
    assert str(exc.value) == "quote not found in the text (expected an exact passage)"


def test_missing_with_a_hint() -> None:
    with pytest.raises(QuoteError) as exc:
        resolve(TEXT, "The Minister urged the Prezident to act")
    assert str(exc.value).startswith(
        "quote not found in the text (expected an exact passage; nearest on line 2: "
    )
    assert "urged the President" in str(exc.value)


@pytest.mark.parametrize(
    ("quote", "hint"),
    [
        ('a "historic opportunity"', "a “historic opportunity”"),
        ("Aliyev's choice", "Aliyev’s choice"),
        ("for 2022-2023", "for 2022–2023"),
        ("for 2022—2023", "for 2022–2023"),
        ("2023. Talks", "2023.\u00a0Talks"),
        ("Cafe\u0301 Europa", "Café Europa"),
        ("2023.  Talks", "2023.\u00a0Talks"),
    ],
    ids=["straight-double", "apostrophe", "hyphen", "em-dash", "space", "nfd", "two-spaces"],
)
def test_typography_only_is_not_found_but_named(quote: str, hint: str) -> None:
    with pytest.raises(QuoteError) as exc:
        resolve(TEXT, quote)
    assert str(exc.value) == (
        f"quote not found in the text: line 3 has {hint!r}, which differs only in "
        "quotation marks, dashes, spaces or Unicode form (expected an exact copy)"
    )


def test_ambiguous() -> None:
    with pytest.raises(QuoteError) as exc:
        resolve(TEXT, "The Minister")
    assert str(exc.value) == (
        "quote occurs 3 times (on lines 1, 2, 2) (expected a prefix or an occurrence number)"
    )


def test_prefix_that_does_not_fit() -> None:
    with pytest.raises(QuoteError, match=r"no occurrence of the quote follows prefix 'The President '"):
        resolve(TEXT, "spoke today", prefix="The President ")


def test_prefix_that_leaves_it_ambiguous() -> None:
    with pytest.raises(QuoteError, match=r"quote occurs 2 times"):
        resolve(TEXT, "spoke today", prefix="Minister ")


@pytest.mark.parametrize("occurrence", [0, -1, 3])
def test_occurrence_out_of_range(occurrence: int) -> None:
    with pytest.raises(QuoteError) as exc:
        resolve(TEXT, "spoke today", occurrence=occurrence)
    assert str(exc.value) == (
        f"occurrence {occurrence} requested, the quote occurs 2 time(s) (expected 1..2)"
    )


def test_nearest() -> None:
    assert nearest(TEXT, "resume in Cafe Europa") == "resume in Café Europa"
    assert nearest(TEXT, "completely unrelated words") is None
    assert nearest("", "anything at all here") is None
