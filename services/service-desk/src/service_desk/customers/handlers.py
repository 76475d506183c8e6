"""Handlers of the customer service's events: keep the account/contact read model, follow merges.

Each entity row remembers the sequence (the customer-side version) of the last event applied; an older or
repeated event is dropped, so redeliveries and out-of-order updates never roll the read model back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.events.consumer import Handler
from crmkit.events.envelope import Event
from service_desk import clock
from service_desk.customers.models import CustomerAccount, CustomerContact, CustomerContactEmail
from service_desk.tickets.merges import repoint_account


def apply_account(session: Session, event: Event) -> None:
    """customer.account.created / updated / deleted: upsert the account unless the event is stale."""
    _upsert_account(session, event.data, event.sequence)


def apply_account_merged(session: Session, event: Event) -> None:
    """customer.account.merged: the subject now lives on in the survivor; its tickets move there."""
    data = event.data
    survivor = data["survivor"]
    _upsert_account(session, survivor, int(survivor["version"]))
    _upsert_account(session, data, event.sequence)
    loser = session.get(CustomerAccount, data["id"])
    if loser is not None:  # a stale merged event still re-points: merges are never undone
        loser.merged_into_id = data["merged_into_id"]
        loser.deleted = True
    for contact_id in data.get("moved_contact_ids", []):
        contact = session.get(CustomerContact, contact_id)
        if contact is not None:
            contact.account_id = data["merged_into_id"]
    session.flush()
    repoint_account(session, data["id"], data["merged_into_id"])


def apply_contact(session: Session, event: Event) -> None:
    """customer.contact.created / updated / deleted: upsert the contact and its e-mail addresses."""
    data = event.data
    contact = session.get(CustomerContact, data["id"])
    if contact is not None and contact.sequence >= event.sequence:
        return
    if contact is None:
        contact = CustomerContact(id=data["id"])
        session.add(contact)
    contact.account_id = data.get("account_id")
    contact.name = _contact_name(data)
    contact.deleted = bool(data.get("deleted_at")) or event.routing_key.endswith(".deleted")
    contact.sequence = event.sequence
    contact.updated_at = clock.now()
    session.flush()
    _replace_emails(session, contact.id, [] if contact.deleted else _addresses(data))


def _upsert_account(session: Session, data: Mapping[str, Any], sequence: int) -> None:
    account = session.get(CustomerAccount, data["id"])
    if account is not None and account.sequence >= sequence:
        return
    if account is None:
        account = CustomerAccount(id=data["id"])
        session.add(account)
    account.name = data["name"]
    account.tier = data.get("tier") or "standard"
    account.owner_id = data.get("owner_id")
    account.domain = (data.get("domain") or "").lower() or None
    account.merged_into_id = data.get("merged_into_id")
    account.deleted = bool(data.get("deleted_at")) or bool(data.get("merged_into_id"))
    account.sequence = sequence
    account.updated_at = clock.now()
    session.flush()


def _contact_name(data: Mapping[str, Any]) -> str:
    if data.get("name"):
        return str(data["name"])
    parts = [data.get("first_name"), data.get("last_name")]
    return " ".join(str(part) for part in parts if part) or "(unnamed)"


def _addresses(data: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for item in data.get("emails") or []:
        address = item.get("address") if isinstance(item, Mapping) else item
        if isinstance(address, str) and address.strip() and address.strip().lower() not in found:
            found.append(address.strip().lower())
    return found


def _replace_emails(session: Session, contact_id: str, addresses: list[str]) -> None:
    session.execute(sa.delete(CustomerContactEmail).where(CustomerContactEmail.contact_id == contact_id))
    session.add_all(CustomerContactEmail(contact_id=contact_id, email=address) for address in addresses)
    session.flush()


HANDLERS: dict[str, Handler] = {
    "customer.account.created": apply_account,
    "customer.account.updated": apply_account,
    "customer.account.deleted": apply_account,
    "customer.account.merged": apply_account_merged,
    "customer.contact.created": apply_contact,
    "customer.contact.updated": apply_contact,
    "customer.contact.deleted": apply_contact,
}
