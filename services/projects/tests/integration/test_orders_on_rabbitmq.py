"""sales.order.confirmed on crm.events becomes exactly one project, on real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from kombu import Producer

import crmkit
from crmkit import migrations
from crmkit.events.consumer import EventConsumer, Outcome
from crmkit.events.envelope import Event, type_for
from crmkit.events.publisher import Outgoing, connect, publish_one
from crmkit.events.topology import EVENTS_EXCHANGE
from crmkit.testing.events import outbox_events, running_consumer, wait_for_outcome
from crmkit.testing.infra import RabbitVhost
from projects.cli import MIGRATIONS_DIR
from projects.consumers import HANDLERS, QUEUE
from projects.projects.models import Project, ScopeItem
from projects.schedule.models import Baseline, Task

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]


def confirmed_order(order_id: str) -> Event:
    line = {"quantity": "40", "unit_price": "120.00", "discount_percent": "0", "tax_amount": "912.00"}
    data = {
        "id": order_id,
        "number": "SO-2026-0107",
        "account_id": uuid.uuid4().hex,
        "opportunity_id": uuid.uuid4().hex,
        "quote_id": uuid.uuid4().hex,
        "owner_id": "rep-1",
        "currency": "EUR",
        "lines": [
            {
                **line,
                "line_no": 1,
                "product_id": "p-1",
                "sku": "SVC-IMPL",
                "name": "Implementation",
                "kind": "service",
                "unit": "hour",
                "net_amount": "4800.00",
                "total": "5712.00",
            },
            {
                **line,
                "line_no": 2,
                "product_id": "p-2",
                "sku": "HW-GW",
                "name": "Gateway",
                "kind": "product",
                "unit": "each",
                "quantity": "2",
                "unit_price": "650.00",
                "net_amount": "1300.00",
                "total": "1547.00",
            },
        ],
        "subtotal": "6100.00",
        "discount_total": "0.00",
        "tax_total": "1159.00",
        "total": "7259.00",
        "base_currency": "EUR",
        "total_in_base": "7259.00",
        "confirmed_at": "2026-03-02T09:00:00Z",
        "status": "confirmed",
    }
    return Event(
        id=str(uuid.uuid4()),
        source="/services/sales",
        type=type_for("sales.order.confirmed"),
        subject=order_id,
        time=datetime.now(UTC),
        data=data,
        dataschema="urn:crm:events:sales.order.confirmed:v1",
        sequence=2,
    )


def publish(settings: crmkit.ServiceSettings, event: Event) -> None:
    with connect(settings) as connection:
        message = Outgoing.for_event(
            event, json.dumps(event.to_dict()), exchange=EVENTS_EXCHANGE, routing_key=event.routing_key
        )
        publish_one(Producer(connection.channel()), message)


def test_an_order_delivered_twice_and_sent_again_becomes_exactly_one_project(
    tmp_path: Path, rabbit_vhost: RabbitVhost, postgres_url: str
) -> None:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": postgres_url, "BROKER_URL": rabbit_vhost.url}
    settings = crmkit.ServiceSettings.from_env("projects", env=env)
    database = crmkit.Database(postgres_url)
    order_id = uuid.uuid4().hex
    event = confirmed_order(order_id)
    resent = confirmed_order(order_id)  # the same order confirmed again under a new event id
    resent = Event(**{**event.__dict__, "id": resent.id})
    consumer = EventConsumer(database, settings, QUEUE, HANDLERS)
    with running_consumer(consumer):
        publish(settings, event)
        publish(settings, event)  # the same event delivered twice (inbox)
        publish(settings, resent)  # a new event for the same order (unique order id)
        wait_for_outcome(consumer, Outcome.HANDLED, 2)
        wait_for_outcome(consumer, Outcome.DUPLICATE)
    with database.uow() as uow:
        session = uow.session
        (project,) = session.scalars(sa.select(Project).where(Project.order_id == order_id)).all()
        assert (project.source, project.currency, str(project.budget_amount)) == ("order", "EUR", "6100.00")
        scope = session.scalars(sa.select(ScopeItem).where(ScopeItem.project_id == project.id)).all()
        assert sorted(item.category for item in scope) == ["labour", "material"]
        (task,) = session.scalars(sa.select(Task).where(Task.project_id == project.id)).all()
        assert (task.name, task.duration_days, str(task.effort_hours)) == ("Implementation", 5, "40.00")
        (baseline,) = session.scalars(sa.select(Baseline).where(Baseline.project_id == project.id)).all()
        assert str(baseline.budget_amount) == "6100.00"
    (created,) = outbox_events(database, "projects.project.created")
    assert created.data["order_id"] == order_id and created.data["account_id"] == event.data["account_id"]
    database.dispose()
