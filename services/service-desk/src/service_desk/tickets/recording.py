"""Recording ticket events in the outbox (same unit of work as the change), with before/after changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from service_desk import events_catalog as catalog
from service_desk.customers import service as customers
from service_desk.tickets.events import ticket_state
from service_desk.tickets.models import Ticket


def record_ticket_event(session: Session, event_type: EventType, ticket: Ticket, **extra: Any) -> None:
    """Record `event_type` with the ticket's current state plus `extra` (subject: the ticket)."""
    session.flush()
    record(
        session,
        event_type,
        subject=ticket.id,
        data={**ticket_state(ticket), **extra},
        sequence=ticket.version,
    )


def changes_since(before: dict[str, Any], ticket: Ticket) -> dict[str, Any]:
    """The before/after of every field that differs from the `before` snapshot (ticket_state shape)."""
    return diff(before, ticket_state(ticket))


def record_complaint(session: Session, ticket: Ticket) -> None:
    """servicedesk.complaint.raised, with who the customer is (complaints get their own handling)."""
    record_ticket_event(
        session,
        catalog.COMPLAINT_RAISED,
        ticket,
        account_name=customers.account_name(session, ticket.account_id),
        account_tier=customers.account_tier(session, ticket.account_id),
    )
