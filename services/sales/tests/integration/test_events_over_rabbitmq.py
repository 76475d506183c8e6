"""Customer events across the real broker, on PostgreSQL: lead conversion with a fake customer service
answering, and an account merge re-pointing opportunities.

The customer service is "down" while the lead is converted: the opportunity exists at once with
account_pending, `sales.lead.converted` waits in the customer's queue, and when the (fake) customer service
comes back and answers, the sales worker points the opportunity at the real account, once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kombu import Queue
from kombu.messaging import Producer

import crmkit
from crmkit import migrations
from crmkit.events.consumer import EventConsumer, Outcome
from crmkit.events.envelope import Event
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.topology import declare, events_exchange
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import relay_all, running_consumer, wait_for_outcome
from crmkit.testing.infra import RabbitVhost
from sales.app import create_app
from sales.cli import MIGRATIONS_DIR
from sales.consumers import HANDLERS, QUEUE

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]
CUSTOMER_QUEUE = "test.fake-customer"


@pytest.fixture
def app(
    tmp_path: Path, postgres_url: str, rabbit_vhost: RabbitVhost, token_factory: TokenFactory
) -> Iterator[Flask]:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "BROKER_URL": rabbit_vhost.url,
        "JWT_JWKS_URL": token_factory.jwks_url,
        "LOG_LEVEL": "WARNING",
    }
    app = create_app(crmkit.ServiceSettings.from_env("sales", env=env))
    yield app
    crmkit.runtime(app).database.dispose()


def converted_lead(app: Flask, token_factory: TokenFactory) -> tuple[str, str]:
    """Roster, rule, lead captured and assigned, qualified, converted; return (lead id, opportunity id)."""
    client = app.test_client()
    manager = token_factory.headers("sales_manager", sub="manager-1", team="north")
    rep = token_factory.headers("sales_rep", sub="rep-1", team="north")
    assert (
        client.post(
            "/api/v1/sales-reps", json={"id": "rep-1", "name": "Rep", "team": "north"}, headers=manager
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/lead-assignment-rules", json={"name": "all", "rep_ids": ["rep-1"]}, headers=manager
        ).status_code
        == 201
    )
    lead = client.post(
        "/api/v1/leads", json={"last_name": "Krause", "company": "Nordwind GmbH"}, headers=manager
    ).json
    assert lead["owner_id"] == "rep-1"
    assert client.post(f"/api/v1/leads/{lead['id']}/qualify", headers=rep).status_code == 200
    body = {"opportunity": {"amount": "48000.00", "currency": "EUR"}}
    converted = client.post(f"/api/v1/leads/{lead['id']}/convert", json=body, headers=rep)
    assert converted.status_code == 201, converted.json
    assert converted.json["opportunity"]["account_pending"] is True
    return lead["id"], converted.json["opportunity"]["id"]


def customer_queue(settings: crmkit.ServiceSettings) -> None:
    """The customer service's subscription, declared as the broker definitions would (it is down now)."""
    with connect(settings) as connection:
        declare(
            connection.channel(),
            Queue(CUSTOMER_QUEUE, events_exchange(), routing_key="sales.lead.converted", durable=True),
        )


def fake_customer_answers(settings: crmkit.ServiceSettings, *, copies: int = 2) -> dict[str, Any]:
    """Take `sales.lead.converted` off the customer's queue and answer (the answer delivered `copies` times)."""
    with connect(settings) as connection:
        queue = Queue(CUSTOMER_QUEUE)(connection.channel())
        deadline = time.monotonic() + 20
        message = None
        while message is None and time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            time.sleep(0.05)
        assert message is not None, "sales.lead.converted never reached the customer's queue"
        asked = Event.from_json(message.body)
        answer = Event(
            id=str(uuid.uuid4()),
            source="/services/customer",
            type="crm.customer.lead_conversion.completed",
            subject=asked.data["id"],
            time=datetime.now(UTC),
            data={
                "lead_id": asked.data["id"],
                "opportunity_id": asked.data["opportunity_id"],
                "account_id": "acc-from-customer",
                "contact_id": "con-from-customer",
                "account_created": True,
                "contact_created": True,
            },
            dataschema="urn:crm:events:customer.lead_conversion.completed:v1",
            sequence=1,
        )
        producer = Producer(connection.channel(), auto_declare=False)
        outgoing = Outgoing.for_event(
            answer, answer.to_json(), exchange=events_exchange().name, routing_key=answer.routing_key
        )
        for _ in range(copies):
            publish_one(producer, outgoing)
        return dict(asked.data)


def test_conversion_completes_across_the_broker_even_with_the_customer_service_down(
    app: Flask, token_factory: TokenFactory
) -> None:
    settings = crmkit.runtime(app).settings
    database = crmkit.runtime(app).database
    customer_queue(settings)
    lead_id, opportunity_id = converted_lead(app, token_factory)
    assert relay_all(database, settings) >= 4
    rep = token_factory.headers("sales_rep", sub="rep-1", team="north")
    client = app.test_client()
    assert client.get(f"/api/v1/opportunities/{opportunity_id}", headers=rep).json["account_pending"] is True
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS, backoff=[0.2])
    with running_consumer(consumer):
        asked = fake_customer_answers(settings)
        wait_for_outcome(consumer, Outcome.HANDLED)
        wait_for_outcome(consumer, Outcome.DUPLICATE)
    assert (asked["id"], asked["opportunity_id"], asked["account_id"]) == (lead_id, opportunity_id, None)
    opportunity = client.get(f"/api/v1/opportunities/{opportunity_id}", headers=rep).json
    assert (opportunity["account_id"], opportunity["contact_id"], opportunity["account_pending"]) == (
        "acc-from-customer",
        "con-from-customer",
        False,
    )
    lead = client.get(f"/api/v1/leads/{lead_id}", headers=rep).json
    assert lead["account_id"] == "acc-from-customer"


def publish_customer_event(
    settings: crmkit.ServiceSettings, routing_key: str, data: dict[str, Any], sequence: int
) -> None:
    event = Event(
        id=str(uuid.uuid4()),
        source="/services/customer",
        type=f"crm.{routing_key}",
        subject=str(data["id"]),
        time=datetime.now(UTC),
        data=data,
        dataschema=f"urn:crm:events:{routing_key}:v1",
        sequence=sequence,
    )
    with connect(settings) as connection:
        producer = Producer(connection.channel(), auto_declare=False)
        outgoing = Outgoing.for_event(
            event, event.to_json(), exchange=events_exchange().name, routing_key=routing_key
        )
        publish_one(producer, outgoing)


def test_an_account_merge_over_the_broker_repoints_opportunities(
    app: Flask, token_factory: TokenFactory, account_event: Any
) -> None:
    settings = crmkit.runtime(app).settings
    database = crmkit.runtime(app).database
    rep = token_factory.headers("sales_rep", sub="rep-1", team="north")
    client = app.test_client()
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS, backoff=[0.2])
    with running_consumer(consumer):
        publish_customer_event(settings, "customer.account.created", account_event("acc-old"), 1)
        publish_customer_event(settings, "customer.account.created", account_event("acc-new", tier="key"), 1)
        wait_for_outcome(consumer, Outcome.HANDLED, 2)
        body = {"name": "Deal", "amount": "100", "currency": "EUR", "account_id": "acc-old"}
        opportunity = client.post("/api/v1/opportunities", json=body, headers=rep).json
        merged = {
            **account_event("acc-old", merged_into_id="acc-new", version=2),
            "survivor": account_event("acc-new", tier="key", version=2),
            "moved_contact_ids": [],
            "moved_interactions": 0,
        }
        publish_customer_event(settings, "customer.account.merged", merged, 2)
        wait_for_outcome(consumer, Outcome.HANDLED, 3)
    assert (
        client.get(f"/api/v1/opportunities/{opportunity['id']}", headers=rep).json["account_id"] == "acc-new"
    )
