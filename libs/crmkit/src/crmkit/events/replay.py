# mypy: untyped-calls-exclude=kombu
"""Replay: re-send a service's retained published events after a position to one queue."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import sqlalchemy as sa
from kombu.connection import Connection
from kombu.entity import Queue

from crmkit.db import Database
from crmkit.events.envelope import TYPE_PREFIX, Event, MalformedEvent
from crmkit.events.outbox import outbox_table
from crmkit.events.publisher import BatchPublisher, Outgoing, connect, on_rabbitmq
from crmkit.events.topology import topic_matches
from crmkit.settings import ServiceSettings

log = logging.getLogger(__name__)
POSITION_HEADER = "x-crm-position"
REPLAYED_HEADER = "x-crm-replayed"


class ReplayError(RuntimeError):
    """A replay could not be carried out (no such queue, or the broker refused messages)."""


def replay(
    database: Database,
    settings: ServiceSettings,
    *,
    after: int,
    to_queue: str,
    type_pattern: str | None = None,
    batch_size: int = 500,
) -> int:
    """Send published events after `after` to `to_queue` alone; return how many.

    `type_pattern` is a topic pattern over routing keys (`customer.account.*`; a `crm.` prefix is
    accepted). Events go through the default exchange, so no other subscriber sees them.
    """
    if type_pattern is not None:
        type_pattern = type_pattern.removeprefix(TYPE_PREFIX)
    sent = 0
    with connect(settings, confirm_each=False) as connection:
        if on_rabbitmq(settings):
            _require_queue(connection, to_queue)
        publisher = BatchPublisher(connection)
        for rows in _published_batches(database, after, batch_size):
            messages = _messages(rows, to_queue, type_pattern)
            if messages and not all(publisher.publish(messages)):
                raise ReplayError(
                    f"the broker nacked events between positions {rows[0][0]} and {rows[-1][0]}"
                )
            sent += len(messages)
    log.info("replayed events", extra={"to_queue": to_queue, "after": after, "count": sent})
    return sent


def _require_queue(connection: Connection, queue: str) -> None:
    channel = connection.channel()
    try:
        Queue(queue)(channel).queue_declare(passive=True)
    except connection.channel_errors as exc:
        raise ReplayError(f"queue {queue!r} does not exist: {exc}") from None
    finally:
        connection.maybe_close_channel(channel)


def _published_batches(database: Database, after: int, batch_size: int) -> Iterator[list[tuple[int, str]]]:
    """Yield lists of (position, body) of published rows in position order."""
    table = outbox_table
    position = after
    while True:
        query = (
            sa.select(table.c.id, table.c.body)
            .where(table.c.id > position, table.c.published_at.is_not(None))
            .order_by(table.c.id)
            .limit(batch_size)
        )
        with database.engine.connect() as connection:
            rows = [(row.id, row.body) for row in connection.execute(query)]
        if not rows:
            return
        yield rows
        position = rows[-1][0]


def _messages(rows: list[tuple[int, str]], queue: str, type_pattern: str | None) -> list[Outgoing]:
    messages = []
    for position, body in rows:
        try:
            event = Event.from_json(body)
        except MalformedEvent as exc:
            log.error("outbox row is not a valid event", extra={"outbox_id": position, "error": str(exc)})
            continue
        if type_pattern is None or topic_matches(type_pattern, event.routing_key):
            headers = {POSITION_HEADER: position, REPLAYED_HEADER: True}
            messages.append(Outgoing.for_event(event, body, exchange="", routing_key=queue, headers=headers))
    return messages
