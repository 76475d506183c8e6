"""Events from other services this service handles: routing key -> handler.

A handler is `handler(session, event)` and runs in the consumer's transaction, which crmkit commits together
with the inbox row (so a redelivered event is skipped). The account read model also drops events older than
the last one applied (by `sequence`), so reordered deliveries cannot roll it back.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crmkit.events.consumer import Handler
from crmkit.events.envelope import Event
from sales.accounts import service as accounts
from sales.leads import conversion

QUEUE = "sales.events"


def on_account_changed(session: Session, event: Event) -> None:
    accounts.apply_account(session, event.data, event.sequence)


def on_account_merged(session: Session, event: Event) -> None:
    accounts.apply_merge(session, event.data, event.sequence)


def on_contact_changed(session: Session, event: Event) -> None:
    accounts.apply_contact(session, event.data, event.sequence)


def on_contact_deleted(session: Session, event: Event) -> None:
    accounts.apply_contact(session, event.data, event.sequence, deleted=True)


def on_lead_conversion_completed(session: Session, event: Event) -> None:
    conversion.complete_conversion(session, event.data)


HANDLERS: dict[str, Handler] = {
    "customer.account.created": on_account_changed,
    "customer.account.updated": on_account_changed,
    "customer.account.deleted": on_account_changed,
    "customer.account.merged": on_account_merged,
    "customer.contact.created": on_contact_changed,
    "customer.contact.updated": on_contact_changed,
    "customer.contact.deleted": on_contact_deleted,
    "customer.lead_conversion.completed": on_lead_conversion_completed,
}
