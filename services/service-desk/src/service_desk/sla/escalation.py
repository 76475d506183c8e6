"""Escalation rules reacting to an SLA warning or breach: reassign, raise priority, tell the account manager.

Every active rule that matches (trigger, clock, the account's tier, the ticket's priority) applies, in
position order. Notifying the account manager writes an internal note on the ticket and names the manager
in the `servicedesk.ticket.escalated` event (`notify`), which a notification service can deliver.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.events.outbox import record
from service_desk import events_catalog as catalog
from service_desk.customers.service import account_manager, account_tier
from service_desk.payloads import timestamp
from service_desk.sla import engine
from service_desk.sla.models import EscalationRule, SlaClock
from service_desk.tickets import assignment
from service_desk.tickets.models import PRIORITIES, Ticket, TicketComment
from service_desk.tickets.recording import record_ticket_event

TRIGGER_WORDS = {"warning": "is about to breach", "breach": "breached"}
CLOCK_WORDS = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


def escalate(session: Session, clock: SlaClock, ticket: Ticket, trigger: str, now: datetime) -> int:
    """Apply every matching rule to the ticket; return how many applied."""
    tier = account_tier(session, ticket.account_id)
    rules = session.scalars(
        sa.select(EscalationRule)
        .where(EscalationRule.trigger == trigger, EscalationRule.active.is_(True))
        .order_by(EscalationRule.position, EscalationRule.id)
    ).all()
    applied = 0
    for rule in rules:
        if rule.applies(trigger=trigger, clock=clock.kind, tier=tier, priority=ticket.priority):
            _apply(session, rule, clock, ticket, now)
            applied += 1
    return applied


def _apply(session: Session, rule: EscalationRule, clock: SlaClock, ticket: Ticket, now: datetime) -> None:
    changes: dict[str, Any] = {}
    actions: list[str] = []
    if rule.assign_group_id or rule.assign_agent_id:
        changes.update(_reassign(session, rule, ticket, now))
        actions.append("reassign")
    if rule.raise_priority and ticket.priority != PRIORITIES[-1]:
        raised = PRIORITIES[PRIORITIES.index(ticket.priority) + 1]
        changes["priority"] = {"before": ticket.priority, "after": raised}
        ticket.priority = raised
        ticket.updated_at = now
        session.flush()
        engine.reclassify(session, ticket, now)
        actions.append("raise_priority")
    manager = account_manager(session, ticket.account_id)
    notify = [manager] if rule.notify_account_manager and manager else []
    if rule.notify_account_manager:
        _note(session, ticket, rule, clock, manager, now)
        actions.append("notify_account_manager")
    data = {
        "ticket_id": ticket.id,
        "reference": ticket.reference,
        "account_id": ticket.account_id,
        "account_manager_id": manager,
        "notify": notify,
        "rule_id": rule.id,
        "rule_name": rule.name,
        "trigger": rule.trigger,
        "clock": clock.kind,
        "due_at": timestamp(clock.due_at or now),
        "actions": actions,
        "changes": changes,
    }
    record(session, catalog.TICKET_ESCALATED, subject=ticket.id, data=data, sequence=ticket.version)


def _reassign(session: Session, rule: EscalationRule, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """Move the ticket to the rule's group and/or agent (a group without agent: its assignment rule)."""
    before = {"group_id": ticket.group_id, "assignee_id": ticket.assignee_id}
    if rule.assign_group_id:
        ticket.group_id = rule.assign_group_id
    ticket.assignee_id = rule.assign_agent_id
    ticket.updated_at = now
    session.flush()
    if _changes(before, ticket):
        record_ticket_event(
            session, catalog.TICKET_ASSIGNED, ticket, changes=_changes(before, ticket), assigned_by="rule"
        )
    if ticket.assignee_id is None:
        assignment.auto_assign(session, ticket, now)  # records its own assigned event
    return _changes(before, ticket)


def _changes(before: dict[str, Any], ticket: Ticket) -> dict[str, Any]:
    return {
        field: {"before": value, "after": getattr(ticket, field)}
        for field, value in before.items()
        if getattr(ticket, field) != value
    }


def _note(
    session: Session,
    ticket: Ticket,
    rule: EscalationRule,
    clock: SlaClock,
    manager: str | None,
    now: datetime,
) -> None:
    """An internal note telling agents (and the account manager) what happened."""
    who = (
        f"Account manager {manager} notified." if manager else "The account has no account manager to notify."
    )
    body = (
        f"Escalation ({rule.name}): the {CLOCK_WORDS[clock.kind]} target {TRIGGER_WORDS[rule.trigger]} "
        f"(due {timestamp(clock.due_at) or 'n/a'}). {who}"
    )
    session.add(
        TicketComment(
            ticket_id=ticket.id,
            kind="internal",
            author_kind="system",
            author_id=None,
            body=body,
            channel="api",
            created_at=now,
        )
    )
