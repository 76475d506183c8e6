"""The customer worker's consumer on RabbitMQ: a lead conversion from sales, redelivered, answered once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kombu import Producer

import crmkit
from crmkit import migrations
from crmkit.events.consumer import EventConsumer, Outcome
from crmkit.events.envelope import Event, type_for
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.topology import EVENTS_EXCHANGE
from crmkit.testing.events import outbox_events, running_consumer, wait_for_outcome
from crmkit.testing.infra import RabbitVhost
from customer.cli import MIGRATIONS_DIR
from customer.consumers import HANDLERS, QUEUE

pytestmark = pytest.mark.rabbitmq


def converted_lead() -> Event:
    data = {
        "id": uuid.uuid4().hex,
        "account_id": None,
        "contact_id": None,
        "opportunity_id": uuid.uuid4().hex,
        "company": "Kestrel Maritime",
        "first_name": "Ines",
        "last_name": "Moreau",
        "email": "ines@kestrel.example",
        "owner_id": "rep-3",
    }
    return Event(
        id=uuid.uuid4().hex,
        source="/services/sales",
        type=type_for("sales.lead.converted"),
        subject=data["id"],
        time=datetime.now(UTC),
        data=data,
        dataschema="urn:crm:sales.lead.converted:v1",
        sequence=5,
    )


def publish(settings: crmkit.ServiceSettings, event: Event) -> None:
    with connect(settings) as connection:
        message = Outgoing.for_event(
            event, json.dumps(event.to_dict()), exchange=EVENTS_EXCHANGE, routing_key=event.routing_key
        )
        publish_one(Producer(connection.channel()), message)


def test_a_redelivered_conversion_makes_one_account_and_one_answer(
    tmp_path: Path, rabbit_vhost: RabbitVhost
) -> None:
    database_url = f"sqlite:///{tmp_path / 'customer.db'}"
    migrations.upgrade(MIGRATIONS_DIR, database_url)
    env = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "BROKER_URL": rabbit_vhost.url}
    settings = crmkit.ServiceSettings.from_env("customer", env=env)
    database = crmkit.Database(database_url)
    event = converted_lead()
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS)
    with running_consumer(consumer):
        publish(settings, event)
        publish(settings, event)  # a duplicate publish (same event id), as a relay retry can cause
        wait_for_outcome(consumer, Outcome.HANDLED)
        wait_for_outcome(consumer, Outcome.DUPLICATE)
    (answer,) = outbox_events(database, "customer.lead_conversion.completed")
    assert answer.subject == event.data["id"]
    assert answer.data["account_created"] is True
    assert len(outbox_events(database, "customer.account.created")) == 1
    assert len(outbox_events(database, "customer.contact.created")) == 1
    database.dispose()
