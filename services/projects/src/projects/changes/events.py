"""Events of change control: routing key, payload JSON Schema (v1), example and the payload builder."""

from __future__ import annotations

from typing import Any

from projects.changes.models import APPROVAL_LEVELS, ChangeRequest
from projects.payloads import (
    CURRENCY,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    VERSION,
    money,
    nullable,
    one_of,
    record,
    timestamp,
)

CHANGE_REQUEST_APPROVED = "projects.change_request.approved"

ChangeRequestApprovedV1 = record(
    {
        "id": ID,
        "code": TEXT,
        "number": {"type": "integer", "minimum": 1},
        "project_id": ID,
        "account_id": nullable(ID),
        "order_id": nullable(ID),
        "title": TEXT,
        "description": nullable(TEXT),
        "status": one_of(("approved",)),
        "cost_delta": MONEY,
        "price_delta": MONEY,
        "currency": CURRENCY,
        "scope_items": {"type": "array", "items": {"type": "object"}},
        "task_changes": {"type": "array", "items": {"type": "object"}},
        "budget_lines": {"type": "array", "items": {"type": "object"}},
        "approval_level": one_of(APPROVAL_LEVELS),
        "requested_by": TEXT,
        "requested_at": TIMESTAMP,
        "decided_by": TEXT,
        "decided_at": TIMESTAMP,
        "baseline_id": ID,
        "version": VERSION,
    }
)
EXAMPLE_APPROVED: dict[str, Any] = {
    "id": "3e2d1c0b9a8f47e6d5c4b3a291807f6e",
    "code": "CR-3",
    "number": 3,
    "project_id": "5b7d9f1e3c5a47e9b2d4f6a8c0e1d2f3",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "order_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "title": "Add a second warehouse site",
    "description": "Roll out the scanner app to the Leipzig warehouse as well.",
    "status": "approved",
    "cost_delta": "4800.00",
    "price_delta": "7200.00",
    "currency": "EUR",
    "scope_items": [
        {
            "name": "Leipzig rollout",
            "category": "labour",
            "unit": "day",
            "quantity": "6",
            "unit_price": "1200.00",
        }
    ],
    "task_changes": [
        {
            "task_id": "9a8b7c6d5e4f43a2b1c0d9e8f7a6b5c4",
            "shift_days": 0,
            "extend_days": 6,
            "budget_delta": "4800.00",
        }
    ],
    "budget_lines": [
        {
            "category": "labour",
            "role": "Consultant",
            "description": None,
            "quantity": "48",
            "unit_rate": "100.0000",
        }
    ],
    "approval_level": "project_manager",
    "requested_by": "u-cust-1",
    "requested_at": "2026-04-01T09:12:00Z",
    "decided_by": "u-pm-1",
    "decided_at": "2026-04-02T14:00:00Z",
    "baseline_id": "7c6b5a4f3e2d41c0b9a8f7e6d5c4b3a2",
    "version": 2,
}


def change_request_state(
    change: ChangeRequest, *, account_id: str | None, order_id: str | None
) -> dict[str, Any]:
    """The approved change as the event carries it (the sales service may treat price_delta as upsell)."""
    return {
        "id": change.id,
        "code": change.code,
        "number": change.number,
        "project_id": change.project_id,
        "account_id": account_id,
        "order_id": order_id,
        "title": change.title,
        "description": change.description,
        "status": change.status,
        "cost_delta": money(change.cost_delta),
        "price_delta": money(change.price_delta),
        "currency": change.currency,
        "scope_items": change.scope_items,
        "task_changes": change.task_changes,
        "budget_lines": change.budget_lines,
        "approval_level": change.approval_level,
        "requested_by": change.requested_by,
        "requested_at": timestamp(change.requested_at),
        "decided_by": change.decided_by,
        "decided_at": timestamp(change.decided_at),
        "baseline_id": change.baseline_id,
        "version": change.version,
    }
