"""The `sla-sweep` periodic job: announce SLA warnings and breaches that are due, then escalate.

Driven by an explicit `now` (the worker passes the clock; tests and `crm-service-desk jobs run sla-sweep
--at <time>` pass any instant), so nothing here reads the clock or sleeps.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_desk.sla import alerts, clocks, escalation
from service_desk.sla.models import SlaClock
from service_desk.tickets.models import Ticket

BATCH = 500
EVERY_SECONDS = 30.0


def run(session: Session, now: datetime) -> int:
    """Write each due warning and breach event (once per clock) and apply escalation rules; return the count."""
    lookup = clocks.calendars(session)
    due = session.scalars(
        sa.select(SlaClock)
        .where(SlaClock.status == "running", SlaClock.next_check_at <= now)
        .order_by(SlaClock.next_check_at, SlaClock.id)
        .limit(BATCH)
    ).all()
    announced = 0
    for clock in due:
        ticket = _lock_ticket(session, clock.ticket_id)
        if ticket is None:
            continue  # a ticket use case holds it right now: the next round looks again
        session.refresh(clock)  # what that use case may have committed meanwhile (e.g. the reply)
        announced += _check(session, clock, ticket, now, lookup)
    return announced


def _lock_ticket(session: Session, ticket_id: str) -> Ticket | None:
    """Lock the ticket row (PostgreSQL; skipped when busy) so a concurrent reply or state change and the
    sweep never both announce the same clock. Ticket first, then its clocks: the order the hooks use."""
    stmt = sa.select(Ticket).where(Ticket.id == ticket_id).with_for_update(skip_locked=True)
    return session.scalars(stmt).first()


def _check(
    session: Session, clock: SlaClock, ticket: Ticket, now: datetime, lookup: clocks.CalendarLookup
) -> int:
    """Announce what this clock passed by `now` (warning before breach), escalating after each."""
    calendar = lookup(clock.calendar_id)
    clocks.refresh(clock, calendar)  # recomputed from the segments, never trusted from the cache alone
    announced = 0
    for trigger in (alerts.WARNING, alerts.BREACH):
        # Read after each step: an escalation may have re-chosen the policy (new target, new due time).
        instant, sent = (
            (clock.warn_at, clock.warned_at)
            if trigger == alerts.WARNING
            else (clock.due_at, clock.breached_at)
        )
        if sent is None and instant is not None and instant <= now and clock.status == "running":
            alerts.announce(session, clock, ticket, trigger, now, lookup(clock.calendar_id))
            escalation.escalate(session, clock, ticket, trigger, now)
            announced += 1
    return announced
