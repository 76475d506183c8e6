"""Write audit entries (inside a use case's transaction, or on their own) and read them a page at a time."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from crmkit import Database, Page, UnitOfWork, paginate, parse_sort
from crmkit.auth import Principal
from gateway.audit.models import AuditEntry

log = logging.getLogger(__name__)

AUDIT_SORTS = {"occurred_at": AuditEntry.occurred_at, "id": AuditEntry.id}
EQUALITY_FILTERS = ("action", "outcome", "actor_id", "actor_name", "target_type", "target_id", "status")


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who did it: a user, an API key, the command line, or an unknown caller (a failed sign-in)."""

    id: str | None
    name: str | None
    kind: str

    @classmethod
    def of(cls, principal: Principal | None) -> Actor:
        if principal is None:
            return ANONYMOUS
        return cls(principal.subject, principal.username, principal.kind)

    @classmethod
    def current(cls) -> Actor:
        """The caller of the current request (anonymous outside a request or before authentication)."""
        if not has_request_context():
            return COMMAND_LINE
        return cls.of(g.get("crm_principal"))


ANONYMOUS = Actor(None, None, "anonymous")
COMMAND_LINE = Actor("cli", "crm-gateway", "cli")


def record(
    session: Session,
    action: str,
    *,
    outcome: str = "success",
    actor: Actor | None = None,
    target: tuple[str, str | None] | None = None,
    status: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry to `session` (it is written with the use case's commit); request facts are filled in."""
    actor = actor or Actor.current()
    entry = AuditEntry(
        action=action,
        outcome=outcome,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_kind=actor.kind,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        status=status,
        details={key: value for key, value in details.items() if value is not None},
    )
    if has_request_context():
        if outcome != "success":
            g.crm_audited = True  # the generic "denied request" entry would only repeat this one
        entry.method = request.method
        entry.path = request.path[:500]
        entry.client_ip = (request.remote_addr or "")[:64] or None
        entry.request_id = g.get("crm_request_id")
    session.add(entry)
    return entry


def record_now(database: Database, action: str, **fields: Any) -> None:
    """Write one entry in its own transaction (a denied request has no use case to ride along with)."""
    try:
        with database.uow() as uow:
            record(uow.session, action, **fields)
            uow.commit()
    except sa.exc.SQLAlchemyError:
        # The answer to the caller must not change because the log could not be written; say so loudly.
        log.exception("could not write the audit entry %s", action)


def list_(*, uow: UnitOfWork, query: Mapping[str, Any]) -> Page:
    """Entries newest first (unless sorted otherwise), filtered by equality fields and a time range."""
    stmt = sa.select(AuditEntry)
    for name in EQUALITY_FILTERS:
        if query.get(name) is not None:
            stmt = stmt.where(getattr(AuditEntry, name) == query[name])
    if query.get("since") is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= query["since"])
    if query.get("until") is not None:
        stmt = stmt.where(AuditEntry.occurred_at < query["until"])
    if query.get("path_prefix"):
        stmt = stmt.where(AuditEntry.path.startswith(query["path_prefix"], autoescape=True))
    sort = parse_sort(query.get("sort"), AUDIT_SORTS, "-id", AuditEntry.id)
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def purge(*, uow: UnitOfWork, before: datetime) -> int:
    """Delete entries older than `before` (retention) and commit; answer how many went."""
    deleted = delete_older_than(uow.session, before)
    uow.commit()
    return deleted


def delete_older_than(session: Session, before: datetime) -> int:
    """Delete entries older than `before` in the caller's transaction (the worker's `audit-log-purge`)."""
    result = session.execute(
        sa.delete(AuditEntry)
        .where(AuditEntry.occurred_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(cast(sa.CursorResult[Any], result).rowcount or 0)
