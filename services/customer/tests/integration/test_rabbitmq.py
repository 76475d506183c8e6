"""Events reach RabbitMQ: through the relay as valid CloudEvents, and after the writer was killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from kombu import Queue
from kombu.message import Message

import crmkit
from crmkit import migrations
from crmkit.events.envelope import CONTENT_TYPE, Event
from crmkit.events.publisher import connect
from crmkit.events.topology import declare, events_exchange
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import relay_all
from crmkit.testing.infra import RabbitVhost
from customer.app import create_app
from customer.cli import MIGRATIONS_DIR

pytestmark = pytest.mark.rabbitmq
LISTENER = "test.customer-events"
# Writes an account through the app, prints its id, then waits to be killed (the relay never runs).
WRITE_THEN_WAIT = """
import sys, time
from customer.app import create_app
client = create_app().test_client()
headers = {"Authorization": "Bearer " + sys.argv[1], "X-Request-ID": "req-before-crash"}
response = client.post("/api/v1/accounts", json={"name": "Crash Test Dummies"}, headers=headers)
print(response.json["id"], flush=True)
time.sleep(600)
"""


@pytest.fixture
def env(tmp_path: Path, rabbit_vhost: RabbitVhost, token_factory: TokenFactory) -> dict[str, str]:
    database_url = f"sqlite:///{tmp_path / 'customer.db'}"
    migrations.upgrade(MIGRATIONS_DIR, database_url)
    return {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "BROKER_URL": rabbit_vhost.url,
        "JWT_JWKS_URL": token_factory.jwks_url,
        "LOG_LEVEL": "WARNING",
    }


def listen(settings: crmkit.ServiceSettings) -> None:
    """Bind a queue to every customer event, as a subscribing service would."""
    with connect(settings) as connection:
        declare(
            connection.channel(), Queue(LISTENER, events_exchange(), routing_key="customer.#", durable=True)
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


def test_an_account_created_through_the_api_arrives_as_a_cloudevent(
    env: dict[str, str], token_factory: TokenFactory
) -> None:
    settings = crmkit.ServiceSettings.from_env("customer", env=env)
    listen(settings)
    app = create_app(settings)
    headers = {**token_factory.headers("sales_rep", sub="rep-1"), "X-Request-ID": "req-1234"}
    account = app.test_client().post("/api/v1/accounts", json={"name": "Acme GmbH"}, headers=headers).json
    assert relay_all(crmkit.runtime(app).database, settings) == 1
    message = receive(settings)
    body: dict[str, Any] = json.loads(message.body)
    assert body["specversion"] == "1.0" and body["type"] == "crm.customer.account.created"
    assert (body["source"], body["subject"]) == ("/services/customer", account["id"])
    assert body["sequence"] == "00000000000000000001" and body["correlationid"] == "req-1234"
    assert body["dataschema"] == "urn:crm:events:customer.account.created:v1"
    assert body["datacontenttype"] == "application/json" and body["data"]["name"] == "Acme GmbH"
    event = Event.from_json(message.body)
    assert message.properties["message_id"] == event.id and message.properties["correlation_id"] == "req-1234"
    assert message.content_type == CONTENT_TYPE and message.headers["ce-type"] == event.type
    assert message.delivery_info["routing_key"] == "customer.account.created"
    crmkit.runtime(app).database.dispose()


def test_a_change_whose_process_was_killed_before_the_relay_ran_is_published_after_restart(
    env: dict[str, str], token_factory: TokenFactory
) -> None:
    settings = crmkit.ServiceSettings.from_env("customer", env=env)
    listen(settings)
    process_env = {**os.environ, **env}
    token = token_factory.token("sales_rep", sub="rep-1")
    command = [sys.executable, "-c", WRITE_THEN_WAIT, token]
    with subprocess.Popen(command, env=process_env, stdout=subprocess.PIPE, text=True) as writer:
        assert writer.stdout is not None
        account_id = writer.stdout.readline().strip()
        writer.send_signal(signal.SIGKILL)
        assert writer.wait(10) == -signal.SIGKILL and account_id
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("crm-customer")), "worker"], env=process_env
    )
    try:
        event = Event.from_json(receive(settings).body)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert (event.type, event.subject) == ("crm.customer.account.created", account_id)
    assert event.correlationid == "req-before-crash"
    assert worker.returncode == 0
