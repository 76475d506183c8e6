"""Task use cases: add, change, remove tasks of the WBS; each reschedules the plan and commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.projects.models import Project
from projects.projects.service import load_open_project, load_project
from projects.schedule import planner
from projects.schedule.errors import TaskHasChildren, TaskInvalid, TaskNotFound
from projects.schedule.models import Dependency, Task
from projects.schedule.service import record_milestone_reached, reschedule
from projects.team import service as team

MAX_TASKS = 20_000
PROGRESS_ONLY = frozenset({"progress_percent"})
DERIVED_ON_SUMMARY = ("planned_start", "planned_finish", "duration_days", "effort_hours", "progress_percent")
TASK_DEFAULTS = {
    "duration_days": 1,
    "effort_hours": Decimal("0"),
    "progress_percent": 0,
    "is_milestone": False,
}
SORT_COLUMNS = {"planned_start": Task.planned_start, "name": Task.name, "created_at": Task.created_at}


def load_task(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"There is no task {task_id}.")
    return task


def get_task(*, uow: crmkit.UnitOfWork, task_id: str) -> Task:
    """Read a task."""
    with uow:
        return load_task(uow.session, task_id)


def list_tasks(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's tasks, optionally only milestones or the children of one task."""
    stmt = sa.select(Task).where(Task.project_id == project_id)
    if query.get("parent"):
        parent = query["parent"]
        stmt = stmt.where(Task.parent_id.is_(None) if parent == "root" else Task.parent_id == parent)
    if query.get("milestone") is not None:
        stmt = stmt.where(Task.is_milestone.is_(query["milestone"]))
    sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "planned_start", Task.id)
    with uow:
        load_project(uow.session, project_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def create_task(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Task:
    """Add a task, subtask or milestone; it is scheduled at once (dependencies come separately)."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.PLAN)
        task = add_task(session, project, data)
        reschedule(session, project, [task.id])
        uow.commit()
    return task


def add_task(session: Session, project: Project, data: Mapping[str, Any]) -> Task:
    """Add a task to the session (scheduled by the caller's reschedule); checks parent and plan size."""
    fields = {**TASK_DEFAULTS, **data}
    _check_size(session, project.id)
    parent_id = fields.get("parent_id")
    if parent_id:
        _check_parent(session, project.id, parent_id)
    now = utcnow()
    start = fields.pop("planned_start", None)
    finish = fields.pop("planned_finish", None)
    task = Task(
        project_id=project.id,
        position=fields.pop("position", None) or _next_position(session, project.id, parent_id),
        start_constraint=start,
        planned_start=start or project.start_date,
        planned_finish=start or project.start_date,
        created_at=now,
        updated_at=now,
        **fields,
    )
    if task.is_milestone:
        task.duration_days = 0
    elif finish is not None:
        task.duration_days = _duration_until(session, project, start, finish, "planned_finish")
    _place(session, project, task)
    _mark_completed(task)
    session.add(task)
    session.flush()
    return task


def update_task(
    *,
    uow: crmkit.UnitOfWork,
    task_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Task:
    """Move, resize or progress a task; dependants are rescheduled, a completed milestone is announced."""
    with uow:
        session = uow.session
        task = load_task(session, task_id)
        project = load_open_project(session, task.project_id)
        roles = team.CONTRIBUTE if set(data) <= PROGRESS_ONLY else team.PLAN
        team.require_project_role(session, project, actor, roles)
        crmkit.check_version(task.version, expected_version)
        was_completed = task.completed_at is not None
        _apply(session, project, task, dict(data))
        task.updated_at = utcnow()
        session.flush()
        reschedule(session, project, [task.id])
        if task.is_milestone and task.completed_at is not None and not was_completed:
            record_milestone_reached(session, project, task)
        uow.commit()
    return task


def delete_task(
    *, uow: crmkit.UnitOfWork, task_id: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Remove a task without subtasks, with its dependencies; dependants may move earlier."""
    with uow:
        session = uow.session
        task = load_task(session, task_id)
        project = load_open_project(session, task.project_id)
        team.require_project_role(session, project, actor, team.PLAN)
        crmkit.check_version(task.version, expected_version)
        if session.scalar(sa.select(Task.id).where(Task.parent_id == task.id).limit(1)):
            raise TaskHasChildren(f"Task {task.id} has subtasks; remove or move them first.")
        successors = list(
            session.scalars(sa.select(Dependency.successor_id).where(Dependency.predecessor_id == task.id))
        )
        session.execute(
            sa.delete(Dependency).where(
                sa.or_(Dependency.predecessor_id == task.id, Dependency.successor_id == task.id)
            )
        )
        session.delete(task)
        session.flush()
        reschedule(session, project, successors)
        uow.commit()


def _apply(session: Session, project: Project, task: Task, fields: dict[str, Any]) -> None:
    if task.is_summary:
        for field in DERIVED_ON_SUMMARY:
            if field in fields:
                raise _invalid(field, "a summary task's dates, effort and progress roll up from its subtasks")
    if "planned_start" in fields:
        task.start_constraint = fields.pop("planned_start")
    finish = fields.pop("planned_finish", None)
    if task.is_milestone and fields.get("duration_days"):
        raise _invalid("duration_days", "a milestone has no duration")
    for field, value in fields.items():
        setattr(task, field, value)
    if finish is not None and not task.is_milestone:
        start = task.start_constraint or task.planned_start
        task.duration_days = _duration_until(session, project, start, finish, "planned_finish")
    _mark_completed(task)


def _place(session: Session, project: Project, task: Task) -> None:
    """Give a new task its dates before the plan is rescheduled (no dependencies yet: as asked, or first day)."""
    calendar = planner.calendar_for(session, project)
    start = calendar.number_of(task.start_constraint or project.start_date)
    task.planned_start = calendar.date_of(start)
    task.planned_finish = calendar.finish_date(start, task.duration_days)


def _mark_completed(task: Task) -> None:
    if task.progress_percent >= 100 and task.completed_at is None:
        task.completed_at = utcnow()
    elif task.progress_percent < 100:
        task.completed_at = None


def _duration_until(session: Session, project: Project, start: date | None, finish: date, field: str) -> int:
    begin = start or project.start_date
    if finish < begin:
        raise _invalid(field, "must not be before the start")
    return max(planner.calendar_for(session, project).working_days_between(begin, finish), 1)


def _check_parent(session: Session, project_id: str, parent_id: str) -> None:
    parent = session.get(Task, parent_id)
    if parent is None or parent.project_id != project_id:
        raise _invalid("parent_id", f"the project has no task {parent_id}")
    if parent.is_milestone:
        raise _invalid("parent_id", "a milestone cannot have subtasks")
    linked = sa.select(Dependency.id).where(
        sa.or_(Dependency.predecessor_id == parent_id, Dependency.successor_id == parent_id)
    )
    if session.scalar(linked.limit(1)):
        raise _invalid("parent_id", "this task has dependencies; a summary task cannot (link its subtasks)")


def _check_size(session: Session, project_id: str) -> None:
    count = session.scalar(sa.select(sa.func.count()).where(Task.project_id == project_id)) or 0
    if count >= MAX_TASKS:
        raise _invalid("name", f"a project holds at most {MAX_TASKS} tasks")


def _next_position(session: Session, project_id: str, parent_id: str | None) -> int:
    siblings = Task.parent_id.is_(None) if parent_id is None else Task.parent_id == parent_id
    stmt = sa.select(sa.func.max(Task.position)).where(Task.project_id == project_id, siblings)
    return int(session.scalar(stmt) or 0) + 1


def _invalid(field: str, message: str) -> TaskInvalid:
    return TaskInvalid(f"{field}: {message}.", errors=[{"field": field, "message": message, "in": "json"}])
