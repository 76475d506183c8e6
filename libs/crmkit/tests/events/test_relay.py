"""The outbox relay on RabbitMQ: confirms, message properties, outages, crashes and parallel relays."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from kombu.entity import Queue
from kombu.exceptions import OperationalError
from kombu.message import Message
from kombu.messaging import Producer

from crmkit.db import Database, kit_metadata
from crmkit.events.consumer import Outcome
from crmkit.events.envelope import CONTENT_TYPE, Event
from crmkit.events.outbox import outbox_table, pending_count, record
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.relay import OutboxRelay, PublishNacked
from crmkit.events.topology import declare, events_exchange, policies
from crmkit.requestid import bound
from crmkit.settings import ServiceSettings
from crmkit.testing.events import outbox_events, relay_all, running_consumer, wait_for_outcome

PUB, SUB = "testpub", "testsub"
pytestmark = pytest.mark.rabbitmq


def _listen(settings: ServiceSettings, name: str, *, quorum: bool = False) -> None:
    arguments = {"x-queue-type": "quorum"} if quorum else {}
    queue = Queue(name, events_exchange(), routing_key="testpub.#", durable=True, queue_arguments=arguments)
    with connect(settings) as connection:
        declare(connection.channel(), queue)


def _drain(settings: ServiceSettings, name: str) -> list[Message]:
    with connect(settings) as connection:
        queue = Queue(name)(connection.channel())
        messages = []
        while (message := queue.get(no_ack=True)) is not None:
            messages.append(message)
        return messages


def test_publishes_persistent_messages_mirroring_the_envelope(rabbit_bus: SimpleNamespace) -> None:
    settings = rabbit_bus.settings(PUB)
    _listen(settings, "testsub.raw")
    with bound(request_id="req-42"):
        event = rabbit_bus.emit(PUB, subject="t-1", sequence=3)
    relay = OutboxRelay(rabbit_bus.database(PUB), settings)
    assert relay.run_once() == 1
    relay.close()
    (message,) = _drain(settings, "testsub.raw")
    assert Event.from_json(message.body) == event
    properties = message.properties
    assert properties["message_id"] == event.id
    assert properties["type"] == "crm.testpub.thing.created"
    assert properties["correlation_id"] == "req-42"
    assert properties["app_id"] == "testpub"
    assert properties["content_type"] == CONTENT_TYPE
    assert properties["delivery_mode"] == 2
    headers = message.headers
    assert headers["ce-id"] == event.id and headers["ce-subject"] == "t-1"
    assert headers["ce-sequence"] == "00000000000000000003"
    assert message.delivery_info["routing_key"] == "testpub.thing.created"


def test_marks_rows_sent_only_after_the_batch_is_confirmed(rabbit_bus: SimpleNamespace) -> None:
    database, settings = rabbit_bus.database(PUB), rabbit_bus.settings(PUB)
    _listen(settings, "testsub.raw")
    events = [rabbit_bus.emit(PUB, subject=f"t-{n}") for n in range(120)]
    relay = OutboxRelay(database, settings)
    assert relay.run_once(limit=50) == 50
    with database.uow() as uow:
        assert pending_count(uow.session) == 70
    assert relay.run_once() == 70
    assert relay.run_once() == 0
    relay.close()
    received = [message.properties["message_id"] for message in _drain(settings, "testsub.raw")]
    assert received == [event.id for event in events]
    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(outbox_table.c.published_at, outbox_table.c.attempts)).all()
    assert all(row.published_at is not None and row.attempts == 1 for row in rows)


def _limited(policy: dict[str, Any]) -> dict[str, Any]:
    if policy["name"] != "crm-consumer-queues":
        return policy
    return {**policy, "definition": {**policy["definition"], "max-length": 1}}


@pytest.mark.parametrize("rabbit_policies", [[_limited(policy) for policy in policies()]])
def test_leaves_nacked_rows_pending_with_the_error(rabbit_vhost: Any, rabbit_bus: SimpleNamespace) -> None:
    database, settings = rabbit_bus.database(PUB), rabbit_bus.settings(PUB)
    _listen(settings, "testsub.raw", quorum=True)
    with connect(settings) as connection:  # fill it (confirmed one by one): from now on it rejects publishes
        producer = Producer(connection.channel(), auto_declare=False)
        for _ in range(2):
            publish_one(producer, Outgoing("", "testsub.raw", "{}", {}, {}))
    for n in range(3):
        rabbit_bus.emit(PUB, subject=f"t-{n}")
    relay = OutboxRelay(database, settings)
    with pytest.raises(PublishNacked, match="the broker nacked 3 of 3 messages"):
        relay.run_once()
    relay.close()
    with database.engine.connect() as connection:
        rows = connection.execute(sa.select(outbox_table)).all()
    assert [(row.published_at, row.attempts, row.last_error) for row in rows] == [
        (None, 1, "nacked by the broker")
    ] * 3


def test_leaves_rows_pending_while_the_broker_is_unreachable(tmp_path: Path, types: SimpleNamespace) -> None:
    env = {"CRM_DATA_DIR": str(tmp_path), "BROKER_URL": "amqp://nobody:nothing@127.0.0.1:9/"}
    settings = ServiceSettings.from_env(PUB, env=env)
    database = Database(settings.database_url)
    kit_metadata.create_all(database.engine)
    with database.uow() as uow:
        record(uow.session, types.created, subject="t", data={"name": "n"}, sequence=1)
        uow.commit()
    with pytest.raises(OperationalError, match="refused"):
        OutboxRelay(database, settings).run_once()
    stop = threading.Event()
    relay_thread = threading.Thread(target=OutboxRelay(database, settings).run_forever, args=(stop,))
    relay_thread.start()
    stop.set()
    relay_thread.join(10)
    assert not relay_thread.is_alive()
    with database.uow() as uow:
        assert pending_count(uow.session) == 1
    database.dispose()


WRITE_THEN_DIE = """
import os, signal, sys
from crmkit.db import Database
from crmkit.events.catalog import EventRegistry
from crmkit.events.outbox import record

types = EventRegistry("testpub")
created = types.define("testpub.thing.created", schema={"type": "object"}, example={}, summary="s")
database = Database(sys.argv[1])
with database.uow() as uow:
    event = record(uow.session, created, subject="t-crash", data={"name": "n"}, sequence=1)
    uow.commit()
print(event.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""

RELAY_ONCE = """
import sys
from crmkit.db import Database
from crmkit.events.relay import OutboxRelay, PublishNacked
from crmkit.settings import ServiceSettings

settings = ServiceSettings.from_env("testpub", env={"DATABASE_URL": sys.argv[1], "BROKER_URL": sys.argv[2]})
print(OutboxRelay(Database(sys.argv[1]), settings).run_once(), flush=True)
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_an_event_written_before_a_crash_is_published_after_restart(rabbit_bus: SimpleNamespace) -> None:
    database = rabbit_bus.database(PUB)
    with running_consumer(rabbit_bus.consumer(SUB, "testsub.things")) as consumer:
        crashed = _python(WRITE_THEN_DIE, database.url)
        assert crashed.returncode == -signal.SIGKILL
        event_id = crashed.stdout.strip()
        assert [event.id for event in outbox_events(database)] == [event_id]
        restarted = _python(RELAY_ONCE, database.url, rabbit_bus.broker_url)
        assert restarted.stdout.strip() == "1", restarted.stderr
        wait_for_outcome(consumer, Outcome.HANDLED)
    assert [row["event_id"] for row in rabbit_bus.applied(SUB)] == [event_id]


@pytest.mark.postgres
def test_parallel_relays_on_postgresql_publish_each_row_once(
    rabbit_bus: SimpleNamespace, postgres_url: str
) -> None:
    rabbit_bus.database_url = postgres_url
    database, settings = rabbit_bus.database(PUB), rabbit_bus.settings(PUB)
    _listen(settings, "testsub.raw")
    events = [rabbit_bus.emit(PUB, subject=f"t-{n}") for n in range(400)]
    relays = [OutboxRelay(database, settings) for _ in range(3)]
    threads = [threading.Thread(target=_sweep, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    received = [message.properties["message_id"] for message in _drain(settings, "testsub.raw")]
    assert sorted(received) == sorted(event.id for event in events)
    with database.uow() as uow:
        assert pending_count(uow.session) == 0


def _sweep(relay: OutboxRelay) -> None:
    while relay.run_once(limit=20):
        pass
    relay.close()


def test_relay_all_helper_publishes_everything(rabbit_bus: SimpleNamespace) -> None:
    for n in range(3):
        rabbit_bus.emit(PUB, subject=f"t-{n}")
    assert relay_all(rabbit_bus.database(PUB), rabbit_bus.settings(PUB)) == 3
    with rabbit_bus.database(PUB).uow() as uow:
        assert pending_count(uow.session) == 0


def test_relay_sweeps_again_at_once_after_work_and_backs_off_while_idle() -> None:
    from crmkit.events.relay import BUSY_INTERVAL, next_pause

    assert next_pause(0.05, published=3, ceiling=0.05) == 0.0
    pauses = [0.0]
    for _ in range(8):
        pauses.append(next_pause(pauses[-1], published=0, ceiling=0.05))
    assert pauses[1] == BUSY_INTERVAL * 2
    assert pauses == sorted(pauses) and pauses[-1] == 0.05
