"""SLA warning, breach and escalation events, written by the sweep, reach RabbitMQ through the relay."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kombu import Queue

import crmkit
from crmkit import migrations
from crmkit.events.publisher import connect
from crmkit.events.topology import declare, events_exchange
from crmkit.jobs import run_once
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import relay_all
from crmkit.testing.infra import RabbitVhost
from service_desk.app import create_app
from service_desk.cli import MIGRATIONS_DIR
from service_desk.events_catalog import REGISTRY
from service_desk.jobs import JOBS

pytestmark = pytest.mark.rabbitmq
LISTENER = "test.servicedesk-sla"


def receive_all(
    settings: crmkit.ServiceSettings, count: int, timeout: float = 20.0
) -> list[dict[str, object]]:
    bodies: list[dict[str, object]] = []
    deadline = time.monotonic() + timeout
    with connect(settings) as connection:
        queue = Queue(LISTENER)(connection.channel())
        while len(bodies) < count and time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            if message is None:
                time.sleep(0.1)
                continue
            bodies.append({"routing_key": message.delivery_info["routing_key"], **json.loads(message.body)})
    return bodies


def test_sweep_events_arrive_on_the_broker_once(
    tmp_path: Path,
    rabbit_vhost: RabbitVhost,
    token_factory: TokenFactory,
    manager: dict[str, str],
    agent: dict[str, str],
) -> None:
    database_url = f"sqlite:///{tmp_path / 'service-desk.db'}"
    migrations.upgrade(MIGRATIONS_DIR, database_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "BROKER_URL": rabbit_vhost.url,
        "JWT_JWKS_URL": token_factory.jwks_url,
    }
    settings = crmkit.ServiceSettings.from_env("service-desk", env=env, testing=True)
    with connect(settings) as connection:
        binding = Queue(LISTENER, events_exchange(), routing_key="servicedesk.ticket.#", durable=True)
        declare(connection.channel(), binding)
    app = create_app(settings)
    database = crmkit.runtime(app).database
    try:
        client = app.test_client()
        policy = {"name": "Std", "first_response_seconds": 3600}
        assert client.post("/api/v1/sla-policies", json=policy, headers=manager).status_code == 201
        rule = {"name": "Tell the lead", "trigger": "breach", "assign_agent_id": "lead-1"}
        assert client.post("/api/v1/escalation-rules", json=rule, headers=manager).status_code == 201
        ticket = client.post(
            "/api/v1/tickets", json={"subject": "Down", "requester_email": "x@shop.example"}, headers=agent
        ).json
        sweep = next(job for job in JOBS if job.name == "sla-sweep")
        assert run_once(database, sweep, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) == 2
        assert run_once(database, sweep, datetime(2026, 3, 2, 11, 0, tzinfo=UTC)) == 0
        relay_all(database, settings)
        bodies = receive_all(settings, 5)
    finally:
        database.dispose()
    assert [body["routing_key"] for body in bodies] == [
        "servicedesk.ticket.created",
        "servicedesk.ticket.sla_warning",
        "servicedesk.ticket.sla_breached",
        "servicedesk.ticket.assigned",
        "servicedesk.ticket.escalated",
    ]
    for body in bodies[1:3]:
        assert body["subject"] == ticket["id"]
        assert body["data"]["clock"] == "first_response"  # type: ignore[index]
        assert REGISTRY.get(str(body["routing_key"])).problems(body["data"]) == []
    assert receive_all(settings, 1, timeout=1.0) == []  # nothing twice
