"""Following customer merges: tickets and surveys of a merged account move to the survivor."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_desk import clock
from service_desk.sla import hooks as sla_hooks
from service_desk.surveys.models import Survey
from service_desk.tickets.models import OPEN_STATUSES, Ticket


def repoint_account(session: Session, merged_id: str, survivor_id: str) -> int:
    """Move every ticket (and survey) of `merged_id` to `survivor_id`; open tickets re-choose their SLA."""
    tickets = list(session.scalars(sa.select(Ticket).where(Ticket.account_id == merged_id)))
    now = clock.now()
    for ticket in tickets:
        ticket.account_id = survivor_id
        ticket.updated_at = now
    session.execute(sa.update(Survey).where(Survey.account_id == merged_id).values(account_id=survivor_id))
    session.flush()
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            sla_hooks.on_ticket_reclassified(session, ticket, now)
    return len(tickets)
