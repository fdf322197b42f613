"""Date intervals with a precision: the rules each (start, end, precision) must follow."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

SEASON_STARTS = {3: "spring", 6: "summer", 9: "fall", 12: "winter"}


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: dt.date, months: int) -> dt.date | None:
    """The 1st of the month ``months`` after ``day``'s, or ``None`` beyond the calendar."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) if dt.MINYEAR <= index // 12 <= dt.MAXYEAR else None


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


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Resolved:
    """What a relative date expression means, given when its text was published.

    ``weekday`` (0 = Monday) is kept for expressions that name a day of the week, so that an
    interval left wide by an uncertain publication date still excludes the other six days.
    """

    start: dt.date | None
    end: dt.date | None
    precision: str
    weekday: int | None = None


def _fit_precision(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None:
        return "range"
    for precision in ("day", "month", "year", "season"):
        if interval_problem(start, end, precision) is None:
            return precision
    return "range"


def _weekday_on_or_before(day: dt.date | None, weekday: int) -> dt.date | None:
    return _shift(day, -((day.weekday() - weekday) % 7)) if day else None


def _shift(day: dt.date | None, days: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None  # beyond the calendar: the bound is open


def resolve_relative(expression: str, earliest: dt.date | None, latest: dt.date | None) -> Resolved | None:
    """Resolve a relative date expression against the publication date, or ``None``.

    Parameters
    ----------
    expression : str
        The expression as the text writes it ("today", "on Tuesday", "last week", ...).
    earliest, latest : date or None
        The publication date's bounds (equal when the date is known; ``latest`` is ``None``
        when only a lower bound is known, as for a copy with no date line).

    Returns
    -------
    Resolved or None
        ``None`` when the expression is not one the resolver knows (the annotator resolves
        it) or when there is no publication date to resolve against.
    """
    if earliest is None and latest is None:
        return None
    words = " ".join(expression.lower().replace("’", "'").split())
    words = words.removeprefix("on ").removeprefix("the ").removeprefix("earlier ")
    lo, hi = earliest, latest
    if words in ("today", "tonight", "this morning", "this afternoon", "this evening", "now"):
        start, end = lo, hi
    elif words in ("yesterday", "yesterday evening"):
        start, end = _shift(lo, -1), _shift(hi, -1)
    elif words in ("last night", "overnight"):
        # The night before publication spans two calendar days.
        start, end = _shift(lo, -1), hi
    elif words == "tomorrow":
        start, end = _shift(lo, 1), _shift(hi, 1)
    elif (day := words.removeprefix("last ")) in WEEKDAYS:
        weekday = WEEKDAYS.index(day)
        strict = words.startswith("last ")  # "last Tuesday" is never the publication day
        start = _weekday_on_or_before(_shift(lo, -1) if strict else lo, weekday) if lo else None
        end = _weekday_on_or_before(_shift(hi, -1) if strict else hi, weekday) if hi else None
        return Resolved(start, end, _fit_precision(start, end), weekday)
    elif words == "this week":
        start, end = (lo - dt.timedelta(days=lo.weekday())) if lo else None, hi
    elif words == "last week":
        # _shift: at the calendar's start the bound is open rather than an overflow.
        start = _shift(lo, -(lo.weekday() + 7)) if lo else None
        end = _shift(hi, -(hi.weekday() + 1)) if hi else None
    elif words in ("this month", "in this month"):
        start, end = lo.replace(day=1) if lo else None, hi
    elif words == "last month":
        start = _add_months(lo.replace(day=1), -1) if lo else None
        end = _shift(hi.replace(day=1), -1) if hi else None
    elif words in ("this year", "in this year"):
        start, end = dt.date(lo.year, 1, 1) if lo else None, hi
    elif words == "last year":
        start = dt.date(lo.year - 1, 1, 1) if lo and lo.year > 1 else None
        end = dt.date(hi.year - 1, 12, 31) if hi and hi.year > 1 else None
    elif words in ("recent", "recently", "in recent days", "in recent weeks", "in recent months"):
        start, end = None, hi
    else:
        return None
    return Resolved(start, end, _fit_precision(start, end))


def date_relation(
    text: tuple[dt.date | None, dt.date | None],
    event: tuple[dt.date | None, dt.date | None] | None,
    weekday: int | None = None,
) -> str:
    """How the interval a text gives relates to its event's interval.

    ``same``: equal; ``within``: the text's interval lies inside the event's; ``contains``:
    the text's interval holds the event's (the text is less precise); ``overlaps``: they share
    days, neither holding the other; ``disjoint``: they share no day (a conflict of fact);
    ``unknown``: either has no bound at all. A missing bound is open. With ``weekday``, only
    the days of that weekday in the text's interval count.
    """
    if event is None or text == (None, None) or event == (None, None):
        return "unknown"
    lo_a, hi_a = text[0] or dt.date.min, text[1] or dt.date.max
    lo_b, hi_b = event[0] or dt.date.min, event[1] or dt.date.max
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    if lo > hi:
        return "disjoint"
    if weekday is not None and (hi - lo).days < 6:
        days = {(lo + dt.timedelta(days=i)).weekday() for i in range((hi - lo).days + 1)}
        if weekday not in days:
            return "disjoint"
    if (lo_a, hi_a) == (lo_b, hi_b):
        return "same"
    if lo_b <= lo_a and hi_a <= hi_b:
        return "within"
    if lo_a <= lo_b and hi_b <= hi_a:
        return "contains"
    return "overlaps"
