"""Business-time arithmetic: weekly opening hours in a time zone, minus holidays.

Rules (each has unit tests):
- Opening hours are given per weekday in the calendar's local time, possibly several intervals a day.
  An interval whose end is not after its start runs overnight into the next day ("22:00"-"06:00");
  "24:00" as an end means midnight at the end of the day.
- An interval belongs to the day it starts on: a holiday closes every interval that starts on that date
  (including the overnight part after midnight), nothing else.
- Local times are turned into instants with the zone's rules for that date, so a DST switch day is one
  hour shorter or longer in real (business) seconds; a local time that does not exist (skipped by a
  spring-forward switch) means the end of the gap, and one that exists twice (fall back) its first time.
- Overlapping intervals (an overnight interval running into the next day's hours) count once.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIDNIGHT = "24:00"
WINDOW_DAYS = 14
# A calendar that is open somewhere in the week reaches any target within a few years even with many
# holidays; searching further means every remaining day is a holiday.
MAX_SEARCH_DAYS = 366 * 5


class CalendarError(ValueError):
    """The calendar cannot answer (e.g. never open), or its definition is invalid."""


@dataclasses.dataclass(frozen=True)
class Hours:
    """One local opening interval; `end` <= `start` (or "24:00") runs to the next day."""

    start: time
    end: time | None  # None: midnight at the end of the day ("24:00")

    @classmethod
    def parse(cls, start: str, end: str) -> Hours:
        """Build from "HH:MM" strings ("24:00" allowed as the end)."""
        opening = _parse_time(start)
        closing = None if end == MIDNIGHT else _parse_time(end)
        if closing == opening:
            raise CalendarError(f"{start}-{end}: an interval must not start and end at the same time")
        return cls(opening, closing)

    @property
    def overnight(self) -> bool:
        return self.end is None or self.end <= self.start

    def on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The interval on local `day` as UTC instants."""
        end_day = day + timedelta(days=1) if self.overnight else day
        end_time = self.end or time(0)
        return _instant(day, self.start, zone), _instant(end_day, end_time, zone)


def _parse_time(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        raise CalendarError(f"{value!r} is not a time of day HH:MM") from None


def _instant(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: the first one when ambiguous, the gap's end when skipped."""
    local = datetime.combine(day, moment, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # Skipped by a spring-forward switch: the switch lies between the two readings of the wall time.
    earlier, later = sorted((instant, local.replace(fold=1).astimezone(UTC)))
    offset_after = later.astimezone(zone).utcoffset()
    while later - earlier > timedelta(seconds=1):
        middle = earlier + (later - earlier) / 2
        if middle.astimezone(zone).utcoffset() == offset_after:
            later = middle
        else:
            earlier = middle
    return later.replace(microsecond=0)


@dataclasses.dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (0 = Monday) in `zone`, closed on `holidays` (local dates)."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[Hours]]
    holidays: frozenset[date] = frozenset()

    @classmethod
    def always_open(cls, zone: str = "UTC") -> BusinessCalendar:
        """Around the clock, every day (what a policy without a calendar uses)."""
        whole_day = (Hours(time(0), None),)
        return cls(ZoneInfo(zone), dict.fromkeys(range(7), whole_day))

    @classmethod
    def from_definition(
        cls, timezone: str, weekly_hours: Mapping[str, Sequence[Mapping[str, str]]], holidays: Sequence[date]
    ) -> BusinessCalendar:
        """Build from the stored shape: {"mon": [{"start": "08:00", "end": "17:00"}], ...}."""
        weekly = {
            WEEKDAYS.index(day): tuple(Hours.parse(item["start"], item["end"]) for item in items)
            for day, items in weekly_hours.items()
        }
        calendar = cls(ZoneInfo(timezone), weekly, frozenset(holidays))
        if not any(weekly.values()):
            raise CalendarError("a calendar must be open at least once a week")
        return calendar

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals overlapping [start, end), clipped to it, in order, without overlaps."""
        first_day = start.astimezone(self.zone).date() - timedelta(days=1)
        last_day = end.astimezone(self.zone).date()
        raw = sorted(
            interval
            for offset in range((last_day - first_day).days + 1)
            for interval in self._day_intervals(first_day + timedelta(days=offset))
        )
        for opening, closing in _merge(raw):
            clipped = (max(opening, start), min(closing, end))
            if clipped[0] < clipped[1]:
                yield clipped

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if day in self.holidays:
            return
        for hours in self.weekly.get(day.weekday(), ()):
            opening, closing = hours.on(day, self.zone)
            if opening < closing:  # a whole interval inside a DST gap is empty
                yield opening, closing

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Business seconds between two instants (0 when `end` is not after `start`)."""
        if end <= start:
            return 0
        total = sum((closing - opening for opening, closing in self.open_intervals(start, end)), timedelta())
        return math.floor(total.total_seconds())

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant `seconds` business seconds after `start` (`start` itself for 0).

        A result that falls exactly at a closing time is that closing time, not the next opening.
        """
        if seconds < 0:
            raise CalendarError("cannot add a negative business time")
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return start
        window_start = start
        for _ in range(0, MAX_SEARCH_DAYS, WINDOW_DAYS):
            window_end = window_start + timedelta(days=WINDOW_DAYS)
            for opening, closing in self.open_intervals(window_start, window_end):
                if closing - opening >= remaining:
                    return opening + remaining
                remaining -= closing - opening
            window_start = window_end
        raise CalendarError(f"the calendar is not open for {seconds} seconds within {MAX_SEARCH_DAYS} days")

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` lies inside opening hours."""
        return any(True for _ in self.open_intervals(moment, moment + timedelta(microseconds=1)))


def _merge(intervals: Sequence[tuple[datetime, datetime]]) -> Iterator[tuple[datetime, datetime]]:
    """Merge sorted, possibly overlapping or touching intervals."""
    current: tuple[datetime, datetime] | None = None
    for opening, closing in intervals:
        if current is not None and opening <= current[1]:
            current = (current[0], max(current[1], closing))
            continue
        if current is not None:
            yield current
        current = (opening, closing)
    if current is not None:
        yield current
