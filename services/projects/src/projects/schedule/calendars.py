"""Working calendar use cases: /api/v1/work-calendars. Changing one reschedules the projects that use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.projects.errors import ProjectInvalid
from projects.projects.models import Project
from projects.schedule.errors import CalendarDuplicate, CalendarInUse, CalendarNotFound
from projects.schedule.models import WorkCalendar
from projects.schedule.service import reschedule


def load_calendar(session: Session, calendar_id: str) -> WorkCalendar:
    calendar = session.get(WorkCalendar, calendar_id)
    if calendar is None:
        raise CalendarNotFound(f"There is no working calendar {calendar_id}.")
    return calendar


def get_calendar(*, uow: crmkit.UnitOfWork, calendar_id: str) -> WorkCalendar:
    """Read a working calendar."""
    with uow:
        return load_calendar(uow.session, calendar_id)


def list_calendars(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through the working calendars by name."""
    sort = crmkit.parse_sort(query["sort"], {"name": WorkCalendar.name}, "name", WorkCalendar.id)
    with uow:
        return crmkit.paginate(
            uow.session, sa.select(WorkCalendar), sort=sort, cursor=query["cursor"], limit=query["limit"]
        )


def create_calendar(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> WorkCalendar:
    """Define a working calendar (work days of the week and holidays)."""
    now = utcnow()
    with uow:
        calendar = WorkCalendar(created_at=now, updated_at=now, **_stored(data))
        uow.session.add(calendar)
        _flush_unique(uow.session, data.get("name", ""))
        uow.commit()
    return calendar


def update_calendar(
    *, uow: crmkit.UnitOfWork, calendar_id: str, data: Mapping[str, Any], expected_version: int
) -> WorkCalendar:
    """Change a calendar; every open project planned on it is rescheduled."""
    with uow:
        session = uow.session
        calendar = load_calendar(session, calendar_id)
        crmkit.check_version(calendar.version, expected_version)
        for field, value in _stored(data).items():
            setattr(calendar, field, value)
        calendar.updated_at = utcnow()
        _flush_unique(session, data.get("name", ""))
        for project in _projects_on(session, calendar.id):
            reschedule(session, project, [])
        uow.commit()
    return calendar


def delete_calendar(*, uow: crmkit.UnitOfWork, calendar_id: str, expected_version: int) -> None:
    """Remove a calendar no project uses."""
    with uow:
        session = uow.session
        calendar = load_calendar(session, calendar_id)
        crmkit.check_version(calendar.version, expected_version)
        if session.scalar(sa.select(Project.id).where(Project.calendar_id == calendar.id).limit(1)):
            raise CalendarInUse("Projects are planned on this calendar; move them to another one first.")
        session.delete(calendar)
        uow.commit()


def check_calendar_exists(session: Session, calendar_id: str | None) -> None:
    """A project may name only an existing calendar (problem on `calendar_id`)."""
    if calendar_id and session.get(WorkCalendar, calendar_id) is None:
        raise ProjectInvalid(
            f"There is no working calendar {calendar_id}.",
            errors=[{"field": "calendar_id", "message": "no such working calendar", "in": "json"}],
        )


def _stored(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "work_days" in values:
        values["work_days"] = sorted(set(values["work_days"]))
    if "holidays" in values:
        holidays = {item["date"]: item.get("name") for item in values["holidays"]}
        values["holidays"] = [
            {"date": day.isoformat(), "name": name} for day, name in sorted(holidays.items())
        ]
    return values


def _flush_unique(session: Session, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise CalendarDuplicate(
            f"A working calendar named {name!r} exists.",
            errors=[{"field": "name", "message": "already taken", "in": "json"}],
        ) from None


def _projects_on(session: Session, calendar_id: str) -> list[Project]:
    stmt = sa.select(Project).where(Project.calendar_id == calendar_id, Project.status != "closed")
    return list(session.scalars(stmt))
