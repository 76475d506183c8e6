"""Apply other services' events to the customer 360 view and the timeline, and read the 360 view."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.envelope import Event
from crmkit.types import utcnow
from customer.accounts import service as accounts
from customer.accounts.models import load_live
from customer.insights.feeds import FEEDS, Feed, timeline_type
from customer.insights.models import AccountLink
from customer.interactions import service as interactions
from customer.interactions.models import Interaction

log = logging.getLogger(__name__)
RECENT_ENTRIES = 5
OPEN_STATUSES = {
    "opportunity": ("open",),
    "ticket": ("open", "new", "pending"),
    "project": ("planned", "active", "on_hold"),
}


def on_event(session: Session, event: Event) -> None:
    """Consumer handler for every routing key in FEEDS (runs in the consumer's transaction)."""
    feed = FEEDS[event.routing_key]
    account = (
        accounts.live_successor(session, str(event.data["account_id"]))
        if event.data.get("account_id")
        else None
    )
    if account is None:
        log.info(
            "event names no known account; skipped",
            extra={"event_type": event.type, "subject": event.subject},
        )
        return
    if feed.kind is not None:
        _apply_link(session, feed, event, account.id)
    entry_type = timeline_type(feed, event.data)
    if entry_type is not None:
        entry = {
            "type": entry_type,
            "summary": feed.summary(event.data)[:4000],
            "author_id": event.data.get("owner_id"),
        }
        interactions.log_from_event(session, account_id=account.id, entry=entry, event=event)


def _apply_link(session: Session, feed: Feed, event: Event, account_id: str) -> None:
    data = event.data
    ref_id = str(data.get(feed.reference) or event.subject)
    link = session.get(AccountLink, (feed.kind, ref_id))
    if link is not None and link.sequence > event.sequence:
        return  # an older event arriving late changes nothing
    status = feed.status or data.get("status")
    if link is None:
        link = AccountLink(kind=feed.kind, ref_id=ref_id, status=str(status or "open"))
        session.add(link)
    link.account_id, link.sequence, link.updated_at = account_id, event.sequence, utcnow()
    if status:
        link.status = str(status)[:32]
    _copy_details(link, data)
    session.flush()


def _copy_details(link: AccountLink, data: Mapping[str, Any]) -> None:
    title = data.get("name") or data.get("subject") or data.get("number")
    if title:
        link.title = str(title)[:200]
    if link.kind == "ticket" and data.get("type"):
        link.category = str(data["type"])[:32]
    amount, currency = _amount_of(link.kind, data)
    if amount is not None:
        link.amount, link.currency = amount, currency


def _amount_of(kind: str, data: Mapping[str, Any]) -> tuple[Decimal | None, str | None]:
    """Orders count in the base currency (lifetime value); opportunities keep their own."""
    field, currency_field = ("total_in_base", "base_currency") if kind == "order" else ("amount", "currency")
    try:
        amount = Decimal(str(data[field])) if data.get(field) is not None else None
    except InvalidOperation:
        return None, None
    currency = data.get(currency_field)
    return amount, str(currency)[:3] if currency else None


def account_360(*, uow: crmkit.UnitOfWork, account_id: str) -> dict[str, Any]:
    """The customer 360 view of a live account: value, deals, tickets, projects and the latest timeline."""
    with uow:
        session = uow.session
        account = load_live(session, account_id)
        return {
            "account_id": account.id,
            "name": account.name,
            "tier": account.tier,
            "owner_id": account.owner_id,
            "value": _value(session, account.id),
            "opportunities": _counts(session, account.id, "opportunity"),
            "tickets": {
                **_counts(session, account.id, "ticket"),
                "open_complaints": _open_complaints(session, account.id),
            },
            "projects": _counts(session, account.id, "project"),
            "recent": _recent(session, account.id),
        }


def _counts(session: Session, account_id: str, kind: str) -> dict[str, Any]:
    stmt = (
        sa.select(AccountLink.status, sa.func.count())
        .where(AccountLink.account_id == account_id, AccountLink.kind == kind)
        .group_by(AccountLink.status)
    )
    by_status = {status: count for status, count in session.execute(stmt)}
    open_count = sum(count for status, count in by_status.items() if status in OPEN_STATUSES[kind])
    return {"open": open_count, "total": sum(by_status.values()), "by_status": by_status}


def _open_complaints(session: Session, account_id: str) -> int:
    stmt = sa.select(sa.func.count()).where(
        AccountLink.account_id == account_id,
        AccountLink.kind == "ticket",
        AccountLink.category == "complaint",
        AccountLink.status.in_(OPEN_STATUSES["ticket"]),
    )
    return int(session.scalar(stmt) or 0)


def _value(session: Session, account_id: str) -> dict[str, Any]:
    """Lifetime value: confirmed orders (fulfilled ones too) per currency, in the sales base currency."""
    stmt = (
        sa.select(AccountLink.currency, sa.func.sum(AccountLink.amount), sa.func.count())
        .where(
            AccountLink.account_id == account_id,
            AccountLink.kind == "order",
            AccountLink.status.in_(("confirmed", "fulfilled")),
        )
        .group_by(AccountLink.currency)
    )
    totals = [
        {"currency": currency, "amount": str(Decimal(amount or 0).quantize(Decimal("0.01"))), "orders": count}
        for currency, amount, count in session.execute(stmt)
    ]
    return {
        "lifetime_value": sorted(totals, key=lambda total: str(total["currency"])),
        "orders": sum(t["orders"] for t in totals),
    }


def _recent(session: Session, account_id: str) -> list[dict[str, Any]]:
    stmt = (
        sa.select(Interaction)
        .where(Interaction.account_id == account_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(RECENT_ENTRIES)
    )
    return [
        {
            "id": row.id,
            "type": row.type,
            "summary": row.summary,
            "source": row.source,
            "occurred_at": row.occurred_at,
        }
        for row in session.scalars(stmt)
    ]
