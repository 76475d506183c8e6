"""Business calendar use cases: each opens the unit of work, applies the rules, commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.calendars.errors import CalendarInUse, CalendarNameTaken, CalendarNotFound
from service_desk.calendars.models import Calendar

SORT_COLUMNS = {"name": Calendar.name}


def list_calendars(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through the calendars by name."""
    sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "name", Calendar.id)
    with uow:
        return crmkit.paginate(
            uow.session, sa.select(Calendar), sort=sort, cursor=query["cursor"], limit=query["limit"]
        )


def get_calendar(*, uow: crmkit.UnitOfWork, calendar_id: str) -> Calendar:
    with uow:
        return load_calendar(uow.session, calendar_id)


def create_calendar(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> Calendar:
    """Define a calendar: weekly hours in a time zone, holidays."""
    now = clock.now()
    with uow:
        _refuse_taken_name(uow.session, data["name"], None)
        calendar = Calendar(created_at=now, updated_at=now, **_stored(data))
        uow.session.add(calendar)
        uow.commit()
    return calendar


def update_calendar(
    *, uow: crmkit.UnitOfWork, calendar_id: str, data: Mapping[str, Any], expected_version: int
) -> Calendar:
    """Change a calendar; running SLA clocks on it get their due times recomputed from now on."""
    with uow:
        calendar = load_calendar(uow.session, calendar_id)
        crmkit.check_version(calendar.version, expected_version)
        if "name" in data:
            _refuse_taken_name(uow.session, data["name"], calendar.id)
        for field, value in _stored(data).items():
            setattr(calendar, field, value)
        calendar.updated_at = clock.now()
        uow.flush()
        _refresh_clocks(uow.session, calendar.id)
        uow.commit()
    return calendar


def delete_calendar(*, uow: crmkit.UnitOfWork, calendar_id: str, expected_version: int) -> None:
    """Delete a calendar no SLA policy uses."""
    from service_desk.sla.models import SlaPolicy

    with uow:
        calendar = load_calendar(uow.session, calendar_id)
        crmkit.check_version(calendar.version, expected_version)
        users = uow.session.scalars(sa.select(SlaPolicy.id).where(SlaPolicy.calendar_id == calendar_id)).all()
        if users:
            raise CalendarInUse(f"{len(users)} SLA policies use this calendar.", policy_ids=list(users))
        uow.session.delete(calendar)
        uow.commit()


def business_time(*, uow: crmkit.UnitOfWork, calendar_id: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """Business seconds between two instants, or the instant N business seconds after `start`."""
    with uow:
        hours = load_calendar(uow.session, calendar_id).hours()
    start: datetime = query["start"]
    if "end" in query:
        return {
            "start": start,
            "end": query["end"],
            "business_seconds": hours.business_seconds(start, query["end"]),
        }
    return {
        "start": start,
        "end": hours.add(start, query["add_seconds"]),
        "business_seconds": query["add_seconds"],
    }


def load_calendar(session: Session, calendar_id: str) -> Calendar:
    calendar = session.get(Calendar, calendar_id)
    if calendar is None:
        raise CalendarNotFound(f"There is no business calendar {calendar_id}.")
    return calendar


def _stored(data: Mapping[str, Any]) -> dict[str, Any]:
    """The request's fields in their stored shape (dates as ISO strings)."""
    stored = dict(data)
    if "holidays" in stored:
        stored["holidays"] = sorted(
            ({"date": _iso(item["date"]), "name": item.get("name", "")} for item in stored["holidays"]),
            key=lambda item: item["date"],
        )
    if "weekly_hours" in stored:
        stored["weekly_hours"] = {day: list(items) for day, items in stored["weekly_hours"].items() if items}
    return stored


def _iso(day: date) -> str:
    return day.isoformat()


def _refuse_taken_name(session: Session, name: str, own_id: str | None) -> None:
    other = session.scalars(sa.select(Calendar.id).where(Calendar.name == name)).first()
    if other is not None and other != own_id:
        raise CalendarNameTaken(
            f"A calendar named {name!r} exists.",
            errors=[{"field": "name", "message": "is taken", "in": "json"}],
        )


def _refresh_clocks(session: Session, calendar_id: str) -> None:
    """Recompute the cached due instants of open clocks on this calendar (the sweep relies on them)."""
    from service_desk.sla import clocks
    from service_desk.sla.models import SlaClock

    lookup = clocks.calendars(session)
    stmt = sa.select(SlaClock).where(SlaClock.calendar_id == calendar_id, SlaClock.status == "running")
    for sla_clock in session.scalars(stmt):
        clocks.refresh(sla_clock, lookup(calendar_id))
