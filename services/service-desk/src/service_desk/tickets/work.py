"""Work on a ticket beyond its state: time spent, links between tickets, and merging duplicates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.tickets.errors import LinkInvalid, LinkNotFound, MergeInvalid
from service_desk.tickets.models import OPEN_STATUSES, Ticket, TicketComment, TicketLink, TimeEntry
from service_desk.tickets.service import load_ticket, load_workable_ticket, transition

# The kind a link shows from the other ticket's side.
INVERSE_KIND = {
    "related": "related",
    "duplicate": "duplicate",
    "caused_by": "caused_by",
    "parent": "child",
    "child": "parent",
}


def log_time(
    *, uow: crmkit.UnitOfWork, ticket_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> TimeEntry:
    """Record minutes an agent spent on the ticket; the ticket keeps the running total."""
    with uow:
        session = uow.session
        ticket = load_ticket(session, ticket_id)
        now = clock.now()
        entry = TimeEntry(
            ticket_id=ticket.id,
            agent_id=actor.subject,
            minutes=data["minutes"],
            note=data.get("note"),
            created_at=now,
        )
        session.add(entry)
        ticket.time_spent_minutes += entry.minutes
        ticket.updated_at = now
        session.flush()
        uow.commit()
    return entry


def list_time(*, uow: crmkit.UnitOfWork, ticket_id: str) -> dict[str, Any]:
    with uow:
        ticket = load_ticket(uow.session, ticket_id)
        stmt = (
            sa.select(TimeEntry)
            .where(TimeEntry.ticket_id == ticket_id)
            .order_by(TimeEntry.created_at, TimeEntry.id)
        )
        return {"items": list(uow.session.scalars(stmt)), "total_minutes": ticket.time_spent_minutes}


def add_link(
    *, uow: crmkit.UnitOfWork, ticket_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> TicketLink:
    """Link two tickets (both directions are stored, so each lists the other)."""
    with uow:
        session = uow.session
        ticket = load_ticket(session, ticket_id)
        other_id = data["other_ticket_id"]
        _check_link_target(session, ticket, other_id)
        now = clock.now()
        link = _put_link(session, ticket.id, other_id, data["kind"], actor.subject, now)
        _put_link(session, other_id, ticket.id, INVERSE_KIND[data["kind"]], actor.subject, now)
        session.flush()
        uow.commit()
    return link


def list_links(*, uow: crmkit.UnitOfWork, ticket_id: str) -> list[TicketLink]:
    with uow:
        load_ticket(uow.session, ticket_id)
        stmt = sa.select(TicketLink).where(TicketLink.ticket_id == ticket_id).order_by(TicketLink.created_at)
        return list(uow.session.scalars(stmt))


def remove_link(*, uow: crmkit.UnitOfWork, ticket_id: str, other_ticket_id: str) -> None:
    with uow:
        session = uow.session
        link = session.get(TicketLink, (ticket_id, other_ticket_id))
        if link is None:
            raise LinkNotFound(f"Ticket {ticket_id} has no link to {other_ticket_id}.")
        session.delete(link)
        inverse = session.get(TicketLink, (other_ticket_id, ticket_id))
        if inverse is not None:
            session.delete(inverse)
        uow.commit()


def merge_tickets(
    *, uow: crmkit.UnitOfWork, target_id: str, source_id: str, actor: crmkit.Principal
) -> Ticket:
    """Merge a duplicate (source) into the target: its conversation, attachments, mail thread and time move
    over, it is closed with `merged_into_id` set, and both carry a note and a duplicate link."""
    with uow:
        session = uow.session
        target = load_workable_ticket(session, target_id)
        source = load_workable_ticket(session, source_id)
        if source.id == target.id:
            raise MergeInvalid(
                "A ticket cannot be merged into itself.",
                errors=[{"field": "source_ticket_id", "message": "names this ticket", "in": "json"}],
            )
        now = clock.now()
        _move_work(session, source, target)
        _close_merged(session, source, target, now)
        _note(
            session,
            target,
            f"{source.reference} was merged into this ticket by {actor.username}.",
            actor,
            now,
        )
        _note(session, source, f"Merged into {target.reference} by {actor.username}.", actor, now)
        _put_link(session, source.id, target.id, "duplicate", actor.subject, now)
        _put_link(session, target.id, source.id, "duplicate", actor.subject, now)
        target.updated_at = now
        session.flush()
        uow.commit()
    return target


def _move_work(session: Session, source: Ticket, target: Ticket) -> None:
    from service_desk.mail.models import Attachment, MailMessage

    for model in (TicketComment, MailMessage, Attachment, TimeEntry):
        session.execute(sa.update(model).where(model.ticket_id == source.id).values(ticket_id=target.id))
    target.time_spent_minutes += source.time_spent_minutes
    source.time_spent_minutes = 0
    if target.first_responded_at is None:
        target.first_responded_at = source.first_responded_at


def _close_merged(session: Session, source: Ticket, target: Ticket, now: Any) -> None:
    source.merged_into_id = target.id
    if source.status in OPEN_STATUSES:
        transition(session, source, "resolved", now, reason=f"Merged into {target.reference}.")
    if source.status == "resolved":
        transition(session, source, "closed", now)


def _note(session: Session, ticket: Ticket, body: str, actor: crmkit.Principal, now: Any) -> None:
    session.add(
        TicketComment(
            ticket_id=ticket.id,
            kind="internal",
            author_kind="system",
            author_id=actor.subject,
            body=body,
            channel="web",
            seq=ticket.next_comment_seq(),
            created_at=now,
        )
    )


def _check_link_target(session: Session, ticket: Ticket, other_id: str) -> None:
    if other_id == ticket.id:
        raise LinkInvalid(
            "A ticket cannot be linked to itself.",
            errors=[{"field": "other_ticket_id", "message": "names this ticket", "in": "json"}],
        )
    if session.get(Ticket, other_id) is None:
        raise LinkInvalid(
            "No ticket has this id.",
            errors=[{"field": "other_ticket_id", "message": "unknown ticket", "in": "json"}],
        )


def _put_link(
    session: Session, ticket_id: str, other_id: str, kind: str, actor_id: str, now: Any
) -> TicketLink:
    link = session.get(TicketLink, (ticket_id, other_id))
    if link is None:
        link = TicketLink(
            ticket_id=ticket_id, other_ticket_id=other_id, kind=kind, created_by=actor_id, created_at=now
        )
        session.add(link)
    else:
        link.kind = kind
    return link
