# mypy: untyped-calls-exclude=kombu
"""Operator tools for a queue's dead letters `<queue>.dlq`: list them, move them back to the queue."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from kombu.connection import Connection
from kombu.entity import Queue
from kombu.message import Message
from kombu.messaging import Producer

from crmkit.events import redelivery
from crmkit.events.publisher import connect, publish_one
from crmkit.events.topology import check_queue_name, dlq_name
from crmkit.settings import ServiceSettings


class DeadLetterQueueMissing(LookupError):
    """The queue has no dead-letter queue on this broker."""


@dataclasses.dataclass(frozen=True)
class DeadLetter:
    """One parked message: which event, where it was going and why it failed."""

    event_id: str | None
    type: str | None
    routing_key: str
    attempts: int
    error_type: str | None
    error_message: str | None
    failed_at: str | None
    body: str

    @classmethod
    def from_message(cls, message: Message) -> DeadLetter:
        """Read a parked message's envelope properties and error headers."""
        headers = message.headers or {}
        properties = message.properties or {}
        return cls(
            event_id=properties.get("message_id") or headers.get("ce-id"),
            type=properties.get("type") or headers.get("ce-type"),
            routing_key=redelivery.original_routing_key(message),
            attempts=redelivery.failed_attempts(message),
            error_type=headers.get(redelivery.ERROR_TYPE_HEADER),
            error_message=headers.get(redelivery.ERROR_MESSAGE_HEADER),
            failed_at=headers.get(redelivery.FAILED_AT_HEADER),
            body=redelivery.body_text(message),
        )


def list_dead_letters(settings: ServiceSettings, queue: str) -> list[DeadLetter]:
    """Return the messages parked for `queue` (they stay parked)."""
    with _parked(settings, queue) as (messages, _producer):
        return [DeadLetter.from_message(message) for message in messages]


def replay_dead_letters(settings: ServiceSettings, queue: str, *, event_id: str | None = None) -> int:
    """Move parked messages (all, or the one with `event_id`) back to `queue` with attempts reset."""
    moved = 0
    with _parked(settings, queue) as (messages, producer):
        for message in messages:
            if event_id is not None and DeadLetter.from_message(message).event_id != event_id:
                continue
            headers = redelivery.clean_headers(message.headers)
            copy = redelivery.copy_of(message, exchange="", routing_key=queue, headers=headers)
            publish_one(producer, copy, mandatory=True)
            message.ack()
            moved += 1
    return moved


@contextmanager
def _parked(settings: ServiceSettings, queue: str) -> Iterator[tuple[list[Message], Producer]]:
    """Fetch the messages now on `<queue>.dlq` unacked; requeue (in order) what was not acked."""
    check_queue_name(queue)
    with connect(settings) as connection:
        parked = Queue(dlq_name(queue))(connection.channel())
        messages = _fetch(parked, _message_count(connection, parked.name))
        try:
            yield messages, Producer(connection.channel(), auto_declare=False)
        finally:
            for message in messages:
                if not message.acknowledged:
                    message.requeue()


def _fetch(queue: Queue, count: int) -> list[Message]:
    messages = []
    for _ in range(count):
        message = queue.get(no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages


def _message_count(connection: Connection, name: str) -> int:
    channel = connection.channel()
    try:
        _, count, _ = Queue(name)(channel).queue_declare(passive=True)
    except connection.channel_errors as exc:
        raise DeadLetterQueueMissing(f"no dead-letter queue {name!r}: {exc}") from None
    finally:
        connection.maybe_close_channel(channel)
    return int(count)
