"""Read-only views of the plan: the critical path, Gantt data and variance against a baseline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

import crmkit
from projects.projects.models import Project
from projects.projects.service import load_project
from projects.schedule import planner
from projects.schedule.models import Baseline, BaselineTask
from projects.schedule.planner import PlanTask
from projects.schedule.service import load_baseline


def critical_path(*, uow: crmkit.UnitOfWork, project_id: str) -> dict[str, Any]:
    """Early/late start and finish and total float of every work task; the critical ones in order."""
    with uow:
        project = load_project(uow.session, project_id)
        plan = planner.load_plan(uow.session, project.id)
        calendar = planner.calendar_for(uow.session, project)
    result = planner.critical_path(plan, calendar)
    rows = []
    for task_id, timing in result.timings.items():
        task = plan.tasks[task_id]
        rows.append(
            {
                "id": task.id,
                "name": task.name,
                "is_milestone": task.is_milestone,
                "duration_days": task.duration_days,
                "early_start": calendar.date_of(timing.early_start),
                "early_finish": calendar.finish_date(timing.early_start, task.duration_days),
                "late_start": calendar.date_of(timing.late_start),
                "late_finish": calendar.finish_date(timing.late_start, task.duration_days),
                "total_float_days": timing.total_float,
                "is_critical": timing.is_critical,
            }
        )
    rows.sort(key=lambda row: (row["early_start"], row["early_finish"], row["name"]))
    return {
        "project_id": project.id,
        "start_date": calendar.origin,
        "finish_date": calendar.finish_date(0, result.finish) if result.timings else None,
        "duration_days": result.finish,
        "critical_task_ids": result.critical(),
        "tasks": rows,
    }


def gantt(*, uow: crmkit.UnitOfWork, project_id: str) -> dict[str, Any]:
    """Everything a Gantt chart draws: tasks in WBS order with outline numbers, bars, float, the latest
    baseline's bars, and the dependency arrows."""
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        plan = planner.load_plan(session, project.id)
        calendar = planner.calendar_for(session, project)
        baseline = _latest_baseline(session, project.id)
    timings = planner.critical_path(plan, calendar).timings
    baseline_tasks = {row.task_id: row for row in baseline.tasks} if baseline else {}
    rows = []
    for task_id, number in planner.wbs_numbers(plan).items():
        task = plan.tasks[task_id]
        timing = timings.get(task_id)
        base = baseline_tasks.get(task_id)
        rows.append(
            {
                **_bar(task),
                "wbs": number,
                "level": number.count(".") + 1,
                "total_float_days": timing.total_float if timing else None,
                "is_critical": bool(timing and timing.is_critical),
                "baseline_start": base.planned_start if base else None,
                "baseline_finish": base.planned_finish if base else None,
            }
        )
    links = [
        {
            "id": d.id,
            "predecessor_id": d.predecessor_id,
            "successor_id": d.successor_id,
            "type": d.type,
            "lag_days": d.lag_days,
        }
        for d in plan.links
    ]
    return {
        "project": _project_bar(project),
        "baseline_id": baseline.id if baseline else None,
        "tasks": rows,
        "dependencies": links,
    }


def _bar(task: PlanTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "parent_id": task.parent_id,
        "name": task.name,
        "start": task.planned_start,
        "finish": task.planned_finish,
        "duration_days": task.duration_days,
        "progress_percent": task.progress_percent,
        "is_milestone": task.is_milestone,
        "is_summary": task.is_summary,
        "assignee_id": task.assignee_id,
    }


def _project_bar(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "start_date": project.start_date,
        "finish_date": project.finish_date,
        "status": project.status,
        "health": project.health,
    }


def _latest_baseline(session: Session, project_id: str) -> Baseline | None:
    stmt = (
        sa.select(Baseline)
        .where(Baseline.project_id == project_id)
        .order_by(Baseline.number.desc())
        .options(selectinload(Baseline.tasks))
        .limit(1)
    )
    return session.scalar(stmt)


def get_baseline(*, uow: crmkit.UnitOfWork, project_id: str, baseline_id: str) -> Baseline:
    """Read a baseline with its saved tasks."""
    with uow:
        baseline = load_baseline(uow.session, project_id, baseline_id)
        baseline.task_rows = list(  # type: ignore[attr-defined]
            uow.session.scalars(
                sa.select(BaselineTask)
                .where(BaselineTask.baseline_id == baseline.id)
                .order_by(BaselineTask.position)
            )
        )
        return baseline


def variance(*, uow: crmkit.UnitOfWork, project_id: str, baseline_id: str) -> dict[str, Any]:
    """Compare the current plan with a baseline: start, finish (calendar days, positive = later), duration,
    effort and budget per task, and for the whole project."""
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        baseline = load_baseline(session, project_id, baseline_id)
        saved = {
            row.task_id: row
            for row in session.scalars(sa.select(BaselineTask).where(BaselineTask.baseline_id == baseline.id))
        }
        plan = planner.load_plan(session, project.id)
    rows = [
        _task_variance(plan.tasks.get(task_id), saved.get(task_id)) for task_id in _union_order(plan, saved)
    ]
    finish = planner.project_finish(plan)
    return {
        "baseline": {
            "id": baseline.id,
            "number": baseline.number,
            "name": baseline.name,
            "created_at": baseline.created_at,
        },
        "project": {
            "baseline_start": baseline.start_date,
            "current_start": project.start_date,
            "start_variance_days": _days(project.start_date, baseline.start_date),
            "baseline_finish": baseline.finish_date,
            "current_finish": finish,
            "finish_variance_days": _days(finish, baseline.finish_date),
            "baseline_budget": baseline.budget_amount,
            "current_budget": project.budget_amount,
            "budget_variance": project.budget_amount - baseline.budget_amount,
        },
        "tasks": rows,
    }


def _union_order(plan: planner.LoadedPlan, saved: dict[str, BaselineTask]) -> list[str]:
    current = list(planner.wbs_numbers(plan))
    removed = sorted(
        (task_id for task_id in saved if task_id not in plan.tasks), key=lambda t: saved[t].position
    )
    return current + removed


def _task_variance(task: PlanTask | None, base: BaselineTask | None) -> dict[str, Any]:
    status = "added" if base is None else "removed" if task is None else "kept"
    now, then = _values(task), _values(base)
    return {
        "task_id": now["id"] or then["id"],
        "name": now["name"] or then["name"],
        "status": status,
        "baseline_start": then["start"],
        "baseline_finish": then["finish"],
        "current_start": now["start"],
        "current_finish": now["finish"],
        "start_variance_days": _days(now["start"], then["start"]),
        "finish_variance_days": _days(now["finish"], then["finish"]),
        "duration_variance_days": _diff(now["duration"], then["duration"]),
        "effort_variance_hours": _diff(now["effort"], then["effort"]),
        "budget_variance": _diff(now["budget"], then["budget"]),
    }


def _values(row: PlanTask | BaselineTask | None) -> dict[str, Any]:
    if row is None:
        return dict.fromkeys(("id", "name", "start", "finish", "duration", "effort", "budget"))
    return {
        "id": row.id if isinstance(row, PlanTask) else row.task_id,
        "name": row.name,
        "start": row.planned_start,
        "finish": row.planned_finish,
        "duration": row.duration_days,
        "effort": Decimal(row.effort_hours),
        "budget": row.budget_amount,
    }


def _days(current: date | None, saved: date | None) -> int | None:
    return (current - saved).days if current is not None and saved is not None else None


def _diff(current: Any, saved: Any) -> Any:
    return current - saved if current is not None and saved is not None else None
