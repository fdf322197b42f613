"""Date intervals with a precision: the rules each (start, end, precision) must follow."""

from __future__ import annotations

import calendar
import datetime as dt

SEASON_STARTS = {3: "spring", 6: "summer", 9: "fall", 12: "winter"}


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: dt.date, months: int) -> dt.date | None:
    """The 1st of the month ``months`` after ``day``'s, or ``None`` past the calendar's end."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) if index // 12 <= dt.MAXYEAR else None


class DateProblem(str):
    """What is wrong with an interval (the message), and ``field``: the key at fault."""

    field: str = "precision"

    def __new__(cls, message: str, field: str = "precision") -> DateProblem:
        problem = super().__new__(cls, message)
        problem.field = field
        return problem


def interval_problem(start: dt.date | None, end: dt.date | None, precision: str | None) -> DateProblem | None:
    """What is wrong with an interval, or ``None`` when it fits its precision.

    The problem names the key at fault in ``field``: ``end`` for an end before the start,
    the bound with a time of day, ``precision`` otherwise.

    ``day``: start equals end. ``month``: a whole calendar month. ``season``: three whole
    months starting in March, June, September or December. ``year``: a whole calendar year.
    ``range``: start before end, or only one of them known. ``unknown``: no start and no end.
    """
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, dt.datetime):
            return DateProblem(f"{name} {value} has a time of day (expected a date YYYY-MM-DD)", name)
    if precision == "unknown":
        if start is not None or end is not None:
            return DateProblem("precision 'unknown' with a start or end (expected both empty)")
        return None
    if precision == "range" and (start is None) != (end is None):
        return None  # an open interval: only one bound is known ("before 1 September 2023")
    if start is None or end is None:
        return DateProblem(
            f"precision {precision!r} needs both start and end (expected dates, or precision 'unknown')"
        )
    if end < start:
        return DateProblem(f"end {end} is before start {start} (expected start <= end)", "end")
    expected = {
        "day": start,
        "month": _month_end(start) if start.day == 1 else None,
        "year": dt.date(start.year, 12, 31) if (start.month, start.day) == (1, 1) else None,
        "season": _month_end(last)
        if start.day == 1 and start.month in SEASON_STARTS and (last := _add_months(start, 2))
        else None,
    }
    if precision == "range":
        return (
            None
            if start < end
            else DateProblem(f"precision 'range' with start = end {start} (expected 'day')")
        )
    if precision not in expected:
        return DateProblem(
            f"unknown precision {precision!r} (expected day, month, season, year, range or unknown)"
        )
    if expected[precision] != end:
        if expected[precision] is not None:
            wanted = f"end {expected[precision]}"
        else:
            wanted = {
                "month": "a start on the 1st of a month",
                "year": "a start on 1 January",
                "season": "a season that ends by 9999-12-31"
                if start.day == 1 and start.month in SEASON_STARTS
                else "a start on 1 March, June, September or December",
            }[precision]
        return DateProblem(
            f"{start}..{end} does not fit precision {precision!r} (expected {wanted}; see docs/codebook.md, Dates)"
        )
    return None


def overlaps(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]) -> bool:
    """Whether two inclusive intervals share at least one day; a missing bound is open."""
    lo = max(a[0] or dt.date.min, b[0] or dt.date.min)
    hi = min(a[1] or dt.date.max, b[1] or dt.date.max)
    return lo <= hi
