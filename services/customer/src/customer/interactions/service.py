"""Interaction use cases: the timeline of an account, and logging that is idempotent per source+reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crmkit
from crmkit.events.envelope import Event
from crmkit.events.outbox import record
from crmkit.pagination import SortKey
from crmkit.types import utcnow
from customer import events_catalog as catalog
from customer.accounts.models import load_live as load_live_account
from customer.contacts.models import Contact
from customer.interactions.errors import InteractionContactInvalid
from customer.interactions.events import interaction_state
from customer.interactions.models import DEFAULT_SOURCE, Interaction

NEWEST_FIRST = [
    SortKey("occurred_at", Interaction.occurred_at, descending=True),
    SortKey("id", Interaction.id, descending=True),
]


def list_timeline(*, uow: crmkit.UnitOfWork, account_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through an account's timeline, newest first."""
    with uow:
        load_live_account(uow.session, account_id)
        stmt = sa.select(Interaction).where(Interaction.account_id == account_id)
        if query.get("type"):
            stmt = stmt.where(Interaction.type == query["type"])
        return crmkit.paginate(
            uow.session, stmt, sort=NEWEST_FIRST, cursor=query["cursor"], limit=query["limit"]
        )


def log_interaction(
    *, uow: crmkit.UnitOfWork, account_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> tuple[Interaction, bool]:
    """Log an interaction on an account's timeline; return it and whether it is new.

    The same `source` and `external_ref` again returns the first interaction and records nothing.
    """
    source = data.get("source") or DEFAULT_SOURCE
    with uow:
        session = uow.session
        existing = _logged(session, source, data.get("external_ref"))
        if existing is not None:
            return existing, False
        load_live_account(session, account_id)
        _check_contact(session, account_id, data.get("contact_id"))
        interaction = _new(account_id, {**data, "source": source}, actor)
        if not _insert(session, interaction):
            return _logged_or_fail(session, source, data.get("external_ref")), False
        _record_logged(session, interaction)
        uow.commit()
    return interaction, True


def log_from_event(session: Session, *, account_id: str, entry: Mapping[str, Any], event: Event) -> bool:
    """Put another service's event on an account's timeline (the caller commits); False if it is there already.

    `entry` holds type, summary and optionally author_id and contact_id; the source is the publishing
    service and the reference the event id, so a replayed event never logs twice.
    """
    source, external_ref = event.service, f"event:{event.id}"
    if _logged(session, source, external_ref) is not None:
        return False
    author = str(entry.get("author_id") or f"system:{source}")[:64]
    actor = crmkit.Principal(subject=author, username=source, roles=frozenset())
    data = {
        **entry,
        "source": source,
        "external_ref": external_ref,
        "occurred_at": event.time,
        "author_id": author,
    }
    interaction = _new(account_id, data, actor)
    if not _insert(session, interaction):
        return False
    _record_logged(session, interaction)
    return True


def move_timeline(session: Session, *, source_id: str, target_id: str) -> int:
    """Move every interaction of one account to another (a merge); return how many moved."""
    stmt = sa.update(Interaction).where(Interaction.account_id == source_id).values(account_id=target_id)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


def _new(account_id: str, data: Mapping[str, Any], actor: crmkit.Principal) -> Interaction:
    now = utcnow()
    return Interaction(
        account_id=account_id,
        contact_id=data.get("contact_id"),
        type=data["type"],
        channel=data.get("channel"),
        occurred_at=data.get("occurred_at") or now,
        author_id=data.get("author_id") or actor.subject,
        summary=data["summary"],
        source=data["source"],
        external_ref=data.get("external_ref"),
        created_at=now,
        created_by=actor.subject,
    )


def _record_logged(session: Session, interaction: Interaction) -> None:
    state = interaction_state(interaction)
    record(
        session, catalog.INTERACTION_LOGGED, subject=interaction.id, data=state, sequence=interaction.version
    )


def _insert(session: Session, interaction: Interaction) -> bool:
    """Insert under a savepoint; False when a concurrent request logged the same source+reference first."""
    try:
        with session.begin_nested():
            session.add(interaction)
            session.flush()
    except IntegrityError:
        if interaction.external_ref is None:
            raise
        return False
    return True


def _logged(session: Session, source: str, external_ref: str | None) -> Interaction | None:
    if external_ref is None:
        return None
    stmt = sa.select(Interaction).where(
        Interaction.source == source, Interaction.external_ref == external_ref
    )
    return session.scalars(stmt).first()


def _logged_or_fail(session: Session, source: str, external_ref: str | None) -> Interaction:
    existing = _logged(session, source, external_ref)
    if existing is None:
        raise crmkit.Conflict("The interaction could not be logged; try again.", code="write_conflict")
    return existing


def _check_contact(session: Session, account_id: str, contact_id: str | None) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None or contact.account_id != account_id:
        message = "is not a contact of this account"
        raise InteractionContactInvalid(
            f"Contact {contact_id} {message}.",
            errors=[{"field": "contact_id", "message": message, "in": "json"}],
        )
