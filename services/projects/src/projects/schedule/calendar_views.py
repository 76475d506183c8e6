"""HTTP resources of working calendars: /api/v1/work-calendars."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.fields import Timestamp
from projects.http import created, etag
from projects.roles import PLANNERS
from projects.schedule import calendars
from projects.schedule.models import WEEKDAYS

blp = crmkit.Blueprint(
    "work_calendars",
    __name__,
    url_prefix="/api/v1/work-calendars",
    description="Working days and holidays that projects plan in.",
)


class HolidaySchema(crmkit.Schema):
    date = ma.fields.Date(required=True)
    name = ma.fields.String(validate=ma.validate.Length(1, 100))


class CalendarWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    work_days = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.OneOf(WEEKDAYS)),
        validate=ma.validate.Length(1, 7),
        metadata={"description": "ISO weekdays, Monday = 1 ... Sunday = 7"},
    )
    holidays = ma.fields.List(ma.fields.Nested(HolidaySchema), validate=ma.validate.Length(max=2000))


class CalendarCreateSchema(CalendarWriteSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    work_days = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.OneOf(WEEKDAYS)),
        load_default=lambda: [1, 2, 3, 4, 5],
        validate=ma.validate.Length(1, 7),
    )
    holidays = ma.fields.List(ma.fields.Nested(HolidaySchema), load_default=list)


class CalendarSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    work_days = ma.fields.List(ma.fields.Integer())
    holidays = ma.fields.List(ma.fields.Dict())
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class CalendarQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(("name", "-name")))


@blp.route("")
class WorkCalendars(MethodView):
    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(CalendarSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List working calendars."""
        return calendars.list_calendars(uow=current_uow(), query=query)

    @crmkit.require_roles(*PLANNERS)
    @blp.arguments(CalendarCreateSchema)
    @blp.response(201, CalendarSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Define a working calendar (project managers, management)."""
        calendar = calendars.create_calendar(uow=current_uow(), data=data)
        location = url_for("work_calendars.WorkCalendarById", calendar_id=calendar.id)
        return calendar, created(location, calendar.version)


@blp.route("/<calendar_id>")
class WorkCalendarById(MethodView):
    @blp.response(200, CalendarSchema)
    def get(self, calendar_id: str) -> Any:
        """Read a working calendar."""
        calendar = calendars.get_calendar(uow=current_uow(), calendar_id=calendar_id)
        return calendar, etag(calendar.version)

    @crmkit.require_roles(*PLANNERS)
    @blp.arguments(CalendarWriteSchema)
    @blp.response(200, CalendarSchema)
    def patch(self, data: dict[str, Any], calendar_id: str) -> Any:
        """Change a calendar (send If-Match); projects planned on it are rescheduled."""
        calendar = calendars.update_calendar(
            uow=current_uow(), calendar_id=calendar_id, data=data, expected_version=crmkit.expected_version()
        )
        return calendar, etag(calendar.version)

    @crmkit.require_roles(*PLANNERS)
    @blp.response(204)
    def delete(self, calendar_id: str) -> None:
        """Remove a calendar no project uses (send If-Match)."""
        calendars.delete_calendar(
            uow=current_uow(), calendar_id=calendar_id, expected_version=crmkit.expected_version()
        )
