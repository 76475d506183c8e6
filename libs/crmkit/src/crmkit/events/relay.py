# mypy: untyped-calls-exclude=kombu
"""The outbox relay: sweeps pending rows, publishes them with confirms, marks them sent."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import sqlalchemy as sa
from kombu.connection import Connection
from sqlalchemy.orm import Session

from crmkit.db import Database
from crmkit.events.envelope import Event, MalformedEvent
from crmkit.events.outbox import outbox_table
from crmkit.events.publisher import BatchPublisher, Outgoing, connect, reconnect_delay
from crmkit.events.topology import EVENTS_EXCHANGE
from crmkit.settings import ServiceSettings
from crmkit.types import utcnow

log = logging.getLogger(__name__)
IDLE_INTERVAL = 0.05
# After a sweep that published something the next one comes at once; each empty sweep after that doubles
# the pause (from BUSY_INTERVAL) up to idle_interval. A busy outbox is relayed with little delay, an idle
# one costs few queries.
BUSY_INTERVAL = 0.002


class PublishNacked(RuntimeError):
    """The broker refused some messages of a batch; their rows stay pending."""


class OutboxRelay:
    """Publishes a service's outbox to crm.events; several relays may run against PostgreSQL."""

    def __init__(
        self,
        database: Database,
        settings: ServiceSettings,
        *,
        idle_interval: float = IDLE_INTERVAL,
        confirm_timeout: float = 30.0,
    ) -> None:
        self._database = database
        self._settings = settings
        self._idle_interval = idle_interval
        self._confirm_timeout = confirm_timeout
        self._connection: Connection | None = None
        self._publisher: BatchPublisher | None = None
        self._broken: set[int] = set()

    def run_once(self, limit: int = 500) -> int:
        """Publish up to `limit` pending rows in id order; return how many were confirmed and marked sent.

        Rows the broker nacked stay pending (with last_error) and PublishNacked is raised after the
        confirmed ones are marked; a row whose body cannot be parsed is logged once and skipped.
        """
        with self._database.uow() as uow:
            rows = _claim(uow.session, limit, skip=self._broken)
            if not rows:
                return 0
            messages = self._messages(rows)
            outcomes = self._publish([message for _, message in messages])
            sent = [row_id for (row_id, _), ok in zip(messages, outcomes, strict=True) if ok]
            nacked = [row_id for (row_id, _), ok in zip(messages, outcomes, strict=True) if not ok]
            _mark_sent(uow.session, sent)
            _mark_failed(uow.session, nacked, "nacked by the broker")
            uow.commit()
        if nacked:
            raise PublishNacked(f"the broker nacked {len(nacked)} of {len(messages)} messages")
        return len(sent)

    def run_forever(self, stop: threading.Event) -> None:
        """Sweep until `stop` is set: short sleep when idle, reconnect with backoff on errors."""
        failures, pause = 0, 0.0
        while not stop.is_set():
            try:
                published = self.run_once()
            except Exception:
                failures += 1
                delay = reconnect_delay(failures)
                log.exception("outbox relay sweep failed", extra={"retry_in_s": delay, "failures": failures})
                self.close()
                stop.wait(delay)
                continue
            if failures:
                log.info("outbox relay recovered", extra={"failures": failures})
            failures = 0
            pause = next_pause(pause, published=published, ceiling=self._idle_interval)
            stop.wait(pause)
        self.close()

    def close(self) -> None:
        """Drop the broker connection (the next sweep reconnects)."""
        connection, self._connection, self._publisher = self._connection, None, None
        if connection is not None:
            connection.release()

    def _messages(self, rows: list[tuple[int, str]]) -> list[tuple[int, Outgoing]]:
        """Build a message per row; remember rows whose body cannot be read (they stay pending)."""
        messages: list[tuple[int, Outgoing]] = []
        for row_id, body in rows:
            try:
                event = Event.from_json(body)
            except MalformedEvent as exc:
                log.error("outbox row is not a valid event", extra={"outbox_id": row_id, "error": str(exc)})
                self._broken.add(row_id)
                continue
            outgoing = Outgoing.for_event(
                event, body, exchange=EVENTS_EXCHANGE, routing_key=event.routing_key
            )
            messages.append((row_id, outgoing))
        return messages

    def _publish(self, messages: Sequence[Outgoing]) -> list[bool]:
        if not messages:
            return []
        if self._publisher is None:
            self._connection = connect(self._settings, confirm_each=False)
            self._publisher = BatchPublisher(self._connection, confirm_timeout=self._confirm_timeout)
        try:
            return self._publisher.publish(messages)
        except Exception:
            self.close()
            raise


def _claim(session: Session, limit: int, *, skip: set[int]) -> list[tuple[int, str]]:
    """Lock up to `limit` pending rows; other relays skip them (PostgreSQL; SQLite has one writer)."""
    query = (
        sa.select(outbox_table.c.id, outbox_table.c.body)
        .where(outbox_table.c.published_at.is_(None))
        .order_by(outbox_table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if skip:
        query = query.where(outbox_table.c.id.not_in(skip))
    return [(row.id, row.body) for row in session.execute(query)]


def _mark_sent(session: Session, row_ids: Sequence[int]) -> None:
    if row_ids:
        table = outbox_table
        values = {"published_at": utcnow(), "attempts": table.c.attempts + 1, "last_error": None}
        session.execute(sa.update(table).where(table.c.id.in_(row_ids)).values(**values))


def _mark_failed(session: Session, row_ids: Sequence[int], error: str) -> None:
    if row_ids:
        table = outbox_table
        values = {"attempts": table.c.attempts + 1, "last_error": error}
        session.execute(sa.update(table).where(table.c.id.in_(row_ids)).values(**values))


def next_pause(previous: float, *, published: int, ceiling: float) -> float:
    """Pause before the next sweep: none right after work, then doubling while the outbox stays empty."""
    if published:
        return 0.0
    return min(max(previous, BUSY_INTERVAL) * 2, ceiling)
