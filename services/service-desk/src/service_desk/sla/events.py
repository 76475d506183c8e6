"""Events of the SLA engine: a clock reached its warning share or its target; an escalation rule acted."""

from __future__ import annotations

from typing import Any

from service_desk.payloads import ID, TEXT, TIMESTAMP, Schema, nullable, one_of, record
from service_desk.sla.models import CLOCK_KINDS, TRIGGERS
from service_desk.tickets.models import PRIORITIES

TICKET_SLA_WARNING = "servicedesk.ticket.sla_warning"
TICKET_SLA_BREACHED = "servicedesk.ticket.sla_breached"
TICKET_ESCALATED = "servicedesk.ticket.escalated"

SECONDS: Schema = {"type": "integer", "minimum": 0}
NUMBER: Schema = {"type": "integer", "minimum": 1}
TicketSlaV1: Schema = record(
    {
        "ticket_id": ID,
        "ticket_number": NUMBER,
        "reference": TEXT,
        "account_id": nullable(ID),
        "account_manager_id": nullable(TEXT),
        "clock": one_of(CLOCK_KINDS),
        "clock_id": ID,
        "policy_id": ID,
        "priority": one_of(PRIORITIES),
        "warn_at": TIMESTAMP,
        "due_at": TIMESTAMP,
        "target_seconds": {"type": "integer", "minimum": 1},
        "warning_share": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "elapsed_business_seconds": SECONDS,
        "clock_running": {"type": "boolean", "description": "false when the clock stopped after its target"},
    }
)
TicketSlaWarningV1 = TicketSlaV1
TicketSlaBreachedV1 = TicketSlaV1
TicketEscalatedV1 = record(
    {
        "ticket_id": ID,
        "reference": TEXT,
        "account_id": nullable(ID),
        "account_manager_id": nullable(TEXT),
        "notify": {"type": "array", "items": TEXT, "description": "user ids to tell (the account manager)"},
        "rule_id": ID,
        "rule_name": TEXT,
        "trigger": one_of(TRIGGERS),
        "clock": one_of(CLOCK_KINDS),
        "due_at": TIMESTAMP,
        "actions": {
            "type": "array",
            "items": one_of(("reassign", "raise_priority", "notify_account_manager")),
        },
        "changes": {"type": "object"},
    }
)

EXAMPLE_WARNING: dict[str, Any] = {
    "ticket_id": "3c9d0f7b6a5e4d3c2b1a09f8e7d6c5b4",
    "ticket_number": 1042,
    "reference": "T-1042",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "account_manager_id": "u-4711",
    "clock": "first_response",
    "clock_id": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
    "policy_id": "5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
    "priority": "high",
    "warn_at": "2026-03-02T10:03:00.000000Z",
    "due_at": "2026-03-02T10:15:00.000000Z",
    "target_seconds": 3600,
    "warning_share": 0.8,
    "elapsed_business_seconds": 2880,
    "clock_running": True,
}
EXAMPLE_BREACHED = {**EXAMPLE_WARNING, "elapsed_business_seconds": 3600}
EXAMPLE_ESCALATED: dict[str, Any] = {
    "ticket_id": "3c9d0f7b6a5e4d3c2b1a09f8e7d6c5b4",
    "reference": "T-1042",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "account_manager_id": "u-4711",
    "notify": ["u-4711"],
    "rule_id": "7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
    "rule_name": "Key customers: breach goes to the escalation desk",
    "trigger": "breach",
    "clock": "resolution",
    "due_at": "2026-03-02T17:00:00.000000Z",
    "actions": ["reassign", "raise_priority", "notify_account_manager"],
    "changes": {
        "group_id": {
            "before": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "after": "1b2c3d4e5f60718293a4b5c6d7e8f90a",
        },
        "priority": {"before": "high", "after": "urgent"},
    },
}
