"""The outbox: events are written in the caller's transaction, validated, measured and purged."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from crmkit.db import Database, kit_metadata
from crmkit.events.catalog import EventPayloadInvalid
from crmkit.events.outbox import (
    VALIDATE_ENV,
    lag,
    outbox_table,
    pending_count,
    purge_published,
    record,
    utcnow,
)
from crmkit.requestid import bound
from crmkit.testing.events import outbox_events

notes_metadata = sa.MetaData()
notes = sa.Table("notes", notes_metadata, sa.Column("id", sa.String(36), primary_key=True))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = (
        f"sqlite:///{tmp_path / 'svc.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    made = Database(url)
    kit_metadata.create_all(made.engine)
    notes_metadata.create_all(made.engine)
    yield made
    made.dispose()


def _change_with_event(session: sa.orm.Session, types: SimpleNamespace) -> str:
    note_id = str(uuid.uuid4())
    session.execute(sa.insert(notes).values(id=note_id))
    record(session, types.created, subject=note_id, data={"name": "n"}, sequence=1)
    return note_id


def test_the_validation_switch_is_on_for_tests() -> None:
    assert os.environ.get(VALIDATE_ENV) == "1"


def test_writes_the_event_row_in_the_callers_transaction(database: Database, types: SimpleNamespace) -> None:
    with database.uow() as uow:
        event = record(uow.session, types.created, subject="t-1", data={"name": "n", "size": 2}, sequence=4)
        uow.commit()
    with database.engine.connect() as connection:
        (row,) = connection.execute(sa.select(outbox_table)).all()
    assert (row.event_id, row.routing_key, row.subject, row.published_at, row.attempts) == (
        event.id, "testpub.thing.created", "t-1", None, 0,
    )  # fmt: skip
    body = json.loads(row.body)
    assert body["source"] == "/services/testpub"
    assert body["dataschema"] == "urn:crm:events:testpub.thing.created:v1"
    assert body["sequence"] == "00000000000000000004"
    assert outbox_events(database) == [event]


def test_a_rolled_back_unit_of_work_leaves_neither_change_nor_event(
    database: Database, types: SimpleNamespace
) -> None:
    with database.uow() as uow:
        _change_with_event(uow.session, types)
        uow.flush()
    with pytest.raises(RuntimeError), database.uow() as uow:
        _change_with_event(uow.session, types)
        raise RuntimeError("use case failed")
    with database.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox_table)).scalar() == 0
        assert connection.execute(sa.select(sa.func.count()).select_from(notes)).scalar() == 0


@pytest.mark.postgres
def test_the_event_is_invisible_to_others_until_commit(postgres_url: str, types: SimpleNamespace) -> None:
    database = Database(postgres_url)
    kit_metadata.create_all(database.engine)
    notes_metadata.create_all(database.engine)
    with database.uow() as uow:
        _change_with_event(uow.session, types)
        uow.flush()
        assert outbox_events(database) == []
        uow.commit()
    assert len(outbox_events(database)) == 1
    database.dispose()


def test_carries_the_request_as_correlation_and_the_cause(database: Database, types: SimpleNamespace) -> None:
    with database.uow() as uow:
        with bound(request_id="req-7"):
            first = record(uow.session, types.created, subject="s", data={"name": "n"}, sequence=1)
        with bound(request_id="req-7", causation_id="evt-3"):
            second = record(uow.session, types.deleted, subject="s", data={}, sequence=2, service="other")
        uow.commit()
    assert (first.correlationid, first.causationid) == ("req-7", "req-7")
    assert (second.correlationid, second.causationid, second.source) == ("req-7", "evt-3", "/services/other")
    assert first.id != second.id


def test_refuses_data_that_breaks_the_catalog_schema(database: Database, types: SimpleNamespace) -> None:
    with database.uow() as uow, pytest.raises(EventPayloadInvalid, match="name"):
        record(uow.session, types.created, subject="s", data={"size": "big"}, sequence=1)
    assert outbox_events(database) == []


def test_reports_pending_rows_lag_and_purges_old_sent_rows(
    database: Database, types: SimpleNamespace
) -> None:
    with database.uow() as uow:
        for n in range(3):
            record(uow.session, types.created, subject=f"s{n}", data={"name": "n"}, sequence=1)
        uow.commit()
    now = utcnow()
    with database.uow() as uow:
        sent = {1: now - timedelta(days=10), 2: now - timedelta(days=1)}
        for row_id, when in sent.items():
            uow.session.execute(
                sa.update(outbox_table).where(outbox_table.c.id == row_id).values(published_at=when)
            )
        uow.commit()
    with database.uow() as uow:
        assert pending_count(uow.session) == 1
        measured = lag(uow.session)
        assert measured.pending == 1 and 0 <= measured.oldest_age_seconds < 60
        assert purge_published(uow.session, older_than_days=7) == 1
        uow.commit()
    assert [event.subject for event in outbox_events(database)] == ["s1", "s2"]


def test_reports_no_lag_when_everything_is_sent(database: Database) -> None:
    with database.uow() as uow:
        assert lag(uow.session).pending == 0
        assert lag(uow.session).oldest_age_seconds == 0.0
