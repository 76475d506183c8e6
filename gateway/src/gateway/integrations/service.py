"""Use cases of the event feed and webhooks: one transaction each, committed here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crmkit import Page, Principal, UnitOfWork, check_version, paginate, parse_sort
from crmkit.errors import ValidationFailed
from crmkit.pagination import SortKey
from gateway.audit import service as audit
from gateway.identity.models import ADMIN
from gateway.integrations import eventlog, patterns, secretbox, signing
from gateway.integrations.errors import (
    DeliveryNotFound,
    EventTypeNotAllowed,
    InvalidEventPattern,
    WebhookNotFound,
)
from gateway.integrations.models import ACTIVE, PAUSED, PENDING, Delivery, Webhook
from gateway.integrations.schemas import MAX_CURSOR

TARGET = "webhook"
# Audit log actions (the gateway's audit log, GET /api/v1/audit-log).
WEBHOOK_CREATED = "integrations.webhook_created"
WEBHOOK_UPDATED = "integrations.webhook_updated"
WEBHOOK_DELETED = "integrations.webhook_deleted"
WEBHOOK_SECRET_ROTATED = "integrations.webhook_secret_rotated"
WEBHOOK_PAUSED = "integrations.webhook_paused"
WEBHOOK_SECRETS_REENCRYPTED = "integrations.webhook_secrets_reencrypted"
WEBHOOK_SORTS = {"created_at": Webhook.created_at, "url": Webhook.url}


def allowed_patterns(principal: Principal) -> list[str] | None:
    """The event type patterns `principal` may read (None: every type, for admins)."""
    if ADMIN in principal.roles:
        return None
    return patterns.scope_patterns(principal.scopes)


def parse_patterns(raw: str | None, field: str = "type") -> list[str]:
    """Comma-separated patterns from a query parameter (none: every type)."""
    if not raw:
        return []
    try:
        return [patterns.normalize_pattern(item) for item in raw.split(",") if item.strip()]
    except ValueError as error:
        raise InvalidEventPattern(
            "The event type pattern is not valid.",
            errors=[{"field": field, "message": str(error), "in": "query"}],
        ) from None


def read_events(
    *, uow: UnitOfWork, principal: Principal, after: int | None, type_: str | None, limit: int
) -> eventlog.FeedPage:
    """Events after a cursor, in log order, filtered by type patterns and what the caller may read."""
    allowed = allowed_patterns(principal)
    if allowed == []:
        raise EventTypeNotAllowed("This API key has no `events:<pattern>` scope.")
    return eventlog.read_feed(
        uow.session, after=after, patterns_=parse_patterns(type_), allowed=allowed, limit=limit
    )


def create_webhook(*, uow: UnitOfWork, principal: Principal, data: Mapping[str, Any]) -> Webhook:
    """Subscribe a URL to event types; the answer carries the signing secret (shown this once)."""
    webhook = Webhook(
        url=data["url"],
        description=data.get("description"),
        event_types=_checked_patterns(data["event_types"]),
        payload_filter=_checked_filter(data.get("payload_filter") or {}),
        status=ACTIVE,
        secret=secretbox.seal(signing.new_secret()),
        owner_id=principal.subject,
        owner_kind=principal.kind,
        owner_roles=sorted(principal.roles),
        owner_scopes=sorted(principal.scopes),
    )
    _require_event_scope(principal)
    uow.session.add(webhook)
    uow.flush()
    audit.record(uow.session, WEBHOOK_CREATED, target=(TARGET, webhook.id), url=webhook.url)
    uow.commit()
    return webhook


def _checked_patterns(raw: Sequence[str]) -> list[str]:
    try:
        return [patterns.normalize_pattern(item) for item in raw]
    except ValueError as error:
        raise InvalidEventPattern(
            "An event type pattern is not valid.", errors=[{"field": "event_types", "message": str(error)}]
        ) from None


def _checked_filter(raw: Mapping[str, Any]) -> dict[str, Any]:
    try:
        patterns.check_payload_filter(raw)
    except ValueError as error:
        raise ValidationFailed(
            "The payload filter is not valid.", errors=[{"field": "payload_filter", "message": str(error)}]
        ) from None
    return dict(raw)


def _require_event_scope(principal: Principal) -> None:
    """An API key needs an `events:` scope; its webhooks only ever get types inside it (see eventlog)."""
    if allowed_patterns(principal) == []:
        raise EventTypeNotAllowed("This API key has no `events:<pattern>` scope.")


def get_or_raise(*, uow: UnitOfWork, principal: Principal, webhook_id: str) -> Webhook:
    """The webhook, if it exists and the caller owns it (admins see every one)."""
    webhook = uow.session.get(Webhook, webhook_id)
    if webhook is None or not _may_see(principal, webhook):
        raise WebhookNotFound(f"No webhook {webhook_id}.")
    return webhook


def _may_see(principal: Principal, webhook: Webhook) -> bool:
    return ADMIN in principal.roles or webhook.owner_id == principal.subject


def list_(*, uow: UnitOfWork, principal: Principal, query: Mapping[str, Any]) -> Page:
    """The caller's webhooks (an admin's: all), a page at a time."""
    stmt = sa.select(Webhook)
    if ADMIN not in principal.roles:
        stmt = stmt.where(Webhook.owner_id == principal.subject)
    if query.get("status"):
        stmt = stmt.where(Webhook.status == query["status"])
    sort = parse_sort(query.get("sort"), WEBHOOK_SORTS, "created_at", Webhook.id)
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def update_webhook(
    *,
    uow: UnitOfWork,
    principal: Principal,
    webhook_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    now: datetime,
) -> Webhook:
    """Change URL, types, filter or description, or pause / resume (resuming restarts the retry window)."""
    webhook = get_or_raise(uow=uow, principal=principal, webhook_id=webhook_id)
    check_version(webhook.version, expected_version)
    for name in ("url", "description"):
        if name in data:
            setattr(webhook, name, data[name])
    if "event_types" in data:
        webhook.event_types = _checked_patterns(data["event_types"])
    if "payload_filter" in data:
        webhook.payload_filter = _checked_filter(data["payload_filter"] or {})
    if data.get("status") == PAUSED and webhook.status == ACTIVE:
        webhook.status, webhook.paused_reason, webhook.paused_at = PAUSED, "paused by its owner", now
    elif data.get("status") == ACTIVE and webhook.status == PAUSED:
        _resume(uow, webhook, now)
    _seal_legacy_secrets(webhook)
    webhook.updated_at = now
    audit.record(uow.session, WEBHOOK_UPDATED, target=(TARGET, webhook.id), changed=sorted(data))
    uow.commit()
    return webhook


def _resume(uow: UnitOfWork, webhook: Webhook, now: datetime) -> None:
    webhook.status, webhook.paused_reason, webhook.paused_at = ACTIVE, None, None
    uow.session.execute(
        sa.update(Delivery)
        .where(Delivery.webhook_id == webhook.id, Delivery.status == PENDING)
        .values(first_attempt_at=None, next_attempt_at=now)
    )


def delete_webhook(*, uow: UnitOfWork, principal: Principal, webhook_id: str, expected_version: int) -> None:
    """Unsubscribe: the webhook and its delivery log go."""
    webhook = get_or_raise(uow=uow, principal=principal, webhook_id=webhook_id)
    check_version(webhook.version, expected_version)
    uow.session.execute(sa.delete(Delivery).where(Delivery.webhook_id == webhook.id))
    uow.session.delete(webhook)
    audit.record(uow.session, WEBHOOK_DELETED, target=(TARGET, webhook.id), url=webhook.url)
    uow.commit()


def rotate_secret(
    *, uow: UnitOfWork, principal: Principal, webhook_id: str, grace_seconds: int, now: datetime
) -> Webhook:
    """Make a new secret; the old one still signs (beside the new) for `grace_seconds`."""
    webhook = get_or_raise(uow=uow, principal=principal, webhook_id=webhook_id)
    _seal_legacy_secrets(webhook)
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = now + timedelta(seconds=grace_seconds)
    webhook.secret = secretbox.seal(signing.new_secret())
    webhook.updated_at = now
    audit.record(
        uow.session, WEBHOOK_SECRET_ROTATED, target=(TARGET, webhook.id), grace_seconds=grace_seconds
    )
    uow.commit()
    return webhook


def _seal_legacy_secrets(webhook: Webhook) -> None:
    """Encrypt the secrets still stored in clear (written before secrets were encrypted at rest)."""
    if not secretbox.is_sealed(webhook.secret):
        webhook.secret = secretbox.seal(webhook.secret)
    if webhook.previous_secret and not secretbox.is_sealed(webhook.previous_secret):
        webhook.previous_secret = secretbox.seal(webhook.previous_secret)


def reencrypt_secrets(*, uow: UnitOfWork, keyring: secretbox.Keyring) -> int:
    """Encrypt every stored secret under the keyring's first key (after a key rotation, or to encrypt legacy
    clear secrets); answer how many secrets were rewritten. All or nothing: a secret no key decrypts stops
    it (SecretKeyError naming the webhook). Each webhook's version moves on, so a concurrent change fails."""
    webhooks = uow.session.scalars(sa.select(Webhook).order_by(Webhook.id)).all()
    rewritten = sum(_reencrypt(webhook, keyring) for webhook in webhooks)
    audit.record(uow.session, WEBHOOK_SECRETS_REENCRYPTED, secrets=rewritten, keys=keyring.source)
    uow.commit()
    return rewritten


def _reencrypt(webhook: Webhook, keyring: secretbox.Keyring) -> int:
    try:
        webhook.secret = keyring.reencrypt(webhook.secret)
        if webhook.previous_secret:
            webhook.previous_secret = keyring.reencrypt(webhook.previous_secret)
    except secretbox.SecretKeyError as error:
        raise secretbox.SecretKeyError(f"webhook {webhook.id}: {error}") from None
    return 2 if webhook.previous_secret else 1


def list_deliveries(
    *, uow: UnitOfWork, principal: Principal, webhook_id: str, query: Mapping[str, Any]
) -> Page:
    """A webhook's delivery log, newest first."""
    webhook = get_or_raise(uow=uow, principal=principal, webhook_id=webhook_id)
    stmt = sa.select(Delivery).where(Delivery.webhook_id == webhook.id)
    if query.get("status"):
        stmt = stmt.where(Delivery.status == query["status"])
    sort = [SortKey("id", Delivery.id, descending=True)]
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def redeliver(
    *, uow: UnitOfWork, principal: Principal, webhook_id: str, delivery_id: int, now: datetime
) -> Delivery:
    """Queue the delivery's event once more for this webhook (after what is queued for its subject)."""
    webhook = get_or_raise(uow=uow, principal=principal, webhook_id=webhook_id)
    original = uow.session.get(Delivery, delivery_id) if delivery_id <= MAX_CURSOR else None
    if original is None or original.webhook_id != webhook.id:
        raise DeliveryNotFound(f"No delivery {delivery_id} for webhook {webhook_id}.")
    copy = Delivery(
        webhook_id=webhook.id,
        event_cursor=original.event_cursor,
        subject=original.subject,
        status=PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        redelivery_of=original.id,
    )
    uow.session.add(copy)
    uow.commit()
    return copy
