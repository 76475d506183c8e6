"""Which events of other services feed the customer 360 view and the timeline, and how each reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

Data = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Feed:
    """What one event type does: update a link (kind + status) and/or write a timeline entry."""

    kind: str | None = None
    status: str | None = None  # None: take the payload's own `status`
    timeline: str | None = None  # interaction type of the timeline entry, None for no entry
    summary: Callable[[Data], str] = lambda data: ""
    reference: str = "id"  # the payload field holding the linked entity's id


def _money(data: Data, field: str) -> str:
    amount, currency = data.get(field), data.get("currency")
    return f"{amount} {currency}" if amount is not None and currency else str(amount or "")


def _label(data: Data, *fields: str) -> str:
    for field in fields:
        if data.get(field):
            return str(data[field])
    return str(data.get("id", ""))


def _activity_type(data: Data) -> str:
    return {"call": "call", "meeting": "meeting", "visit": "visit"}.get(str(data.get("kind")), "note")


def _activity(data: Data) -> str:
    outcome = f": {data['outcome']}" if data.get("outcome") else ""
    return f"{str(data.get('kind') or 'activity').capitalize()} completed: {_label(data, 'subject')}{outcome}"


FEEDS: dict[str, Feed] = {
    "sales.opportunity.created": Feed(
        "opportunity",
        "open",
        "deal",
        lambda d: f"Opportunity opened: {_label(d, 'name')} ({_money(d, 'amount')})",
    ),
    "sales.opportunity.won": Feed(
        "opportunity", "won", "deal", lambda d: f"Deal won: {_label(d, 'name')} ({_money(d, 'amount')})"
    ),
    "sales.opportunity.lost": Feed(
        "opportunity", "lost", "deal", lambda d: f"Deal lost: {_label(d, 'name')}"
    ),
    "sales.order.confirmed": Feed(
        "order",
        "confirmed",
        "order",
        lambda d: f"Order {_label(d, 'number')} confirmed: {_money(d, 'total')}",
    ),
    "sales.order.cancelled": Feed(
        "order", "cancelled", "order", lambda d: f"Order {_label(d, 'number')} cancelled"
    ),
    "sales.activity.completed": Feed(timeline="activity", summary=_activity),
    "servicedesk.ticket.created": Feed(
        "ticket", "open", "ticket", lambda d: f"Ticket {_label(d, 'number')} opened: {_label(d, 'subject')}"
    ),
    "servicedesk.ticket.status_changed": Feed("ticket"),
    "servicedesk.ticket.resolved": Feed(
        "ticket",
        "resolved",
        "ticket",
        lambda d: f"Ticket {_label(d, 'number')} resolved: {_label(d, 'subject')}",
    ),
    "servicedesk.ticket.reopened": Feed(
        "ticket", "open", "ticket", lambda d: f"Ticket {_label(d, 'number')} reopened: {_label(d, 'subject')}"
    ),
    "servicedesk.ticket.sla_breached": Feed(
        timeline="ticket",
        summary=lambda d: f"Service level breached on ticket {_label(d, 'ticket_number', 'ticket_id')}",
    ),
    "servicedesk.complaint.raised": Feed(
        timeline="ticket", summary=lambda d: f"Complaint raised: {_label(d, 'subject', 'ticket_id')}"
    ),
    "servicedesk.survey.answered": Feed(
        timeline="ticket", summary=lambda d: f"Satisfaction survey answered: {d.get('rating')}/5"
    ),
    "projects.project.created": Feed(
        "project", None, "project", lambda d: f"Project started: {_label(d, 'name')}"
    ),
    "projects.project.status_changed": Feed("project"),
    "projects.project.completed": Feed(
        "project", "completed", "project", lambda d: f"Project completed: {_label(d, 'name')}"
    ),
    "projects.milestone.reached": Feed(
        timeline="project", summary=lambda d: f"Milestone reached: {_label(d, 'name', 'title')}"
    ),
    "projects.change_request.approved": Feed(
        timeline="project", summary=lambda d: f"Change request approved: {_label(d, 'title', 'name')}"
    ),
}


def timeline_type(feed: Feed, data: Data) -> str | None:
    return _activity_type(data) if feed.timeline == "activity" else feed.timeline
