# mypy: untyped-calls-exclude=kombu
"""Watch live events: a temporary queue bound to crm.events, removed again on exit."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kombu.connection import Connection
from kombu.entity import Queue
from kombu.message import Message
from kombu.messaging import Consumer

from crmkit.events.envelope import Event, MalformedEvent, format_time
from crmkit.events.publisher import connect, on_rabbitmq
from crmkit.events.redelivery import body_text
from crmkit.events.topology import events_exchange
from crmkit.settings import ServiceSettings

TICK = 0.1


def summary(message: Message) -> dict[str, Any]:
    """Return what `tail` prints for one message: type, subject, id, time and data (or the raw body)."""
    routing_key = message.delivery_info.get("routing_key")
    try:
        event = Event.from_json(message.body)
    except MalformedEvent as exc:
        return {"routing_key": routing_key, "malformed": str(exc), "body": body_text(message)}
    return {
        "type": event.type,
        "subject": event.subject,
        "id": event.id,
        "time": format_time(event.time),
        "sequence": event.sequence,
        "correlationid": event.correlationid,
        "causationid": event.causationid,
        "data": dict(event.data),
    }


def tail(
    settings: ServiceSettings,
    emit: Callable[[dict[str, Any]], None],
    *,
    pattern: str = "#",
    count: int | None = None,
    timeout: float | None = None,
    stop: threading.Event | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Emit events matching `pattern` until `count` were seen, `timeout` seconds passed or `stop` is set.

    `on_ready` is called once the temporary queue is bound: events published after it are seen.
    """
    seen = [0]

    def on_message(message: Message) -> None:
        emit(summary(message))
        seen[0] += 1

    def done() -> bool:
        return (count is not None and seen[0] >= count) or (stop is not None and stop.is_set())

    with (
        connect(settings) as connection,
        _temporary_queue(connection, pattern, on_rabbitmq(settings)) as queue,
        Consumer(queue.channel, [queue], on_message=on_message, no_ack=True, auto_declare=False),
    ):
        if on_ready is not None:
            on_ready()
        _drain(connection, done, timeout)
    return seen[0]


@contextmanager
def _temporary_queue(connection: Connection, pattern: str, on_rabbitmq: bool) -> Iterator[Queue]:
    """Bind a uniquely named queue to crm.events; remove it (and what it holds) afterwards."""
    name = f"crm-events.tail.{uuid.uuid4().hex[:12]}"
    options = {"durable": False, "exclusive": on_rabbitmq, "auto_delete": True}
    queue = Queue(name, events_exchange(), routing_key=pattern, **options)(connection.channel())
    queue.declare()
    try:
        yield queue
    finally:
        if not on_rabbitmq:  # virtual transports keep bindings and messages until told otherwise
            queue.delete()
            queue.purge()


def _drain(connection: Connection, done: Callable[[], bool], timeout: float | None) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while not done() and (deadline is None or time.monotonic() < deadline):
        try:
            connection.drain_events(timeout=TICK)
        except TimeoutError:
            connection.heartbeat_check()
