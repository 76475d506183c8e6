"""Events about cost: routing key, payload JSON Schema (v1), example and the payload builder."""

from __future__ import annotations

from typing import Any

from projects.costs.models import Timesheet
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
)

TIMESHEET_APPROVED = "projects.timesheet.approved"

TimesheetEntryV1 = record(
    {
        "work_date": DATE,
        "hours": MONEY,
        "role": TEXT,
        "task_id": nullable(ID),
        "rate": MONEY,
        "cost": MONEY,
    }
)
TimesheetApprovedV1 = record(
    {
        "id": ID,
        "project_id": ID,
        "account_id": nullable(ID),
        "user_id": TEXT,
        "status": one_of(("approved",)),
        "total_hours": MONEY,
        "cost_amount": MONEY,
        "currency": CURRENCY,
        "entries": {"type": "array", "items": TimesheetEntryV1, "minItems": 1},
        "submitted_at": TIMESTAMP,
        "decided_by": TEXT,
        "decided_at": TIMESTAMP,
        "version": VERSION,
    }
)
EXAMPLE_APPROVED: dict[str, Any] = {
    "id": "0c8f9e2d4b6a48f1a3e5d7c9b1a2f3e4",
    "project_id": "5b7d9f1e3c5a47e9b2d4f6a8c0e1d2f3",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "user_id": "u-4711",
    "status": "approved",
    "total_hours": "12.50",
    "cost_amount": "1062.50",
    "currency": "EUR",
    "entries": [
        {
            "work_date": "2026-03-09",
            "hours": "8.00",
            "role": "Consultant",
            "task_id": "9a8b7c6d5e4f43a2b1c0d9e8f7a6b5c4",
            "rate": "85.0000",
            "cost": "680.00",
        },
        {
            "work_date": "2026-03-10",
            "hours": "4.50",
            "role": "Consultant",
            "task_id": None,
            "rate": "85.0000",
            "cost": "382.50",
        },
    ],
    "submitted_at": "2026-03-13T16:02:11Z",
    "decided_by": "u-pm-1",
    "decided_at": "2026-03-16T08:30:00Z",
    "version": 2,
}


def timesheet_state(timesheet: Timesheet, account_id: str | None) -> dict[str, Any]:
    """The approved timesheet as the event carries it."""
    return {
        "id": timesheet.id,
        "project_id": timesheet.project_id,
        "account_id": account_id,
        "user_id": timesheet.user_id,
        "status": timesheet.status,
        "total_hours": money(timesheet.total_hours),
        "cost_amount": money(timesheet.cost_amount),
        "currency": timesheet.currency,
        "entries": [
            {
                "work_date": day(entry.work_date),
                "hours": money(entry.hours),
                "role": entry.role,
                "task_id": entry.task_id,
                "rate": money(entry.rate),
                "cost": money(entry.cost),
            }
            for entry in timesheet.entries
        ],
        "submitted_at": timestamp(timesheet.submitted_at),
        "decided_by": timesheet.decided_by,
        "decided_at": timestamp(timesheet.decided_at),
        "version": timesheet.version,
    }
