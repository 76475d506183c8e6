"""Attendance use cases: check in, check out, list stays, overtime per person and period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.attendance.errors import (
    AlreadyCheckedIn,
    AttendanceInvalid,
    AttendanceProjectClosed,
    NotCheckedIn,
)
from projects.attendance.models import AttendanceRecord
from projects.costs import evm
from projects.costs.guards import load_for, load_project, project_calendar, refuse_if_closed
from projects.projects.models import Project
from projects.team.service import CONTRIBUTE, PLAN

MAX_STAY = timedelta(hours=24)
MAX_PERIOD_DAYS = 366
SIXTY = Decimal(60)
CENTS = Decimal("0.01")


def check_in(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> AttendanceRecord:
    """Start a stay on a site (for yourself, or for someone else as project manager or technical lead)."""
    at = data.get("at") or utcnow()
    with uow:
        session = uow.session
        project, user_id = _load(session, project_id, data.get("user_id"), actor)
        refuse_if_closed(project, AttendanceProjectClosed, "attendance")
        open_record = _open_record(session, project.id, user_id)
        if open_record is not None:
            raise AlreadyCheckedIn(
                f"{user_id} is checked in at {open_record.site} since {open_record.check_in_at.isoformat()}.",
                record_id=open_record.id,
            )
        record = AttendanceRecord(
            project_id=project.id,
            user_id=user_id,
            site=data["site"],
            work_date=at.date(),
            check_in_at=at,
            recorded_by=actor.subject,
            created_at=utcnow(),
        )
        session.add(record)
        uow.commit()
    return record


def check_out(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> AttendanceRecord:
    """End the person's open stay; the minutes worked are recorded."""
    at = data.get("at") or utcnow()
    with uow:
        session = uow.session
        project, user_id = _load(session, project_id, data.get("user_id"), actor)
        record = _open_record(session, project.id, user_id)
        if record is None:
            raise NotCheckedIn(f"{user_id} is not checked in on project {project.id}.")
        if not record.check_in_at < at <= record.check_in_at + MAX_STAY:
            raise AttendanceInvalid(
                "A check-out follows its check-in, within 24 hours.",
                errors=[
                    {"field": "at", "message": "must be after the check-in and within 24 hours", "in": "json"}
                ],
            )
        record.check_out(at)
        uow.commit()
    return record


def _load(
    session: Session, project_id: str, user_id: str | None, actor: crmkit.Principal
) -> tuple[Project, str]:
    """The project and whose attendance it is: your own (team), someone else's (planners)."""
    if user_id is None or user_id == actor.subject:
        return load_for(session, project_id, actor, CONTRIBUTE), actor.subject
    return load_for(session, project_id, actor, PLAN), user_id


def _open_record(session: Session, project_id: str, user_id: str) -> AttendanceRecord | None:
    stmt = sa.select(AttendanceRecord).where(
        AttendanceRecord.project_id == project_id,
        AttendanceRecord.user_id == user_id,
        AttendanceRecord.check_out_at.is_(None),
    )
    return session.scalars(stmt.limit(1)).first()


def list_attendance(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's stays, latest check-in first, by person or site."""
    stmt = sa.select(AttendanceRecord).where(AttendanceRecord.project_id == project_id)
    for name in ("user_id", "site"):
        if query.get(name):
            stmt = stmt.where(getattr(AttendanceRecord, name) == query[name])
    sort = crmkit.parse_sort(
        query.get("sort"), {"check_in_at": AttendanceRecord.check_in_at}, "-check_in_at", AttendanceRecord.id
    )
    with uow:
        load_project(uow.session, project_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def overtime(
    *, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any], standard_day_hours: Decimal
) -> dict[str, Any]:
    """Worked and overtime hours per person and day: above the standard day on working days, all of it on
    days off (weekends and holidays of the project's calendar). Open stays do not count yet."""
    start, end = query["date_from"], query["date_to"]
    if end < start or (end - start).days > MAX_PERIOD_DAYS:
        raise AttendanceInvalid(
            "The period runs from `from` to `to`, at most a year.",
            errors=[
                {"field": "to", "message": "must not be before `from` nor a year after it", "in": "query"}
            ],
        )
    with uow:
        project = load_project(uow.session, project_id)
        calendar = project_calendar(uow.session, project)
        minutes = _minutes_per_person_day(uow.session, project.id, start, end, query.get("user_id"))
    people = [
        _person(user_id, days, calendar, standard_day_hours) for user_id, days in sorted(minutes.items())
    ]
    return {
        "project_id": project_id,
        "date_from": start,
        "date_to": end,
        "standard_day_hours": standard_day_hours,
        "people": people,
    }


def _minutes_per_person_day(
    session: Session, project_id: str, start: date, end: date, user_id: str | None
) -> dict[str, dict[date, int]]:
    stmt = (
        sa.select(
            AttendanceRecord.user_id, AttendanceRecord.work_date, sa.func.sum(AttendanceRecord.worked_minutes)
        )
        .where(
            AttendanceRecord.project_id == project_id,
            AttendanceRecord.work_date.between(start, end),
            AttendanceRecord.worked_minutes.is_not(None),
        )
        .group_by(AttendanceRecord.user_id, AttendanceRecord.work_date)
    )
    if user_id:
        stmt = stmt.where(AttendanceRecord.user_id == user_id)
    found: dict[str, dict[date, int]] = defaultdict(dict)
    for person, day, total in session.execute(stmt):
        found[person][day] = int(total or 0)
    return found


def _person(
    user_id: str, days: dict[date, int], calendar: evm.IsWorkingDay, standard: Decimal
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for day in sorted(days):
        worked = (Decimal(days[day]) / SIXTY).quantize(CENTS)
        working = calendar(day)
        extra = max(worked - standard, Decimal(0)) if working else worked
        rows.append({"date": day, "working_day": working, "worked_hours": worked, "overtime_hours": extra})
    standard_hours = standard * sum(1 for row in rows if row["working_day"])
    return {
        "user_id": user_id,
        "days_worked": len(rows),
        "worked_hours": sum((row["worked_hours"] for row in rows), Decimal(0)),
        "standard_hours": standard_hours,
        "overtime_hours": sum((row["overtime_hours"] for row in rows), Decimal(0)),
        "days": rows,
    }
