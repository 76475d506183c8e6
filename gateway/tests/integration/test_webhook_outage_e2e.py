"""Done-when: a webhook to a REAL receiver process; the receiver goes down, changes happen (and the gateway
worker restarts meanwhile); the receiver comes back and gets every missed event exactly once, in order per
entity, with valid signatures; the replay feed gives the same events from an old cursor.

Real RabbitMQ and PostgreSQL; the worker runs as `crm-gateway worker` processes; ports 185xx.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crmkit.events.envelope import Event
from crmkit.events.publisher import BatchPublisher, Outgoing, connect
from crmkit.events.topology import EVENTS_EXCHANGE
from crmkit.migrations import upgrade
from crmkit.testing.infra import RabbitVhost
from crmkit.types import utcnow
from gateway.db import MIGRATIONS_DIR
from gateway.integrations import signing
from gateway.integrations.worker import QUEUE
from gateway.settings import GatewaySettings

pytestmark = [pytest.mark.e2e, pytest.mark.rabbitmq, pytest.mark.postgres]
RECEIVER_PORT = 18590
BIN = Path(sys.executable).parent
RECEIVER = Path(__file__).with_name("webhook_receiver.py")
ADMIN = {"username": "admin", "password": "admin-password-for-e2e"}


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Processes:
    """Child processes of one test, each with its log file; all stopped at the end."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:  # the child keeps its own copy of the file
            process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text()[-3000:] if path.exists() else ""


@pytest.fixture
def env(tmp_path: Path, rabbit_vhost: RabbitVhost, postgres_url: str) -> dict[str, str]:
    upgrade(MIGRATIONS_DIR, postgres_url)
    variables = {
        name: value for name, value in os.environ.items() if not name.startswith(("CRM_", "BROKER_"))
    }
    return variables | {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "BROKER_URL": rabbit_vhost.url,
        "CRM_ADMIN_USERNAME": ADMIN["username"],
        "CRM_ADMIN_PASSWORD": ADMIN["password"],
        "CRM_WEBHOOK_DISPATCH_EVERY_SECONDS": "0.2",
        "CRM_WEBHOOK_BACKOFF_BASE_SECONDS": "0.3",
        "CRM_WEBHOOK_BACKOFF_MAX_SECONDS": "1.5",
        "CRM_WEBHOOK_CONNECT_TIMEOUT": "1",
        "CRM_WEBHOOK_READ_TIMEOUT": "2",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def processes(tmp_path: Path, env: dict[str, str]) -> Iterator[Processes]:
    children = Processes(tmp_path, env)
    yield children
    children.stop_all()


@pytest.fixture
def client(env: dict[str, str], start_app):
    settings = GatewaySettings.from_env(env=env, password_hash_profile="CHEAPEST", testing=True)
    return start_app(settings).test_client()


def publish(env: dict[str, str], events: list[Event]) -> None:
    """Publish as the services' outbox relays do."""
    settings = GatewaySettings.from_env(env=env)
    messages = [
        Outgoing.for_event(event, event.to_json(), exchange=EVENTS_EXCHANGE, routing_key=event.routing_key)
        for event in events
    ]
    with connect(settings, confirm_each=False) as connection:
        assert all(BatchPublisher(connection).publish(messages))


def change(subject: str, sequence: int) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source="/services/customer",
        type="crm.customer.account.updated",
        subject=subject,
        time=utcnow(),
        data={"id": subject, "name": f"Account {subject} v{sequence}", "version": sequence},
        dataschema="urn:crm:events:customer.account.updated:v1",
        sequence=sequence,
    )


def received(log_file: Path) -> list[dict[str, Any]]:
    if not log_file.exists():
        return []
    return [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]


def start_receiver(processes: Processes, log_file: Path) -> None:
    process = processes.start(
        "receiver", str(BIN / "python"), str(RECEIVER), str(RECEIVER_PORT), str(log_file)
    )
    wait_until(lambda: "ready" in processes.log("receiver"), 15, "the receiver to listen")
    assert process.poll() is None


def test_a_receiver_outage_loses_nothing_and_the_feed_replays_the_same_events(
    tmp_path, env, processes, client, rabbit_vhost
):
    log_file = tmp_path / "received.jsonl"
    worker = [str(BIN / "crm-gateway"), "worker"]
    processes.start("worker", *worker)
    wait_until(lambda: any(q["name"] == QUEUE for q in rabbit_vhost.api.queues()), 30, "the worker's queue")
    token = client.post("/api/v1/auth/token", json=ADMIN).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/webhooks",
        json={"url": f"http://127.0.0.1:{RECEIVER_PORT}/crm", "event_types": ["customer.account.*"]},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    webhook = created.get_json()

    # 1. The receiver is up: events arrive.
    start_receiver(processes, log_file)
    before = [change("a1", 1), change("a2", 1)]
    publish(env, before)
    wait_until(lambda: len(received(log_file)) == 2, 30, "the first two deliveries")
    feed_before = client.get("/api/v1/events", headers=headers).get_json()
    old_cursor = feed_before["next_cursor"]

    # 2. The receiver goes down; changes happen; deliveries fail and back off.
    processes.stop("receiver")
    missed = [change(subject, sequence) for sequence in range(2, 8) for subject in ("a1", "a2")]
    publish(env, missed)
    deliveries_url = f"/api/v1/webhooks/{webhook['id']}/deliveries"

    def failing() -> bool:
        items = client.get(deliveries_url, query_string={"status": "pending"}, headers=headers).get_json()[
            "items"
        ]
        return len(items) == len(missed) and any(
            item["attempts"] >= 2 and item["last_error"] for item in items
        )

    wait_until(failing, 30, "failed attempts while the receiver is down")

    # 3. The worker restarts meanwhile (deliveries live in the database), and more changes happen while
    #    it is down (they wait in its queue).
    processes.stop("worker")
    while_worker_down = [change("a1", 8), change("a3", 1)]
    publish(env, while_worker_down)
    processes.start("worker", *worker)

    # 4. The receiver comes back: every missed event arrives, once, in order per account, signed.
    start_receiver(processes, log_file)
    everything = before + missed + while_worker_down
    wait_until(lambda: len(received(log_file)) >= len(everything), 60, "every missed delivery")
    time.sleep(1.0)  # nothing more (no duplicates) arrives
    arrivals = received(log_file)
    bodies = [json.loads(record["body"]) for record in arrivals]
    assert sorted(body["id"] for body in bodies) == sorted(event.id for event in everything)
    for subject in ("a1", "a2", "a3"):
        sequences = [int(body["sequence"]) for body in bodies if body["subject"] == subject]
        assert sequences == sorted(sequences), (subject, sequences)
    for record in arrivals:
        signature = record["headers"]["X-CRM-Signature"]
        assert signing.verify(signature, webhook["secret"], record["body"].encode(), now=time.time()), record
        assert record["headers"]["Content-Type"] == "application/cloudevents+json"
    pending = client.get(deliveries_url, query_string={"status": "pending"}, headers=headers).get_json()
    assert pending["items"] == []

    # 5. The replay feed gives the same events from the old cursor, in the order they were logged.
    replay = client.get("/api/v1/events", query_string={"after": old_cursor, "limit": 200}, headers=headers)
    replayed = replay.get_json()["items"]
    assert [item["id"] for item in replayed] == [event.id for event in missed + while_worker_down]
    by_id = {body["id"]: body for body in bodies}
    for item in replayed:
        assert {key: value for key, value in item.items() if key != "cursor"} == by_id[item["id"]]
    from_start = client.get(
        "/api/v1/events", query_string={"after": 0, "limit": 200}, headers=headers
    ).get_json()
    assert [item["id"] for item in from_start["items"]] == [event.id for event in everything]
