"""Working calendars: weekends and holidays are skipped both ways between dates and day numbers."""

from __future__ import annotations

from datetime import date

import pytest

from projects.schedule.calendar import WorkingCalendar

MON_FRI = (1, 2, 3, 4, 5)


def test_working_days_are_numbered_from_the_origin_skipping_weekends() -> None:
    calendar = WorkingCalendar(MON_FRI, [], date(2026, 3, 2))  # a Monday
    assert [calendar.date_of(n) for n in (0, 4, 5)] == [date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 9)]
    assert calendar.number_of(date(2026, 3, 9)) == 5


def test_a_weekend_day_counts_as_the_next_working_day() -> None:
    calendar = WorkingCalendar(MON_FRI, [], date(2026, 3, 2))
    assert calendar.number_of(date(2026, 3, 7)) == calendar.number_of(date(2026, 3, 9)) == 5


def test_an_origin_on_a_weekend_starts_on_the_following_monday() -> None:
    calendar = WorkingCalendar(MON_FRI, [], date(2026, 2, 28))  # a Saturday
    assert calendar.origin == date(2026, 3, 2) and calendar.number_of(date(2026, 2, 1)) == 0


def test_holidays_are_skipped() -> None:
    calendar = WorkingCalendar(MON_FRI, [date(2026, 4, 3), date(2026, 4, 6)], date(2026, 4, 1))
    # Wed 1, Thu 2, (Good Friday, weekend, Easter Monday), Tue 7
    assert calendar.date_of(2) == date(2026, 4, 7)
    assert calendar.finish_date(0, 3) == date(2026, 4, 7)
    assert calendar.working_days_between(date(2026, 4, 1), date(2026, 4, 7)) == 3


def test_a_six_day_week_works_saturdays() -> None:
    calendar = WorkingCalendar((1, 2, 3, 4, 5, 6), [], date(2026, 3, 2))
    assert calendar.date_of(5) == date(2026, 3, 7)


def test_a_milestone_finishes_on_its_start_day() -> None:
    calendar = WorkingCalendar(MON_FRI, [], date(2026, 3, 2))
    assert calendar.finish_date(4, 0) == date(2026, 3, 6)


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="working weekday"):
        WorkingCalendar((), [], date(2026, 3, 2))
