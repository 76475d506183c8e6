"""Working calendars as arithmetic: dates <-> working-day numbers counted from a project's start.

The plan is computed in working-day numbers (0 = the first working day on or after the origin), so the
critical path and rescheduling work on integers; dates are converted at the edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
MAX_DAYS = 366 * 200  # far beyond any plan: a guard against a calendar without working days


class WorkingCalendar:
    """Working weekdays (ISO, Monday = 1) minus holidays, numbered from `origin`."""

    def __init__(self, work_days: Iterable[int], holidays: Iterable[date], origin: date) -> None:
        self.work_days = frozenset(work_days)
        if not self.work_days or not self.work_days <= set(range(1, 8)):
            raise ValueError("a calendar needs at least one working weekday among 1..7")
        self.holidays = frozenset(holidays)
        self._dates: list[date] = []
        self._numbers: dict[date, int] = {}
        self._next = origin
        self._extend_to_count(1)
        self.origin = self._dates[0]

    def is_working(self, day: date) -> bool:
        return day.isoweekday() in self.work_days and day not in self.holidays

    def number_of(self, day: date) -> int:
        """The number of the first working day on or after `day` (days before the origin count as 0)."""
        if day <= self.origin:
            return 0
        self._extend_to_date(day)
        for _ in range(MAX_DAYS):
            number = self._numbers.get(day)
            if number is not None:
                return number
            day += ONE_DAY
        raise ValueError("no working day found")

    def date_of(self, number: int) -> date:
        """The date of working day `number` (negative numbers are the origin)."""
        number = max(number, 0)
        self._extend_to_count(number + 1)
        return self._dates[number]

    def finish_date(self, start: int, duration: int) -> date:
        """The last working day of work that starts on day `start` and lasts `duration` days (0: a milestone)."""
        return self.date_of(start + duration - 1 if duration > 0 else start)

    def working_days_between(self, start: date, finish: date) -> int:
        """How many working days `start`..`finish` spans, both included (at least 1 when start <= finish)."""
        return max(self.number_of(finish + ONE_DAY) - self.number_of(start), 0)

    def _extend_to_count(self, count: int) -> None:
        for _ in range(MAX_DAYS):
            if len(self._dates) >= count:
                return
            self._add_next()
        raise ValueError("the calendar ran out of working days")

    def _extend_to_date(self, day: date) -> None:
        # One working day past `day`, so number_of finds a number for every date up to it.
        while self._next <= day or not self._dates or self._dates[-1] <= day:
            self._add_next()

    def _add_next(self) -> None:
        day, self._next = self._next, self._next + ONE_DAY
        if self.is_working(day):
            self._numbers[day] = len(self._dates)
            self._dates.append(day)
