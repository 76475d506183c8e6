"""The inbox claim: the first claim of an event wins, a repeat or a concurrent second claim gets False."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crmkit.db import Database, kit_metadata
from crmkit.events.envelope import Event
from crmkit.events.inbox import already_handled, claim


def an_event() -> Event:
    return Event(
        id=str(uuid.uuid4()),
        source="/services/demo",
        type="crm.demo.thing.created",
        subject="thing-1",
        time=datetime.now(UTC),
        data={},
        dataschema="urn:crm:events:demo.thing.created:v1",
        sequence=1,
    )


def database_for(url: str) -> Database:
    database = Database(url)
    kit_metadata.create_all(database.engine)
    return database


def test_claim_is_true_once_and_a_rolled_back_claim_leaves_nothing(tmp_path: Path) -> None:
    database, event = database_for(f"sqlite:///{tmp_path / 'inbox.db'}"), an_event()
    with database.uow() as uow:
        assert claim(uow.session, "demo.q", event)  # not committed: the handler "failed"
    with database.uow() as uow:
        assert not already_handled(uow.session, "demo.q", event)
        assert claim(uow.session, "demo.q", event)
        uow.commit()
    with database.uow() as uow:
        assert not claim(uow.session, "demo.q", event)
        assert claim(uow.session, "demo.other-q", event)  # another queue applies it on its own
    database.dispose()


@pytest.mark.postgres
def test_a_concurrent_second_claim_waits_for_the_first_and_then_skips(postgres_url: str) -> None:
    database, event = database_for(postgres_url), an_event()
    second: list[bool] = []
    with database.uow() as first:
        assert claim(first.session, "demo.q", event)
        thread = threading.Thread(target=lambda: second.append(_claim_and_commit(database, event)))
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second claim must wait on the first one's row"
        first.commit()
    thread.join(10)
    assert second == [False]
    database.dispose()


def _claim_and_commit(database: Database, event: Event) -> bool:
    with database.uow() as uow:
        claimed = claim(uow.session, "demo.q", event)
        uow.commit()
        return claimed
