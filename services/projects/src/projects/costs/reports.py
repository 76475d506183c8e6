"""Read-side cost figures: the cost summary and earned value of a project (method: docs/earned-value.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.costs import evm
from projects.costs.guards import load_project, project_calendar
from projects.costs.models import BudgetLine, Expense, Timesheet, TimesheetEntry
from projects.projects.models import Project, ScopeItem
from projects.schedule.models import Baseline, BaselineTask, Task

ZERO = Decimal(0)
METHOD = (
    "PV: baseline budget per task spread linearly over its baseline working days; EV: budget x percent "
    "complete; AC: approved timesheets (hours x rate) and approved expenses up to as_of; EAC = BAC / CPI."
)


@dataclass(frozen=True)
class PlanRow:
    """A task of the plan or baseline as the EVM needs it."""

    task_id: str
    parent_id: str | None
    start: date
    finish: date
    effort_hours: Decimal
    budget: Decimal | None


def cost_summary(*, uow: crmkit.UnitOfWork, project_id: str) -> dict[str, Any]:
    """Budget by category, approved (actual) and pending cost of a project."""
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        by_category, budget_source = _budget_by_category(session, project_id)
        labour_hours, labour_cost = _timesheet_totals(session, project_id, "approved")
        pending_hours, _ = _timesheet_totals(session, project_id, "submitted")
        expenses = _expense_total(session, project_id, "approved")
        actual = labour_cost + expenses
        budget = sum(by_category.values(), ZERO)
        return {
            "project_id": project.id,
            "currency": project.currency,
            "budget_total": budget,
            "budget_source": budget_source,
            "budget_by_category": [{"category": key, "amount": value} for key, value in by_category.items()],
            "approved_hours": labour_hours,
            "labour_cost": labour_cost,
            "expense_cost": expenses,
            "actual_cost": actual,
            "pending_hours": pending_hours,
            "pending_expenses": _expense_total(session, project_id, "submitted"),
            "remaining_budget": budget - actual,
        }


def _budget_by_category(session: Session, project_id: str) -> tuple[dict[str, Decimal], str]:
    """The budget lines' total per category; without budget lines, the sold scope's (e.g. order lines)."""
    for model, source in ((BudgetLine, "budget_lines"), (ScopeItem, "scope")):
        stmt = (
            sa.select(model.category, sa.func.sum(model.amount))
            .where(model.project_id == project_id)
            .group_by(model.category)
            .order_by(model.category)
        )
        found = {category: Decimal(amount) for category, amount in session.execute(stmt)}
        if found:
            return found, source
    return {}, "none"


def _timesheet_totals(session: Session, project_id: str, status: str) -> tuple[Decimal, Decimal]:
    stmt = (
        sa.select(sa.func.sum(TimesheetEntry.hours), sa.func.sum(TimesheetEntry.cost))
        .join(Timesheet, Timesheet.id == TimesheetEntry.timesheet_id)
        .where(Timesheet.project_id == project_id, Timesheet.status == status)
    )
    hours, cost = session.execute(stmt).one()
    return Decimal(hours or 0), Decimal(cost or 0)


def _expense_total(session: Session, project_id: str, status: str) -> Decimal:
    stmt = sa.select(sa.func.sum(Expense.amount)).where(
        Expense.project_id == project_id, Expense.status == status
    )
    return Decimal(session.scalar(stmt) or 0)


def earned_value(
    *, uow: crmkit.UnitOfWork, project_id: str, as_of: date | None, by_task: bool = False
) -> dict[str, Any]:
    """The EVM figures of a project as of the end of a day (default today, UTC), optionally per task."""
    day = as_of or utcnow().date()
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        baseline = _latest_baseline(session, project_id)
        rows = _baseline_rows(session, baseline) if baseline else _plan_rows(session, project_id)
        calendar = project_calendar(session, project)
        tasks, budget_source = _planned_tasks(session, project, _leaves(rows), calendar)
        figures = evm.earned_value(tasks, actual_costs(session, project_id, day), day, calendar)
        answer = _answer(project, figures, baseline, budget_source)
        if by_task:
            answer["tasks"] = [_task_figures(task, day, calendar) for task in tasks]
        return answer


def _task_figures(task: evm.PlannedTask, day: date, calendar: evm.IsWorkingDay) -> dict[str, Any]:
    """One task's share: its budget, planned and earned value (its SV shows where the schedule slips)."""
    pv, ev = evm.planned_value_of(task, day, calendar), evm.earned_value_of(task)
    return {
        "task_id": task.task_id,
        "start": task.start,
        "finish": task.finish,
        "budget": evm.money(task.budget),
        "percent_complete": str(task.percent_complete),
        "pv": evm.money(pv),
        "ev": evm.money(ev),
        "sv": evm.money(ev - pv),
    }


def _answer(
    project: Project, figures: evm.EarnedValue, baseline: Baseline | None, budget_source: str
) -> dict[str, Any]:
    money = evm.money
    return {
        "project_id": project.id,
        "as_of": figures.as_of,
        "currency": project.currency,
        "basis": "baseline" if baseline else "plan",
        "baseline_id": baseline.id if baseline else None,
        "budget_source": budget_source,
        **{
            name: money(getattr(figures, name))
            for name in ("bac", "pv", "ev", "ac", "cv", "sv", "eac", "etc", "vac")
        },
        **{name: evm.ratio(getattr(figures, name)) for name in ("cpi", "spi", "tcpi")},
        "eac_alternatives": {key: money(value) for key, value in figures.alternatives.items()},
        "method": METHOD,
    }


def actual_costs(session: Session, project_id: str, as_of: date) -> list[evm.ActualCost]:
    """Approved actual cost per day up to `as_of`: timesheet entries' cost and expenses."""
    labour = (
        sa.select(TimesheetEntry.work_date, sa.func.sum(TimesheetEntry.cost))
        .join(Timesheet, Timesheet.id == TimesheetEntry.timesheet_id)
        .where(
            Timesheet.project_id == project_id,
            Timesheet.status == "approved",
            TimesheetEntry.work_date <= as_of,
        )
        .group_by(TimesheetEntry.work_date)
    )
    expenses = (
        sa.select(Expense.spent_on, sa.func.sum(Expense.amount))
        .where(Expense.project_id == project_id, Expense.status == "approved", Expense.spent_on <= as_of)
        .group_by(Expense.spent_on)
    )
    rows = [*session.execute(labour), *session.execute(expenses)]
    return [evm.ActualCost(day, Decimal(amount or 0)) for day, amount in rows]


def _latest_baseline(session: Session, project_id: str) -> Baseline | None:
    stmt = (
        sa.select(Baseline).where(Baseline.project_id == project_id).order_by(Baseline.number.desc()).limit(1)
    )
    return session.scalar(stmt)


def _baseline_rows(session: Session, baseline: Baseline) -> list[PlanRow]:
    stmt = sa.select(BaselineTask).where(BaselineTask.baseline_id == baseline.id)
    return [
        PlanRow(
            row.task_id,
            row.parent_id,
            row.planned_start,
            row.planned_finish,
            row.effort_hours,
            row.budget_amount,
        )
        for row in session.scalars(stmt)
    ]


def _plan_rows(session: Session, project_id: str) -> list[PlanRow]:
    stmt = sa.select(Task).where(Task.project_id == project_id)
    return [
        PlanRow(
            task.id,
            task.parent_id,
            task.planned_start,
            task.planned_finish,
            task.effort_hours,
            task.budget_amount,
        )
        for task in session.scalars(stmt)
    ]


def _leaves(rows: Sequence[PlanRow]) -> list[PlanRow]:
    """Tasks without children (a summary's budget is its children's, counting both would double it)."""
    parents = {row.parent_id for row in rows if row.parent_id}
    return [row for row in rows if row.task_id not in parents]


def _planned_tasks(
    session: Session, project: Project, rows: list[PlanRow], calendar: evm.IsWorkingDay
) -> tuple[list[evm.PlannedTask], str]:
    """Each leaf with its budget: the task's own, or the project budget spread by effort (or working days)."""
    progress = _progress(session, project.id)
    if any(row.budget for row in rows):
        budgets = {row.task_id: row.budget or ZERO for row in rows}
        source = "tasks"
    else:
        budgets = _spread(_project_budget(session, project), rows, calendar)
        source = "budget_lines"
    tasks = [
        evm.PlannedTask(
            row.task_id, row.start, row.finish, budgets[row.task_id], progress.get(row.task_id, ZERO)
        )
        for row in rows
    ]
    return tasks, source


def _spread(total: Decimal, rows: list[PlanRow], calendar: evm.IsWorkingDay) -> dict[str, Decimal]:
    weights = {row.task_id: row.effort_hours or ZERO for row in rows}
    if not any(weights.values()):
        weights = {row.task_id: Decimal(evm.working_days(row.start, row.finish, calendar)) for row in rows}
    whole = sum(weights.values(), ZERO)
    return {task_id: (total * weight / whole if whole else ZERO) for task_id, weight in weights.items()}


def _project_budget(session: Session, project: Project) -> Decimal:
    lines = session.scalar(
        sa.select(sa.func.sum(BudgetLine.amount)).where(BudgetLine.project_id == project.id)
    )
    return Decimal(lines) if lines is not None else project.budget_amount or ZERO


def _progress(session: Session, project_id: str) -> dict[str, Decimal]:
    stmt = sa.select(Task.id, Task.progress_percent).where(Task.project_id == project_id)
    return {task_id: Decimal(percent or 0) for task_id, percent in session.execute(stmt)}
