"""Loading a project and the checks every cost/quality/control use case shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from projects.costs import evm
from projects.costs.models import CLOSED_PROJECT_STATUSES
from projects.projects.errors import ProjectNotFound
from projects.projects.models import Project
from projects.schedule.models import WorkCalendar
from projects.team.service import require_project_role


def load_project(session: Session, project_id: str) -> Project:
    """The project, or 404."""
    project = session.get(Project, project_id)
    if project is None:
        raise ProjectNotFound(f"There is no project {project_id}.")
    return project


def load_for(session: Session, project_id: str, principal: crmkit.Principal, roles: Iterable[str]) -> Project:
    """The project, after checking the caller holds one of `roles` on it (management and admin pass)."""
    project = load_project(session, project_id)
    require_project_role(session, project, principal, roles)
    return project


def refuse_if_closed(project: Project, problem: type[crmkit.Problem], what: str) -> None:
    """Refuse to book `what` on a completed or closed project."""
    if project.status in CLOSED_PROJECT_STATUSES:
        raise problem(
            f"Project {project.id} is {project.status}: no more {what} can be booked on it.",
            project_status=project.status,
        )


def child_of(
    session: Session, model: Any, project_id: str, entity_id: str, problem: type[crmkit.Problem]
) -> Any:
    """An entity of the project (404 with `problem` when missing or of another project)."""
    entity = session.get(model, entity_id)
    if entity is None or entity.project_id != project_id:
        raise problem(
            f"Project {project_id} has no {model.__tablename__[:-1].replace('_', ' ')} {entity_id}."
        )
    return entity


def page_of(
    session: Session,
    model: Any,
    project_id: str,
    query: Mapping[str, Any],
    *,
    filters: Iterable[str] = (),
    sort_column: str = "created_at",
) -> crmkit.Page:
    """One page of a project's entities, filtered by equal columns, newest first unless sorted otherwise."""
    stmt = sa.select(model).where(model.project_id == project_id)
    for name in filters:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(model, name) == query[name])
    sort = crmkit.parse_sort(
        query.get("sort"), {sort_column: getattr(model, sort_column)}, f"-{sort_column}", model.id
    )
    return crmkit.paginate(session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def project_calendar(session: Session, project: Project) -> evm.IsWorkingDay:
    """The project's working calendar (work days and holidays), Monday to Friday without one."""
    calendar = session.get(WorkCalendar, project.calendar_id) if project.calendar_id else None
    if calendar is None:
        return evm.weekdays
    work_days = set(calendar.work_days)
    holidays = {
        date.fromisoformat(item["date"] if isinstance(item, dict) else item) for item in calendar.holidays
    }
    return lambda day: day.isoweekday() in work_days and day not in holidays


def shift_working_days(day: date, days: int, is_working_day: evm.IsWorkingDay) -> date:
    """The date `days` working days after (or before, when negative) `day`."""
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    while remaining:
        day += step
        remaining -= is_working_day(day)
    return day
