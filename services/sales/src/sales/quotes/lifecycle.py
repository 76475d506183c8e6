"""Quote lifecycle use cases: discount approval, sending, the customer's decision, expiry.

A quote whose discount is above the threshold of whoever priced it needs a sales manager's approval before
it is sent; accepting a sent quote confirms its order and wins the opportunity in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from crmkit.types import utcnow
from sales import events_catalog as catalog
from sales.orders.service import confirm_order_for
from sales.quotes.errors import (
    QuoteApprovalNotNeeded,
    QuoteApprovalRequired,
    QuoteExpired,
    QuoteSelfApproval,
    QuoteTransitionInvalid,
)
from sales.quotes.events import quote_state
from sales.quotes.models import Quote
from sales.quotes.service import load_editable
from sales.roles import SEE_ALL


def request_approval(
    *, uow: crmkit.UnitOfWork, quote_id: str, note: str | None, actor: crmkit.Principal
) -> Quote:
    """Ask a sales manager to approve a draft whose discount is above the threshold."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "draft")
        if not quote.needs_approval:
            raise QuoteApprovalNotNeeded("The discount is within your threshold: send the quote directly.")
        before, now = quote_state(quote), utcnow()
        quote.status, quote.approval_requested_at, quote.approval_requested_by = (
            "pending_approval",
            now,
            actor.subject,
        )
        quote.approval_note, quote.updated_at = note, now
        _record_change(
            uow, catalog.QUOTE_APPROVAL_REQUESTED, quote, before, requested_by=actor.subject, note=note
        )
        uow.commit()
    return quote


def approve_quote(
    *, uow: crmkit.UnitOfWork, quote_id: str, note: str | None, actor: crmkit.Principal
) -> Quote:
    """Approve the discount of a quote waiting for approval (the team's sales manager or management)."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "pending_approval")
        if quote.approval_requested_by == actor.subject and not actor.roles & set(SEE_ALL):
            raise QuoteSelfApproval("Another sales manager or management must approve your own request.")
        before, now = quote_state(quote), utcnow()
        quote.status, quote.approved_at, quote.approved_by = "approved", now, actor.subject
        quote.approval_note, quote.updated_at = note or quote.approval_note, now
        _record_change(uow, catalog.QUOTE_APPROVED, quote, before, note=note)
        uow.commit()
    return quote


def decline_approval(
    *, uow: crmkit.UnitOfWork, quote_id: str, note: str | None, actor: crmkit.Principal
) -> Quote:
    """Send a quote waiting for approval back to draft (lower the discount, or revise)."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "pending_approval")
        quote.status, quote.approval_note, quote.updated_at = "draft", note, utcnow()
        uow.commit()
    return quote


def send_quote(*, uow: crmkit.UnitOfWork, quote_id: str, actor: crmkit.Principal) -> Quote:
    """Send a quote to the customer: a draft within the threshold, or an approved one."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "draft", "approved", "pending_approval")
        if quote.needs_approval and quote.status != "approved":
            raise QuoteApprovalRequired(
                f"The discount ({quote.max_discount_percent:.2f} %) is above {quote.approval_threshold} %: "
                "request approval from a sales manager first.",
                max_discount_percent=str(quote.max_discount_percent),
                approval_threshold=str(quote.approval_threshold),
            )
        now = utcnow()
        _refuse_expired(quote, now.date())
        before = quote_state(quote)
        quote.status, quote.sent_at, quote.updated_at = "sent", now, now
        _record_change(uow, catalog.QUOTE_SENT, quote, before)
        uow.commit()
    return quote


def accept_quote(
    *, uow: crmkit.UnitOfWork, quote_id: str, note: str | None, actor: crmkit.Principal
) -> Quote:
    """Record the customer's acceptance: the opportunity is won and an order is confirmed, in one commit."""
    with uow:
        session = uow.session
        quote = load_editable(session, quote_id, actor)
        _require_status(quote, "sent")
        now = utcnow()
        _refuse_expired(quote, now.date())
        before = quote_state(quote)
        quote.status, quote.decided_at, quote.decision_note, quote.updated_at = "accepted", now, note, now
        order = confirm_order_for(uow, quote, actor, now)
        quote.order_id = order.id
        _record_change(uow, catalog.QUOTE_ACCEPTED, quote, before, order_id=order.id)
        uow.commit()
    return quote


def reject_quote(
    *, uow: crmkit.UnitOfWork, quote_id: str, note: str | None, actor: crmkit.Principal
) -> Quote:
    """Record that the customer turned a sent quote down (it may be revised)."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "sent")
        now = utcnow()
        quote.status, quote.decided_at, quote.decision_note, quote.updated_at = "rejected", now, note, now
        uow.commit()
    return quote


def expire_quote(*, uow: crmkit.UnitOfWork, quote_id: str, actor: crmkit.Principal) -> Quote:
    """Mark a sent quote as expired (the expiry job does this once valid_until has passed)."""
    with uow:
        quote = load_editable(uow.session, quote_id, actor)
        _require_status(quote, "sent")
        quote.status, quote.decided_at, quote.updated_at = "expired", utcnow(), utcnow()
        uow.commit()
    return quote


def expire_due_quotes(session: Session, now: datetime) -> int:
    """Expire every sent quote whose valid_until lies before `now`'s day; return how many (a periodic job)."""
    due = session.scalars(
        sa.select(Quote).where(Quote.status == "sent", Quote.valid_until < now.date()).limit(500)
    ).all()
    for quote in due:
        quote.status, quote.decided_at, quote.updated_at = "expired", now, now
    return len(due)


def _require_status(quote: Quote, *allowed: str) -> None:
    if quote.status not in allowed:
        raise QuoteTransitionInvalid(
            f"Quote {quote.number} rev {quote.revision} is {quote.status}; this needs {' or '.join(allowed)}.",
            status=quote.status,
        )


def _refuse_expired(quote: Quote, today: date) -> None:
    if quote.valid_until < today:
        raise QuoteExpired(f"The quote was valid until {quote.valid_until.isoformat()}; revise it.")


def _record_change(
    uow: crmkit.UnitOfWork, event_type: EventType, quote: Quote, before: dict[str, Any], **extra: Any
) -> None:
    uow.flush()
    after = quote_state(quote)
    record(
        uow.session,
        event_type,
        subject=quote.id,
        data={**after, "changes": diff(before, after), **extra},
        sequence=quote.version,
    )
