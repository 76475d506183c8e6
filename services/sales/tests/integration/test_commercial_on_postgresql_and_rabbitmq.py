"""The commercial flow on real PostgreSQL and RabbitMQ: a discounted quote is approved, sent and accepted;
the order is confirmed and sales.order.confirmed arrives on the broker as a valid CloudEvent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu import Queue
from kombu.message import Message

import crmkit
from crmkit import migrations
from crmkit.events.catalog import validate_payload
from crmkit.events.envelope import CONTENT_TYPE, Event
from crmkit.events.publisher import connect
from crmkit.events.topology import declare, events_exchange
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import relay_all
from crmkit.testing.infra import RabbitVhost
from sales import events_catalog
from sales.cli import MIGRATIONS_DIR

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]
LISTENER = "test.sales-commercial-events"
Headers = dict[str, str]


@pytest.fixture
def settings(
    tmp_path: Path, postgres_url: str, rabbit_vhost: RabbitVhost, token_factory: TokenFactory
) -> crmkit.ServiceSettings:
    """This module's app runs on a fresh PostgreSQL database built by the migrations and a fresh vhost."""
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "BROKER_URL": rabbit_vhost.url,
        "JWT_JWKS_URL": token_factory.jwks_url,
        "LOG_LEVEL": "WARNING",
    }
    return crmkit.ServiceSettings.from_env("sales", env=env, testing=True)


def listen(settings: crmkit.ServiceSettings) -> None:
    with connect(settings) as connection:
        declare(
            connection.channel(),
            Queue(LISTENER, events_exchange(), routing_key="sales.order.#", durable=True),
        )


def receive(settings: crmkit.ServiceSettings, *, timeout: float = 20.0) -> Message:
    deadline = time.monotonic() + timeout
    with connect(settings) as connection:
        queue = Queue(LISTENER)(connection.channel())
        while time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            if message is not None:
                return message
            time.sleep(0.1)
    raise AssertionError(f"nothing arrived on {LISTENER} within {timeout} s")


def test_an_accepted_quote_publishes_a_valid_order_confirmed_event(
    settings: crmkit.ServiceSettings,
    client: FlaskClient,
    database: crmkit.Database,
    rep: Headers,
    manager: Headers,
    price_book: dict[str, Any],
    discount_rules: None,
    seed_opportunity: Callable[..., str],
) -> None:
    listen(settings)
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "12.5", "discount_percent": "20"}
    body = {
        "opportunity_id": seed_opportunity(currency="USD"),
        "lines": [line],
        "overall_discount_percent": "2.5",
    }
    quote = client.post("/api/v1/quotes", json=body, headers=rep).json
    assert quote["approval_required"] is True, quote
    for action, headers in (("approval-request", rep), ("approve", manager), ("send", rep), ("accept", rep)):
        response = client.post(
            f"/api/v1/quotes/{quote['id']}/{action}",
            json={},
            headers={**headers, "X-Request-ID": f"req-{action}"},
        )
        assert response.status_code == 200, (action, response.json)
    order_id = response.json["order_id"]
    assert relay_all(database, settings) >= 6
    message = receive(settings)
    body = json.loads(message.body)
    assert (body["specversion"], body["type"], body["source"]) == (
        "1.0",
        "crm.sales.order.confirmed",
        "/services/sales",
    )
    assert body["subject"] == order_id and body["correlationid"] == "req-accept"
    assert body["dataschema"] == "urn:crm:events:sales.order.confirmed:v1"
    event = Event.from_json(message.body)
    validate_payload(events_catalog.ORDER_CONFIRMED, event.data)
    assert message.content_type == CONTENT_TYPE and message.properties["message_id"] == event.id
    assert message.delivery_info["routing_key"] == "sales.order.confirmed"
    data = event.data
    # 12.5 x 1300.00 = 16250.00; -20 % then -2.5 % = 12675.00 net; 19 % tax 2408.25; USD at 0.9 into EUR.
    assert (data["currency"], data["subtotal"], data["discount_total"]) == ("USD", "16250.00", "3575.00")
    assert (data["tax_total"], data["total"], data["total_in_base"]) == ("2408.25", "15083.25", "13574.93")
    assert data["lines"][0]["quantity"] == "12.5" and data["lines"][0]["discount_percent"] == "22"
    assert data["base_currency"] == "EUR" and data["status"] == "confirmed"


def test_concurrent_quotes_get_distinct_sequential_numbers_on_postgresql(
    app: Flask, rep: Headers, price_book: dict[str, Any], seed_opportunity: Callable[..., str]
) -> None:
    line = {"product_id": price_book["products"]["LIC-USER"], "quantity": "1"}
    bodies = [{"opportunity_id": seed_opportunity(), "lines": [line]} for _ in range(6)]
    barrier = threading.Barrier(len(bodies))
    numbers: list[str] = []

    def create(body: dict[str, Any]) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/quotes", json=body, headers=rep)
        assert response.status_code == 201, response.json
        numbers.append(response.json["number"])

    threads = [threading.Thread(target=create, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(numbers) == [f"Q-{n:06d}" for n in range(1, 7)]
