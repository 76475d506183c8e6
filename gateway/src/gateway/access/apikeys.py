"""Integrator API keys: scoped to resources (read only) and event types, shown once, stored as SHA-256.

A request with `Authorization: ApiKey <key>` is checked at the gateway and forwarded with a short-lived
gateway-signed token (kind "api_key", role "integrator", the key's scopes), so services verify it like any
token.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crmkit import Page, UnitOfWork, VersionedMixin, check_version, paginate, parse_sort
from crmkit.types import UtcDateTime, utcnow
from gateway.access.errors import ApiKeyNotFound, ApiKeyRevoked, InvalidApiKey, InvalidScope
from gateway.access.masking import FIELDS_SCOPE, MASK_RULES
from gateway.access.rules import EVENTS_SCOPE, READ_SCOPE
from gateway.audit import models as audit
from gateway.audit.service import Actor, record
from gateway.db import Base, new_id
from gateway.routes import ROUTE_DECLARATIONS

KEY_PREFIX = "crmk_"
EVENT_PATTERN = re.compile(r"^[a-z0-9_*#-]+(\.[a-z0-9_*#-]+)*$")
LAST_USED_PRECISION = timedelta(seconds=60)  # last_used_at is written at most once a minute per key


class ApiKey(VersionedMixin, Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(150))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    resources: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    event_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Masking rules (by name) whose fields this key may see (scope `fields:<name>`).
    field_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def scopes(self) -> list[str]:
        """`read:<resource>` per resource, `events:<pattern>` per event pattern, `fields:<group>` per group."""
        return (
            [READ_SCOPE + resource for resource in self.resources]
            + [EVENTS_SCOPE + pattern for pattern in self.event_types]
            + [FIELDS_SCOPE + group for group in self.field_groups]
        )

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclasses.dataclass(frozen=True)
class IssuedKey:
    """A new key and the secret the caller sees this one time."""

    api_key: ApiKey
    key: str


@dataclasses.dataclass(frozen=True)
class KeyIdentity:
    """What the exchanged token says about a key."""

    id: str
    name: str
    scopes: tuple[str, ...]


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """(the key to show once, its display prefix)."""
    body = secrets.token_urlsafe(32)
    return KEY_PREFIX + body, body[:8]


def check_scopes(data: Mapping[str, Any]) -> None:
    """Known resources, well-formed event patterns, known field groups; at least one scope."""
    resources = data.get("resources", [])
    unknown = sorted(set(resources) - set(ROUTE_DECLARATIONS))
    if unknown:
        raise InvalidScope(
            "An API key reads resources the route table knows.",
            errors=[{"field": "resources", "message": f"unknown resource {', '.join(unknown)}"}],
        )
    bad = [pattern for pattern in data.get("event_types", []) if not EVENT_PATTERN.match(pattern)]
    if bad:
        raise InvalidScope(
            "Event type patterns are dotted names with * or # wildcards, e.g. sales.opportunity.*",
            errors=[{"field": "event_types", "message": f"invalid pattern {', '.join(bad)}"}],
        )
    groups = {rule.name for rule in MASK_RULES}
    unknown_groups = sorted(set(data.get("field_groups", [])) - groups)
    if unknown_groups:
        raise InvalidScope(
            f"Field groups are among: {', '.join(sorted(groups))}.",
            errors=[{"field": "field_groups", "message": f"unknown {', '.join(unknown_groups)}"}],
        )


def create(*, uow: UnitOfWork, data: Mapping[str, Any], actor: Actor) -> IssuedKey:
    """Make a key; the secret is answered once and only its digest is stored."""
    check_scopes(data)
    key, prefix = new_secret()
    api_key = ApiKey(
        name=data["name"],
        prefix=prefix,
        key_hash=digest(key),
        resources=sorted(set(data.get("resources", []))),
        event_types=sorted(set(data.get("event_types", []))),
        created_by=actor.id,
        field_groups=sorted(set(data.get("field_groups", []))),
        expires_at=data.get("expires_at"),
    )
    uow.session.add(api_key)
    uow.session.flush()
    record(
        uow.session,
        audit.API_KEY_CREATED,
        actor=actor,
        target=("api_key", api_key.id),
        name=api_key.name,
        scopes=api_key.scopes,
    )
    uow.commit()
    return IssuedKey(api_key, key)


def get_or_raise(*, uow: UnitOfWork, key_id: str) -> ApiKey:
    api_key = uow.session.get(ApiKey, key_id)
    if api_key is None:
        raise ApiKeyNotFound(f"There is no API key {key_id!r}.")
    return api_key


def list_(*, uow: UnitOfWork, query: Mapping[str, Any]) -> Page:
    """Keys a page at a time; `active=true` leaves out revoked and expired ones."""
    stmt = sa.select(ApiKey)
    if query.get("active") is True:
        now = utcnow()
        stmt = stmt.where(
            ApiKey.revoked_at.is_(None), sa.or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now)
        )
    elif query.get("active") is False:
        stmt = stmt.where(sa.or_(ApiKey.revoked_at.is_not(None), ApiKey.expires_at <= utcnow()))
    sorts = {"name": ApiKey.name, "created_at": ApiKey.created_at}
    sort = parse_sort(query.get("sort"), sorts, "created_at", ApiKey.id)
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def update(
    *, uow: UnitOfWork, key_id: str, data: Mapping[str, Any], expected_version: int, actor: Actor
) -> ApiKey:
    """Rename a key or change its scopes (the next exchange uses them)."""
    api_key = get_or_raise(uow=uow, key_id=key_id)
    check_version(api_key.version, expected_version)
    check_scopes(data)
    before = {"name": api_key.name, "scopes": api_key.scopes}
    if "name" in data:
        api_key.name = data["name"]
    if "resources" in data:
        api_key.resources = sorted(set(data["resources"]))
    if "event_types" in data:
        api_key.event_types = sorted(set(data["event_types"]))
    if "expires_at" in data:
        api_key.expires_at = data["expires_at"]
    if "field_groups" in data:
        api_key.field_groups = sorted(set(data["field_groups"]))
    api_key.updated_at = utcnow()
    record(
        uow.session,
        audit.API_KEY_UPDATED,
        actor=actor,
        target=("api_key", api_key.id),
        before=before,
        after={"name": api_key.name, "scopes": api_key.scopes},
    )
    uow.commit()
    return api_key


def revoke(*, uow: UnitOfWork, key_id: str, expected_version: int | None, actor: Actor) -> ApiKey:
    """Stop a key working at once (it stays listed, revoked)."""
    api_key = get_or_raise(uow=uow, key_id=key_id)
    if expected_version is not None:
        check_version(api_key.version, expected_version)
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        api_key.updated_at = api_key.revoked_at
        record(
            uow.session, audit.API_KEY_REVOKED, actor=actor, target=("api_key", api_key.id), name=api_key.name
        )
    uow.commit()
    return api_key


def rotate(*, uow: UnitOfWork, key_id: str, actor: Actor) -> IssuedKey:
    """Give a key a new secret (shown once); the old secret stops working at once."""
    api_key = get_or_raise(uow=uow, key_id=key_id)
    if api_key.revoked_at is not None:
        raise ApiKeyRevoked("A revoked key cannot be rotated; create a new one.")
    key, prefix = new_secret()
    api_key.prefix, api_key.key_hash = prefix, digest(key)
    api_key.updated_at = utcnow()
    record(uow.session, audit.API_KEY_ROTATED, actor=actor, target=("api_key", api_key.id), name=api_key.name)
    uow.commit()
    return IssuedKey(api_key, key)


def authenticate(*, uow: UnitOfWork, key: str) -> KeyIdentity:
    """Check a presented key; note its use (audit, last_used_at); refuse unknown, revoked or expired keys."""
    now = utcnow()
    api_key = uow.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == digest(key)))
    if api_key is None or not api_key.is_usable(now):
        reason = "unknown" if api_key is None else api_key.status
        target = ("api_key", api_key.id if api_key else None)
        record(
            uow.session, audit.API_KEY_REFUSED, outcome="failure", target=target, status=401, reason=reason
        )
        uow.commit()
        raise InvalidApiKey("The API key is unknown, revoked or expired.")
    identity = KeyIdentity(api_key.id, api_key.name, tuple(api_key.scopes))
    actor = Actor(api_key.id, api_key.name, "api_key")
    record(uow.session, audit.API_KEY_USED, actor=actor, target=("api_key", api_key.id))
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_PRECISION:
        uow.session.execute(
            sa.update(ApiKey)
            .where(ApiKey.id == api_key.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
    uow.commit()
    return identity
