"""What the ticket use cases call, inside their unit of work, after the ticket row changed.

The ticket side (helper D1's tickets feature) calls these; the SLA engine (sla.engine) does the work.
None of them commits: the caller's transaction writes the clocks, their segments and any SLA events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service_desk import clock
from service_desk.sla import engine
from service_desk.tickets.models import Ticket


def on_ticket_created(session: Session, ticket: Ticket, at: datetime) -> None:
    """Choose the ticket's SLA policy and start its first-response and resolution clocks."""
    engine.start_ticket(session, ticket, at)


def on_status_changed(session: Session, ticket: Ticket, before: str, after: str, at: datetime) -> None:
    """Pending pauses the clocks; resolved/closed stop them; open again resumes; reopen restarts resolution."""
    if before != after:
        engine.change_status(session, ticket, before, after, at)


def on_public_reply(session: Session, ticket: Ticket, author: str, at: datetime) -> None:
    """author "agent": meets the first/next response clock; "requester": starts a next-response clock."""
    engine.public_reply(session, ticket, author, at)


def on_ticket_reclassified(session: Session, ticket: Ticket, at: datetime) -> None:
    """Priority, type or requester account changed: re-choose the policy (open clocks keep their time)."""
    engine.reclassify(session, ticket, at)


def sla_view(session: Session, ticket: Ticket) -> dict[str, Any]:
    """The ticket's policy and clocks with segments and recomputed due times, as of now."""
    return engine.describe(session, ticket, clock.now())
