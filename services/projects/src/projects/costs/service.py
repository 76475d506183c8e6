"""Cost use cases: budget lines, timesheets and expenses. Each opens the unit of work and commits once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.outbox import record
from crmkit.types import utcnow
from projects import events_catalog as catalog
from projects.costs.errors import (
    BudgetLineInvalid,
    BudgetLineNotFound,
    ExpenseInvalid,
    ExpenseNotFound,
    ExpenseProjectClosed,
    TimesheetInvalid,
    TimesheetNotFound,
    TimesheetProjectClosed,
)
from projects.costs.events import timesheet_state
from projects.costs.guards import child_of, load_for, load_project, page_of, refuse_if_closed
from projects.costs.models import BudgetLine, Expense, Timesheet, TimesheetEntry
from projects.projects.models import Project, ScopeItem
from projects.schedule.models import Task
from projects.team.errors import ProjectRoleRequired
from projects.team.service import CONTRIBUTE, MANAGE

CENTS = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
UNITS = {"labour": "hour", "material": "each", "other": "each"}
HOURS_PER_DAY = Decimal(8)


# -- budget lines ------------------------------------------------------------------------------------------


def list_budget_lines(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's budget lines (newest first)."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(uow.session, BudgetLine, project_id, query, filters=("category",))


def get_budget_line(*, uow: crmkit.UnitOfWork, project_id: str, line_id: str) -> BudgetLine:
    """Read one budget line."""
    with uow:
        return child_of(uow.session, BudgetLine, project_id, line_id, BudgetLineNotFound)


def create_budget_line(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> BudgetLine:
    """Add a budget line (labour: role x hours x rate; material/other: quantity x unit cost)."""
    with uow:
        project = load_for(uow.session, project_id, actor, MANAGE)
        line = add_budget_line(uow.session, project, data, actor_id=actor.subject)
        uow.commit()
    return line


def add_budget_line(
    session: Session,
    project: Project,
    data: Mapping[str, Any],
    *,
    actor_id: str,
    source: str = "manual",
    source_ref: str | None = None,
) -> BudgetLine:
    """Add a priced budget line to the session (the caller commits); other features reuse it."""
    values = {"unit": UNITS[data["category"]], **data}
    check_task(session, project.id, values.get("task_id"), BudgetLineInvalid)
    line = BudgetLine(
        project_id=project.id,
        currency=project.currency,
        source=source,
        source_ref=source_ref,
        created_at=utcnow(),
        created_by=actor_id,
        **values,
    )
    line.price()
    session.add(line)
    session.flush()
    return line


def add_budget_lines_from_scope(
    session: Session, project: Project, scope_items: Iterable[Any], *, actor_id: str
) -> list[BudgetLine]:
    """Turn sold scope items (e.g. order lines) into budget lines: hour/day units become labour hours."""
    lines = []
    for item in scope_items:
        hours_per_unit = HOURS_PER_DAY if item.unit == "day" else Decimal(1)
        labour = item.category == "labour"
        data = {
            "category": item.category,
            "role": item.name if labour else None,
            "description": item.name,
            "quantity": item.quantity * hours_per_unit if labour else item.quantity,
            "unit": "hour" if labour else (item.unit or "each"),
            "unit_rate": (item.unit_price / hours_per_unit if labour else item.unit_price).quantize(
                RATE_PLACES
            ),
            "task_id": item.task_id,
        }
        lines.append(
            add_budget_line(session, project, data, actor_id=actor_id, source="order", source_ref=item.id)
        )
    return lines


def update_budget_line(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    line_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> BudgetLine:
    """Change a budget line's quantity, rate, role, description or task; the amount is re-priced."""
    with uow:
        project = load_for(uow.session, project_id, actor, MANAGE)
        line = child_of(uow.session, BudgetLine, project_id, line_id, BudgetLineNotFound)
        crmkit.check_version(line.version, expected_version)
        check_task(uow.session, project.id, data.get("task_id"), BudgetLineInvalid)
        for name, value in data.items():
            setattr(line, name, value)
        line.price()
        uow.commit()
    return line


def delete_budget_line(
    *, uow: crmkit.UnitOfWork, project_id: str, line_id: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Remove a budget line."""
    with uow:
        load_for(uow.session, project_id, actor, MANAGE)
        line = child_of(uow.session, BudgetLine, project_id, line_id, BudgetLineNotFound)
        crmkit.check_version(line.version, expected_version)
        uow.session.delete(line)
        uow.commit()


def check_task(session: Session, project_id: str, task_id: str | None, problem: type[crmkit.Problem]) -> None:
    if task_id is None:
        return
    task = session.get(Task, task_id)
    if task is None or task.project_id != project_id:
        raise problem(
            f"Project {project_id} has no task {task_id}.",
            errors=[{"field": "task_id", "message": "not a task of this project", "in": "json"}],
        )


# -- timesheets --------------------------------------------------------------------------------------------


def list_timesheets(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's timesheets (newest first), by status or person."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(
            uow.session,
            Timesheet,
            project_id,
            query,
            filters=("status", "user_id"),
            sort_column="submitted_at",
        )


def get_timesheet(*, uow: crmkit.UnitOfWork, project_id: str, timesheet_id: str) -> Timesheet:
    """Read one timesheet with its entries."""
    with uow:
        return child_of(uow.session, Timesheet, project_id, timesheet_id, TimesheetNotFound)


def submit_timesheet(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Timesheet:
    """Submit the caller's hours for approval; refused on a completed or closed project."""
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, CONTRIBUTE)
        refuse_if_closed(project, TimesheetProjectClosed, "time")
        entries = [TimesheetEntry(**entry) for entry in data["entries"]]
        for index, entry in enumerate(entries):
            _check_entry(session, project, entry, index)
        timesheet = Timesheet(
            project_id=project.id,
            user_id=actor.subject,
            status="submitted",
            currency=project.currency,
            total_hours=sum((entry.hours for entry in entries), Decimal(0)),
            note=data.get("note"),
            submitted_at=utcnow(),
            entries=entries,
        )
        session.add(timesheet)
        uow.commit()
    return timesheet


def _check_entry(session: Session, project: Project, entry: TimesheetEntry, index: int) -> None:
    if labour_rate(session, project.id, entry.role) is None:
        raise TimesheetInvalid(
            f"Project {project.id} has no labour budget line for the role {entry.role!r}, so its hours have no rate.",
            errors=[
                {"field": f"entries.{index}.role", "message": "no labour rate for this role", "in": "json"}
            ],
        )
    if entry.task_id is not None:
        task = session.get(Task, entry.task_id)
        if task is None or task.project_id != project.id:
            raise TimesheetInvalid(
                f"Project {project.id} has no task {entry.task_id}.",
                errors=[
                    {
                        "field": f"entries.{index}.task_id",
                        "message": "not a task of this project",
                        "in": "json",
                    }
                ],
            )


def labour_rate(session: Session, project_id: str, role: str) -> Decimal | None:
    """The hourly rate of a role: the first labour budget line for it (roles compare case-insensitively);
    without one, a labour scope item of that name (e.g. an order line sold by the hour or day)."""
    stmt = (
        sa.select(BudgetLine.unit_rate)
        .where(
            BudgetLine.project_id == project_id,
            BudgetLine.category == "labour",
            sa.func.lower(BudgetLine.role) == role.lower(),
        )
        .order_by(BudgetLine.created_at, BudgetLine.id)
        .limit(1)
    )
    rate = session.scalar(stmt)
    return rate if rate is not None else _scope_rate(session, project_id, role)


def _scope_rate(session: Session, project_id: str, role: str) -> Decimal | None:
    stmt = (
        sa.select(ScopeItem.unit, ScopeItem.unit_price)
        .where(
            ScopeItem.project_id == project_id,
            ScopeItem.category == "labour",
            sa.func.lower(ScopeItem.name) == role.lower(),
        )
        .order_by(ScopeItem.position)
        .limit(1)
    )
    found = session.execute(stmt).first()
    if found is None:
        return None
    unit, price = found
    return (price / HOURS_PER_DAY if unit == "day" else price).quantize(RATE_PLACES)


def approve_timesheet(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    timesheet_id: str,
    comment: str | None,
    actor: crmkit.Principal,
) -> Timesheet:
    """Approve a submitted timesheet: freeze each entry's rate and cost, emit projects.timesheet.approved."""
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, MANAGE)
        timesheet = child_of(session, Timesheet, project_id, timesheet_id, TimesheetNotFound)
        _refuse_own(timesheet.user_id, actor, "timesheet")
        timesheet.decide("approved", actor_id=actor.subject, now=utcnow(), comment=comment)
        for entry in timesheet.entries:
            entry.rate = (labour_rate(session, project.id, entry.role) or Decimal(0)).quantize(RATE_PLACES)
            entry.cost = (entry.hours * entry.rate).quantize(CENTS)
        timesheet.cost_amount = sum((entry.cost or Decimal(0) for entry in timesheet.entries), Decimal(0))
        session.flush()
        record(
            session,
            catalog.TIMESHEET_APPROVED,
            subject=timesheet.id,
            data=timesheet_state(timesheet, project.account_id),
            sequence=timesheet.version,
        )
        uow.commit()
    return timesheet


def reject_timesheet(
    *, uow: crmkit.UnitOfWork, project_id: str, timesheet_id: str, comment: str, actor: crmkit.Principal
) -> Timesheet:
    """Reject a submitted timesheet with the reason; its hours never count as cost."""
    with uow:
        load_for(uow.session, project_id, actor, MANAGE)
        timesheet = child_of(uow.session, Timesheet, project_id, timesheet_id, TimesheetNotFound)
        timesheet.decide("rejected", actor_id=actor.subject, now=utcnow(), comment=comment)
        uow.commit()
    return timesheet


def _refuse_own(owner_id: str, actor: crmkit.Principal, what: str) -> None:
    """Four eyes: nobody approves their own time or expenses, unless they are management or admin."""
    if owner_id == actor.subject and not actor.has_any_role(("management", "admin")):
        raise ProjectRoleRequired(
            f"You cannot approve your own {what}; another project manager or management must.",
            code=f"projects.{what}.self_approval",
        )


# -- expenses ----------------------------------------------------------------------------------------------


def list_expenses(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's expenses (newest first), by status."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(
            uow.session, Expense, project_id, query, filters=("status",), sort_column="submitted_at"
        )


def get_expense(*, uow: crmkit.UnitOfWork, project_id: str, expense_id: str) -> Expense:
    """Read one expense."""
    with uow:
        return child_of(uow.session, Expense, project_id, expense_id, ExpenseNotFound)


def submit_expense(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Expense:
    """Submit an expense (in the project's currency) for approval; refused on a completed or closed project."""
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, CONTRIBUTE)
        refuse_if_closed(project, ExpenseProjectClosed, "expenses")
        _check_expense(session, project, data)
        expense = Expense(
            project_id=project.id,
            status="submitted",
            submitted_by=actor.subject,
            submitted_at=utcnow(),
            **data,
        )
        session.add(expense)
        uow.commit()
    return expense


def _check_expense(session: Session, project: Project, data: Mapping[str, Any]) -> None:
    if data["currency"] != project.currency:
        raise ExpenseInvalid(
            f"Expenses are booked in the project currency {project.currency}.",
            errors=[{"field": "currency", "message": f"must be {project.currency}", "in": "json"}],
        )
    line_id = data.get("budget_line_id")
    if line_id is not None:
        line = session.get(BudgetLine, line_id)
        if line is None or line.project_id != project.id:
            raise ExpenseInvalid(
                f"Project {project.id} has no budget line {line_id}.",
                errors=[
                    {"field": "budget_line_id", "message": "not a budget line of this project", "in": "json"}
                ],
            )


def decide_expense(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    expense_id: str,
    approve: bool,
    comment: str | None,
    actor: crmkit.Principal,
) -> Expense:
    """Approve (it counts as actual cost from its date) or reject a submitted expense."""
    with uow:
        load_for(uow.session, project_id, actor, MANAGE)
        expense = child_of(uow.session, Expense, project_id, expense_id, ExpenseNotFound)
        if approve:
            _refuse_own(expense.submitted_by, actor, "expense")
        expense.decide(
            "approved" if approve else "rejected", actor_id=actor.subject, now=utcnow(), comment=comment
        )
        uow.commit()
    return expense
