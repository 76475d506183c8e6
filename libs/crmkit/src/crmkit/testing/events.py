"""Event-bus test helpers: read the outbox, run a consumer until something happened, validate events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from crmkit.db import Database
from crmkit.events.consumer import ConsumerStats, EventConsumer, Outcome
from crmkit.events.envelope import Event
from crmkit.events.outbox import VALIDATE_ENV, outbox_table
from crmkit.events.relay import OutboxRelay
from crmkit.settings import ServiceSettings

DEFAULT_TIMEOUT = 15.0


@pytest.fixture(autouse=True, scope="session")
def validate_events() -> Iterator[None]:
    """Make every recorded event's data match its catalog schema for the whole test session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(VALIDATE_ENV, "1")
        yield


def outbox_events(database: Database, routing_key: str | None = None) -> list[Event]:
    """Return the events in the outbox (optionally of one routing key), oldest first."""
    query = sa.select(outbox_table.c.body).order_by(outbox_table.c.id)
    if routing_key is not None:
        query = query.where(outbox_table.c.routing_key == routing_key)
    with database.engine.connect() as connection:
        return [Event.from_json(body) for body in connection.execute(query).scalars()]


def relay_all(database: Database, settings: ServiceSettings) -> int:
    """Publish every pending outbox row now; return how many were sent."""
    relay = OutboxRelay(database, settings)
    try:
        total = 0
        while sent := relay.run_once():
            total += sent
        return total
    finally:
        relay.close()


@contextmanager
def running_consumer(consumer: EventConsumer, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[EventConsumer]:
    """Run `consumer` in a thread for the block (ready: queue declared and bound); stop it afterwards."""
    stop = threading.Event()
    name = f"consumer-{consumer.queue}"
    thread = threading.Thread(target=consumer.run_forever, args=(stop,), name=name, daemon=True)
    thread.start()
    try:
        if not consumer.ready.wait(timeout):
            raise AssertionError(f"consumer of {consumer.queue} not ready within {timeout} s")
        yield consumer
    finally:
        stop.set()
        thread.join(timeout)


def wait_for(
    consumer: EventConsumer, predicate: Callable[[ConsumerStats], bool], *, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Wait until `predicate(consumer.stats)` holds; fail the test after `timeout` seconds."""
    if not consumer.stats.wait_for(predicate, timeout):
        counts = {outcome.value: consumer.stats[outcome] for outcome in Outcome}
        raise AssertionError(f"consumer of {consumer.queue} did not get there within {timeout} s: {counts}")


def wait_for_outcome(
    consumer: EventConsumer, outcome: Outcome, count: int = 1, *, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Wait until the consumer has reached `count` messages with `outcome`."""
    wait_for(consumer, lambda stats: stats[outcome] >= count, timeout=timeout)
