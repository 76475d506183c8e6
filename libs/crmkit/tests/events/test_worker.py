"""The worker process: relay and consumer side by side, stopping cleanly on a stop event or SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from crmkit.events.relay import OutboxRelay
from crmkit.events.worker import run_worker
from crmkit.testing.events import relay_all

PUB, SUB = "testpub", "testsub"


def _eventually(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_relays_and_consumes_until_stopped(bus: SimpleNamespace, types: SimpleNamespace) -> None:
    stop, codes = threading.Event(), []
    workers = [
        (PUB, None, {}),
        (SUB, "testsub.things", {"testpub.thing.*": types.apply}),
    ]
    threads = [
        threading.Thread(
            target=lambda s=service, q=queue, h=handlers: codes.append(
                run_worker(bus.settings(s), bus.database(s), queue=q, handlers=h, stop=stop)
            ),
            daemon=True,
        )
        for service, queue, handlers in workers
    ]
    bus.consumer(SUB, "testsub.things").declare()  # events published before a queue exists reach nobody
    for thread in threads:
        thread.start()
    try:
        event = bus.emit(PUB)
        _eventually(lambda: len(bus.applied(SUB)) == 1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
    assert codes == [0, 0]
    assert bus.applied(SUB)[0]["event_id"] == event.id


WORKER = """
import logging, sys
import sqlalchemy as sa
from crmkit.db import Database
from crmkit.events.relay import OutboxRelay
from crmkit.events.worker import run_worker
from crmkit.testing.events import relay_all
from crmkit.settings import ServiceSettings

logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
settings = ServiceSettings.from_env("testsub", env={"DATABASE_URL": sys.argv[1], "BROKER_URL": "filesystem://",
                                                     "CRM_DATA_DIR": sys.argv[2]})

def apply(session, event):
    session.execute(sa.text("INSERT INTO applied (event_id, subject, routing_key) VALUES (:i, :s, :r)"),
                    {"i": event.id, "s": event.subject, "r": event.routing_key})

sys.exit(run_worker(settings, Database(sys.argv[1]), queue="testsub.things", handlers={"testpub.#": apply}))
"""


def test_a_worker_process_stops_cleanly_on_sigterm(fs_bus: SimpleNamespace) -> None:
    database = fs_bus.database(SUB)
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, database.url, str(fs_bus.folder)], stderr=subprocess.PIPE, text=True
    )
    try:
        table = fs_bus.folder / "broker" / "control" / "crm.events.exchange"
        _eventually(lambda: table.exists() and "testsub.things" in table.read_text())
        event = fs_bus.emit(PUB)
        relay_all(fs_bus.database(PUB), fs_bus.settings(PUB))
        _eventually(lambda: [row["event_id"] for row in fs_bus.applied(SUB)] == [event.id])
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "stopping on signal" in stderr and "worker stopped" in stderr


def test_reports_a_dead_thread_with_exit_code_1(
    fs_bus: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(self: OutboxRelay, stop: threading.Event) -> None:
        raise RuntimeError("relay bug")

    monkeypatch.setattr(OutboxRelay, "run_forever", crash)
    code = run_worker(fs_bus.settings(PUB), fs_bus.database(PUB), queue=None, handlers={})
    assert code == 1
    (record,) = [record for record in caplog.records if record.getMessage() == "worker thread died"]
    assert record.worker_thread == "outbox-relay"
