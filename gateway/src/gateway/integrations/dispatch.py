"""The webhook dispatcher: send due deliveries, oldest first, one at a time per (webhook, subject).

A round (`dispatch_due`) works in three steps so that no database lock is held while receivers answer:
1. pick the due heads (a pending delivery with no earlier pending one for the same webhook and subject, so
   a later event of an entity never overtakes an earlier one) and lease them (move `next_attempt_at` past
   the HTTP timeout), then commit;
2. POST them, in parallel across different subjects, outside any transaction;
3. record each outcome: delivered; or retried after an exponential backoff with jitter; or, once a delivery
   has failed for the whole retry window (at least 24 h), given up, and its webhook paused with a notice.
A crash between 1 and 3 only delays the leased deliveries until their lease runs out (at-least-once).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
import urllib3
from sqlalchemy.orm import Session, aliased
from urllib3.exceptions import HTTPError

from crmkit.events import outbox
from crmkit.events.envelope import CONTENT_TYPE, format_time
from gateway.audit import service as audit
from gateway.integrations import secretbox, signing
from gateway.integrations.events import WEBHOOK_PAUSED_V1
from gateway.integrations.masking import masked_envelope
from gateway.integrations.models import (
    ACTIVE,
    DELIVERED,
    FAILED,
    PAUSED,
    PENDING,
    Delivery,
    LoggedEvent,
    Webhook,
)
from gateway.integrations.owners import Grants, current_grants
from gateway.integrations.service import WEBHOOK_PAUSED
from gateway.integrations.settings import IntegrationSettings

log = logging.getLogger(__name__)
USER_AGENT = "crm-gateway-webhooks/1"
ERROR_CHARS = 1000
LEASE_MARGIN = timedelta(seconds=30)
OWNER_GONE = (
    "its owner may no longer receive events (API key revoked or expired, or user not an active admin)"
)
WORKER = audit.Actor("gateway-worker", "crm-gateway worker", "system")
# Lease steps of every dispatcher replica take turns (PostgreSQL), so two never lease the same head.
DISPATCH_LOCK_KEY = 0x43524D44  # "CRMD"
ROUND_SECONDS = 5.0


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One HTTP POST to make."""

    delivery_id: int
    url: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass(frozen=True)
class Answer:
    """What came of an attempt: the receiver's status, or the error that kept it from answering."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender:
    """POSTs attempts over one pooled, keep-alive HTTP client with connect and read timeouts."""

    def __init__(self, settings: IntegrationSettings) -> None:
        self.settings = settings
        self._pools = urllib3.PoolManager(
            num_pools=64,
            maxsize=settings.dispatch_concurrency,
            timeout=urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout),
            retries=False,
        )
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=settings.dispatch_concurrency, thread_name_prefix="webhook-send"
        )

    def send_all(self, attempts: Sequence[Attempt]) -> dict[int, Answer]:
        """Send every attempt (in parallel); answer delivery id -> what came of it."""
        answers = self._executor.map(self.send, attempts)
        return {attempt.delivery_id: answer for attempt, answer in zip(attempts, answers, strict=True)}

    def send(self, attempt: Attempt) -> Answer:
        """POST one attempt; any 2xx is a success, everything else (or no answer) a failure."""
        try:
            response = self._pools.request(
                "POST", attempt.url, body=attempt.body, headers=attempt.headers, redirect=False
            )
        except HTTPError as error:
            return Answer(None, f"{type(error).__name__}: {error}"[:ERROR_CHARS])
        if 200 <= response.status < 300:
            return Answer(response.status)
        excerpt = response.data[:200].decode("utf-8", "replace")
        return Answer(response.status, f"HTTP {response.status}: {excerpt}"[:ERROR_CHARS])

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._pools.clear()


Send = Callable[[Sequence[Attempt]], dict[int, Answer]]


def backoff_delay(attempts: int, settings: IntegrationSettings, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempts`-th failure: base * 2^(n-1), capped, with equal jitter."""
    ceiling = min(settings.backoff_max_seconds, settings.backoff_base_seconds * 2 ** min(attempts - 1, 30))
    return ceiling / 2 + (rng or random).random() * ceiling / 2


def dispatch_due(
    session: Session,
    now: datetime,
    *,
    send: Send,
    settings: IntegrationSettings,
    rng: random.Random | None = None,
) -> int:
    """Run one dispatcher round at `now`; answer how many deliveries were attempted.

    A round goes on while heads are due (each success can free the next event of its subject), for at
    most ROUND_SECONDS, so a backlog for one entity drains in one round instead of one event per round.
    """
    attempted = 0
    deadline = time.monotonic() + ROUND_SECONDS
    while time.monotonic() < deadline:
        heads = _lease_heads(session, now, settings)
        if not heads:
            break
        sendable = _check_owners(session, heads, now)
        attempts, unsigned = _attempts(sendable, now)
        answers = send(attempts) | unsigned
        for delivery, webhook, event, _grants in sendable:
            _record(session, delivery, webhook, event, answers[delivery.id], now, settings, rng)
        attempted += len(sendable)
    return attempted


def _check_owners(
    session: Session, heads: list[tuple[Delivery, Webhook, LoggedEvent]], now: datetime
) -> list[tuple[Delivery, Webhook, LoggedEvent, Grants]]:
    """Keep the heads whose owner may still receive them; pause webhooks whose owner may receive nothing."""
    grants: dict[str, Grants | None] = {}
    sendable = []
    for delivery, webhook, event in heads:
        if webhook.id not in grants:
            grants[webhook.id] = current_grants(session, webhook, now)
        owner = grants[webhook.id]
        if owner is None:
            delivery.next_attempt_at = now  # sent at once when the webhook is resumed
            pause(session, webhook, delivery, event, now, OWNER_GONE)
        elif not owner.allows(event.routing_key):
            delivery.status, delivery.finished_at = FAILED, now
            delivery.last_error = "the owner's API key no longer has a scope for this event type"
        else:
            sendable.append((delivery, webhook, event, owner))
    return sendable


def _lease_heads(
    session: Session, now: datetime, settings: IntegrationSettings
) -> list[tuple[Delivery, Webhook, LoggedEvent]]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": DISPATCH_LOCK_KEY})
    earlier = aliased(Delivery)
    blocked = (
        sa.select(earlier.id)
        .where(
            earlier.webhook_id == Delivery.webhook_id,
            earlier.subject == Delivery.subject,
            earlier.status == PENDING,
            earlier.id < Delivery.id,
        )
        .exists()
    )
    query = (
        sa.select(Delivery, Webhook, LoggedEvent)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .join(LoggedEvent, LoggedEvent.id == Delivery.event_cursor)
        .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, Webhook.status == ACTIVE)
        .where(~blocked)
        .order_by(Delivery.id)
        .limit(settings.dispatch_batch)
    )
    heads = [(row[0], row[1], row[2]) for row in session.execute(query)]
    lease = timedelta(seconds=settings.connect_timeout + settings.read_timeout) + LEASE_MARGIN
    for delivery, _webhook, _event in heads:
        delivery.next_attempt_at = now + lease
    session.commit()  # the leases hold the heads; no lock stays open while receivers answer
    return heads


def _attempts(
    sendable: list[tuple[Delivery, Webhook, LoggedEvent, Grants]], now: datetime
) -> tuple[list[Attempt], dict[int, Answer]]:
    """The POSTs to make; and, for deliveries that cannot be signed (a secret no key decrypts), a failed
    answer, so they are retried like any failure while the other webhooks' deliveries go out."""
    attempts: list[Attempt] = []
    unsigned: dict[int, Answer] = {}
    for delivery, webhook, event, grants in sendable:
        try:
            attempts.append(_attempt(delivery, webhook, event, grants, now))
        except secretbox.SecretKeyError as error:
            log.error(
                "cannot sign delivery %s of webhook %s: its secret does not decrypt (%s); check %s",
                delivery.id,
                webhook.id,
                error,
                secretbox.ENV_NAME,
                extra={"webhook": webhook.id, "delivery": delivery.id},
            )
            unsigned[delivery.id] = Answer(None, f"not sent: the webhook secret does not decrypt ({error})")
    return attempts, unsigned


def _attempt(
    delivery: Delivery, webhook: Webhook, event: LoggedEvent, grants: Grants, now: datetime
) -> Attempt:
    envelope = masked_envelope(event.envelope, grants.roles, grants.scopes)
    body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.signature_header(webhook.secrets_at(now), timestamp, body),
        "X-CRM-Delivery": str(delivery.id),
        "X-CRM-Event-Id": event.event_id,
        "X-CRM-Event-Type": str(event.envelope.get("type", "")),
        "X-CRM-Event-Cursor": str(event.id),
        "X-CRM-Webhook": webhook.id,
    }
    return Attempt(delivery.id, webhook.url, headers, body)


def _record(
    session: Session,
    delivery: Delivery,
    webhook: Webhook,
    event: LoggedEvent,
    answer: Answer,
    now: datetime,
    settings: IntegrationSettings,
    rng: random.Random | None,
) -> None:
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_attempt_at = now
    delivery.last_status_code = answer.status
    delivery.last_error = answer.error
    if answer.ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = DELIVERED, now, now
        return
    if now - delivery.first_attempt_at >= timedelta(hours=settings.retry_hours):
        delivery.status, delivery.finished_at = FAILED, now
        pause_after_failure(session, webhook, delivery, event, now, settings)
        return
    delivery.next_attempt_at = now + timedelta(seconds=backoff_delay(delivery.attempts, settings, rng))
    log.info(
        "webhook delivery failed; will retry",
        extra={"webhook": webhook.id, "delivery": delivery.id, "attempts": delivery.attempts},
    )


def pause_after_failure(
    session: Session,
    webhook: Webhook,
    delivery: Delivery,
    event: LoggedEvent,
    now: datetime,
    settings: IntegrationSettings,
) -> None:
    """Pause the webhook whose delivery failed for the whole retry window."""
    last = f"HTTP {delivery.last_status_code}" if delivery.last_status_code else (delivery.last_error or "")
    reason = f"delivery {delivery.id} kept failing for {settings.retry_hours:g} h (last: {last[:200]})"
    pause(session, webhook, delivery, event, now, reason)


def pause(
    session: Session, webhook: Webhook, delivery: Delivery, event: LoggedEvent, now: datetime, reason: str
) -> None:
    """Give the webhook the paused status, say why, audit it and publish the notice (outbox, same transaction)."""
    if webhook.status == PAUSED:
        return
    log.warning("webhook paused", extra={"webhook": webhook.id, "reason": reason})
    webhook.status, webhook.paused_reason, webhook.paused_at = PAUSED, reason, now
    session.flush()
    audit.record(
        session,
        WEBHOOK_PAUSED,
        outcome="failure",
        actor=WORKER,
        target=("webhook", webhook.id),
        reason=reason,
    )
    outbox.record(
        session,
        WEBHOOK_PAUSED_V1,
        subject=webhook.id,
        data={
            "id": webhook.id,
            "owner_id": webhook.owner_id,
            "status": PAUSED,
            "paused_reason": reason,
            "paused_at": format_time(now),
            "delivery_id": str(delivery.id),
            "event_id": event.event_id,
            "failed_since": format_time(delivery.first_attempt_at or now),
            "attempts": max(delivery.attempts, 1),
            "version": webhook.version,
        },
        sequence=webhook.version,
    )
