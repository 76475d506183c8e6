"""Business-time arithmetic checked against its laws on many seeded random calendars (time zones with
DST in both hemispheres, overnight intervals, holidays): add and between are inverse, between is additive,
add is monotonic, and a brute-force count (minute by minute, via is_open) agrees with between."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from service_desk.calendars.hours import WEEKDAYS, BusinessCalendar

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")
# DST switch days of 2026 (and their neighbours), where the bugs would be.
SWITCHES = (
    datetime(2026, 3, 8, tzinfo=UTC),  # New York spring
    datetime(2026, 3, 29, tzinfo=UTC),  # Berlin spring
    datetime(2026, 4, 5, tzinfo=UTC),  # Sydney autumn
    datetime(2026, 10, 4, tzinfo=UTC),  # Sydney spring
    datetime(2026, 10, 25, tzinfo=UTC),  # Berlin autumn
    datetime(2026, 11, 1, tzinfo=UTC),  # New York autumn
)


def random_calendar(rng: random.Random) -> BusinessCalendar:
    weekly: dict[str, list[dict[str, str]]] = {}
    for day in WEEKDAYS:
        if rng.random() < 0.25:
            continue
        start = rng.randrange(0, 24 * 4) * 15
        length = rng.randrange(1, 20 * 4) * 15
        end = (start + length) % (24 * 60)
        weekly[day] = [{"start": f"{start // 60:02}:{start % 60:02}", "end": f"{end // 60:02}:{end % 60:02}"}]
    if not weekly:
        weekly["wed"] = [{"start": "09:00", "end": "17:00"}]
    holidays = [date(2026, 1, 1) + timedelta(days=rng.randrange(365)) for _ in range(rng.randrange(0, 15))]
    return BusinessCalendar.from_definition(rng.choice(ZONES), weekly, holidays)


def random_start(rng: random.Random) -> datetime:
    anchor = rng.choice(SWITCHES) if rng.random() < 0.7 else datetime(2026, 1, 1, tzinfo=UTC)
    return anchor + timedelta(minutes=rng.randrange(-3 * 24 * 60, 3 * 24 * 60))


@pytest.mark.parametrize("seed", range(40))
def test_add_and_between_are_inverse_additive_and_monotonic(seed: int) -> None:
    rng = random.Random(seed)
    calendar = random_calendar(rng)
    for _ in range(10):
        start = random_start(rng)
        short, long = sorted(rng.randrange(0, 5 * 24 * 3600) for _ in range(2))
        early, late = calendar.add(start, short), calendar.add(start, long)
        assert early <= late
        assert calendar.business_seconds(start, early) == short
        assert calendar.business_seconds(start, late) == long
        assert calendar.business_seconds(start, early) + calendar.business_seconds(early, late) == long


@pytest.mark.parametrize("seed", range(12))
def test_between_agrees_with_counting_open_minutes(seed: int) -> None:
    rng = random.Random(1000 + seed)
    calendar = random_calendar(rng)
    start = random_start(rng).replace(second=0, microsecond=0)
    minutes = 3 * 24 * 60
    open_minutes = sum(calendar.is_open(start + timedelta(minutes=m)) for m in range(minutes))
    # Every opening and closing lies on a quarter hour, so whole minutes are open or closed throughout.
    assert calendar.business_seconds(start, start + timedelta(minutes=minutes)) == open_minutes * 60
