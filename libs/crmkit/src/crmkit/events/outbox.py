"""The transactional outbox: events are written in the same transaction as the change they describe."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.db import kit_metadata
from crmkit.events.catalog import EventType, validate_payload
from crmkit.events.envelope import Event
from crmkit.requestid import current_causation_id, current_request_id
from crmkit.types import utcnow

VALIDATE_ENV = "CRM_VALIDATE_EVENTS"

outbox_table = sa.Table(
    "outbox",
    kit_metadata,
    # The id is the event's replay position: increasing in commit order within one writer.
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("routing_key", sa.String(200), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text(), nullable=True),
)
sa.Index(
    "ix_outbox_pending",
    outbox_table.c.id,
    postgresql_where=outbox_table.c.published_at.is_(None),
    sqlite_where=outbox_table.c.published_at.is_(None),
)


_INSERT = sa.insert(outbox_table)


@dataclasses.dataclass(frozen=True)
class OutboxLag:
    """How far the relay is behind: pending rows and the age of the oldest one."""

    pending: int
    oldest_age_seconds: float


def record(
    session: Session,
    event_type: EventType,
    *,
    subject: str,
    data: Mapping[str, Any],
    sequence: int,
    service: str | None = None,
) -> Event:
    """Build the event and add its outbox row to the caller's transaction (the caller commits)."""
    if os.environ.get(VALIDATE_ENV) == "1":
        validate_payload(event_type, data)
    request_id = current_request_id()
    event = Event(
        id=str(uuid.uuid4()),
        source=f"/services/{service or event_type.service}",
        type=event_type.type,
        subject=subject,
        time=utcnow(),
        data=dict(data),
        dataschema=event_type.dataschema,
        sequence=sequence,
        correlationid=request_id,
        causationid=current_causation_id() or request_id,
    )
    # One prebuilt statement with parameters: no per-call statement building and cache-key work, which
    # dominated when a use case records thousands of events (e.g. a reschedule moving many tasks).
    session.execute(_INSERT, _row(event))
    return event


def _row(event: Event) -> dict[str, object]:
    return {
        "event_id": event.id,
        "routing_key": event.routing_key,
        "subject": event.subject,
        "body": event.to_json(),
        "created_at": event.time,
        "attempts": 0,
    }


def pending_count(session: Session) -> int:
    """Count rows the relay has not published yet."""
    query = sa.select(sa.func.count()).select_from(outbox_table).where(outbox_table.c.published_at.is_(None))
    return int(session.execute(query).scalar_one())


def lag(session: Session) -> OutboxLag:
    """Return pending rows and the age in seconds of the oldest pending one (0 when none)."""
    pending = outbox_table.c.published_at.is_(None)
    query = sa.select(sa.func.count(), sa.func.min(outbox_table.c.created_at)).where(pending)
    count, oldest = session.execute(query).one()
    age = (utcnow() - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return OutboxLag(pending=int(count), oldest_age_seconds=max(age, 0.0))


def purge_published(session: Session, *, older_than_days: float) -> int:
    """Delete rows published more than `older_than_days` ago (ends their replay window); return the count."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = utcnow() - timedelta(days=older_than_days)
    statement = sa.delete(outbox_table).where(outbox_table.c.published_at < cutoff)
    result = cast(sa.CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def as_utc(moment: datetime) -> datetime:
    """Read back a stored time as aware UTC (SQLite returns naive datetimes)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
