"""Events about tickets: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from service_desk.payloads import (
    ID,
    TEXT,
    TIMESTAMP,
    VERSION,
    Schema,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)
from service_desk.tickets.models import CHANNELS, PRIORITIES, STATUSES, TYPES, Ticket

TICKET_CREATED = "servicedesk.ticket.created"
TICKET_ASSIGNED = "servicedesk.ticket.assigned"
TICKET_STATUS_CHANGED = "servicedesk.ticket.status_changed"
TICKET_RESOLVED = "servicedesk.ticket.resolved"
TICKET_REOPENED = "servicedesk.ticket.reopened"
COMPLAINT_RAISED = "servicedesk.complaint.raised"

TicketStateV1: Schema = record(
    {
        "id": ID,
        "ticket_id": ID,
        "number": {"type": "integer", "minimum": 1},
        "reference": TEXT,
        "subject": TEXT,
        "status": one_of(STATUSES),
        "priority": one_of(PRIORITIES),
        "type": one_of(TYPES),
        "channel": one_of(CHANNELS),
        "account_id": nullable(ID),
        "contact_id": nullable(ID),
        "requester_email": nullable(TEXT),
        "requester_known": {"type": "boolean"},
        "group_id": nullable(ID),
        "assignee_id": nullable(TEXT),
        "flagged": {"type": "boolean"},
        "merged_into_id": nullable(ID),
        "reopen_count": {"type": "integer", "minimum": 0},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "first_responded_at": nullable(TIMESTAMP),
        "resolved_at": nullable(TIMESTAMP),
        "closed_at": nullable(TIMESTAMP),
        "version": VERSION,
    }
)
TicketCreatedV1 = TicketStateV1
TicketAssignedV1 = record(
    {**with_changes(TicketStateV1)["properties"], "assigned_by": one_of(("agent", "rule"))}
)
TicketStatusChangedV1 = record(
    {
        **with_changes(TicketStateV1)["properties"],
        "from_status": one_of(STATUSES),
        "to_status": one_of(STATUSES),
    }
)
TicketResolvedV1 = with_changes(TicketStateV1)
TicketReopenedV1 = record({**with_changes(TicketStateV1)["properties"], "reason": TEXT})
ComplaintRaisedV1 = record(
    {**TicketStateV1["properties"], "account_name": nullable(TEXT), "account_tier": TEXT}
)

EXAMPLE_STATE: dict[str, Any] = {
    "id": "3c9d0f7b6a5e4d3c2b1a09f8e7d6c5b4",
    "ticket_id": "3c9d0f7b6a5e4d3c2b1a09f8e7d6c5b4",
    "number": 1042,
    "reference": "T-1042",
    "subject": "Invoice export fails with error 500",
    "status": "open",
    "priority": "high",
    "type": "incident",
    "channel": "email",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "contact_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "requester_email": "jana.novak@acme.example",
    "requester_known": True,
    "group_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "assignee_id": "u-agent-7",
    "flagged": False,
    "merged_into_id": None,
    "reopen_count": 0,
    "created_at": "2026-03-02T09:15:00.000000Z",
    "updated_at": "2026-03-02T09:20:00.000000Z",
    "first_responded_at": None,
    "resolved_at": None,
    "closed_at": None,
    "version": 2,
}
EXAMPLE_CREATED = {**EXAMPLE_STATE, "status": "new", "version": 1, "updated_at": EXAMPLE_STATE["created_at"]}
EXAMPLE_ASSIGNED = {
    **EXAMPLE_STATE,
    "changes": {"assignee_id": {"before": None, "after": "u-agent-7"}},
    "assigned_by": "rule",
}
EXAMPLE_STATUS_CHANGED = {
    **EXAMPLE_STATE,
    "status": "pending",
    "changes": {"status": {"before": "open", "after": "pending"}},
    "from_status": "open",
    "to_status": "pending",
}
EXAMPLE_RESOLVED = {
    **EXAMPLE_STATE,
    "status": "resolved",
    "resolved_at": "2026-03-03T11:00:00.000000Z",
    "changes": {
        "status": {"before": "open", "after": "resolved"},
        "resolved_at": {"before": None, "after": "2026-03-03T11:00:00.000000Z"},
    },
}
EXAMPLE_REOPENED = {
    **EXAMPLE_STATE,
    "reopen_count": 1,
    "changes": {"status": {"before": "resolved", "after": "open"}, "reopen_count": {"before": 0, "after": 1}},
    "reason": "The requester replied to a resolved ticket.",
}
EXAMPLE_COMPLAINT = {
    **EXAMPLE_CREATED,
    "type": "complaint",
    "account_name": "Acme GmbH",
    "account_tier": "key",
}


def ticket_state(ticket: Ticket) -> dict[str, Any]:
    """The ticket's state as event payloads carry it (`ticket_id` repeats `id` for timeline consumers)."""
    return {
        "id": ticket.id,
        "ticket_id": ticket.id,
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
        "account_id": ticket.account_id,
        "contact_id": ticket.contact_id,
        "requester_email": ticket.requester_email,
        "requester_known": ticket.requester_known,
        "group_id": ticket.group_id,
        "assignee_id": ticket.assignee_id,
        "flagged": ticket.flagged,
        "merged_into_id": ticket.merged_into_id,
        "reopen_count": ticket.reopen_count,
        "created_at": timestamp(ticket.created_at),
        "updated_at": timestamp(ticket.updated_at),
        "first_responded_at": timestamp(ticket.first_responded_at),
        "resolved_at": timestamp(ticket.resolved_at),
        "closed_at": timestamp(ticket.closed_at),
        "version": ticket.version,
    }
