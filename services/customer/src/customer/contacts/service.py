"""Contact use cases, plus the steps account use cases run inside their own transaction (no commit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from crmkit.types import utcnow
from customer import events_catalog as catalog
from customer import normalize
from customer.accounts.models import load_live as load_live_account
from customer.contacts.errors import ContactDuplicate
from customer.contacts.events import contact_state
from customer.contacts.models import Contact, ContactEmail, ContactPhone, load_live

SORT_COLUMNS = {"name": Contact.name_key, "created_at": Contact.created_at}
LIVE = Contact.deleted_at.is_(None)


def get_contact(*, uow: crmkit.UnitOfWork, contact_id: str) -> Contact:
    """Read a live contact."""
    with uow:
        return load_live(uow.session, contact_id)


def list_contacts(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through live contacts, filtered by e-mail address, phone number or account."""
    stmt = sa.select(Contact).where(LIVE)
    # Joins, not EXISTS: the planner then starts from the e-mail or phone index (one row per contact,
    # as each is part of its table's primary key).
    if query.get("email"):
        stmt = stmt.join(ContactEmail).where(ContactEmail.email == query["email"])
    if query.get("phone"):
        stmt = stmt.join(ContactPhone).where(ContactPhone.number_key == normalize.phone_key(query["phone"]))
    if query.get("account_id"):
        stmt = stmt.where(Contact.account_id == query["account_id"])
    with uow:
        return _page(uow.session, stmt, query)


def list_account_contacts(
    *, uow: crmkit.UnitOfWork, account_id: str, query: Mapping[str, Any]
) -> crmkit.Page:
    """Page through the live contacts of a live account."""
    with uow:
        load_live_account(uow.session, account_id)
        stmt = sa.select(Contact).where(LIVE, Contact.account_id == account_id)
        return _page(uow.session, stmt, query)


def create_contact(
    *, uow: crmkit.UnitOfWork, account_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Contact:
    """Add a contact to an account, refusing an e-mail address another contact has unless allowed."""
    fields = dict(data)
    allow_duplicate = fields.pop("allow_duplicate", False)
    with uow:
        load_live_account(uow.session, account_id)
        if not allow_duplicate:
            _refuse_duplicate_emails(uow.session, [item["address"] for item in fields.get("emails", ())])
        [contact] = add_contacts(
            uow.session, account_id=account_id, items=[fields], actor=actor, now=utcnow()
        )
        uow.commit()
    return contact


def update_contact(
    *,
    uow: crmkit.UnitOfWork,
    contact_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Contact:
    """Change a contact's fields, provided the client read its current version."""
    now = utcnow()
    with uow:
        contact = load_live(uow.session, contact_id)
        crmkit.check_version(contact.version, expected_version)
        before = contact_state(contact)
        contact.apply(data, actor=actor.subject, now=now)
        _save_changes(uow.session, contact, before, now)
        uow.commit()
    return contact


def delete_contact(
    *, uow: crmkit.UnitOfWork, contact_id: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Delete a contact (soft: kept for the record, no longer listed or readable)."""
    with uow:
        contact = load_live(uow.session, contact_id)
        crmkit.check_version(contact.version, expected_version)
        _delete(uow.session, contact, utcnow())
        uow.commit()


def add_contacts(
    session: Session,
    *,
    account_id: str,
    items: Iterable[Mapping[str, Any]],
    actor: crmkit.Principal,
    now: datetime,
) -> list[Contact]:
    """Create contacts of an account and record their created events (the caller commits)."""
    created = []
    for fields in items:
        contact = Contact.new(account_id=account_id, created_by=actor.subject, now=now, fields=fields)
        session.add(contact)
        session.flush()
        _record(session, catalog.CONTACT_CREATED, contact)
        created.append(contact)
    return created


def delete_contacts_of(session: Session, *, account_id: str, now: datetime) -> None:
    """Delete every live contact of an account, recording each deletion (the caller commits)."""
    for contact in _live_contacts_of(session, account_id):
        _delete(session, contact, now)


def move_contacts(session: Session, *, source_id: str, target_id: str, now: datetime) -> list[str]:
    """Move an account's live contacts to another account, recording each change; return their ids."""
    moved = []
    for contact in _live_contacts_of(session, source_id):
        before = contact_state(contact)
        contact.move_to(target_id)
        _save_changes(session, contact, before, now)
        moved.append(contact.id)
    return moved


def _live_contacts_of(session: Session, account_id: str) -> list[Contact]:
    stmt = sa.select(Contact).where(Contact.account_id == account_id, LIVE).order_by(Contact.id)
    return list(session.scalars(stmt))


def _refuse_duplicate_emails(session: Session, emails: list[str]) -> None:
    if not emails:
        return
    stmt = sa.select(Contact).join(ContactEmail).where(LIVE, ContactEmail.email.in_(emails)).limit(20)
    found = list(dict.fromkeys(session.scalars(stmt)))
    if found:
        raise ContactDuplicate(
            'A contact with this e-mail address exists; send "allow_duplicate": true to add another.',
            candidates=[
                {
                    "id": c.id,
                    "account_id": c.account_id,
                    "name": c.name,
                    "emails": sorted(c.email_keys & set(emails)),
                }
                for c in found
            ],
        )


def _page(session: Session, stmt: sa.Select[Any], query: Mapping[str, Any]) -> crmkit.Page:
    sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "name", Contact.id)
    return crmkit.paginate(session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _delete(session: Session, contact: Contact, now: datetime) -> None:
    contact.soft_delete(now)
    session.flush()
    _record(session, catalog.CONTACT_DELETED, contact)


def _save_changes(session: Session, contact: Contact, before: dict[str, Any], now: datetime) -> None:
    """Stamp and flush a changed contact and record its updated event (nothing when nothing changed)."""
    if not diff(before, contact_state(contact)):
        return
    contact.updated_at = now
    session.flush()
    after = contact_state(contact)
    _record(session, catalog.CONTACT_UPDATED, contact, changes=diff(before, after))


def _record(session: Session, event_type: EventType, contact: Contact, **extra: Any) -> None:
    record(
        session,
        event_type,
        subject=contact.id,
        data={**contact_state(contact), **extra},
        sequence=contact.version,
    )
