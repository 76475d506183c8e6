"""The SLA engine on one ticket: choose its policy, start, pause, resume and stop its clocks.

Called through sla.hooks by the ticket use cases, inside their unit of work (nothing here commits).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_desk.customers.service import account_tier
from service_desk.sla import alerts, clocks
from service_desk.sla.models import CLOCK_KINDS, SlaClock, SlaPolicy, SlaTicket
from service_desk.tickets.models import Ticket

RESPONSE_KINDS = ("first_response", "next_response")
DONE_STATUSES = ("resolved", "closed")
WORKING_STATUSES = ("new", "open")


def ticket_facts(session: Session, ticket: Ticket) -> dict[str, str]:
    """What policies are chosen by: the account's tier (from the read model), priority, type, channel."""
    return {
        "tier": account_tier(session, ticket.account_id),
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
    }


def choose_policy(policies: Iterable[SlaPolicy], facts: dict[str, str]) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions all hold."""
    ordered = sorted(policies, key=lambda policy: (policy.position, policy.created_at, policy.id))
    return next((policy for policy in ordered if policy.active and policy.matches(facts)), None)


def active_policies(session: Session) -> list[SlaPolicy]:
    stmt = sa.select(SlaPolicy).where(SlaPolicy.active.is_(True)).order_by(SlaPolicy.position, SlaPolicy.id)
    return list(session.scalars(stmt))


def ticket_clocks(session: Session, ticket_id: str) -> list[SlaClock]:
    """The ticket's clocks, oldest first, after locking the ticket row (see sweep._lock_ticket)."""
    session.execute(sa.select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())
    stmt = (
        sa.select(SlaClock).where(SlaClock.ticket_id == ticket_id).order_by(SlaClock.started_at, SlaClock.id)
    )
    return list(session.scalars(stmt))


def start_ticket(session: Session, ticket: Ticket, at: datetime) -> SlaTicket:
    """Choose the ticket's policy and start its first-response and resolution clocks."""
    facts = ticket_facts(session, ticket)
    policy = choose_policy(active_policies(session), facts)
    choice = SlaTicket(ticket_id=ticket.id, chosen_at=at, facts=facts)
    _adopt(choice, policy)
    session.add(choice)
    if policy is not None:
        for kind in ("first_response", "resolution"):
            _start_clock(session, ticket, policy, kind, at, "ticket created")
        if ticket.status == "pending":
            change_status(session, ticket, "new", "pending", at)
    return choice


def change_status(session: Session, ticket: Ticket, before: str, after: str, at: datetime) -> None:
    """Pending pauses the clocks, resolved/closed stops them, open again resumes; reopen restarts resolution."""
    lookup = clocks.calendars(session)
    for clock in ticket_clocks(session, ticket.id):
        if after in DONE_STATUSES:
            _finish(session, clock, ticket, at, f"ticket {after}", met=clock.kind == "resolution")
        elif after == "pending" and clock.status == "running":
            clocks.move_to(clock, "paused", "ticket pending: waiting for the customer", at)
            clock.status = "paused"
        elif after in WORKING_STATUSES and before == "pending" and clock.status == "paused":
            clocks.move_to(clock, "running", f"ticket {after} again", at)
            clock.status = "running"
        elif after in WORKING_STATUSES and before in DONE_STATUSES and _was_resolved(clock):
            clocks.move_to(clock, "running", "ticket reopened", at)
            clock.status, clock.met_at = "running", None
        clocks.refresh(clock, lookup(clock.calendar_id))


def _was_resolved(clock: SlaClock) -> bool:
    """A resolution clock the resolution met (not one stopped because no policy wants it any more)."""
    return clock.kind == "resolution" and clock.status == "met"


def public_reply(session: Session, ticket: Ticket, author: str, at: datetime) -> None:
    """An agent's reply meets the open response clock; a requester's reply starts a next-response clock."""
    open_clocks = [
        clock for clock in ticket_clocks(session, ticket.id) if clock.status in ("running", "paused")
    ]
    if author == "agent":
        for clock in open_clocks:
            if clock.kind in RESPONSE_KINDS:
                _finish(session, clock, ticket, at, "agent replied", met=True)
        return
    if author != "requester":
        return
    policy = _current_policy(session, ticket.id)
    answered = ticket.first_responded_at is not None or not any(
        c.kind == "first_response" for c in open_clocks
    )
    waiting = any(clock.kind in RESPONSE_KINDS for clock in open_clocks)
    if policy is not None and policy.next_response_seconds and answered and not waiting:
        started = _start_clock(session, ticket, policy, "next_response", at, "requester replied")
        if started is not None and ticket.status == "pending":
            change_status(session, ticket, "open", "pending", at)


def reclassify(session: Session, ticket: Ticket, at: datetime) -> None:
    """Re-choose the policy after priority, type or account changed; open clocks keep their elapsed time."""
    facts = ticket_facts(session, ticket)
    policy = choose_policy(active_policies(session), facts)
    choice = session.get(SlaTicket, ticket.id)
    if choice is None:
        start_ticket(session, ticket, at)
        return
    if (policy.id if policy else None) == choice.policy_id:
        choice.facts = facts
        return
    choice.facts, choice.chosen_at = facts, at
    _adopt(choice, policy)
    _retarget_clocks(session, ticket, policy, at)


def _retarget_clocks(session: Session, ticket: Ticket, policy: SlaPolicy | None, at: datetime) -> None:
    lookup = clocks.calendars(session)
    reason = f"policy changed to {policy.name}" if policy else "no policy matches any more"
    existing = ticket_clocks(session, ticket.id)
    for clock in existing:
        if clock.status not in ("running", "paused"):
            continue
        target = policy.target(clock.kind) if policy else None
        if target is None:
            clocks.move_to(clock, "stopped", reason, at)
            clock.status = "stopped"
        else:
            clock.policy_id, clock.target_seconds = policy.id, target  # type: ignore[union-attr]
            clock.calendar_id, clock.warning_share = policy.calendar_id, policy.warning_share  # type: ignore[union-attr]
            if clock.status == "running":  # a paused clock keeps its pause and reason
                clocks.move_to(clock, "running", reason, at)
        clocks.refresh(clock, lookup(clock.calendar_id))
    if policy is not None and ticket.status not in DONE_STATUSES:
        _start_missing(session, ticket, policy, existing, at, reason)


def _start_missing(
    session: Session, ticket: Ticket, policy: SlaPolicy, existing: list[SlaClock], at: datetime, reason: str
) -> None:
    kinds = {clock.kind for clock in existing}
    wanted = ["resolution"] if "resolution" not in kinds else []
    if "first_response" not in kinds and ticket.first_responded_at is None:
        wanted.append("first_response")
    for kind in wanted:
        _start_clock(session, ticket, policy, kind, at, reason)
    if wanted and ticket.status == "pending":
        for clock in ticket_clocks(session, ticket.id):
            if clock.kind in wanted and clock.status == "running":
                clocks.move_to(clock, "paused", "ticket pending: waiting for the customer", at)
                clock.status = "paused"
                clocks.refresh(clock, clocks.calendars(session)(clock.calendar_id))


def _adopt(choice: SlaTicket, policy: SlaPolicy | None) -> None:
    choice.policy_id = policy.id if policy else None
    choice.policy_name = policy.name if policy else None


def _current_policy(session: Session, ticket_id: str) -> SlaPolicy | None:
    choice = session.get(SlaTicket, ticket_id)
    return session.get(SlaPolicy, choice.policy_id) if choice and choice.policy_id else None


def _start_clock(
    session: Session, ticket: Ticket, policy: SlaPolicy, kind: str, at: datetime, reason: str
) -> SlaClock | None:
    target = policy.target(kind)
    if target is None:
        return None
    sequence = 1 + len([clock for clock in ticket_clocks(session, ticket.id) if clock.kind == kind])
    clock = SlaClock(
        ticket_id=ticket.id,
        kind=kind,
        sequence=sequence,
        policy_id=policy.id,
        calendar_id=policy.calendar_id,
        target_seconds=target,
        warning_share=policy.warning_share,
    )
    clocks.start(clock, reason, at)
    clocks.refresh(clock, clocks.calendars(session)(clock.calendar_id))
    session.add(clock)
    session.flush()
    return clock


def _finish(
    session: Session, clock: SlaClock, ticket: Ticket, at: datetime, reason: str, *, met: bool
) -> None:
    """Stop an open clock for good: met when its goal happened (a reply, the resolution), else stopped.

    A clock stopped after its target counts as breached; if the sweep had not announced it yet, the
    breach event is written now (still once per clock).
    """
    if clock.status not in ("running", "paused"):
        return
    clocks.move_to(clock, "stopped", reason, at)
    clock.status = "met" if met else "stopped"
    clock.met_at = at if met else None
    calendar = clocks.calendars(session)(clock.calendar_id)
    clocks.refresh(clock, calendar)
    if clock.breached_at is None and clocks.elapsed(clock, calendar, at) >= clock.target_seconds:
        alerts.announce(session, clock, ticket, alerts.BREACH, at, calendar)


def describe(session: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """The ticket's SLA as shown: policy, the facts it was chosen by, every clock with its segments."""
    choice = session.get(SlaTicket, ticket.id)
    lookup = clocks.calendars(session)
    return {
        "ticket_id": ticket.id,
        "policy": _policy_view(session, choice),
        "as_of": now,
        "clocks": [
            _clock_view(clock, lookup(clock.calendar_id), now) for clock in ticket_clocks(session, ticket.id)
        ],
    }


def _policy_view(session: Session, choice: SlaTicket | None) -> dict[str, Any] | None:
    if choice is None or choice.policy_id is None:
        return None
    policy = session.get(SlaPolicy, choice.policy_id)
    return {
        "id": choice.policy_id,
        "name": choice.policy_name,
        "chosen_at": choice.chosen_at,
        "chosen_by": choice.facts,
        "calendar_id": policy.calendar_id if policy else None,
        "targets": policy.targets if policy else dict.fromkeys(CLOCK_KINDS),
    }


def _clock_view(clock: SlaClock, calendar: Any, now: datetime) -> dict[str, Any]:
    spent = clocks.elapsed(clock, calendar, now)
    due_at = clocks.deadline(clock, calendar, clock.target_seconds)
    return {
        "id": clock.id,
        "kind": clock.kind,
        "sequence": clock.sequence,
        "status": clock.status,
        "policy_id": clock.policy_id,
        "calendar_id": clock.calendar_id,
        "target_seconds": clock.target_seconds,
        "warning_share": clock.warning_share,
        "elapsed_business_seconds": spent,
        "remaining_business_seconds": max(0, clock.target_seconds - spent),
        "warn_at": clocks.deadline(clock, calendar, clock.warning_seconds),
        "due_at": due_at,
        "breached": clock.breached_at is not None,
        "started_at": clock.started_at,
        "met_at": clock.met_at,
        "warned_at": clock.warned_at,
        "breached_at": clock.breached_at,
        "segments": [
            {
                "state": segment.state,
                "reason": segment.reason,
                "started_at": segment.started_at,
                "ended_at": segment.ended_at,
                "business_seconds": clocks.segment_seconds(segment, calendar, now),
            }
            for segment in clock.segments
        ],
    }
