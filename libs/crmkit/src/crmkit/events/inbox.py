"""The inbox: which events a consumer queue has handled, written in the handler's transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crmkit.db import kit_metadata
from crmkit.events.envelope import Event
from crmkit.types import utcnow

# Keyed per queue as well: two queues of one service may both subscribe to the same event, and
# each must apply it once.
inbox_table = sa.Table(
    "inbox",
    kit_metadata,
    sa.Column("queue", sa.String(200), primary_key=True),
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("routing_key", sa.String(200), nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, index=True),
)


def claim(session: Session, queue: str, event: Event) -> bool:
    """Add the inbox row to the handler's transaction; False when `queue` already applied `event`."""
    values = {
        "queue": queue,
        "source": event.source,
        "event_id": event.id,
        "routing_key": event.routing_key,
        "handled_at": utcnow(),
    }
    insert = _insert_for(session.get_bind().dialect.name)
    statement = insert(inbox_table).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(inbox_table.c.event_id)).first() is not None


def already_handled(session: Session, queue: str, event: Event) -> bool:
    """Tell whether `queue` has already applied `event` (for inspection; consumers use claim())."""
    query = sa.select(sa.literal(1)).where(
        inbox_table.c.queue == queue,
        inbox_table.c.source == event.source,
        inbox_table.c.event_id == event.id,
    )
    return session.execute(query).first() is not None


def _insert_for(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def purge_handled(session: Session, *, older_than_days: float) -> int:
    """Delete inbox rows older than `older_than_days` (keep longer than any replay window); return the count."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(sa.delete(inbox_table).where(inbox_table.c.handled_at < cutoff))
    return int(cast(sa.CursorResult[Any], result).rowcount)
