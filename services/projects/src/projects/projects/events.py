"""Events about projects: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from projects.payloads import (
    CURRENCY,
    DATE,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    VERSION,
    day,
    money,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)
from projects.projects.models import BUDGET_CATEGORIES, HEALTHS, SOURCES, STATUSES, Project, ScopeItem

PROJECT_CREATED = "projects.project.created"
PROJECT_STATUS_CHANGED = "projects.project.status_changed"
PROJECT_COMPLETED = "projects.project.completed"

ProjectStateV1 = record(
    {
        "id": ID,
        "name": TEXT,
        "account_id": nullable(ID),
        "order_id": nullable(ID),
        "order_number": nullable(TEXT),
        "template_id": nullable(ID),
        "source": one_of(SOURCES),
        "status": one_of(STATUSES),
        "health": one_of(HEALTHS),
        "currency": CURRENCY,
        "budget_amount": MONEY,
        "start_date": DATE,
        "finish_date": nullable(DATE),
        "manager_id": nullable(TEXT),
        "completed_at": nullable(TIMESTAMP),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
ScopeItemV1 = record(
    {
        "name": TEXT,
        "sku": nullable(TEXT),
        "order_line_no": nullable({"type": "integer"}),
        "category": one_of(BUDGET_CATEGORIES),
        "unit": nullable(TEXT),
        "quantity": MONEY,
        "unit_price": MONEY,
        "amount": MONEY,
    }
)
ProjectCreatedV1 = record(
    {**ProjectStateV1["properties"], "scope_items": {"type": "array", "items": ScopeItemV1}}
)
ProjectStatusChangedV1 = record({**with_changes(ProjectStateV1)["properties"], "comment": nullable(TEXT)})
ProjectCompletedV1 = ProjectStateV1

EXAMPLE_STATE: dict[str, Any] = {
    "id": "3d6f0a4b9c8e4f2a8b1c2d3e4f5a6b7c",
    "name": "Acme GmbH: ERP rollout (SO-2026-0042)",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "order_id": "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d",
    "order_number": "SO-2026-0042",
    "template_id": None,
    "source": "order",
    "status": "planned",
    "health": "on_track",
    "currency": "EUR",
    "budget_amount": "48000.00",
    "start_date": "2026-04-06",
    "finish_date": None,
    "manager_id": None,
    "completed_at": None,
    "created_at": "2026-04-02T10:00:00.000000Z",
    "updated_at": "2026-04-02T10:00:00.000000Z",
    "version": 1,
}
EXAMPLE_CREATED = {
    **EXAMPLE_STATE,
    "scope_items": [
        {
            "name": "Implementation consulting",
            "sku": "SVC-CONSULT",
            "order_line_no": 1,
            "category": "labour",
            "unit": "hour",
            "quantity": "320.00",
            "unit_price": "150.00",
            "amount": "48000.00",
        }
    ],
}
EXAMPLE_STATUS_CHANGED = {
    **EXAMPLE_STATE,
    "health": "at_risk",
    "updated_at": "2026-05-04T08:30:00.000000Z",
    "version": 5,
    "changes": {"health": {"before": "on_track", "after": "at_risk"}},
    "comment": "Customer test data arrives two weeks late.",
}
EXAMPLE_COMPLETED = {
    **EXAMPLE_STATE,
    "status": "completed",
    "finish_date": "2026-07-31",
    "completed_at": "2026-07-31T16:00:00.000000Z",
    "updated_at": "2026-07-31T16:00:00.000000Z",
    "version": 12,
}


def project_state(project: Project) -> dict[str, Any]:
    """The project as events carry it (its state after the change)."""
    return {
        "id": project.id,
        "name": project.name,
        "account_id": project.account_id,
        "order_id": project.order_id,
        "order_number": project.order_number,
        "template_id": project.template_id,
        "source": project.source,
        "status": project.status,
        "health": project.health,
        "currency": project.currency,
        "budget_amount": money(project.budget_amount),
        "start_date": day(project.start_date),
        "finish_date": day(project.finish_date),
        "manager_id": project.manager_id,
        "completed_at": timestamp(project.completed_at),
        "created_at": timestamp(project.created_at),
        "updated_at": timestamp(project.updated_at),
        "version": project.version,
    }


def scope_item_state(item: ScopeItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "sku": item.sku,
        "order_line_no": item.order_line_no,
        "category": item.category,
        "unit": item.unit,
        "quantity": money(item.quantity),
        "unit_price": money(item.unit_price),
        "amount": money(item.amount),
    }
