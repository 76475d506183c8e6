"""HTTP resources of business calendars: /api/v1/business-calendars."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.calendars import service
from service_desk.calendars.schemas import (
    BusinessTimeQuerySchema,
    BusinessTimeSchema,
    CalendarCreateSchema,
    CalendarQuerySchema,
    CalendarSchema,
    CalendarUpdateSchema,
)
from service_desk.http import created, etag
from service_desk.roles import MANAGERS

blp = crmkit.Blueprint(
    "business_calendars",
    __name__,
    url_prefix="/api/v1/business-calendars",
    description="Business hours: weekly opening hours in a time zone, holidays; SLA clocks count on them.",
)


@blp.route("")
class Calendars(MethodView):
    @blp.arguments(CalendarQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(CalendarSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List business calendars by name."""
        return service.list_calendars(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @blp.arguments(CalendarCreateSchema)
    @blp.response(201, CalendarSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Define a business calendar."""
        calendar = service.create_calendar(uow=current_uow(), data=data)
        location = url_for("business_calendars.CalendarById", calendar_id=calendar.id)
        return calendar, created(location, calendar.version)


@blp.route("/<calendar_id>")
class CalendarById(MethodView):
    @blp.response(200, CalendarSchema)
    def get(self, calendar_id: str) -> Any:
        """Read a business calendar."""
        calendar = service.get_calendar(uow=current_uow(), calendar_id=calendar_id)
        return calendar, etag(calendar.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(CalendarUpdateSchema)
    @blp.response(200, CalendarSchema)
    def patch(self, data: dict[str, Any], calendar_id: str) -> Any:
        """Change a business calendar (send If-Match with its ETag)."""
        calendar = service.update_calendar(
            uow=current_uow(), calendar_id=calendar_id, data=data, expected_version=crmkit.expected_version()
        )
        return calendar, etag(calendar.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, calendar_id: str) -> None:
        """Delete a business calendar no SLA policy uses (send If-Match with its ETag)."""
        service.delete_calendar(
            uow=current_uow(), calendar_id=calendar_id, expected_version=crmkit.expected_version()
        )


@blp.route("/<calendar_id>/business-time")
class CalendarBusinessTime(MethodView):
    @blp.arguments(BusinessTimeQuerySchema, location="query")
    @blp.response(200, BusinessTimeSchema)
    def get(self, query: dict[str, Any], calendar_id: str) -> Any:
        """Business seconds between start and end, or the instant add_seconds business seconds after start."""
        return service.business_time(uow=current_uow(), calendar_id=calendar_id, query=query)
