"""Start a project from `sales.order.confirmed`: one order, one project (unique order id), its lines as the
scope (the cost feature budgets from it), labour lines as tasks, and the initial baseline of plan and budget.

What this service reads of the order (declared here, not imported from sales): id, number, account_id,
opportunity_id, owner_id, currency, confirmed_at and lines[] with line_no, product_id, sku, name, kind,
unit, quantity, unit_price and net_amount (decimal strings).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.events.envelope import Event
from crmkit.types import utcnow
from projects.accounts.service import account_names, resolve_account
from projects.projects.models import LABOUR_UNITS, Project, ScopeItem
from projects.projects.service import add_scope_items, new_project, record_created

SYSTEM_ACTOR = "system:sales.order.confirmed"
HOURS_PER_DAY = Decimal("8")


def on_order_confirmed(session: Session, event: Event) -> None:
    """Handle sales.order.confirmed: create the order's project unless it exists (idempotent by order id)."""
    start_project_from_order(session, event.data)


def start_project_from_order(session: Session, order: Mapping[str, Any]) -> Project | None:
    """Create the order's project with scope, tasks and initial baseline; None when it already exists."""
    from projects.schedule import service as schedule  # the schedule builds on projects
    from projects.schedule.tasks import add_task

    if session.scalar(sa.select(Project.id).where(Project.order_id == order["id"])) is not None:
        return None
    account_id = resolve_account(session, order["account_id"]) if order.get("account_id") else None
    fields = {
        "name": _project_name(session, order, account_id),
        "account_id": account_id,
        "order_id": order["id"],
        "order_number": order.get("number"),
        "opportunity_id": order.get("opportunity_id"),
        "source": "order",
        "currency": order["currency"],
        "start_date": _start_date(order),
    }
    project = new_project(session, fields=fields, actor_id=SYSTEM_ACTOR, now=utcnow())
    items = add_scope_items(session, project, [_scope_item(line) for line in order.get("lines") or ()])
    for item in items:
        if item.category == "labour":
            item.task_id = add_task(session, project, _labour_task(item)).id
    schedule.reschedule(session, project, [], announce=False)
    schedule.save_baseline(
        session, project, f"Initial: order {order.get('number') or order['id']}", SYSTEM_ACTOR
    )
    record_created(session, project, items)
    return project


def _project_name(session: Session, order: Mapping[str, Any], account_id: str | None) -> str:
    number = order.get("number") or order["id"]
    account_name = account_names(session, [account_id]).get(account_id or "") if account_id else None
    return f"{account_name}: order {number}"[:200] if account_name else f"Order {number}"


def _start_date(order: Mapping[str, Any]) -> date:
    confirmed = order.get("confirmed_at")
    if isinstance(confirmed, str):
        try:
            return datetime.fromisoformat(confirmed.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    return utcnow().date()


def _scope_item(line: Mapping[str, Any]) -> dict[str, Any]:
    quantity, list_price = _decimal(line.get("quantity")), _decimal(line.get("unit_price"))
    net = line.get("net_amount")
    amount = _decimal(net) if net is not None else (quantity * list_price)
    # The price actually sold at (after discounts), so quantity x unit price = the line's net amount.
    unit_price = (amount / quantity).quantize(Decimal("0.01")) if quantity else list_price
    return {
        "name": str(line.get("name") or line.get("sku") or f"Line {line.get('line_no')}")[:200],
        "sku": line.get("sku"),
        "product_id": line.get("product_id"),
        "order_line_no": line.get("line_no"),
        "kind": line.get("kind") or "other",
        "category": _category(line),
        "unit": line.get("unit"),
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": amount.quantize(Decimal("0.01")),
    }


def _category(line: Mapping[str, Any]) -> str:
    """Labour for work sold by the hour or day, material for products, other for the rest."""
    if line.get("unit") in LABOUR_UNITS:
        return "labour"
    return "material" if line.get("kind") == "product" else "other"


def _labour_task(item: ScopeItem) -> dict[str, Any]:
    hours = item.quantity * HOURS_PER_DAY if item.unit == "day" else item.quantity
    return {
        "name": item.name,
        "effort_hours": hours.quantize(Decimal("0.01")),
        "duration_days": max(math.ceil(hours / HOURS_PER_DAY), 1),
        "budget_amount": item.amount,
    }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal("0")
    except InvalidOperation:
        return Decimal("0")
