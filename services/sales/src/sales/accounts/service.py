"""Keep the account/contact read model from customer events; answer what sales asks of accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.types import utcnow
from sales.accounts.models import (
    DEFAULT_TIER,
    AccountView,
    ContactEmailView,
    ContactView,
    account_payload_fields,
)
from sales.db import Base
from sales.models import import_all


def account_tier(session: Session, account_id: str | None) -> str:
    """The account's value tier ("key", "standard", "low"); "standard" when the account is unknown."""
    if account_id is None:
        return DEFAULT_TIER
    view = session.get(AccountView, account_id)
    return view.tier if view is not None else DEFAULT_TIER


def live_account(session: Session, account_id: str) -> AccountView | None:
    """The account, following merges to the survivor; None when unknown or deleted."""
    view = session.get(AccountView, account_id)
    for _ in range(10):
        if view is None or view.merged_into_id is None:
            break
        view = session.get(AccountView, view.merged_into_id)
    return view if view is not None and not view.deleted else None


def apply_account(session: Session, data: Mapping[str, Any], sequence: int) -> AccountView | None:
    """Upsert the account from an event payload unless a newer event was applied already."""
    view = session.get(AccountView, data["id"])
    if view is not None and view.sequence >= sequence:
        return None
    if view is None:
        view = AccountView(id=data["id"])
        session.add(view)
    for field, value in account_payload_fields(dict(data)).items():
        setattr(view, field, value)
    view.sequence, view.updated_at = sequence, utcnow()
    return view


def apply_merge(session: Session, data: Mapping[str, Any], sequence: int) -> int:
    """Record the merge and re-point every sales row that names the merged account at the survivor."""
    survivor = data["survivor"]
    apply_account(session, survivor, int(survivor["version"]))
    apply_account(session, data, sequence)
    return repoint_account(session, data["id"], data["merged_into_id"])


def repoint_account(session: Session, merged_id: str, survivor_id: str) -> int:
    """Every table of the service with an `account_id` column: merged_id -> survivor_id; rows changed."""
    import_all()  # every feature's tables, whichever modules this process happened to import
    session.flush()
    changed = 0
    for table in Base.metadata.sorted_tables:
        column = table.c.get("account_id")
        if column is None:
            continue
        result = session.execute(sa.update(table).where(column == merged_id).values(account_id=survivor_id))
        changed += result.rowcount or 0  # type: ignore[attr-defined]
    session.execute(
        sa.update(AccountView)
        .where(AccountView.merged_into_id == merged_id)
        .values(merged_into_id=survivor_id)
    )
    return changed


def apply_contact(session: Session, data: Mapping[str, Any], sequence: int, *, deleted: bool = False) -> None:
    """Upsert the contact (and its e-mail index) unless a newer event was applied already."""
    view = session.get(ContactView, data["id"])
    if view is not None and view.sequence >= sequence:
        return
    if view is None:
        view = ContactView(id=data["id"])
        session.add(view)
    emails = sorted({str(item["address"]).strip().lower() for item in data.get("emails") or ()})
    view.account_id, view.name, view.emails = data["account_id"], data.get("name") or "", emails
    view.deleted = deleted or data.get("deleted_at") is not None
    view.sequence, view.updated_at = sequence, utcnow()
    session.flush()
    session.execute(sa.delete(ContactEmailView).where(ContactEmailView.contact_id == view.id))
    if not view.deleted:
        session.add_all([ContactEmailView(contact_id=view.id, email=email) for email in emails])


def contacts_with_email(session: Session, email_key: str) -> list[ContactView]:
    """Live contacts having this (lower-cased) e-mail address."""
    stmt = (
        sa.select(ContactView)
        .join(ContactEmailView, ContactEmailView.contact_id == ContactView.id)
        .where(ContactEmailView.email == email_key, ContactView.deleted.is_(False))
        .order_by(ContactView.id)
    )
    return list(session.scalars(stmt))
