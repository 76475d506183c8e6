"""`crm-gateway integrations ...` and `crm-gateway worker` on a real SQLite file (settings from the environment)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmkit import Database
from crmkit.events.envelope import Event
from crmkit.events.publisher import BatchPublisher, Outgoing, connect
from crmkit.events.topology import EVENTS_EXCHANGE
from crmkit.types import utcnow
from gateway.cli import cli
from gateway.integrations.eventlog import store_event
from gateway.integrations.settings import IntegrationSettings
from gateway.integrations.worker import run
from gateway.settings import GatewaySettings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "BROKER_URL", "CRM_EVENT_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def event(subject: str) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source="/services/customer",
        type="crm.customer.account.created",
        subject=subject,
        time=utcnow(),
        data={"id": subject},
        dataschema="urn:crm:events:customer.account.created:v1",
        sequence=1,
    )


def test_status_and_purge(data_dir: Path):
    invoke("migrate")
    database = Database(GatewaySettings.from_env().database_url)
    try:
        with database.uow() as uow:
            store_event(uow.session, event("a1"))
            uow.commit()
    finally:
        database.dispose()
    status = json.loads(invoke("integrations", "status"))
    assert status == {
        "latest_cursor": "1",
        "purged_through": "0",
        "pending_deliveries": 0,
        "oldest_due_seconds": 0.0,
        "paused_webhooks": 0,
    }
    assert invoke("integrations", "purge").strip() == "removed 0 events"
    later = (datetime.now(UTC) + timedelta(days=31)).isoformat()
    assert invoke("integrations", "purge", "--at", later).strip() == "removed 1 events"
    assert json.loads(invoke("integrations", "status"))["purged_through"] == "1"


def test_rabbit_user_refuses_a_bad_name(data_dir: Path):
    result = CliRunner().invoke(
        cli,
        ["integrations", "rabbit-user", "Bad Name", "--api-url", "http://127.0.0.1:9", "--admin-user", "a"],
        env={"CRM_RABBIT_ADMIN_PASSWORD": "x"},
    )
    assert result.exit_code != 0
    assert "integration name" in result.output


def test_the_worker_logs_events_on_the_embedded_broker(data_dir: Path):
    """`make up` runs the worker on kombu's filesystem transport: the `#` binding works there too."""
    invoke("migrate")
    settings = GatewaySettings.from_env()
    stop = threading.Event()
    worker = threading.Thread(
        target=run, args=(settings, IntegrationSettings()), kwargs={"stop": stop}, daemon=True
    )
    worker.start()
    try:
        time.sleep(1.0)  # the consumer declares its queue and binding
        published = [event("a1"), event("a2")]
        messages = [
            Outgoing.for_event(item, item.to_json(), exchange=EVENTS_EXCHANGE, routing_key=item.routing_key)
            for item in published
        ]
        with connect(settings) as connection:
            BatchPublisher(connection).publish(messages)
        deadline = time.monotonic() + 15
        while json.loads(invoke("integrations", "status"))["latest_cursor"] != "2":
            assert time.monotonic() < deadline, "the worker never logged the events"
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=30)
