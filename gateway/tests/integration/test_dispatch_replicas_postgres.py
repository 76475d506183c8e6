"""Two dispatcher replicas on one PostgreSQL database: leases never let them send the same delivery at
once, and a later event of an entity still never overtakes an earlier one."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crmkit import Database
from crmkit.events.envelope import Event
from crmkit.migrations import upgrade
from crmkit.types import utcnow
from gateway.db import MIGRATIONS_DIR
from gateway.identity.models import User
from gateway.integrations.dispatch import Answer, Attempt, dispatch_due
from gateway.integrations.eventlog import store_event
from gateway.integrations.models import DELIVERED, Delivery, Webhook
from gateway.integrations.settings import IntegrationSettings

pytestmark = pytest.mark.postgres
SUBJECTS = ("a1", "a2", "a3")
VERSIONS = range(1, 11)


class SlowReceiver:
    """Records arrivals (thread-safe); slow enough that two replicas' rounds overlap; fails every 4th."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, int, str]] = []
        self.calls = 0

    def __call__(self, attempts: Sequence[Attempt]) -> dict[int, Answer]:
        time.sleep(0.02)
        answers = {}
        for attempt in attempts:
            with self.lock:
                self.calls += 1
                failing = self.calls % 4 == 0
                if not failing:
                    body = json.loads(attempt.body)
                    self.arrivals.append((body["subject"], int(body["sequence"]), body["id"]))
            answers[attempt.delivery_id] = Answer(503 if failing else 200)
        return answers


def test_two_replicas_deliver_each_event_once_and_in_order_per_entity(postgres_url):
    upgrade(MIGRATIONS_DIR, postgres_url)
    database = Database(postgres_url)
    settings = IntegrationSettings(backoff_base_seconds=0.01, backoff_max_seconds=0.02)
    try:
        with database.uow() as uow:
            owner = User(username="admin", password_hash="x", active=True)
            owner.set_roles(["admin"])
            uow.session.add(owner)
            uow.flush()
            uow.session.add(
                Webhook(
                    url="http://receiver.test/",
                    event_types=["#"],
                    payload_filter={},
                    secret="whsec_x",
                    owner_id=owner.id,
                    owner_kind="user",
                    owner_roles=["admin"],
                    owner_scopes=[],
                )
            )
            uow.commit()
        for version in VERSIONS:
            for subject in SUBJECTS:
                with database.uow() as uow:
                    store_event(uow.session, _event(subject, version))
                    uow.commit()
        receiver = SlowReceiver()
        done = threading.Event()

        def replica() -> None:
            while not done.is_set():
                with database.uow() as uow:
                    dispatch_due(
                        uow.session, utcnow() + timedelta(seconds=1), send=receiver, settings=settings
                    )
                    uow.commit()

        replicas = [threading.Thread(target=replica) for _ in range(2)]
        for thread in replicas:
            thread.start()
        deadline = time.monotonic() + 60
        while _undelivered(database) and time.monotonic() < deadline:
            time.sleep(0.05)
        done.set()
        for thread in replicas:
            thread.join(timeout=30)
        remaining = _undelivered(database)
    finally:
        database.dispose()
    assert remaining == 0
    ids = [event_id for _, _, event_id in receiver.arrivals]
    assert len(ids) == len(set(ids)) == len(SUBJECTS) * len(VERSIONS)  # each once, none twice
    for subject in SUBJECTS:
        assert [version for name, version, _ in receiver.arrivals if name == subject] == list(VERSIONS)


def _undelivered(database: Database) -> int:
    with database.uow() as uow:
        query = sa.select(sa.func.count()).select_from(Delivery).where(Delivery.status != DELIVERED)
        return int(uow.session.scalar(query) or 0)


def _event(subject: str, version: int) -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source="/services/customer",
        type="crm.customer.account.updated",
        subject=subject,
        time=utcnow(),
        data={"id": subject, "version": version},
        dataschema="urn:crm:events:customer.account.updated:v1",
        sequence=version,
    )
