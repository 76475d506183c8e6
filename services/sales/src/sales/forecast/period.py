"""Periods of days: validation, the calendar quarter of a day, the week's Monday, UTC bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sales.forecast.errors import PeriodInvalid

MAX_DAYS = 3 * 366


def check_period(
    start: date, end: date, *, start_field: str = "from", end_field: str = "to", location: str = "query"
) -> None:
    """Refuse a period that ends before it starts or is longer than three years (field named)."""
    if end < start:
        raise PeriodInvalid(
            "The period ends before it starts.",
            errors=[{"field": end_field, "message": f"must not be before {start_field}", "in": location}],
        )
    if (end - start).days > MAX_DAYS:
        raise PeriodInvalid(
            "The period is too long.",
            errors=[
                {"field": end_field, "message": "the period may span at most three years", "in": location}
            ],
        )


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter holding `day`: (first day, last day)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, next_start - timedelta(days=1)


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): the moments of the period's days."""
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)
