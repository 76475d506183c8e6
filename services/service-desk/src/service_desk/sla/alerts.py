"""Writing the SLA warning and breach events (once per clock: the *_at columns remember them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crmkit.events.outbox import record
from service_desk import events_catalog as catalog
from service_desk.calendars.hours import BusinessCalendar
from service_desk.customers.service import account_manager
from service_desk.payloads import timestamp
from service_desk.sla import clocks
from service_desk.sla.models import SlaClock
from service_desk.tickets.models import Ticket

WARNING, BREACH = "warning", "breach"


def announce(
    session: Session, clock: SlaClock, ticket: Ticket, trigger: str, now: datetime, calendar: BusinessCalendar
) -> None:
    """Record the warning or breach event for this clock and mark it sent; no-op if it was sent already."""
    if trigger == WARNING and clock.warned_at is None:
        clock.warned_at = now
        event_type = catalog.TICKET_SLA_WARNING
    elif trigger == BREACH and clock.breached_at is None:
        clock.breached_at = now
        event_type = catalog.TICKET_SLA_BREACHED
    else:
        return
    clocks.refresh(clock, calendar)
    data = payload(session, clock, ticket, now, calendar)
    record(session, event_type, subject=ticket.id, data=data, sequence=ticket.version)


def payload(
    session: Session, clock: SlaClock, ticket: Ticket, now: datetime, calendar: BusinessCalendar
) -> dict[str, object]:
    """The event's data: the ticket, its account (and manager), the clock with its figures at `now`."""
    warn_at = clocks.deadline(clock, calendar, clock.warning_seconds)
    due_at = clocks.deadline(clock, calendar, clock.target_seconds)
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.number,
        "reference": ticket.reference,
        "account_id": ticket.account_id,
        "account_manager_id": account_manager(session, ticket.account_id),
        "clock": clock.kind,
        "clock_id": clock.id,
        "policy_id": clock.policy_id,
        "priority": ticket.priority,
        "warn_at": timestamp(warn_at or now),
        "due_at": timestamp(due_at or now),
        "target_seconds": clock.target_seconds,
        "warning_share": clock.warning_share,
        "elapsed_business_seconds": clocks.elapsed(clock, calendar, now),
        "clock_running": clock.status == "running",
    }
