# mypy: untyped-calls-exclude=kombu
"""Broker connections and batch publishing with publisher confirms collected once per batch."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

from kombu.connection import Connection
from kombu.messaging import Producer

from crmkit.events import fstransport
from crmkit.events.envelope import CONTENT_TYPE, Event
from crmkit.events.topology import events_exchange
from crmkit.settings import ServiceSettings

CONFIRM_TIMEOUT = 30.0


class ConfirmTimeout(RuntimeError):
    """The broker did not confirm a batch in time; its outcome is unknown."""


def on_rabbitmq(settings: ServiceSettings) -> bool:
    """Tell whether the broker is RabbitMQ (not one of kombu's virtual transports)."""
    return settings.broker_url.startswith(("amqp://", "amqps://"))


def connect(settings: ServiceSettings, *, confirm_each: bool = True) -> Connection:
    """Connect now, failing fast (callers own the retry policy); with confirm_each every publish waits."""
    options = settings.broker_transport_options()
    if not confirm_each:
        options.pop("confirm_publish", None)
    transport = fstransport.Transport if settings.uses_filesystem_broker else None
    connection = Connection(
        settings.broker_url, transport=transport, transport_options=options, connect_timeout=5
    )
    connection.ensure_connection(max_retries=0)
    return connection


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message to publish: where to, the CloudEvent body and its AMQP properties and headers."""

    exchange: str
    routing_key: str
    body: str | bytes
    headers: Mapping[str, Any]
    properties: Mapping[str, Any]
    content_type: str = CONTENT_TYPE

    @classmethod
    def for_event(
        cls,
        event: Event,
        body: str,
        *,
        exchange: str,
        routing_key: str,
        headers: Mapping[str, Any] | None = None,
    ) -> Outgoing:
        """Build the message mirroring the envelope (message_id, type, correlation_id, app_id, ce-*)."""
        properties = {"message_id": event.id, "type": event.type, "app_id": event.service}
        if event.correlationid:
            properties["correlation_id"] = event.correlationid
        return cls(exchange, routing_key, body, {**event.headers(), **(headers or {})}, properties)


def publish_one(
    producer: Producer, message: Outgoing, *, expiration: float | None = None, mandatory: bool = False
) -> None:
    """Publish one persistent message through `producer` (mandatory: unroutable raises, on RabbitMQ)."""
    producer.publish(
        message.body,
        exchange=message.exchange,
        routing_key=message.routing_key,
        delivery_mode=2,
        content_type=message.content_type,
        content_encoding="utf-8",
        headers=dict(message.headers),
        expiration=expiration,
        mandatory=mandatory,
        **message.properties,
    )


class BatchPublisher:
    """Publishes batches on one channel; on RabbitMQ waits once per batch for all confirms."""

    def __init__(self, connection: Connection, *, confirm_timeout: float = CONFIRM_TIMEOUT) -> None:
        self._connection = connection
        self._confirm_timeout = confirm_timeout
        self._confirms = connection.transport.driver_type == "amqp"
        self._producer: Producer | None = None
        self._published = 0
        self._floor = 0
        self._outcome: dict[int, bool] = {}

    def publish(self, messages: Sequence[Outgoing]) -> list[bool]:
        """Publish all; return per message True (confirmed) or False (nacked). Raise on broker errors."""
        try:
            return self._publish(messages)
        except BaseException:
            self._producer = None  # the channel's state is unknown: start over on a fresh one
            raise

    def _publish(self, messages: Sequence[Outgoing]) -> list[bool]:
        producer = self._ensure_producer()
        self._floor = self._published
        for message in messages:
            publish_one(producer, message)
            self._published += 1
        if not self._confirms:
            return [True] * len(messages)
        tags = range(self._floor + 1, self._published + 1)
        self._wait_for(tags)
        return [self._outcome.pop(tag) for tag in tags]

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            channel = self._connection.channel()
            events_exchange()(channel).declare()
            if self._confirms:
                channel.confirm_select()
                channel.events["basic_ack"].add(self._on_ack)
                channel.events["basic_nack"].add(self._on_nack)
            self._producer = Producer(channel, auto_declare=False)
            self._published = self._floor = 0
            self._outcome.clear()
        return self._producer

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, confirmed=True)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, confirmed=False)

    def _settle(self, delivery_tag: int, multiple: bool, *, confirmed: bool) -> None:
        first = self._floor + 1 if multiple else delivery_tag
        for tag in range(first, delivery_tag + 1):
            self._outcome.setdefault(tag, confirmed)

    def _wait_for(self, tags: range) -> None:
        deadline = time.monotonic() + self._confirm_timeout
        while len(self._outcome) < len(tags):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConfirmTimeout(f"no confirm for {len(tags)} messages within {self._confirm_timeout} s")
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                continue


def reconnect_delay(failures: int) -> float:
    """Return the pause before reconnecting after `failures` consecutive broker errors (0.5 s .. 30 s)."""
    return float(min(30.0, 0.5 * 2 ** min(max(failures - 1, 0), 6)))
