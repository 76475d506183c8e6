"""On real PostgreSQL and RabbitMQ: customer events feed the read model through the service's consumer,
a raw e-mail then becomes a ticket for the right account, and the ticket events reach the bus."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kombu import Producer, Queue

import crmkit
from crmkit import migrations
from crmkit.events.consumer import EventConsumer, Outcome
from crmkit.events.envelope import Event, type_for
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.topology import EVENTS_EXCHANGE, declare, events_exchange
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import relay_all, running_consumer, wait_for_outcome
from crmkit.testing.infra import RabbitVhost
from service_desk.app import create_app
from service_desk.cli import MIGRATIONS_DIR
from service_desk.consumers import HANDLERS, QUEUE

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]
LISTENER = "test.servicedesk-events"


@pytest.fixture
def settings(
    tmp_path: Path, postgres_url: str, rabbit_vhost: RabbitVhost, token_factory: TokenFactory
) -> crmkit.ServiceSettings:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "BROKER_URL": rabbit_vhost.url,
        "JWT_JWKS_URL": token_factory.jwks_url,
        "LOG_LEVEL": "WARNING",
    }
    return crmkit.ServiceSettings.from_env("service-desk", env=env, testing=True)


@pytest.fixture
def pg_app(settings: crmkit.ServiceSettings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    crmkit.runtime(app).database.dispose()


def customer_event(routing_key: str, data: dict[str, Any], sequence: int) -> Event:
    return Event(
        id=uuid.uuid4().hex,
        source="/services/customer",
        type=type_for(routing_key),
        subject=data["id"],
        time=datetime.now(UTC),
        data=data,
        dataschema=f"urn:crm:events:{routing_key}:v1",
        sequence=sequence,
    )


def publish(settings: crmkit.ServiceSettings, event: Event) -> None:
    with connect(settings) as connection:
        message = Outgoing.for_event(
            event, json.dumps(event.to_dict()), exchange=EVENTS_EXCHANGE, routing_key=event.routing_key
        )
        publish_one(Producer(connection.channel()), message)


def listen(settings: crmkit.ServiceSettings) -> None:
    with connect(settings) as connection:
        declare(
            connection.channel(),
            Queue(LISTENER, events_exchange(), routing_key="servicedesk.#", durable=True),
        )


def receive_all(
    settings: crmkit.ServiceSettings, count: int, *, timeout: float = 20.0
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with connect(settings) as connection:
        queue = Queue(LISTENER)(connection.channel())
        while len(found) < count and time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            if message is None:
                time.sleep(0.1)
                continue
            found.append(json.loads(message.body))
    assert len(found) == count, found
    return found


def test_customer_events_in_then_a_mail_ticket_out(
    settings, pg_app, account_payload, contact_payload, token_factory
) -> None:
    database = crmkit.runtime(pg_app).database
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS)
    account = account_payload(uuid.uuid4().hex, tier="key", domain="kestrel.example")
    contact = contact_payload(
        uuid.uuid4().hex, account["id"], emails=[{"address": "ines@kestrel.example", "label": None}]
    )
    with running_consumer(consumer):
        publish(settings, customer_event("customer.account.created", account, 1))
        publish(settings, customer_event("customer.contact.created", contact, 1))
        wait_for_outcome(consumer, Outcome.HANDLED, 2)

    client = pg_app.test_client()
    manager = token_factory.headers("service_manager", sub="manager-1")
    box = client.post(
        "/api/v1/inbound-mail/mailboxes", json={"address": "help@crm.example"}, headers=manager
    ).json
    raw = (
        b"From: Ines Moreau <ines@kestrel.example>\r\nSubject: Vessel tracking is down\r\n"
        b"Message-ID: <q1@kestrel.example>\r\n\r\nNo positions since 08:00.\r\n"
    )
    mail_headers = {"Content-Type": "message/rfc822", "X-Inbound-Secret": box["secret"]}
    created = client.post("/api/v1/inbound-mail", data=raw, headers=mail_headers)
    assert created.status_code == 201, created.json
    agent = token_factory.headers("service_agent", sub="agent-1")
    ticket = client.get(f"/api/v1/tickets/{created.json['ticket_id']}", headers=agent).json
    assert (ticket["account_id"], ticket["contact_id"]) == (account["id"], contact["id"])
    resolved = client.post(
        f"/api/v1/tickets/{ticket['id']}/status", json={"status": "resolved"}, headers=agent
    )
    assert resolved.status_code == 200, resolved.json

    listen(settings)
    sent = relay_all(database, settings)
    received = receive_all(settings, sent)
    types = [body["type"] for body in received]
    assert {"crm.servicedesk.ticket.created", "crm.servicedesk.ticket.resolved"} <= set(types)
    assert all(body["data"]["account_id"] == account["id"] for body in received if "ticket" in body["type"])


def test_a_merge_on_the_bus_re_points_tickets(
    settings, pg_app, account_payload, contact_payload, token_factory
) -> None:
    database = crmkit.runtime(pg_app).database
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS)
    loser = account_payload(uuid.uuid4().hex, domain="old.example")
    survivor = account_payload(uuid.uuid4().hex, domain="new.example", tier="key")
    with running_consumer(consumer):
        publish(settings, customer_event("customer.account.created", loser, 1))
        publish(settings, customer_event("customer.account.created", survivor, 1))
        wait_for_outcome(consumer, Outcome.HANDLED, 2)
        client = pg_app.test_client()
        agent = token_factory.headers("service_agent", sub="agent-1")
        ticket = client.post(
            "/api/v1/tickets", json={"subject": "Help", "requester_email": "x@old.example"}, headers=agent
        ).json
        assert ticket["account_id"] == loser["id"]
        merged = {
            **loser,
            "merged_into_id": survivor["id"],
            "version": 2,
            "survivor": {**survivor, "version": 2},
            "moved_contact_ids": [],
            "moved_interactions": 0,
        }
        publish(settings, customer_event("customer.account.merged", merged, 2))
        wait_for_outcome(consumer, Outcome.HANDLED, 3)
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json["account_id"] == survivor["id"]
