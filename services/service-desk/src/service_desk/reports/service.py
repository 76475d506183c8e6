"""Service reports for a period: backlog, first-response and resolution times in business time, SLA
attainment, CSAT and complaints.

Business time is measured on the calendar of the ticket's SLA policy (the calendar its clocks run on, as
the SLA engine recorded it), or on `calendar_id` when the caller names one; a ticket without either counts
wall-clock time. SLA attainment reads the engine's clocks: a clock that finished (met or stopped) without
breaching attained its target.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.calendars.hours import BusinessCalendar
from service_desk.calendars.models import Calendar
from service_desk.reports.errors import ReportCalendarUnknown, ReportPeriodInvalid
from service_desk.sla import clocks as sla_clocks
from service_desk.sla.models import CLOCK_KINDS, SlaClock
from service_desk.surveys.models import Survey
from service_desk.surveys.results import summarize
from service_desk.tickets.models import OPEN_STATUSES, PRIORITIES, STATUSES, Ticket, TicketGroup


def check_period(query: Mapping[str, Any]) -> tuple[datetime, datetime]:
    start, end = query["from"], query["to"]
    if end <= start:
        raise ReportPeriodInvalid(
            "The period is empty.", errors=[{"field": "to", "message": "must be after from", "in": "query"}]
        )
    return start, end


def backlog(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Unresolved tickets now (new, open, pending) by state, group and priority."""
    with uow:
        session = uow.session
        stmt = sa.select(Ticket.status, Ticket.group_id, Ticket.priority).where(
            Ticket.status.in_(OPEN_STATUSES), Ticket.merged_into_id.is_(None)
        )
        if query.get("group_id"):
            stmt = stmt.where(Ticket.group_id == query["group_id"])
        rows = session.execute(stmt).all()
        names = dict(session.execute(sa.select(TicketGroup.id, TicketGroup.name)).all())
    by_group = Counter(row.group_id for row in rows)
    return {
        "as_of": clock.now(),
        "total": len(rows),
        "by_status": {status: sum(1 for row in rows if row.status == status) for status in OPEN_STATUSES},
        "by_priority": {
            priority: sum(1 for row in rows if row.priority == priority) for priority in PRIORITIES
        },
        "by_group": [
            {"group_id": group_id, "name": names.get(group_id) if group_id else None, "count": count}
            for group_id, count in sorted(by_group.items(), key=lambda item: (item[0] is None, item[0] or ""))
        ],
    }


def response_times(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """First-response times of tickets created in the period, resolution times of those resolved in it."""
    start, end = check_period(query)
    with uow:
        session = uow.session
        calendar_for = _calendar_resolver(session, query.get("calendar_id"))
        created = _tickets(session, Ticket.created_at, start, end, query)
        resolved = _tickets(session, Ticket.resolved_at, start, end, query)
        first = [
            calendar_for(t.id).business_seconds(t.created_at, t.first_responded_at)
            for t in created
            if t.first_responded_at is not None
        ]
        resolution = [
            calendar_for(t.id).business_seconds(t.created_at, t.resolved_at)
            for t in resolved
            if t.resolved_at
        ]
    return {
        "from": start,
        "to": end,
        "first_response": {**_stats(first), "tickets": len(created), "unanswered": len(created) - len(first)},
        "resolution": {**_stats(resolution), "tickets": len(resolution)},
    }


def sla_attainment(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Per clock kind, of tickets created in the period: clocks met in time, breached, still running."""
    start, end = check_period(query)
    with uow:
        session = uow.session
        ticket_ids = [t.id for t in _tickets(session, Ticket.created_at, start, end, query)]
        found = (
            list(session.scalars(sa.select(SlaClock).where(SlaClock.ticket_id.in_(ticket_ids))))
            if ticket_ids
            else []
        )
    return {
        "from": start,
        "to": end,
        "tickets": len(ticket_ids),
        "clocks": {kind: _attainment(found, kind) for kind in CLOCK_KINDS},
    }


def csat(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Satisfaction of surveys answered in the period."""
    start, end = check_period(query)
    with uow:
        stmt = sa.select(Survey).where(Survey.answered_at >= start, Survey.answered_at < end)
        if query.get("group_id"):
            stmt = stmt.where(Survey.group_id == query["group_id"])
        answered = list(uow.session.scalars(stmt))
    return {"from": start, "to": end, **summarize(answered)}


def complaints(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> dict[str, Any]:
    """Complaints raised in the period: how many, their states, and the accounts that raised most."""
    start, end = check_period(query)
    with uow:
        raised = [
            t for t in _tickets(uow.session, Ticket.created_at, start, end, query) if t.type == "complaint"
        ]
    by_account = Counter(t.account_id for t in raised)
    return {
        "from": start,
        "to": end,
        "total": len(raised),
        "open": sum(1 for t in raised if t.status in OPEN_STATUSES),
        "by_status": {status: sum(1 for t in raised if t.status == status) for status in STATUSES},
        "by_priority": {
            priority: sum(1 for t in raised if t.priority == priority) for priority in PRIORITIES
        },
        "by_account": [
            {"account_id": account_id, "count": count}
            for account_id, count in sorted(by_account.items(), key=lambda item: (-item[1], item[0] or ""))
        ],
    }


def summary(*, uow_factory: Any, query: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure of the period in one answer."""
    check_period(query)
    return {
        "from": query["from"],
        "to": query["to"],
        "backlog": backlog(uow=uow_factory(), query=query),
        "response_times": response_times(uow=uow_factory(), query=query),
        "sla_attainment": sla_attainment(uow=uow_factory(), query=query),
        "csat": csat(uow=uow_factory(), query=query),
        "complaints": complaints(uow=uow_factory(), query=query),
    }


def _tickets(
    session: Session, column: Any, start: datetime, end: datetime, query: Mapping[str, Any]
) -> list[Ticket]:
    stmt = sa.select(Ticket).where(column >= start, column < end, Ticket.merged_into_id.is_(None))
    for name in ("group_id", "priority", "account_id"):
        if query.get(name):
            stmt = stmt.where(getattr(Ticket, name) == query[name])
    return list(session.scalars(stmt))


def _calendar_resolver(session: Session, calendar_id: str | None) -> Any:
    """ticket id -> the business calendar its times are measured on."""
    lookup = sla_clocks.calendars(session)
    if calendar_id:
        if session.get(Calendar, calendar_id) is None:
            raise ReportCalendarUnknown(
                "No business calendar has this id.",
                errors=[{"field": "calendar_id", "message": "unknown calendar", "in": "query"}],
            )
        forced: BusinessCalendar = lookup(calendar_id)
        return lambda _ticket_id: forced

    def for_ticket(ticket_id: str) -> BusinessCalendar:
        calendar_ids = session.scalars(
            sa.select(SlaClock.calendar_id)
            .where(SlaClock.ticket_id == ticket_id)
            .order_by(SlaClock.started_at)
            .limit(1)
        ).all()
        return lookup(calendar_ids[0] if calendar_ids else None)

    return for_ticket


def _stats(seconds: list[int]) -> dict[str, Any]:
    if not seconds:
        return {
            "count": 0,
            "average_business_seconds": None,
            "median_business_seconds": None,
            "p90_business_seconds": None,
        }
    ordered = sorted(seconds)
    return {
        "count": len(ordered),
        "average_business_seconds": round(sum(ordered) / len(ordered)),
        "median_business_seconds": round(statistics.median(ordered)),
        "p90_business_seconds": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
    }


def _attainment(found: list[SlaClock], kind: str) -> dict[str, Any]:
    of_kind = [c for c in found if c.kind == kind]
    breached = sum(1 for c in of_kind if c.breached_at is not None)
    met = sum(1 for c in of_kind if c.status in ("met", "stopped") and c.breached_at is None)
    decided = met + breached
    return {
        "clocks": len(of_kind),
        "met": met,
        "breached": breached,
        "running": len(of_kind) - decided,
        "attainment_percent": round(100 * met / decided, 1) if decided else None,
    }
