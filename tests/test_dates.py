"""Date intervals and their precision: every rule has an input that breaks it."""

from __future__ import annotations

import datetime as dt

import pytest

from caucasus_events.dates import interval_problem, overlaps

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "precision"),
    [
        (D(2022, 7, 25), D(2022, 7, 25), "day"),
        (D(2022, 7, 1), D(2022, 7, 31), "month"),
        (D(2024, 2, 1), D(2024, 2, 29), "month"),  # leap year
        (D(2023, 2, 1), D(2023, 2, 28), "month"),
        (D(2022, 3, 1), D(2022, 5, 31), "season"),
        (D(2022, 12, 1), D(2023, 2, 28), "season"),  # winter crosses the year
        (D(2023, 12, 1), D(2024, 2, 29), "season"),
        (D(2022, 1, 1), D(2022, 12, 31), "year"),
        (D(2022, 7, 11), D(2022, 7, 25), "range"),
        (None, D(2023, 9, 1), "range"),  # open: "before 1 September 2023"
        (D(2020, 9, 27), None, "range"),
        (None, None, "unknown"),
    ],
)
def test_fits(start, end, precision) -> None:
    assert interval_problem(start, end, precision) is None


@pytest.mark.parametrize(
    ("start", "end", "precision", "message"),
    [
        (
            D(2022, 7, 25),
            D(2022, 7, 24),
            "day",
            "end 2022-07-24 is before start 2022-07-25 (expected start <= end)",
        ),
        (D(2022, 7, 25), D(2022, 7, 1), "range", "end 2022-07-01 is before start 2022-07-25"),
        (
            D(2022, 7, 25),
            D(2022, 7, 26),
            "day",
            "2022-07-25..2022-07-26 does not fit precision 'day' (expected end 2022-07-25;",
        ),
        (
            D(2022, 7, 15),
            D(2022, 8, 14),
            "month",
            "does not fit precision 'month' (expected a start on the 1st of a month;",
        ),
        (D(2022, 7, 1), D(2022, 7, 30), "month", "does not fit precision 'month' (expected end 2022-07-31;"),
        (D(2023, 2, 1), D(2023, 2, 29 - 1).replace(day=27), "month", "(expected end 2023-02-28;"),
        (
            D(2022, 4, 1),
            D(2022, 6, 30),
            "season",
            "(expected a start on 1 March, June, September or December;",
        ),
        (D(2022, 3, 1), D(2022, 6, 30), "season", "(expected end 2022-05-31;"),
        (D(2022, 7, 1), D(2022, 12, 31), "year", "(expected a start on 1 January;"),
        (D(2022, 1, 1), D(2023, 12, 31), "year", "(expected end 2022-12-31;"),
        (
            D(2022, 7, 25),
            D(2022, 7, 25),
            "range",
            "precision 'range' with start = end 2022-07-25 (expected 'day')",
        ),
        (D(2022, 7, 25), None, "day", "precision 'day' needs both start and end"),
        (None, D(2022, 7, 25), "month", "precision 'month' needs both start and end"),
        (None, None, "day", "precision 'day' needs both start and end"),
        (D(2022, 7, 25), None, "unknown", "precision 'unknown' with a start or end (expected both empty)"),
        (
            D(2022, 7, 25),
            D(2022, 7, 25),
            "week",
            "unknown precision 'week' (expected day, month, season, year, range or unknown)",
        ),
        (dt.datetime(2022, 7, 25, 10), D(2022, 7, 25), "day", "start 2022-07-25 10:00:00 has a time of day"),
        (D(2022, 7, 25), dt.datetime(2022, 7, 25, 10), "day", "end 2022-07-25 10:00:00 has a time of day"),
    ],
)
def test_does_not_fit(start, end, precision, message) -> None:
    problem = interval_problem(start, end, precision)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((D(2022, 7, 25), D(2022, 7, 25)), (D(2022, 7, 25), D(2022, 7, 25)), True),
        ((D(2022, 7, 26), D(2022, 7, 26)), (D(2022, 7, 25), D(2022, 7, 25)), False),
        ((D(2022, 7, 1), D(2022, 7, 31)), (D(2022, 7, 25), D(2022, 7, 25)), True),
        ((D(2022, 7, 31), D(2022, 8, 2)), (D(2022, 7, 1), D(2022, 7, 31)), True),  # one shared day
        ((None, D(2022, 7, 1)), (D(2022, 7, 25), D(2022, 7, 25)), False),
        ((None, D(2022, 7, 25)), (D(2022, 7, 25), D(2022, 7, 25)), True),
        ((D(2022, 7, 1), None), (D(2022, 6, 1), D(2022, 6, 30)), False),
    ],
)
def test_overlaps(a, b, expected) -> None:
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected
