"""The retained event log: store each consumed event once, fan it out to webhooks, read it back in order."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.events.envelope import Event
from crmkit.events.inbox import purge_handled
from gateway.integrations import patterns
from gateway.integrations.errors import CursorExpired
from gateway.integrations.models import (
    ACTIVE,
    FAILED,
    PAUSED,
    PENDING,
    Delivery,
    LoggedEvent,
    LogMarker,
    Webhook,
)
from gateway.integrations.owners import current_grants

PURGED_THROUGH = "purged_through"
# One lock for every writer of the log: ids are then handed out in commit order, so a reader that has seen
# cursor N can never later find a smaller one appear (PostgreSQL sequences alone do not promise that).
LOG_LOCK_KEY = 0x43524D4C  # "CRML"
SCAN_BATCH = 500
MAX_SCANNED = 10_000


def store_event(session: Session, event: Event) -> None:
    """Consumer handler for every routing key: append `event` to the log and queue its webhook deliveries."""
    _lock_log(session)
    logged = LoggedEvent(
        event_id=event.id,
        source=event.source,
        routing_key=event.routing_key,
        subject=event.subject,
        occurred_at=event.time,
        envelope=event.to_dict(),
    )
    session.add(logged)
    session.flush()
    queue_deliveries(session, logged)


def _lock_log(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})


def queue_deliveries(session: Session, logged: LoggedEvent) -> int:
    """Add one pending delivery per webhook whose patterns and payload filter match (paused ones too)."""
    queued = 0
    for webhook in session.scalars(sa.select(Webhook)):
        if _wants(session, webhook, logged):
            session.add(
                Delivery(
                    webhook_id=webhook.id,
                    event_cursor=logged.id,
                    subject=logged.subject,
                    status=PENDING,
                    next_attempt_at=logged.received_at,
                )
            )
            queued += 1
    return queued


def _wants(session: Session, webhook: Webhook, logged: LoggedEvent) -> bool:
    """The webhook's patterns and filter match, and its owner may receive the type now (see owners)."""
    if not patterns.matches_any(webhook.event_types, logged.routing_key):
        return False
    grants = current_grants(session, webhook, logged.received_at)
    if grants is None or not grants.allows(logged.routing_key):
        return False
    return patterns.payload_matches(webhook.payload_filter, logged.envelope.get("data") or {})


@dataclasses.dataclass(frozen=True)
class FeedPage:
    items: list[LoggedEvent]
    next_cursor: str


def read_feed(
    session: Session,
    *,
    after: int | None,
    patterns_: Sequence[str],
    allowed: Sequence[str] | None,
    limit: int,
) -> FeedPage:
    """Events after cursor `after` matching `patterns_` (and `allowed`, when given), oldest first.

    Scans at most MAX_SCANNED rows per call; `next_cursor` is the last row looked at, so a reader that
    filters a busy log still moves forward, and one at the end gets its own cursor back to poll with.
    """
    _check_retained(session, after)
    position = after or 0
    items: list[LoggedEvent] = []
    scanned = 0
    prefix = _common_prefix(patterns_)
    while len(items) < limit and scanned < MAX_SCANNED:
        rows = _batch(session, position, prefix)
        if not rows:
            break
        for row in rows:
            position = row.id
            scanned += 1
            if _visible(row.routing_key, patterns_, allowed):
                items.append(row)
                if len(items) == limit:
                    break
    return FeedPage(items, str(position))


def _batch(session: Session, position: int, prefix: str) -> list[LoggedEvent]:
    query = sa.select(LoggedEvent).where(LoggedEvent.id > position)
    if prefix:
        query = query.where(LoggedEvent.routing_key.startswith(prefix, autoescape=True))
    return list(session.scalars(query.order_by(LoggedEvent.id).limit(SCAN_BATCH)))


def _visible(routing_key: str, wanted: Sequence[str], allowed: Sequence[str] | None) -> bool:
    if wanted and not patterns.matches_any(wanted, routing_key):
        return False
    return allowed is None or patterns.matches_any(allowed, routing_key)


def _common_prefix(patterns_: Sequence[str]) -> str:
    """A literal start every pattern shares (narrows the scan with the routing key index)."""
    if len(patterns_) != 1:
        return ""
    return patterns.literal_prefix(patterns_[0])


def _check_retained(session: Session, after: int | None) -> None:
    if after is None:
        return
    purged = purged_through(session)
    if after < purged:
        raise CursorExpired(
            f"Events after cursor {after} are no longer retained (the log starts after {purged}); "
            "read from the oldest retained event by leaving `after` out.",
            oldest_cursor=str(purged),
        )


def purged_through(session: Session) -> int:
    """The highest cursor the retention purge has removed (0 before the first purge)."""
    marker = session.get(LogMarker, PURGED_THROUGH)
    return marker.value if marker else 0


def latest_cursor(session: Session) -> int:
    """The newest cursor in the log (0 when it is empty)."""
    return int(session.scalar(sa.select(sa.func.max(LoggedEvent.id))) or 0)


def integration_status(session: Session, now: datetime) -> dict[str, Any]:
    """Where the log stands and how far webhook deliveries are behind (for health checks and operators)."""
    # Deliveries of paused webhooks wait on purpose: they do not count as overdue.
    oldest_due = session.scalar(
        sa.select(sa.func.min(Delivery.next_attempt_at))
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(Delivery.status == PENDING, Webhook.status == ACTIVE)
    )
    paused = session.scalar(sa.select(sa.func.count()).select_from(Webhook).where(Webhook.status == PAUSED))
    pending = session.scalar(
        sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status == PENDING)
    )
    return {
        "latest_cursor": str(latest_cursor(session)),
        "purged_through": str(purged_through(session)),
        "pending_deliveries": int(pending or 0),
        "oldest_due_seconds": max((now - oldest_due).total_seconds(), 0.0) if oldest_due else 0.0,
        "paused_webhooks": int(paused or 0),
    }


def purge_expired(session: Session, now: datetime, *, retention: timedelta) -> int:
    """Delete events older than `retention` (and finished deliveries of them); keep those still owed.

    Records the highest removed cursor, so a reader resuming before it gets a clear 410.
    """
    cutoff = now - retention
    _expire_paused_backlog(session, now, cutoff)
    finished = sa.select(Delivery.id).where(Delivery.status != PENDING, Delivery.created_at < cutoff)
    session.execute(sa.delete(Delivery).where(Delivery.id.in_(finished)))
    owed = sa.select(Delivery.event_cursor).where(Delivery.status == PENDING)
    doomed = sa.select(LoggedEvent.id).where(LoggedEvent.received_at < cutoff, LoggedEvent.id.not_in(owed))
    highest = session.scalar(sa.select(sa.func.max(doomed.subquery().c.id)))
    if highest is None:
        return 0
    removed = session.execute(
        sa.delete(LoggedEvent).where(LoggedEvent.id <= highest, LoggedEvent.id.not_in(owed))
    )
    _set_marker(session, PURGED_THROUGH, max(int(highest), purged_through(session)))
    purge_handled(session, older_than_days=retention.total_seconds() / 86400)
    return int(getattr(removed, "rowcount", 0) or 0)


def _expire_paused_backlog(session: Session, now: datetime, cutoff: datetime) -> None:
    """A webhook paused for longer than the retention gives up what it still owes from before the cutoff
    (the replay feed no longer has those events either), so the log can shrink."""
    paused = sa.select(Webhook.id).where(Webhook.status == PAUSED)
    session.execute(
        sa.update(Delivery)
        .where(Delivery.status == PENDING, Delivery.created_at < cutoff, Delivery.webhook_id.in_(paused))
        .values(
            status=FAILED,
            finished_at=now,
            last_error="given up: the webhook stayed paused past the retention",
        )
    )


def _set_marker(session: Session, name: str, value: int) -> None:
    marker = session.get(LogMarker, name)
    if marker is None:
        session.add(LogMarker(name=name, value=value))
    else:
        marker.value = value


def envelope_of(row: LoggedEvent) -> dict[str, Any]:
    """The stored CloudEvent."""
    return dict(row.envelope)
