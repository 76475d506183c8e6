"""Mailboxes service managers configure: an address, its group and defaults, and a secret (hash kept)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.mail.errors import MailboxAddressTaken, MailboxNotFound
from service_desk.mail.models import Mailbox
from service_desk.mail.service import secret_hash
from service_desk.tickets.errors import TicketInvalid
from service_desk.tickets.models import TicketGroup

SORT_COLUMNS = {"address": Mailbox.address, "created_at": Mailbox.created_at}


def list_mailboxes(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    with uow:
        sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "address", Mailbox.id)
        return crmkit.paginate(
            uow.session, sa.select(Mailbox), sort=sort, cursor=query["cursor"], limit=query["limit"]
        )


def get_mailbox(*, uow: crmkit.UnitOfWork, mailbox_id: str) -> Mailbox:
    with uow:
        return _load(uow.session, mailbox_id)


def create_mailbox(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> tuple[Mailbox, str]:
    """Create a mailbox; return it with its secret, which is shown this once (only its hash is kept)."""
    with uow:
        session = uow.session
        _check(session, data, None)
        secret = secrets.token_urlsafe(32)
        now = clock.now()
        mailbox = Mailbox(
            **data, secret_hash=secret_hash(secret), created_by=actor.subject, created_at=now, updated_at=now
        )
        session.add(mailbox)
        session.flush()
        uow.commit()
    return mailbox, secret


def update_mailbox(
    *, uow: crmkit.UnitOfWork, mailbox_id: str, data: Mapping[str, Any], expected_version: int
) -> Mailbox:
    with uow:
        session = uow.session
        mailbox = _load(session, mailbox_id)
        crmkit.check_version(mailbox.version, expected_version)
        _check(session, data, mailbox.id)
        for name, value in data.items():
            setattr(mailbox, name, value)
        mailbox.updated_at = clock.now()
        session.flush()
        uow.commit()
    return mailbox


def rotate_secret(*, uow: crmkit.UnitOfWork, mailbox_id: str) -> tuple[Mailbox, str]:
    """Give the mailbox a new secret (the old one stops working at once)."""
    with uow:
        mailbox = _load(uow.session, mailbox_id)
        secret = secrets.token_urlsafe(32)
        mailbox.secret_hash = secret_hash(secret)
        mailbox.updated_at = clock.now()
        uow.session.flush()
        uow.commit()
    return mailbox, secret


def _load(session: Session, mailbox_id: str) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise MailboxNotFound(f"No mailbox {mailbox_id}.")
    return mailbox


def _check(session: Session, data: Mapping[str, Any], own_id: str | None) -> None:
    if data.get("group_id") and session.get(TicketGroup, data["group_id"]) is None:
        raise TicketInvalid(
            "No ticket group has this id.",
            errors=[{"field": "group_id", "message": "unknown group", "in": "json"}],
        )
    if "address" in data:
        taken = session.scalars(
            sa.select(Mailbox.id).where(Mailbox.address == data["address"], Mailbox.id != own_id)
        ).first()
        if taken is not None:
            raise MailboxAddressTaken(f"A mailbox for {data['address']} exists already.")
