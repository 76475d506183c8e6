"""Events about activities: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from sales.activities.models import KINDS, OUTCOMES, STATUSES, Activity
from sales.payloads import ID, TEXT, TIMESTAMP, VERSION, nullable, one_of, record, timestamp, with_changes

ACTIVITY_COMPLETED = "sales.activity.completed"

ActivityStateV1 = record(
    {
        "id": ID,
        "kind": one_of(KINDS),
        "subject": TEXT,
        "owner_id": ID,
        "owner_team": nullable(TEXT),
        "account_id": nullable(ID),
        "opportunity_id": nullable(ID),
        "lead_id": nullable(ID),
        "visit_plan_id": nullable(ID),
        "status": one_of(STATUSES),
        "due_at": TIMESTAMP,
        "duration_minutes": nullable({"type": "integer", "minimum": 0}),
        "location": nullable(TEXT),
        "completed_at": nullable(TIMESTAMP),
        "outcome": nullable(one_of(OUTCOMES)),
        "outcome_notes": nullable(TEXT),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
ActivityCompletedV1 = with_changes(ActivityStateV1)

EXAMPLE_COMPLETED: dict[str, Any] = {
    "id": "b1c2d3e4f5a64b7c8d9e0f1a2b3c4d5e",
    "kind": "visit",
    "subject": "On-site demo of the telematics dashboard",
    "owner_id": "u-rep-7",
    "owner_team": "emea-north",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "opportunity_id": "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d",
    "lead_id": None,
    "visit_plan_id": "e1f2a3b4c5d64e7f8a9b0c1d2e3f4a5b",
    "status": "completed",
    "due_at": "2026-05-12T09:00:00.000000Z",
    "duration_minutes": 90,
    "location": "Hamburg, Speicherstadt 4",
    "completed_at": "2026-05-12T10:45:00.000000Z",
    "outcome": "follow_up",
    "outcome_notes": "Wants a pilot for 20 trucks; send proposal by Friday.",
    "created_at": "2026-05-05T16:00:00.000000Z",
    "updated_at": "2026-05-12T10:45:00.000000Z",
    "version": 2,
    "changes": {
        "status": {"before": "planned", "after": "completed"},
        "outcome": {"before": None, "after": "follow_up"},
    },
}


def activity_state(activity: Activity) -> dict[str, Any]:
    """The activity as events carry it (its state after the change)."""
    return {
        "id": activity.id,
        "kind": activity.kind,
        "subject": activity.subject,
        "owner_id": activity.owner_id,
        "owner_team": activity.owner_team,
        "account_id": activity.account_id,
        "opportunity_id": activity.opportunity_id,
        "lead_id": activity.lead_id,
        "visit_plan_id": activity.visit_plan_id,
        "status": activity.status,
        "due_at": timestamp(activity.due_at),
        "duration_minutes": activity.duration_minutes,
        "location": activity.location,
        "completed_at": timestamp(activity.completed_at),
        "outcome": activity.outcome,
        "outcome_notes": activity.outcome_notes,
        "created_at": timestamp(activity.created_at),
        "updated_at": timestamp(activity.updated_at),
        "version": activity.version,
    }
