"""On real RabbitMQ and PostgreSQL: events published to crm.events land in the gateway's event log, in
order and once; the worker's queue is bound to every routing key; the migrations run on PostgreSQL; an
integrator's read-only credentials can bind an own queue but never publish."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Producer, Queue
from kombu.exceptions import OperationalError

from crmkit import Database
from crmkit.events.envelope import Event
from crmkit.events.publisher import BatchPublisher, Outgoing, connect
from crmkit.events.topology import EVENTS_EXCHANGE, events_exchange
from crmkit.migrations import upgrade
from crmkit.testing.infra import RabbitVhost, infra_setting, vhost_amqp_url
from crmkit.types import utcnow
from gateway.db import MIGRATIONS_DIR
from gateway.integrations import rabbit
from gateway.integrations.models import LoggedEvent
from gateway.integrations.settings import IntegrationSettings
from gateway.integrations.worker import QUEUE, run
from gateway.settings import GatewaySettings

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]


def make_event(routing_key: str, subject: str, sequence: int) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source=f"/services/{routing_key.split('.')[0]}",
        type=f"crm.{routing_key}",
        subject=subject,
        time=utcnow(),
        data={"id": subject, "account_id": "a1"},
        dataschema=f"urn:crm:events:{routing_key}:v1",
        sequence=sequence,
    )


def publish(settings: GatewaySettings, events: list[Event]) -> None:
    """Publish as a service's relay does: persistent CloudEvents on crm.events, confirmed."""
    messages = [
        Outgoing.for_event(event, event.to_json(), exchange=EVENTS_EXCHANGE, routing_key=event.routing_key)
        for event in events
    ]
    with connect(settings, confirm_each=False) as connection:
        assert all(BatchPublisher(connection).publish(messages))


@pytest.fixture
def settings(tmp_path: Path, rabbit_vhost: RabbitVhost, postgres_url: str) -> GatewaySettings:
    upgrade(MIGRATIONS_DIR, postgres_url)
    env = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": postgres_url, "BROKER_URL": rabbit_vhost.url}
    return GatewaySettings.from_env(env=env, testing=True)


@pytest.fixture
def worker(settings: GatewaySettings) -> Iterator[threading.Event]:
    stop = threading.Event()
    options = IntegrationSettings(dispatch_every_seconds=0.2)
    thread = threading.Thread(target=run, args=(settings, options), kwargs={"stop": stop}, daemon=True)
    thread.start()
    yield stop
    stop.set()
    thread.join(timeout=30)


def logged(database: Database, count: int, timeout: float = 20.0) -> list[LoggedEvent]:
    deadline = time.monotonic() + timeout
    while True:
        with database.uow() as uow:
            rows = list(uow.session.scalars(sa.select(LoggedEvent).order_by(LoggedEvent.id)))
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def wait_for_queue(rabbit_vhost: RabbitVhost) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(queue["name"] == QUEUE for queue in rabbit_vhost.api.queues()):
            return rabbit_vhost.api.queue(QUEUE)
        time.sleep(0.1)
    raise AssertionError(f"{QUEUE} was never declared")


def test_events_published_to_crm_events_land_in_the_log_in_order_and_once(settings, worker, rabbit_vhost):
    wait_for_queue(rabbit_vhost)
    events = [make_event("customer.account.updated", "a1", sequence) for sequence in range(1, 21)]
    events += [make_event("sales.opportunity.won", "o1", 1), make_event("projects.project.created", "p1", 1)]
    publish(settings, events)
    publish(settings, events[:3])  # a duplicate publish (the relay may repeat after a crash) changes nothing
    database = Database(settings.database_url)
    try:
        rows = logged(database, len(events))
        time.sleep(0.5)
        rows = logged(database, len(events))
    finally:
        database.dispose()
    assert [row.event_id for row in rows] == [event.id for event in events]
    assert [row.id for row in rows] == sorted(row.id for row in rows)
    assert rows[0].envelope == events[0].to_dict()
    assert {row.routing_key for row in rows} == {
        "customer.account.updated",
        "sales.opportunity.won",
        "projects.project.created",
    }


def test_the_worker_queue_is_bound_to_every_routing_key(settings, worker, rabbit_vhost):
    wait_for_queue(rabbit_vhost)
    bindings = rabbit_vhost.api.request("GET", f"/queues/{rabbit_vhost.name}/{QUEUE}/bindings")
    keys = {binding["routing_key"] for binding in bindings if binding["source"] == EVENTS_EXCHANGE}
    assert keys == {"#"}


def test_an_integrators_read_only_user_binds_an_own_queue_and_cannot_publish(settings, rabbit_vhost):
    with connect(settings) as connection:  # crm.events exists, as the services' relays make sure
        events_exchange()(connection.channel()).declare()
    grant = rabbit.grant_for("acme")
    rabbit.create_user(
        infra_setting("CRM_TEST_RABBIT_API"),
        infra_setting("CRM_TEST_RABBIT_USER"),
        infra_setting("CRM_TEST_RABBIT_PASSWORD"),
        rabbit_vhost.name,
        grant,
    )
    own_url = vhost_amqp_url(_with_user(infra_setting("CRM_TEST_AMQP_URL"), grant), rabbit_vhost.name)
    try:
        with Connection(own_url, connect_timeout=5) as connection:
            channel = connection.channel()
            # The exchange exists already; declaring it would need the configure permission the user lacks.
            shared = Exchange(EVENTS_EXCHANGE, type="topic", durable=True, no_declare=True)
            Queue("integration.acme.main", shared, routing_key="customer.#", durable=True)(channel).declare()
            event = make_event("customer.account.created", "a1", 1)
            publish(settings, [event])
            queue = Queue("integration.acme.main")(connection.channel())
            message = None
            deadline = time.monotonic() + 10
            while message is None and time.monotonic() < deadline:
                message = queue.get(no_ack=True)
                time.sleep(0.05)
            assert message is not None and Event.from_json(message.body).id == event.id
        with (
            Connection(own_url, connect_timeout=5) as connection,
            pytest.raises((AccessRefused, OperationalError)),
        ):
            channel = connection.channel()
            Queue("someone.else", durable=True)(channel).declare()
        with (
            Connection(own_url, connect_timeout=5) as connection,
            pytest.raises((AccessRefused, OperationalError)),
        ):
            channel = connection.channel()
            Producer(channel, auto_declare=False).publish(
                "{}", exchange=EVENTS_EXCHANGE, routing_key="customer.account.created"
            )
            Queue("integration.acme.main")(channel).queue_declare(passive=True)  # the refusal arrives here
    finally:
        rabbit_vhost.api.request("DELETE", f"/users/{grant.user}")


def _with_user(server: str, grant: rabbit.Grant) -> str:
    scheme, rest = server.split("//", 1)
    return f"{scheme}//{grant.user}:{grant.password}@{rest.split('@', 1)[1]}"
