"""Date intervals and their precision: every rule has an input that breaks it."""

from __future__ import annotations

import datetime as dt

import pytest

from caucasus_events.build.dates import date_relation, interval_problem, resolve_relative

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
    ("text", "event", "expected"),
    [
        ((D(2022, 7, 25), D(2022, 7, 25)), (D(2022, 7, 25), D(2022, 7, 25)), "same"),
        ((D(2022, 7, 26), D(2022, 7, 26)), (D(2022, 7, 25), D(2022, 7, 25)), "disjoint"),
        ((D(2022, 7, 1), D(2022, 7, 31)), (D(2022, 7, 25), D(2022, 7, 25)), "contains"),
        ((D(2022, 7, 25), D(2022, 7, 25)), (D(2022, 7, 1), D(2022, 7, 31)), "within"),
        ((D(2022, 7, 31), D(2022, 8, 2)), (D(2022, 7, 1), D(2022, 7, 31)), "overlaps"),  # one shared day
        ((None, D(2022, 7, 1)), (D(2022, 7, 25), D(2022, 7, 25)), "disjoint"),
        ((None, D(2022, 7, 25)), (D(2022, 7, 25), D(2022, 7, 25)), "contains"),
        ((D(2022, 7, 1), None), (D(2022, 6, 1), D(2022, 6, 30)), "disjoint"),
        ((None, None), (D(2022, 6, 1), D(2022, 6, 30)), "unknown"),
        ((D(2022, 6, 1), D(2022, 6, 1)), None, "unknown"),
    ],
)
def test_date_relation(text, event, expected) -> None:
    assert date_relation(text, event) == expected


def test_a_named_weekday_excludes_the_other_days() -> None:
    # Asbarez: "on Tuesday", published on or after Monday 25 July 2022; the readout dates the
    # call Monday 25 July. The wide interval overlaps the day, the weekday does not.
    resolved = resolve_relative("on Tuesday", D(2022, 7, 25), None)
    assert (resolved.start, resolved.end, resolved.weekday) == (D(2022, 7, 19), None, 1)
    event = (D(2022, 7, 25), D(2022, 7, 25))
    assert date_relation((resolved.start, resolved.end), event) == "contains"
    assert date_relation((resolved.start, resolved.end), event, resolved.weekday) == "disjoint"
    assert (
        date_relation((resolved.start, resolved.end), (D(2022, 7, 26),) * 2, resolved.weekday) == "contains"
    )


@pytest.mark.parametrize(
    ("expression", "published", "expected"),
    [
        ("today", D(2022, 7, 25), (D(2022, 7, 25), D(2022, 7, 25), "day")),
        ("Today", D(2022, 7, 25), (D(2022, 7, 25), D(2022, 7, 25), "day")),
        ("yesterday", D(2022, 3, 1), (D(2022, 2, 28), D(2022, 2, 28), "day")),
        ("overnight", D(2022, 9, 13), (D(2022, 9, 12), D(2022, 9, 13), "range")),
        ("on Monday", D(2022, 7, 27), (D(2022, 7, 25), D(2022, 7, 25), "day")),  # a Wednesday
        ("Monday", D(2022, 7, 25), (D(2022, 7, 25), D(2022, 7, 25), "day")),  # the same day
        ("last Monday", D(2022, 7, 25), (D(2022, 7, 18), D(2022, 7, 18), "day")),
        ("last week", D(2022, 7, 27), (D(2022, 7, 18), D(2022, 7, 24), "range")),
        ("this week", D(2022, 7, 27), (D(2022, 7, 25), D(2022, 7, 27), "range")),
        ("earlier this month", D(2023, 9, 19), (D(2023, 9, 1), D(2023, 9, 19), "range")),
        ("last month", D(2023, 1, 10), (D(2022, 12, 1), D(2022, 12, 31), "month")),
        ("last year", D(2023, 1, 10), (D(2022, 1, 1), D(2022, 12, 31), "year")),
        ("this year", D(2023, 3, 10), (D(2023, 1, 1), D(2023, 3, 10), "range")),
        ("recently", D(2023, 3, 10), (None, D(2023, 3, 10), "range")),
        ("tomorrow", D(2023, 3, 10), (D(2023, 3, 11), D(2023, 3, 11), "day")),
    ],
)
def test_resolve_relative(expression, published, expected) -> None:
    resolved = resolve_relative(expression, published, published)
    assert (resolved.start, resolved.end, resolved.precision) == expected


def test_resolve_against_bounds_and_unknowns() -> None:
    # A copy dated only by a republisher's page: "today" is one of the two possible days.
    resolved = resolve_relative("today", D(2022, 3, 15), D(2022, 3, 16))
    assert (resolved.start, resolved.end, resolved.precision) == (D(2022, 3, 15), D(2022, 3, 16), "range")
    assert resolve_relative("in the coming weeks", D(2022, 3, 15), D(2022, 3, 15)) is None
    assert resolve_relative("today", None, None) is None
    # Near the end of the calendar the bound is open rather than an overflow.
    assert resolve_relative("tomorrow", D(9999, 12, 31), D(9999, 12, 31)).end is None
