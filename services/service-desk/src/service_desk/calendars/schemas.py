"""Business calendar schemas: weekly opening hours per weekday, a time zone, holidays."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import marshmallow as ma

import crmkit
from service_desk.calendars.hours import WEEKDAYS, CalendarError, Hours
from service_desk.fields import Timestamp

MAX_INTERVALS_A_DAY = 6
MAX_HOLIDAYS = 500
TIME_OF_DAY = ma.validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="must be a time of day HH:MM")


class IntervalSchema(crmkit.Schema):
    start = ma.fields.String(required=True, validate=TIME_OF_DAY, metadata={"example": "08:00"})
    end = ma.fields.String(
        required=True,
        validate=TIME_OF_DAY,
        metadata={
            "example": "17:00",
            "description": "24:00 = midnight; an end before the start runs overnight",
        },
    )

    @ma.validates_schema
    def _not_empty(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") == "24:00":
            raise ma.ValidationError("an interval cannot start at 24:00; use 00:00", field_name="start")
        try:
            Hours.parse(data["start"], data["end"])
        except (CalendarError, KeyError) as error:
            raise ma.ValidationError(str(error), field_name="end") from None


class HolidaySchema(crmkit.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "A local date the desk is closed"})
    name = ma.fields.String(load_default="", validate=ma.validate.Length(0, 100))


def _day() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(IntervalSchema), validate=ma.validate.Length(0, MAX_INTERVALS_A_DAY)
    )


class WeeklyHoursSchema(crmkit.Schema):
    """Opening intervals per weekday (local time); a weekday left out is closed."""

    mon, tue, wed, thu, fri, sat, sun = (_day() for _ in WEEKDAYS)


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ma.ValidationError("must be an IANA time zone such as Europe/Berlin") from None


class CalendarWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    timezone = ma.fields.String(validate=[ma.validate.Length(1, 64), _check_zone])
    weekly_hours = ma.fields.Nested(WeeklyHoursSchema)
    holidays = ma.fields.List(ma.fields.Nested(HolidaySchema), validate=ma.validate.Length(0, MAX_HOLIDAYS))

    @ma.validates_schema
    def _open_sometimes(self, data: dict[str, Any], **_: Any) -> None:
        if "weekly_hours" in data and not any(data["weekly_hours"].values()):
            raise ma.ValidationError(
                "the calendar must be open at least once a week", field_name="weekly_hours"
            )


class CalendarCreateSchema(CalendarWriteSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    timezone = ma.fields.String(required=True, validate=[ma.validate.Length(1, 64), _check_zone])
    weekly_hours = ma.fields.Nested(WeeklyHoursSchema, required=True)
    holidays = ma.fields.List(
        ma.fields.Nested(HolidaySchema), load_default=list, validate=ma.validate.Length(0, MAX_HOLIDAYS)
    )


class CalendarUpdateSchema(CalendarWriteSchema):
    """Fields to change; weekly_hours and holidays are replaced as a whole."""


class CalendarSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    timezone = ma.fields.String()
    weekly_hours = ma.fields.Dict()
    holidays = ma.fields.List(ma.fields.Dict())
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class CalendarQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(("name", "-name")))


class BusinessTimeQuerySchema(crmkit.Schema):
    """Ask the calendar: business seconds between two instants, or the instant N business seconds after."""

    start = Timestamp(required=True)
    end = Timestamp(metadata={"description": "with end: business seconds between start and end"})
    add_seconds = ma.fields.Integer(
        validate=ma.validate.Range(0, 10 * 365 * 86400),
        metadata={"description": "with add_seconds: the instant this many business seconds after start"},
    )

    @ma.validates_schema
    def _one_question(self, data: dict[str, Any], **_: Any) -> None:
        if ("end" in data) == ("add_seconds" in data):
            raise ma.ValidationError("give either end or add_seconds", field_name="end")


class BusinessTimeSchema(crmkit.Schema):
    start = Timestamp()
    end = Timestamp()
    business_seconds = ma.fields.Integer()
