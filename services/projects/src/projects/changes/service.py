"""Change request use cases: submit, approve (apply the impact and re-baseline) or reject; one commit each."""

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
from projects.changes.errors import (
    ChangeApprovalLevel,
    ChangeRequestInvalid,
    ChangeRequestNotFound,
    ChangeRequestProjectClosed,
)
from projects.changes.events import change_request_state
from projects.changes.models import ChangeRequest
from projects.costs import service as costs
from projects.costs.guards import (
    child_of,
    load_for,
    load_project,
    page_of,
    project_calendar,
    refuse_if_closed,
    shift_working_days,
)
from projects.projects.models import Project
from projects.roles import OVERSEERS
from projects.schedule.models import Task
from projects.team.service import CONTRIBUTE, MANAGE

REQUESTERS = (*CONTRIBUTE, "customer_representative")
CENTS = Decimal("0.01")
ZERO = Decimal(0)


def list_change_requests(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's change requests (newest first), by status."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(
            uow.session, ChangeRequest, project_id, query, filters=("status",), sort_column="requested_at"
        )


def get_change_request(*, uow: crmkit.UnitOfWork, project_id: str, change_id: str) -> ChangeRequest:
    """Read one change request."""
    with uow:
        return child_of(uow.session, ChangeRequest, project_id, change_id, ChangeRequestNotFound)


def submit_change_request(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    data: Mapping[str, Any],
    approval_limit: Decimal,
    actor: crmkit.Principal,
) -> ChangeRequest:
    """Record a change with its impact; its cost and price deltas decide who may approve it."""
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, REQUESTERS)
        refuse_if_closed(project, ChangeRequestProjectClosed, "changes")
        _check_tasks(session, project, data["task_changes"])
        cost_delta = sum(
            (_amount(line["quantity"], line["unit_rate"]) for line in data["budget_lines"]), ZERO
        )
        price_delta = sum(
            (_amount(item["quantity"], item["unit_price"]) for item in data["scope_items"]), ZERO
        )
        _check_allocation(data["task_changes"], cost_delta)
        change = ChangeRequest(
            project_id=project.id,
            number=_next_number(session, project.id),
            title=data["title"],
            description=data.get("description"),
            reason=data.get("reason"),
            status="submitted",
            scope_items=_plain(data["scope_items"]),
            task_changes=_plain(data["task_changes"]),
            budget_lines=_plain(data["budget_lines"]),
            cost_delta=cost_delta,
            price_delta=price_delta,
            currency=project.currency,
            approval_level=approval_level(cost_delta, price_delta, approval_limit),
            requested_by=actor.subject,
            requested_at=utcnow(),
        )
        session.add(change)
        uow.commit()
    return change


def approval_level(cost_delta: Decimal, price_delta: Decimal, limit: Decimal) -> str:
    """Project managers decide changes up to the limit (cost or price, either sign); management above it."""
    return "management" if max(abs(cost_delta), abs(price_delta)) > limit else "project_manager"


def approve_change_request(
    *, uow: crmkit.UnitOfWork, project_id: str, change_id: str, comment: str | None, actor: crmkit.Principal
) -> ChangeRequest:
    """Approve a change: apply it to scope, tasks and budget, save a new baseline, emit the event."""
    with uow:
        session = uow.session
        project, change = _load_for_decision(session, project_id, change_id, actor)
        change.decide("approved", actor_id=actor.subject, now=utcnow(), comment=comment)
        _apply(session, project, change, actor.subject)
        session.flush()
        data = change_request_state(change, account_id=project.account_id, order_id=project.order_id)
        record(
            session, catalog.CHANGE_REQUEST_APPROVED, subject=change.id, data=data, sequence=change.version
        )
        uow.commit()
    return change


def reject_change_request(
    *, uow: crmkit.UnitOfWork, project_id: str, change_id: str, comment: str, actor: crmkit.Principal
) -> ChangeRequest:
    """Reject a change with the reason; the plan and budget stay as they are."""
    with uow:
        _, change = _load_for_decision(uow.session, project_id, change_id, actor)
        change.decide("rejected", actor_id=actor.subject, now=utcnow(), comment=comment)
        uow.commit()
    return change


def _load_for_decision(
    session: Session, project_id: str, change_id: str, actor: crmkit.Principal
) -> tuple[Project, ChangeRequest]:
    project = load_for(session, project_id, actor, MANAGE)
    change = child_of(session, ChangeRequest, project_id, change_id, ChangeRequestNotFound)
    if change.approval_level == "management" and not actor.has_any_role(OVERSEERS):
        raise ChangeApprovalLevel(
            f"{change.code} changes cost or price by more than a project manager may approve; management decides.",
            approval_level=change.approval_level,
        )
    refuse_if_closed(project, ChangeRequestProjectClosed, "changes")
    return project, change


def _apply(session: Session, project: Project, change: ChangeRequest, actor_id: str) -> None:
    """Add the scope items and budget lines, move the tasks (and so their dependants), save a baseline."""
    from projects.projects.service import add_scope_items  # the plan's own modules build on projects
    from projects.schedule import service as schedule

    add_scope_items(session, project, [_scope_item(item) for item in change.scope_items])
    for line in change.budget_lines:
        costs.add_budget_line(
            session,
            project,
            _budget_line(line),
            actor_id=actor_id,
            source="change_request",
            source_ref=change.id,
        )
    moved = _move_tasks(session, project, change.task_changes)
    session.flush()
    if moved:
        schedule.reschedule(session, project, moved)
    change.baseline_id = schedule.save_baseline(
        session, project, f"{change.code}: {change.title}", actor_id
    ).id


def _move_tasks(session: Session, project: Project, task_changes: Iterable[Mapping[str, Any]]) -> list[str]:
    calendar = project_calendar(session, project)
    moved = []
    for item in task_changes:
        task = session.get(Task, item["task_id"])
        if task is None:  # deleted since the change was requested: nothing to move
            continue
        shift, extend = item.get("shift_days", 0), item.get("extend_days", 0)
        if shift or extend:  # the scheduler places the task from its constraint and duration
            if shift:
                task.start_constraint = shift_working_days(task.planned_start, shift, calendar)
            task.duration_days = max(task.duration_days + extend, 0)
            moved.append(task.id)
        delta = Decimal(item.get("budget_delta", "0"))
        if delta:
            task.budget_amount = (task.budget_amount or ZERO) + delta
    return moved


def _check_tasks(session: Session, project: Project, task_changes: list[Mapping[str, Any]]) -> None:
    ids = [item["task_id"] for item in task_changes]
    found = set(session.scalars(sa.select(Task.id).where(Task.project_id == project.id, Task.id.in_(ids))))
    for index, task_id in enumerate(ids):
        if task_id not in found:
            raise ChangeRequestInvalid(
                f"Project {project.id} has no task {task_id}.",
                errors=[
                    {
                        "field": f"task_changes.{index}.task_id",
                        "message": "not a task of this project",
                        "in": "json",
                    }
                ],
            )


def _check_allocation(task_changes: list[Mapping[str, Any]], cost_delta: Decimal) -> None:
    """Task budget deltas, when given, spread the cost delta over tasks: they must add up to it."""
    allocated = [item["budget_delta"] for item in task_changes if item["budget_delta"]]
    if allocated and sum(allocated, ZERO) != cost_delta:
        raise ChangeRequestInvalid(
            f"The task budget deltas add up to {sum(allocated, ZERO)}, the budget lines to {cost_delta}.",
            errors=[
                {
                    "field": "task_changes",
                    "message": "budget_delta must add up to the budget lines' total",
                    "in": "json",
                }
            ],
        )


def _next_number(session: Session, project_id: str) -> int:
    current = session.scalar(
        sa.select(sa.func.max(ChangeRequest.number)).where(ChangeRequest.project_id == project_id)
    )
    return (current or 0) + 1


def _amount(quantity: Decimal, rate: Decimal) -> Decimal:
    return (Decimal(quantity) * Decimal(rate)).quantize(CENTS)


def _plain(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """JSON-ready copies (decimals as strings)."""
    return [
        {key: str(value) if isinstance(value, Decimal) else value for key, value in item.items()}
        for item in items
    ]


def _scope_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": item["name"],
        "category": item["category"],
        "unit": item["unit"],
        "quantity": Decimal(item["quantity"]),
        "unit_price": Decimal(item["unit_price"]),
    }


def _budget_line(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "category": line["category"],
        "role": line.get("role"),
        "description": line.get("description"),
        "quantity": Decimal(line["quantity"]),
        "unit_rate": Decimal(line["unit_rate"]),
    }
