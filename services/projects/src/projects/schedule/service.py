"""Schedule use cases: tasks, dependencies, rescheduling and baselines (one commit per use case).

`reschedule` and `save_baseline` are also called inside other features' units of work (they never commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.outbox import record
from crmkit.types import utcnow
from projects import events_catalog as catalog
from projects.projects.models import Project, ScopeItem
from projects.projects.service import load_open_project, load_project
from projects.schedule import cpm, planner
from projects.schedule.errors import (
    BaselineNotFound,
    DependencyCycle,
    DependencyDuplicate,
    DependencyInvalid,
    DependencyNotFound,
)
from projects.schedule.events import milestone_reached, task_ref
from projects.schedule.models import Baseline, BaselineTask, Dependency, Task
from projects.schedule.planner import PlanTask
from projects.team import service as team


def reschedule(
    session: Session, project: Project, changed_task_ids: Iterable[str], *, announce: bool = True
) -> list[PlanTask]:
    """Move every task to the dates its constraints and dependencies allow, roll summaries up, and record
    projects.task.rescheduled for each work task whose dates moved; return the moved tasks (caller commits).

    Changed tasks are written in one statement, so slipping a task with thousands of dependants stays fast.
    `announce=False` records no events (a plan being built in the same transaction, e.g. from a template).
    """
    plan = planner.load_plan(session, project.id)
    calendar = planner.calendar_for(session, project)
    moved = planner.apply_schedule(plan, calendar)
    finish = planner.project_finish(plan)
    if project.finish_date != finish:
        project.finish_date = finish
    planner.save_plan(session, plan)
    changed = [task_id for task_id in changed_task_ids if task_id in plan.tasks]
    cause = changed[0] if changed else None
    for task_id, before in moved.items() if announce else ():
        task = plan.tasks[task_id]
        after = planner.scheduled_state(task)
        changes = {
            field: {"before": before[field], "after": after[field]}
            for field in after
            if before[field] != after[field]
        }
        data = {**task_ref(task, project), "cause_task_id": cause, "changes": changes}
        record(session, catalog.TASK_RESCHEDULED, subject=task.id, data=data, sequence=task.version)
    return [plan.tasks[task_id] for task_id in moved]


def record_milestone_reached(session: Session, project: Project, task: Task) -> None:
    record(
        session,
        catalog.MILESTONE_REACHED,
        subject=task.id,
        data=milestone_reached(task, project),
        sequence=task.version,
    )


# Dependencies ---------------------------------------------------------------------------------------------


def list_dependencies(*, uow: crmkit.UnitOfWork, project_id: str) -> list[Dependency]:
    """List the project's dependencies."""
    with uow:
        load_project(uow.session, project_id)
        stmt = sa.select(Dependency).where(Dependency.project_id == project_id)
        return list(uow.session.scalars(stmt.order_by(Dependency.created_at, Dependency.id)))


def add_dependency(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Dependency:
    """Link two tasks (FS, SS, FF or SF with a lag); a cycle is refused, naming it; dependants move."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.PLAN)
        plan = planner.load_plan(session, project.id)
        link = cpm.Link(data["predecessor_id"], data["successor_id"], data["type"], data["lag_days"])
        _check_link(plan, link)
        dependency = Dependency(
            project_id=project.id,
            predecessor_id=link.predecessor,
            successor_id=link.successor,
            type=link.type,
            lag_days=link.lag,
            created_at=utcnow(),
        )
        session.add(dependency)
        session.flush()
        reschedule(session, project, [link.successor])
        uow.commit()
    return dependency


def update_dependency(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    dependency_id: str,
    data: Mapping[str, Any],
    actor: crmkit.Principal,
) -> Dependency:
    """Change a dependency's type or lag; dependants move."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.PLAN)
        dependency = _load_dependency(session, project_id, dependency_id)
        dependency.type = data.get("type", dependency.type)
        dependency.lag_days = data.get("lag_days", dependency.lag_days)
        session.flush()
        reschedule(session, project, [dependency.successor_id])
        uow.commit()
    return dependency


def remove_dependency(
    *, uow: crmkit.UnitOfWork, project_id: str, dependency_id: str, actor: crmkit.Principal
) -> None:
    """Remove a dependency; its successor may move earlier."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.PLAN)
        dependency = _load_dependency(session, project_id, dependency_id)
        successor_id = dependency.successor_id
        session.delete(dependency)
        session.flush()
        reschedule(session, project, [successor_id])
        uow.commit()


def _load_dependency(session: Session, project_id: str, dependency_id: str) -> Dependency:
    dependency = session.get(Dependency, dependency_id)
    if dependency is None or dependency.project_id != project_id:
        raise DependencyNotFound(f"Project {project_id} has no dependency {dependency_id}.")
    return dependency


def _check_link(plan: planner.LoadedPlan, link: cpm.Link) -> None:
    for field, task_id in (("predecessor_id", link.predecessor), ("successor_id", link.successor)):
        task = plan.tasks.get(task_id)
        if task is None:
            raise _invalid(field, f"the project has no task {task_id}")
        if task.is_summary:
            raise _invalid(field, "link the subtasks, not a summary task (its dates roll up from them)")
    if any((d.predecessor_id, d.successor_id) == (link.predecessor, link.successor) for d in plan.links):
        raise DependencyDuplicate("These two tasks are already linked; change that dependency instead.")
    cycle = cpm.cycle_with(plan.cpm_links(), link)
    if cycle is not None:
        names = [plan.tasks[task_id].name for task_id in cycle]
        raise DependencyCycle(
            f"This dependency would close a cycle: {' -> '.join(names)}. Nothing was changed.",
            cycle=[{"id": task_id, "name": plan.tasks[task_id].name} for task_id in cycle],
            errors=[
                {
                    "field": "predecessor_id",
                    "message": "would close a cycle: " + " -> ".join(names),
                    "in": "json",
                }
            ],
        )


def _invalid(field: str, message: str) -> DependencyInvalid:
    return DependencyInvalid(
        f"{field}: {message}.", errors=[{"field": field, "message": message, "in": "json"}]
    )


# Baselines ------------------------------------------------------------------------------------------------


def save_baseline(session: Session, project: Project, name: str, actor_id: str) -> Baseline:
    """Save the current plan (every task's dates, effort, progress and budget) as the next baseline."""
    number = (
        session.scalar(sa.select(sa.func.max(Baseline.number)).where(Baseline.project_id == project.id)) or 0
    ) + 1
    plan = planner.load_plan(session, project.id)
    positions = {task_id: n for n, task_id in enumerate(planner.wbs_numbers(plan))}
    baseline = Baseline(
        project_id=project.id,
        number=number,
        name=name,
        start_date=project.start_date,
        finish_date=planner.project_finish(plan),
        budget_amount=project.budget_amount,
        budget_lines=_budget_lines(session, project.id),
        created_at=utcnow(),
        created_by=actor_id,
    )
    baseline.tasks = [_baseline_task(task, positions.get(task.id, 0)) for task in plan.tasks.values()]
    session.add(baseline)
    session.flush()
    return baseline


def _baseline_task(task: PlanTask, position: int) -> BaselineTask:
    return BaselineTask(
        task_id=task.id,
        position=position,
        parent_id=task.parent_id,
        name=task.name,
        is_milestone=task.is_milestone,
        planned_start=task.planned_start,
        planned_finish=task.planned_finish,
        duration_days=task.duration_days,
        effort_hours=task.effort_hours,
        progress_percent=task.progress_percent,
        budget_amount=task.budget_amount,
    )


def _budget_lines(session: Session, project_id: str) -> list[dict[str, Any]]:
    stmt = (
        sa.select(ScopeItem.category, sa.func.sum(ScopeItem.amount))
        .where(ScopeItem.project_id == project_id)
        .group_by(ScopeItem.category)
        .order_by(ScopeItem.category)
    )
    return [{"category": category, "amount": str(amount)} for category, amount in session.execute(stmt)]


def create_baseline(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Baseline:
    """Save the current plan as a new baseline (project managers)."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.MANAGE)
        baseline = save_baseline(session, project, data["name"], actor.subject)
        uow.commit()
    return baseline


def list_baselines(*, uow: crmkit.UnitOfWork, project_id: str) -> list[Baseline]:
    """List the project's baselines, oldest first."""
    with uow:
        load_project(uow.session, project_id)
        stmt = sa.select(Baseline).where(Baseline.project_id == project_id).order_by(Baseline.number)
        return list(uow.session.scalars(stmt))


def load_baseline(session: Session, project_id: str, baseline_id: str) -> Baseline:
    baseline = session.get(Baseline, baseline_id)
    if baseline is None or baseline.project_id != project_id:
        raise BaselineNotFound(f"Project {project_id} has no baseline {baseline_id}.")
    return baseline
