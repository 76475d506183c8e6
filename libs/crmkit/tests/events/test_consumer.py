"""Consumers on both transports: inbox, retries confined to one queue, the dead-letter queue, replay."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from kombu.messaging import Producer
from sqlalchemy.orm import Session

from crmkit.events import dlq
from crmkit.events.consumer import Outcome
from crmkit.events.envelope import Event, MalformedEvent
from crmkit.events.outbox import outbox_table
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.replay import replay
from crmkit.events.topology import EVENTS_EXCHANGE, TopologyError, events_exchange
from crmkit.testing.events import relay_all, running_consumer, wait_for, wait_for_outcome

PUB, SUB, OTHER = "testpub", "testsub", "othersub"


class HandlerFailed(Exception):
    pass


def always_fail(session: Session, event: Event) -> None:
    raise HandlerFailed(f"cannot apply {event.subject}")


def publish_raw(bus: SimpleNamespace, body: bytes, routing_key: str, exchange: str = EVENTS_EXCHANGE) -> None:
    with connect(bus.settings(PUB)) as connection:
        producer = Producer(connection.channel(), auto_declare=False)
        events_exchange()(producer.channel).declare()
        message = Outgoing(exchange, routing_key, body, {}, {"message_id": "raw-1"})
        publish_one(producer, message)


def test_delivers_a_published_event_once_with_its_request_bound(bus: SimpleNamespace) -> None:
    with running_consumer(bus.consumer(SUB, "testsub.things")) as consumer:
        event = bus.emit(PUB, subject="t-1")
        assert relay_all(bus.database(PUB), bus.settings(PUB)) == 1
        wait_for_outcome(consumer, Outcome.HANDLED)
    (row,) = bus.applied(SUB)
    assert (row["event_id"], row["subject"], row["routing_key"]) == (event.id, "t-1", "testpub.thing.created")
    assert row["request_id"] == event.correlationid


def test_applies_a_redelivered_event_once(bus: SimpleNamespace) -> None:
    publisher = bus.database(PUB)
    with running_consumer(bus.consumer(SUB, "testsub.things")) as consumer:
        bus.emit(PUB)
        relay_all(publisher, bus.settings(PUB))
        wait_for_outcome(consumer, Outcome.HANDLED)
        with publisher.uow() as uow:  # as if the relay crashed after publishing, before marking
            uow.session.execute(sa.update(outbox_table).values(published_at=None))
            uow.commit()
        assert relay_all(publisher, bus.settings(PUB)) == 1
        wait_for_outcome(consumer, Outcome.DUPLICATE)
    assert len(bus.applied(SUB)) == 1
    assert consumer.stats[Outcome.HANDLED] == 1


def test_retries_a_failing_handler_until_it_succeeds(bus: SimpleNamespace, types: SimpleNamespace) -> None:
    calls: list[str] = []

    def flaky(session: Session, event: Event) -> None:
        calls.append(event.id)
        if len(calls) < 3:
            raise HandlerFailed("not yet")
        types.apply(session, event)

    consumer = bus.consumer(SUB, "testsub.things", {"testpub.thing.created": flaky}, max_attempts=3)
    with running_consumer(consumer):
        event = bus.emit(PUB)
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(consumer, Outcome.HANDLED)
    assert calls == [event.id] * 3
    assert consumer.stats[Outcome.RETRIED] == 2
    assert [row["event_id"] for row in bus.applied(SUB)] == [event.id]


def test_parks_a_failing_event_without_leaking_retries_and_replays_it(
    bus: SimpleNamespace, types: SimpleNamespace
) -> None:
    failing = bus.consumer(SUB, "testsub.things", {"testpub.thing.created": always_fail})
    other = bus.consumer(OTHER, "othersub.things")
    with running_consumer(failing), running_consumer(other):
        event = bus.emit(PUB, subject="t-9")
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(failing, Outcome.DEAD_LETTERED)
        # A sentinel behind any leaked retry copy: once it is handled, leaks would have been too.
        bus.emit(PUB, types.deleted, subject="sentinel", data={})
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(other, Outcome.HANDLED, 2)
    assert failing.stats[Outcome.RETRIED] == 2
    assert (other.stats[Outcome.HANDLED], other.stats[Outcome.DUPLICATE]) == (2, 0)
    assert bus.applied(SUB) == []

    (letter,) = dlq.list_dead_letters(bus.settings(SUB), "testsub.things")
    assert (letter.event_id, letter.type, letter.routing_key) == (
        event.id,
        event.type,
        "testpub.thing.created",
    )
    assert letter.attempts == 3
    assert letter.error_type is not None and letter.error_type.endswith("HandlerFailed")
    assert letter.error_message == "cannot apply t-9"
    assert letter.failed_at is not None and Event.from_json(letter.body) == event

    fixed = bus.consumer(SUB, "testsub.things", {"testpub.thing.created": types.apply})
    with running_consumer(fixed):
        assert dlq.replay_dead_letters(bus.settings(SUB), "testsub.things", event_id=event.id) == 1
        wait_for_outcome(fixed, Outcome.HANDLED)
    assert [row["event_id"] for row in bus.applied(SUB)] == [event.id]
    assert dlq.list_dead_letters(bus.settings(SUB), "testsub.things") == []


def test_parks_a_malformed_body_at_once(bus: SimpleNamespace) -> None:
    with running_consumer(bus.consumer(SUB, "testsub.things")) as consumer:
        publish_raw(bus, b"{not json", "testpub.thing.created")
        wait_for_outcome(consumer, Outcome.DEAD_LETTERED)
    assert consumer.stats[Outcome.RETRIED] == 0
    (letter,) = dlq.list_dead_letters(bus.settings(SUB), "testsub.things")
    assert letter.error_type == f"{MalformedEvent.__module__}.MalformedEvent"
    assert (letter.body, letter.event_id, letter.attempts) == ("{not json", "raw-1", 1)


def test_acks_and_ignores_an_event_it_has_no_handler_for(bus: SimpleNamespace) -> None:
    consumer = bus.consumer(SUB, "testsub.things", {"testpub.thing.created": always_fail})
    with running_consumer(consumer):
        event = bus.emit(PUB)
        stray = Event(**{**event.__dict__, "type": "crm.testpub.thing.renamed", "id": "stray-1"})
        publish_raw(bus, stray.to_json().encode(), "testsub.things", exchange="")
        wait_for_outcome(consumer, Outcome.IGNORED)
    assert consumer.stats[Outcome.DEAD_LETTERED] == 0


def test_replays_events_after_a_position_to_one_queue_only(
    bus: SimpleNamespace, types: SimpleNamespace
) -> None:
    first, second = bus.consumer(SUB, "testsub.things"), bus.consumer(OTHER, "othersub.things")
    with running_consumer(first), running_consumer(second):
        events = [bus.emit(PUB, subject=f"t-{n}") for n in range(3)]
        events.append(bus.emit(PUB, types.deleted, subject="t-0", data={}))
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for(first, lambda s: s[Outcome.HANDLED] == 4)
        count = replay(
            bus.database(PUB),
            bus.settings(PUB),
            after=1,
            to_queue="testsub.things",
            type_pattern="crm.testpub.thing.created",
        )
        assert count == 2
        wait_for_outcome(first, Outcome.DUPLICATE, 2)
        sentinel = bus.emit(PUB, subject="sentinel")
        relay_all(bus.database(PUB), bus.settings(PUB))
        wait_for_outcome(second, Outcome.HANDLED, 5)
        wait_for_outcome(first, Outcome.HANDLED, 5)
    assert (second.stats[Outcome.DUPLICATE], first.stats[Outcome.DUPLICATE]) == (0, 2)
    # (order is not asserted: the filesystem transport orders by millisecond, then at random)
    assert sorted(row["event_id"] for row in bus.applied(SUB)) == sorted(
        [sentinel.id, *(e.id for e in events)]
    )


def test_refuses_queue_names_that_break_the_convention(bus: SimpleNamespace) -> None:
    with pytest.raises(TopologyError):
        bus.consumer(SUB, "Things")
    with pytest.raises(TopologyError):
        bus.consumer(SUB, "testsub.things.extra")


def test_a_delayed_retry_survives_a_consumer_restart_on_the_filesystem(
    fs_bus: SimpleNamespace, types: SimpleNamespace
) -> None:
    failing = fs_bus.consumer(SUB, "testsub.things", {"testpub.thing.*": always_fail}, backoff=(0.5,))
    with running_consumer(failing):
        event = fs_bus.emit(PUB)
        relay_all(fs_bus.database(PUB), fs_bus.settings(PUB))
        wait_for_outcome(failing, Outcome.RETRIED)
    # The copy waiting for its retry time was held unacked; stopping put it back on the queue.
    with running_consumer(fs_bus.consumer(SUB, "testsub.things")) as fixed:
        wait_for_outcome(fixed, Outcome.HANDLED)
    assert [row["event_id"] for row in fs_bus.applied(SUB)] == [event.id]
