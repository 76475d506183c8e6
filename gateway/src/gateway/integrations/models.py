"""The retained event log, webhook subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crmkit import VersionedMixin
from crmkit.types import UtcDateTime, utcnow
from gateway.db import Base, new_id
from gateway.integrations import secretbox

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Webhook states: active (delivering), paused (by its owner or after sustained failure; events still queue).
ACTIVE, PAUSED = "active", "paused"
WEBHOOK_STATUSES = (ACTIVE, PAUSED)
# Delivery states: pending (queued or retrying), delivered, failed (given up after the retry window).
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_STATUSES = (PENDING, DELIVERED, FAILED)
# Room for `fernet:` and the token of a ~50-character secret (about 170 characters).
SECRET_CHARS = 512


class LoggedEvent(Base):
    """One event as the gateway consumed it; `id` is the replay cursor (increasing in commit order)."""

    __tablename__ = "event_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(200))
    routing_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    envelope: Mapped[dict[str, Any]] = mapped_column(sa.JSON())

    # AUTOINCREMENT on SQLite: a purged cursor is never handed out again.
    __table_args__ = (sa.UniqueConstraint("source", "event_id"), {"sqlite_autoincrement": True})


class LogMarker(Base):
    """Named numbers the event log keeps, e.g. `purged_through`: the highest cursor the purge removed."""

    __tablename__ = "event_log_markers"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigId)


class Webhook(VersionedMixin, Base):
    """A subscription: events matching `event_types` (and `payload_filter`) are POSTed to `url`."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    event_types: Mapped[list[str]] = mapped_column(sa.JSON())
    payload_filter: Mapped[dict[str, Any]] = mapped_column(sa.JSON(), default=dict)
    status: Mapped[str] = mapped_column(sa.String(20), default=ACTIVE, index=True)
    paused_reason: Mapped[str | None] = mapped_column(sa.String(500))
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Stored encrypted, `fernet:<token>` (see secretbox); a value without the prefix is a legacy clear one.
    secret: Mapped[str] = mapped_column(sa.String(SECRET_CHARS))
    previous_secret: Mapped[str | None] = mapped_column(sa.String(SECRET_CHARS))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Who made it, and what they may see (payloads are masked with these at delivery time).
    owner_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    owner_kind: Mapped[str] = mapped_column(sa.String(20))
    owner_roles: Mapped[list[str]] = mapped_column(sa.JSON())
    owner_scopes: Mapped[list[str]] = mapped_column(sa.JSON())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    def secrets_at(self, now: datetime) -> list[str]:
        """The clear secrets to sign with at `now`: the current one, and the previous one during its grace
        period (SecretKeyError when a stored one does not decrypt)."""
        expires = self.previous_secret_expires_at
        stored = [self.secret]
        if self.previous_secret and expires is not None and now < expires:
            stored.append(self.previous_secret)
        return [secretbox.reveal(value) for value in stored]

    @property
    def clear_secret(self) -> str:
        """The current secret in clear (the answer to a creation or a rotation shows it once)."""
        return secretbox.reveal(self.secret)


class Delivery(Base):
    """One event owed to one webhook: its attempts so far and what the receiver answered last."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event_cursor: Mapped[int] = mapped_column(BigId, sa.ForeignKey("event_log.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(sa.Integer(), default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer())
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    redelivery_of: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_subject", "webhook_id", "subject", "status", "id"),
        {"sqlite_autoincrement": True},
    )
