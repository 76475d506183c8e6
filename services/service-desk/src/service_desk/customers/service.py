"""Reading the customer read model: an account's tier and manager, and who a requester's e-mail is."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service_desk.customers.models import DEFAULT_TIER, CustomerAccount, CustomerContact, CustomerContactEmail


@dataclasses.dataclass(frozen=True)
class Requester:
    """Who sent a ticket in: a known contact (and its account), an account known by domain, or nobody."""

    email: str | None
    contact_id: str | None = None
    account_id: str | None = None
    name: str | None = None

    @property
    def known(self) -> bool:
        return self.contact_id is not None or self.account_id is not None


def live_account(session: Session, account_id: str | None) -> CustomerAccount | None:
    """The account, following merges to the survivor; None when unknown or deleted."""
    seen: set[str] = set()
    while account_id and account_id not in seen:
        seen.add(account_id)
        account = session.get(CustomerAccount, account_id)
        if account is None:
            return None
        if account.merged_into_id:
            account_id = account.merged_into_id
            continue
        return None if account.deleted else account
    return None


def account_tier(session: Session, account_id: str | None) -> str:
    """The account's service tier ("key" = key customer); "standard" when the account is unknown."""
    account = live_account(session, account_id)
    return account.tier if account is not None else DEFAULT_TIER


def account_manager(session: Session, account_id: str | None) -> str | None:
    """The account's owner (its account manager), if known."""
    account = live_account(session, account_id)
    return account.owner_id if account is not None else None


def account_name(session: Session, account_id: str | None) -> str | None:
    account = live_account(session, account_id)
    return account.name if account is not None else None


def match_requester(session: Session, email: str | None, name: str | None = None) -> Requester:
    """Match an e-mail address to a live contact (newest first), else an account by the address's domain."""
    if not email:
        return Requester(email=None, name=name)
    address = email.strip().lower()
    contact = session.scalars(
        sa.select(CustomerContact)
        .join(CustomerContactEmail, CustomerContactEmail.contact_id == CustomerContact.id)
        .where(CustomerContactEmail.email == address, CustomerContact.deleted.is_(False))
        .order_by(CustomerContact.updated_at.desc(), CustomerContact.id)
        .limit(1)
    ).first()
    if contact is not None:
        account = live_account(session, contact.account_id)
        return Requester(address, contact.id, account.id if account else None, name or contact.name)
    account = _account_by_domain(session, address.rpartition("@")[2])
    return Requester(address, None, account.id if account else None, name)


def _account_by_domain(session: Session, domain: str) -> CustomerAccount | None:
    """The live account with this domain; only a domain that names exactly one account identifies it."""
    if not domain:
        return None
    found = session.scalars(
        sa.select(CustomerAccount)
        .where(
            CustomerAccount.domain == domain,
            CustomerAccount.deleted.is_(False),
            CustomerAccount.merged_into_id.is_(None),
        )
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def contact_requester(session: Session, contact_id: str) -> Requester | None:
    """The requester a known, live contact is (with its account); None when the contact is unknown."""
    contact = session.get(CustomerContact, contact_id)
    if contact is None or contact.deleted:
        return None
    account = live_account(session, contact.account_id)
    email = session.scalars(
        sa.select(CustomerContactEmail.email).where(CustomerContactEmail.contact_id == contact_id).limit(1)
    ).first()
    return Requester(email, contact.id, account.id if account else None, contact.name)
