"""Ticket use cases: open (any channel), read, list, change, move through states, reply and note.

Every change calls the SLA engine's hooks (service_desk.sla.hooks) in the same unit of work, after the
ticket row changed, and records its events in the outbox of that unit of work.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk import events_catalog as catalog
from service_desk.customers import service as customers
from service_desk.sla import hooks as sla_hooks
from service_desk.tickets import assignment
from service_desk.tickets.errors import TicketInvalid, TicketMerged, TicketNotFound, TransitionNotAllowed
from service_desk.tickets.events import ticket_state
from service_desk.tickets.models import TRANSITIONS, Ticket, TicketComment, TicketCounter, TicketGroup
from service_desk.tickets.recording import changes_since, record_complaint, record_ticket_event

SORT_COLUMNS = {
    "created_at": Ticket.created_at,
    "updated_at": Ticket.updated_at,
    "number": Ticket.number,
}
FILTERS = ("status", "priority", "type", "channel", "group_id", "assignee_id", "account_id", "contact_id")
RECLASSIFYING = ("priority", "type", "account_id")
REFERENCE = re.compile(r"#?T-(\d{1,9})", re.IGNORECASE)


@dataclasses.dataclass
class NewTicket:
    """What opening a ticket needs, whatever the channel."""

    subject: str
    channel: str
    created_by: str
    description: str = ""
    priority: str = "normal"
    type: str = "question"
    requester_email: str | None = None
    requester_name: str | None = None
    contact_id: str | None = None
    account_id: str | None = None
    group_id: str | None = None
    assignee_id: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)


def create_ticket(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Ticket:
    """Open a ticket from the API, a web form or a logged phone call."""
    with uow:
        ticket = open_ticket(uow.session, NewTicket(created_by=actor.subject, **data), clock.now())
        uow.commit()
    return ticket


def open_ticket(session: Session, new: NewTicket, now: datetime) -> Ticket:
    """Add the ticket (requester matched, group's assignment rule applied), start its SLA, record events."""
    ticket = Ticket(
        number=_next_number(session),
        subject=new.subject,
        description=new.description,
        status="new",
        priority=new.priority,
        type=new.type,
        channel=new.channel,
        group_id=new.group_id,
        assignee_id=new.assignee_id,
        tags=list(new.tags),
        created_by=new.created_by,
        created_at=now,
        updated_at=now,
    )
    _set_requester(session, ticket, new)
    if new.group_id is not None:
        _load_group(session, new.group_id)
    session.add(ticket)
    session.flush()
    record_ticket_event(session, catalog.TICKET_CREATED, ticket)
    sla_hooks.on_ticket_created(session, ticket, now)
    if ticket.type == "complaint":
        record_complaint(session, ticket)
    if ticket.assignee_id is None and ticket.group_id is not None:
        assignment.auto_assign(session, ticket, now)
    return ticket


def get_ticket(*, uow: crmkit.UnitOfWork, ticket_id: str) -> Ticket:
    with uow:
        return load_ticket(uow.session, ticket_id)


def list_tickets(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """List tickets, filtered by state, priority, type, channel, group, assignee, account or contact."""
    with uow:
        stmt = sa.select(Ticket)
        for name in FILTERS:
            if query.get(name) is not None:
                stmt = stmt.where(getattr(Ticket, name) == query[name])
        if query.get("unassigned"):
            stmt = stmt.where(Ticket.assignee_id.is_(None))
        if query.get("flagged") is not None:
            stmt = stmt.where(Ticket.flagged.is_(query["flagged"]))
        if query.get("requester_email"):
            stmt = stmt.where(Ticket.requester_email == query["requester_email"])
        if query.get("q"):
            stmt = stmt.where(_matches_text(query["q"]))
        sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "-created_at", Ticket.id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _matches_text(text: str) -> sa.ColumnElement[bool]:
    """A ticket reference (T-1042) finds that ticket; other text is looked for in the subject."""
    reference = REFERENCE.fullmatch(text.strip())
    if reference:
        return Ticket.number == int(reference.group(1))
    return sa.func.lower(Ticket.subject).contains(text.strip().lower(), autoescape=True)


def update_ticket(
    *,
    uow: crmkit.UnitOfWork,
    ticket_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Ticket:
    """Change subject, priority, type, tags, requester account/contact, group or assignee."""
    with uow:
        session = uow.session
        ticket = load_workable_ticket(session, ticket_id)
        crmkit.check_version(ticket.version, expected_version)
        before = ticket_state(ticket)
        was_complaint = ticket.type == "complaint"
        now = clock.now()
        _apply_fields(session, ticket, data)
        changes = changes_since(before, ticket)
        if changes or data.get("tags") is not None or "description" in data:
            ticket.updated_at = now
            session.flush()
        _after_update(session, ticket, changes, was_complaint, now)
        uow.commit()
    return ticket


def change_status(
    *,
    uow: crmkit.UnitOfWork,
    ticket_id: str,
    status: str,
    expected_version: int | None,
    actor: crmkit.Principal,
    reason: str | None = None,
) -> Ticket:
    """Move the ticket to `status` (resolved/closed -> open is a reopen)."""
    with uow:
        ticket = load_workable_ticket(uow.session, ticket_id)
        if expected_version is not None:
            crmkit.check_version(ticket.version, expected_version)
        transition(
            uow.session, ticket, status, clock.now(), reason=reason or f"Reopened by {actor.username}."
        )
        uow.commit()
    return ticket


def transition(session: Session, ticket: Ticket, status: str, now: datetime, *, reason: str = "") -> None:
    """Apply one state change: stamps, SLA hook, events (status_changed, plus resolved or reopened)."""
    before_status = ticket.status
    if status not in TRANSITIONS[before_status]:
        raise TransitionNotAllowed(
            f"A {before_status} ticket cannot become {status}.",
            current_status=before_status,
            allowed=list(TRANSITIONS[before_status]),
        )
    before = ticket_state(ticket)
    reopening = before_status in ("resolved", "closed") and status == "open"
    _stamp_status(ticket, status, now, reopening)
    session.flush()
    sla_hooks.on_status_changed(session, ticket, before_status, status, now)
    changes = changes_since(before, ticket)
    record_ticket_event(
        session,
        catalog.TICKET_STATUS_CHANGED,
        ticket,
        changes=changes,
        from_status=before_status,
        to_status=status,
    )
    if status == "resolved":
        record_ticket_event(session, catalog.TICKET_RESOLVED, ticket, changes=changes)
        if ticket.merged_into_id is None:  # a merged duplicate is not surveyed: its conversation moved
            _survey_on_resolve(session, ticket, now)
    if reopening:
        record_ticket_event(session, catalog.TICKET_REOPENED, ticket, changes=changes, reason=reason)


def add_comment(
    *, uow: crmkit.UnitOfWork, ticket_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> TicketComment:
    """An agent's public reply (the requester sees it) or internal note; a reply may set the next state."""
    with uow:
        session = uow.session
        ticket = load_workable_ticket(session, ticket_id)
        now = clock.now()
        body = data.get("body") or _canned_body(session, data.get("canned_response_id"), ticket)
        comment = TicketComment(
            ticket_id=ticket.id,
            kind=data["kind"],
            author_kind="agent",
            author_id=actor.subject,
            body=body,
            channel="web",
            seq=ticket.next_comment_seq(),
            created_at=now,
        )
        session.add(comment)
        if comment.kind == "public":
            agent_replied(session, ticket, now, next_status=data.get("status"))
        elif data.get("status"):
            transition(session, ticket, data["status"], now)
        ticket.updated_at = now
        session.flush()
        uow.commit()
    return comment


def agent_replied(session: Session, ticket: Ticket, now: datetime, *, next_status: str | None) -> None:
    """A public reply by an agent: first response stamp, SLA response clocks, new -> open unless told."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    session.flush()
    sla_hooks.on_public_reply(session, ticket, "agent", now)
    target = next_status or ("open" if ticket.status == "new" else None)
    if target is not None and target != ticket.status:
        transition(session, ticket, target, now)


def requester_replied(session: Session, ticket: Ticket, now: datetime) -> None:
    """A public reply by the requester: pending -> open, resolved/closed -> reopened; SLA next response."""
    sla_hooks.on_public_reply(session, ticket, "requester", now)
    if ticket.status == "pending":
        transition(session, ticket, "open", now)
    elif ticket.status in ("resolved", "closed"):
        transition(session, ticket, "open", now, reason="The requester replied.")


def list_comments(*, uow: crmkit.UnitOfWork, ticket_id: str, include_internal: bool) -> list[TicketComment]:
    with uow:
        load_ticket(uow.session, ticket_id)
        stmt = sa.select(TicketComment).where(TicketComment.ticket_id == ticket_id)
        if not include_internal:
            stmt = stmt.where(TicketComment.kind == "public")
        return list(
            uow.session.scalars(stmt.order_by(TicketComment.created_at, TicketComment.seq, TicketComment.id))
        )


def load_ticket(session: Session, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"No ticket {ticket_id}.")
    return ticket


def load_workable_ticket(session: Session, ticket_id: str) -> Ticket:
    """A ticket that may change: merged tickets answer 409 naming the ticket they live on in."""
    ticket = load_ticket(session, ticket_id)
    if ticket.merged_into_id is not None:
        raise TicketMerged(
            f"Ticket {ticket.reference} was merged into another ticket; work on that one.",
            merged_into=ticket.merged_into_id,
        )
    return ticket


def find_by_number(session: Session, number: int) -> Ticket | None:
    return session.scalars(sa.select(Ticket).where(Ticket.number == number)).first()


def _next_number(session: Session) -> int:
    """The next ticket number: the counter row is incremented in place, so concurrent creates queue up on
    its row lock instead of taking the same number."""
    bump = (
        sa.update(TicketCounter)
        .where(TicketCounter.name == "tickets")
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    )
    return int(session.execute(bump).scalar_one())


def _set_requester(session: Session, ticket: Ticket, new: NewTicket) -> None:
    """Who asked: a given contact (its account from the read model), else the e-mail matched, else unknown."""
    if new.contact_id is not None:
        requester = customers.contact_requester(session, new.contact_id)
        if requester is None:
            raise TicketInvalid(
                "No known contact has this id.",
                errors=[{"field": "contact_id", "message": "unknown contact", "in": "json"}],
            )
    else:
        requester = customers.match_requester(session, new.requester_email, new.requester_name)
    ticket.contact_id = requester.contact_id
    ticket.account_id = new.account_id or requester.account_id
    ticket.requester_email = new.requester_email or requester.email
    ticket.requester_name = new.requester_name or requester.name
    ticket.requester_known = requester.known or new.account_id is not None


def _apply_fields(session: Session, ticket: Ticket, data: Mapping[str, Any]) -> None:
    for name in ("subject", "description", "priority", "type", "tags", "account_id", "flagged"):
        if name in data:
            setattr(ticket, name, data[name])
    if "flagged" in data and not data["flagged"]:
        ticket.flag_reason = None
    if "contact_id" in data:
        _set_contact(session, ticket, data["contact_id"], keep_account="account_id" in data)
    if "group_id" in data and data["group_id"] is not None:
        _load_group(session, data["group_id"])
    for name in ("group_id", "assignee_id"):
        if name in data:
            setattr(ticket, name, data[name])


def _set_contact(session: Session, ticket: Ticket, contact_id: str | None, *, keep_account: bool) -> None:
    """Point the ticket at a known contact (and, unless the account is given too, its account); None clears."""
    if contact_id is None:
        ticket.contact_id = None
        return
    requester = customers.contact_requester(session, contact_id)
    if requester is None:
        raise TicketInvalid(
            "No known contact has this id.",
            errors=[{"field": "contact_id", "message": "unknown contact", "in": "json"}],
        )
    ticket.contact_id = requester.contact_id
    ticket.requester_known = True
    if not keep_account:
        ticket.account_id = requester.account_id


def _after_update(
    session: Session, ticket: Ticket, changes: dict[str, Any], was_complaint: bool, now: datetime
) -> None:
    """Events and SLA re-choice that follow an update."""
    if any(name in changes for name in RECLASSIFYING):
        sla_hooks.on_ticket_reclassified(session, ticket, now)
    assigned = {name: changes[name] for name in ("group_id", "assignee_id") if name in changes}
    if assigned:
        record_ticket_event(session, catalog.TICKET_ASSIGNED, ticket, changes=assigned, assigned_by="agent")
        if "assignee_id" not in changes and ticket.assignee_id is None:
            assignment.auto_assign(session, ticket, now)
    if ticket.type == "complaint" and not was_complaint:
        record_complaint(session, ticket)


def _stamp_status(ticket: Ticket, status: str, now: datetime, reopening: bool) -> None:
    ticket.status = status
    ticket.updated_at = now
    if status == "resolved":
        ticket.resolved_at = now
    if status == "closed":
        ticket.closed_at = now
    if reopening:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None


def _load_group(session: Session, group_id: str) -> TicketGroup:
    group = session.get(TicketGroup, group_id)
    if group is None:
        raise TicketInvalid(
            "No ticket group has this id.",
            errors=[{"field": "group_id", "message": "unknown group", "in": "json"}],
        )
    return group


def _canned_body(session: Session, canned_response_id: str | None, ticket: Ticket) -> str:
    from service_desk.tickets.canned import render_canned

    if canned_response_id is None:
        raise TicketInvalid(
            "Send a body or a canned_response_id.",
            errors=[
                {"field": "body", "message": "required unless canned_response_id is given", "in": "json"}
            ],
        )
    return render_canned(session, canned_response_id, ticket)


def _survey_on_resolve(session: Session, ticket: Ticket, now: datetime) -> None:
    from service_desk.surveys.service import send_survey

    send_survey(session, ticket, now)
