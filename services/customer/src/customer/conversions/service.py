"""Answer `sales.lead.converted`: link the lead to an existing account and contact, or create them, once.

The account is the one the rep chose (followed through merges), else the best duplicate match on name,
web domain, e-mail or phone, else a new account. The contact is the one chosen, else a live contact of that
account with the lead's e-mail, else a new one. The `lead_conversions` row (primary key: the lead id) makes a
second conversion of the same lead a no-op, so one lead never yields two accounts, whatever is redelivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.envelope import Event
from crmkit.events.outbox import record
from crmkit.types import utcnow
from customer import events_catalog as catalog
from customer import normalize
from customer.accounts import service as accounts
from customer.accounts.models import Account, DuplicateKeys
from customer.contacts import service as contacts
from customer.contacts.models import Contact, ContactEmail
from customer.conversions.events import conversion_state
from customer.conversions.models import LeadConversion

NAME_LIMIT = 200


def on_lead_converted(session: Session, event: Event) -> None:
    """Consumer handler for `sales.lead.converted` (runs in the consumer's transaction)."""
    lead = event.data
    lead_id = str(lead["id"])
    if session.get(LeadConversion, lead_id) is not None:
        return
    now = utcnow()
    actor = crmkit.Principal(
        subject=str(lead.get("owner_id") or "system:sales"), username="sales", roles=frozenset()
    )
    account, match = _account_for(session, lead, actor, now)
    contact, contact_created = _contact_for(session, account, lead, actor, now)
    conversion = LeadConversion(
        lead_id=lead_id,
        opportunity_id=lead.get("opportunity_id"),
        account_id=account.id,
        contact_id=contact.id if contact is not None else None,
        account_created=match == "created",
        contact_created=contact_created,
        account_match=match,
        completed_at=now,
    )
    session.add(conversion)
    session.flush()
    record(
        session,
        catalog.LEAD_CONVERSION_COMPLETED,
        subject=lead_id,
        data=conversion_state(conversion),
        sequence=1,
    )


def _account_for(
    session: Session, lead: Mapping[str, Any], actor: crmkit.Principal, now: datetime
) -> tuple[Account, str]:
    chosen = accounts.live_successor(session, lead["account_id"]) if lead.get("account_id") else None
    if chosen is not None:
        return chosen, "chosen"
    candidates = accounts.find_duplicates(session, _probe(lead))
    if candidates:
        return candidates[0].account, "duplicate"
    return accounts.add_account(session, fields=_account_fields(lead), actor=actor, now=now), "created"


def _probe(lead: Mapping[str, Any]) -> DuplicateKeys:
    return DuplicateKeys.of(
        name=_company_name(lead),
        website=lead.get("website") or None,
        emails=[lead["email"]] if _email(lead) else (),
        phones=[lead["phone"]] if lead.get("phone") else (),
    )


def _company_name(lead: Mapping[str, Any]) -> str:
    """The company, or for a private customer the person's name."""
    name = (
        (lead.get("company") or "").strip() or _person_name(lead) or str(lead.get("email") or "Unnamed lead")
    )
    return name[:NAME_LIMIT]


def _person_name(lead: Mapping[str, Any]) -> str:
    return " ".join(
        part.strip() for part in (lead.get("first_name") or "", lead.get("last_name") or "") if part.strip()
    )


def _account_fields(lead: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": _company_name(lead), "lifecycle_stage": "prospect"}
    for name in ("industry", "website", "owner_id"):
        if lead.get(name):
            fields[name] = str(lead[name])[:NAME_LIMIT]
    address = {key: str(lead[key])[:100] for key in ("region", "country") if lead.get(key)}
    if address:
        fields["address"] = address
    return fields


def _email(lead: Mapping[str, Any]) -> str | None:
    value = lead.get("email")
    return normalize.email_key(value) if isinstance(value, str) and "@" in value else None


def _contact_for(
    session: Session, account: Account, lead: Mapping[str, Any], actor: crmkit.Principal, now: datetime
) -> tuple[Contact | None, bool]:
    existing = _chosen_contact(session, account, lead) or _contact_by_email(session, account, _email(lead))
    if existing is not None:
        return existing, False
    name = _person_name(lead)
    if not name:
        return None, False
    fields: dict[str, Any] = {"name": name[:NAME_LIMIT]}
    if _email(lead):
        fields["emails"] = [{"address": lead["email"], "label": "work"}]
    if lead.get("phone"):
        fields["phones"] = [{"number": str(lead["phone"])[:40], "label": "work"}]
    (contact,) = contacts.add_contacts(session, account_id=account.id, items=[fields], actor=actor, now=now)
    return contact, True


def _chosen_contact(session: Session, account: Account, lead: Mapping[str, Any]) -> Contact | None:
    if not lead.get("contact_id"):
        return None
    contact = session.get(Contact, lead["contact_id"])
    if contact is None or contact.deleted_at is not None or contact.account_id != account.id:
        return None
    return contact


def _contact_by_email(session: Session, account: Account, email: str | None) -> Contact | None:
    if email is None:
        return None
    stmt = (
        sa.select(Contact)
        .join(ContactEmail)
        .where(Contact.account_id == account.id, Contact.deleted_at.is_(None), ContactEmail.email == email)
        .limit(1)
    )
    return session.scalars(stmt).first()
