"""Business-time arithmetic: opening hours, time zones with DST, holidays, overnight and weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service_desk.calendars.hours import BusinessCalendar, CalendarError, Hours

HOUR = 3600
NINE_TO_FIVE = [{"start": "09:00", "end": "17:00"}]
WEEKDAYS_9_17 = {day: NINE_TO_FIVE for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def calendar(
    weekly: dict[str, list[dict[str, str]]] | None = None,
    zone: str = "UTC",
    holidays: tuple[date, ...] = (),
) -> BusinessCalendar:
    return BusinessCalendar.from_definition(zone, weekly or WEEKDAYS_9_17, holidays)


# --- plain weekdays in UTC --------------------------------------------------------------------------


def test_counts_only_opening_hours_within_one_day() -> None:
    # Monday 2026-11-23
    assert calendar().business_seconds(utc(2026, 11, 23, 8), utc(2026, 11, 23, 18)) == 8 * HOUR
    assert calendar().business_seconds(utc(2026, 11, 23, 10), utc(2026, 11, 23, 11, 30)) == 90 * 60


def test_counts_nothing_for_reversed_or_empty_ranges() -> None:
    assert calendar().business_seconds(utc(2026, 11, 23, 12), utc(2026, 11, 23, 10)) == 0
    assert calendar().business_seconds(utc(2026, 11, 23, 12), utc(2026, 11, 23, 12)) == 0


def test_adds_within_the_same_day() -> None:
    assert calendar().add(utc(2026, 11, 23, 10), 2 * HOUR) == utc(2026, 11, 23, 12)


def test_adding_zero_returns_the_start_even_when_closed() -> None:
    assert calendar().add(utc(2026, 11, 23, 3), 0) == utc(2026, 11, 23, 3)


def test_adds_from_before_opening_starting_at_the_opening() -> None:
    assert calendar().add(utc(2026, 11, 23, 6), HOUR) == utc(2026, 11, 23, 10)


def test_result_at_closing_time_stays_at_closing_time() -> None:
    assert calendar().add(utc(2026, 11, 23, 9), 8 * HOUR) == utc(2026, 11, 23, 17)


def test_carries_over_into_the_next_day() -> None:
    assert calendar().add(utc(2026, 11, 23, 16), 2 * HOUR) == utc(2026, 11, 24, 10)


def test_skips_the_weekend() -> None:
    # Friday 2026-11-27 16:00 + 2h -> Monday 2026-11-30 10:00
    assert calendar().add(utc(2026, 11, 27, 16), 2 * HOUR) == utc(2026, 11, 30, 10)
    assert calendar().business_seconds(utc(2026, 11, 27, 16), utc(2026, 11, 30, 10)) == 2 * HOUR


def test_starting_on_a_weekend_begins_on_monday() -> None:
    assert calendar().add(utc(2026, 11, 28, 12), 30 * 60) == utc(2026, 11, 30, 9, 30)
    assert calendar().business_seconds(utc(2026, 11, 28, 0), utc(2026, 11, 29, 23, 59)) == 0


def test_spans_several_weeks() -> None:
    # 40 business hours a week: 100 hours from Monday 09:00 = 2.5 weeks -> Wednesday of week 3, 13:00.
    assert calendar().add(utc(2026, 11, 23, 9), 100 * HOUR) == utc(2026, 12, 9, 13)
    assert calendar().business_seconds(utc(2026, 11, 23, 9), utc(2026, 12, 9, 13)) == 100 * HOUR


def test_several_intervals_a_day_skip_the_lunch_break() -> None:
    split = [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]
    cal = calendar({"mon": split, "tue": split})
    assert cal.add(utc(2026, 11, 23, 11), 2 * HOUR) == utc(2026, 11, 23, 14)
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 24, 0)) == 8 * HOUR
    assert not cal.is_open(utc(2026, 11, 23, 12, 30))
    assert cal.is_open(utc(2026, 11, 23, 13))


def test_add_and_between_are_inverse() -> None:
    cal = calendar(zone="Europe/Berlin")
    start = utc(2026, 11, 23, 7, 13, 5)
    for seconds in (1, 59, HOUR, 7 * HOUR + 17, 40 * HOUR, 123_457):
        assert cal.business_seconds(start, cal.add(start, seconds)) == seconds


# --- overnight and round-the-clock --------------------------------------------------------------------


def test_overnight_interval_runs_into_the_next_day() -> None:
    cal = calendar({"mon": [{"start": "22:00", "end": "06:00"}]})
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 25, 0)) == 8 * HOUR
    assert cal.is_open(utc(2026, 11, 24, 3))  # Tuesday 03:00 belongs to Monday's shift
    assert not cal.is_open(utc(2026, 11, 24, 23))
    assert cal.add(utc(2026, 11, 23, 23), 5 * HOUR) == utc(2026, 11, 24, 4)


def test_overnight_interval_from_sunday_reaches_monday() -> None:
    cal = calendar({"sun": [{"start": "20:00", "end": "02:00"}]})
    assert cal.add(utc(2026, 11, 29, 21), 4 * HOUR) == utc(2026, 11, 30, 1)
    assert cal.business_seconds(utc(2026, 11, 30, 0), utc(2026, 11, 30, 12)) == 2 * HOUR


def test_overlapping_overnight_and_morning_hours_count_once() -> None:
    cal = calendar({"mon": [{"start": "20:00", "end": "08:00"}], "tue": [{"start": "06:00", "end": "10:00"}]})
    # Monday 20:00 .. Tuesday 10:00 = 14 hours, not 16.
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 25, 0)) == 14 * HOUR


def test_until_midnight_and_whole_days() -> None:
    cal = calendar({"sat": [{"start": "18:00", "end": "24:00"}], "sun": [{"start": "00:00", "end": "24:00"}]})
    assert cal.business_seconds(utc(2026, 11, 28, 0), utc(2026, 11, 30, 0)) == 30 * HOUR
    assert cal.add(utc(2026, 11, 28, 23), 2 * HOUR) == utc(2026, 11, 29, 1)


def test_always_open_counts_wall_clock_time() -> None:
    cal = BusinessCalendar.always_open()
    assert cal.add(utc(2026, 11, 28, 23), 50 * HOUR) == utc(2026, 12, 1, 1)
    assert cal.business_seconds(utc(2026, 11, 28, 23), utc(2026, 12, 1, 1)) == 50 * HOUR


# --- holidays ------------------------------------------------------------------------------------------


def test_holiday_is_closed_all_day() -> None:
    cal = calendar(holidays=(date(2026, 11, 24),))
    assert cal.add(utc(2026, 11, 23, 16), 2 * HOUR) == utc(2026, 11, 25, 10)
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 26, 0)) == 16 * HOUR


def test_holidays_before_a_weekend_extend_the_closure() -> None:
    christmas = (date(2026, 12, 24), date(2026, 12, 25))  # Thursday and Friday
    cal = calendar(holidays=christmas)
    assert cal.add(utc(2026, 12, 23, 16), 2 * HOUR) == utc(2026, 12, 28, 10)


def test_holiday_closes_the_overnight_interval_starting_on_it() -> None:
    cal = calendar(
        {"mon": [{"start": "22:00", "end": "06:00"}], "tue": [{"start": "22:00", "end": "06:00"}]},
        holidays=(date(2026, 11, 23),),
    )
    # Monday's shift (into Tuesday) is closed; Tuesday's shift (into Wednesday) is open.
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 26, 0)) == 8 * HOUR
    assert cal.add(utc(2026, 11, 23, 12), HOUR) == utc(2026, 11, 24, 23)


def test_holiday_is_a_local_date() -> None:
    # Tokyo is UTC+9: the holiday 2026-11-24 runs from 2026-11-23 15:00 to 2026-11-24 15:00 UTC.
    cal = calendar(
        {"mon": [{"start": "00:00", "end": "24:00"}], "tue": [{"start": "00:00", "end": "24:00"}]},
        zone="Asia/Tokyo",
        holidays=(date(2026, 11, 24),),
    )
    assert cal.is_open(utc(2026, 11, 23, 14, 59))
    assert not cal.is_open(utc(2026, 11, 23, 15, 0))


def test_a_calendar_of_holidays_only_cannot_reach_a_target() -> None:
    everything = tuple(date(2026, 1, 1) + timedelta(days=n) for n in range(366 * 6))
    cal = calendar(holidays=everything)
    with pytest.raises(CalendarError):
        cal.add(utc(2026, 1, 1), HOUR)


# --- time zones and DST -------------------------------------------------------------------------------


def test_opening_hours_are_local_time() -> None:
    cal = calendar(zone="America/New_York")  # EST = UTC-5 in November
    assert cal.add(utc(2026, 11, 23, 13), HOUR) == utc(2026, 11, 23, 15)  # opens 14:00 UTC
    assert cal.business_seconds(utc(2026, 11, 23, 0), utc(2026, 11, 24, 0)) == 8 * HOUR


def test_local_hours_move_with_summer_time() -> None:
    cal = calendar(zone="Europe/Berlin")
    # Winter: 09:00 CET = 08:00 UTC; summer: 09:00 CEST = 07:00 UTC.
    assert cal.add(utc(2026, 1, 5, 0), 1) == utc(2026, 1, 5, 8, 0, 1)
    assert cal.add(utc(2026, 7, 6, 0), 1) == utc(2026, 7, 6, 7, 0, 1)


def test_spring_forward_day_is_an_hour_shorter_round_the_clock() -> None:
    whole = {day: [{"start": "00:00", "end": "24:00"}] for day in ("sat", "sun", "mon")}
    cal = calendar(whole, zone="Europe/Berlin")
    # Sunday 2026-03-29 local midnight (CET) to Monday local midnight (CEST): 23 real hours.
    assert cal.business_seconds(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)) == 23 * HOUR


def test_fall_back_day_is_an_hour_longer_round_the_clock() -> None:
    whole = {day: [{"start": "00:00", "end": "24:00"}] for day in ("sat", "sun", "mon")}
    cal = calendar(whole, zone="Europe/Berlin")
    # Sunday 2026-10-25 local midnight (CEST) to Monday local midnight (CET): 25 real hours.
    assert cal.business_seconds(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)) == 25 * HOUR


def test_office_hours_across_the_spring_switch_stay_eight_hours_a_day() -> None:
    cal = calendar(zone="Europe/Berlin")
    # Friday 2026-03-27 16:00 CET (15:00 UTC) + 2h -> Monday 2026-03-30 10:00 CEST (08:00 UTC).
    assert cal.add(utc(2026, 3, 27, 15), 2 * HOUR) == utc(2026, 3, 30, 8)


def test_overnight_shift_over_the_fall_back_switch_is_an_hour_longer() -> None:
    cal = calendar({"sat": [{"start": "22:00", "end": "06:00"}]}, zone="Europe/Berlin")
    # Saturday 2026-10-24 22:00 CEST .. Sunday 06:00 CET = 9 real hours.
    assert cal.business_seconds(utc(2026, 10, 24, 0), utc(2026, 10, 26, 0)) == 9 * HOUR
    assert cal.add(utc(2026, 10, 24, 20), 9 * HOUR) == utc(2026, 10, 25, 5)


def test_overnight_shift_over_the_spring_switch_is_an_hour_shorter() -> None:
    cal = calendar({"sat": [{"start": "22:00", "end": "06:00"}]}, zone="Europe/Berlin")
    assert cal.business_seconds(utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)) == 7 * HOUR


def test_opening_inside_the_spring_gap_opens_when_the_gap_ends() -> None:
    cal = calendar({"sun": [{"start": "02:30", "end": "05:00"}]}, zone="Europe/Berlin")
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); open 03:00-05:00 CEST = 01:00-03:00 UTC.
    assert cal.business_seconds(utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)) == 2 * HOUR
    assert not cal.is_open(utc(2026, 3, 29, 0, 59))
    assert cal.is_open(utc(2026, 3, 29, 1, 0))


def test_interval_entirely_inside_the_spring_gap_is_empty() -> None:
    cal = calendar({"sun": [{"start": "02:10", "end": "02:50"}], "mon": NINE_TO_FIVE}, zone="Europe/Berlin")
    assert cal.business_seconds(utc(2026, 3, 28, 0), utc(2026, 3, 30, 0)) == 0


def test_ambiguous_opening_on_the_fall_back_day_uses_the_first_occurrence() -> None:
    cal = calendar({"sun": [{"start": "02:30", "end": "04:00"}]}, zone="Europe/Berlin")
    # 2026-10-25: 02:30 CEST = 00:30 UTC; 04:00 CET = 03:00 UTC -> 2.5 real hours.
    assert cal.business_seconds(utc(2026, 10, 24, 0), utc(2026, 10, 26, 0)) == 150 * 60


def test_southern_hemisphere_dst() -> None:
    cal = calendar(zone="Australia/Sydney")  # AEDT = UTC+11 in November
    assert cal.add(utc(2026, 11, 22, 21), HOUR) == utc(2026, 11, 22, 23)  # Monday 09:00 AEDT = Sun 22:00 UTC


# --- definitions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["9:00", "25:00", "09:60", "nine", "09-00"])
def test_refuses_malformed_times(bad: str) -> None:
    with pytest.raises(CalendarError):
        Hours.parse(bad, "17:00")


def test_refuses_an_interval_of_zero_length() -> None:
    with pytest.raises(CalendarError):
        Hours.parse("09:00", "09:00")


def test_refuses_a_calendar_never_open() -> None:
    with pytest.raises(CalendarError):
        calendar({"mon": []})


def test_refuses_negative_additions() -> None:
    with pytest.raises(CalendarError):
        calendar().add(utc(2026, 11, 23, 9), -1)
