"""Assignment within a group: round-robin (next member after the last one given a ticket) or least-busy
(the member with the fewest open tickets; ties go round-robin order by agent id)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_desk import events_catalog as catalog
from service_desk.tickets.models import OPEN_STATUSES, GroupMember, Ticket, TicketGroup
from service_desk.tickets.recording import record_ticket_event


def auto_assign(session: Session, ticket: Ticket, now: datetime) -> str | None:
    """Give the ticket an agent by its group's rule; record servicedesk.ticket.assigned. None if manual."""
    group = session.get(TicketGroup, ticket.group_id) if ticket.group_id else None
    if group is None or group.assignment == "manual":
        return None
    members = group_members(session, group.id)
    if not members:
        return None
    agent = (
        _least_busy(session, members) if group.assignment == "least_busy" else _next_in_turn(group, members)
    )
    group.last_assigned_id = agent
    ticket.assignee_id = agent
    ticket.updated_at = now
    session.flush()
    changes = {"assignee_id": {"before": None, "after": agent}}
    record_ticket_event(session, catalog.TICKET_ASSIGNED, ticket, changes=changes, assigned_by="rule")
    return agent


def group_members(session: Session, group_id: str) -> list[str]:
    stmt = (
        sa.select(GroupMember.agent_id).where(GroupMember.group_id == group_id).order_by(GroupMember.agent_id)
    )
    return list(session.scalars(stmt))


def _next_in_turn(group: TicketGroup, members: list[str]) -> str:
    """The member after the last one assigned (by agent id order), wrapping around."""
    following = [
        agent for agent in members if group.last_assigned_id is None or agent > group.last_assigned_id
    ]
    return following[0] if following else members[0]


def _least_busy(session: Session, members: list[str]) -> str:
    """The member with the fewest open tickets anywhere (ties: lowest agent id)."""
    counts = dict(
        session.execute(
            sa.select(Ticket.assignee_id, sa.func.count())
            .where(Ticket.assignee_id.in_(members), Ticket.status.in_(OPEN_STATUSES))
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return min(members, key=lambda agent: (counts.get(agent, 0), agent))
