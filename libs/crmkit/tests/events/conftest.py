"""Fixtures for the event-bus tests: a bus (filesystem in tmp_path, or a fresh RabbitMQ vhost) and
services on it, each with its own SQLite (or PostgreSQL) database holding the kit's tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crmkit.db import Database, kit_metadata
from crmkit.events.catalog import EventRegistry, EventType
from crmkit.events.consumer import EventConsumer, Handler
from crmkit.events.envelope import Event
from crmkit.events.outbox import record
from crmkit.requestid import current_request_id
from crmkit.settings import ServiceSettings

app_metadata = sa.MetaData()
applied_table = sa.Table(
    "applied",
    app_metadata,
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("routing_key", sa.String(200), nullable=False),
    sa.Column("request_id", sa.String(64)),
)

REGISTRY = EventRegistry("testpub")
THING_CREATED = REGISTRY.define(
    "testpub.thing.created",
    schema={
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
        "additionalProperties": False,
    },
    example={"name": "widget", "size": 3},
    summary="A thing was created.",
)
THING_DELETED = REGISTRY.define(
    "testpub.thing.deleted",
    schema={"type": "object", "properties": {"name": {"type": "string"}}},
    example={"name": "widget"},
    summary="A thing was deleted.",
)


def apply(session: Session, event: Event) -> None:
    """A handler: remember the event (and the request id bound while handling it) in the consumer's table."""
    values = {
        "event_id": event.id,
        "subject": event.subject,
        "routing_key": event.routing_key,
        "request_id": current_request_id(),
    }
    session.execute(sa.insert(applied_table).values(**values))


@dataclasses.dataclass
class Bus:
    """One broker shared by several services of a test, each with its own database."""

    kind: str
    broker_url: str
    folder: Path
    database_url: str | None = None
    vhost: Any = None  # the rabbit_vhost fixture's value on RabbitMQ
    databases: dict[str, Database] = dataclasses.field(default_factory=dict)

    @property
    def on_rabbitmq(self) -> bool:
        return self.kind == "rabbitmq"

    def settings(self, service: str) -> ServiceSettings:
        env = {
            "CRM_DATA_DIR": str(self.folder),
            "BROKER_URL": self.broker_url,
            "DATABASE_URL": self.database_url or f"sqlite:///{self.folder / (service + '.db')}",
        }
        return ServiceSettings.from_env(service, env=env, testing=True)

    def database(self, service: str) -> Database:
        if service not in self.databases:
            database = Database(self.settings(service).database_url)
            kit_metadata.create_all(database.engine)
            app_metadata.create_all(database.engine)
            self.databases[service] = database
        return self.databases[service]

    def dispose(self) -> None:
        for database in self.databases.values():
            database.dispose()

    def emit(self, service: str, event_type: EventType = THING_CREATED, **kwargs: Any) -> Event:
        """Record one event in its own committed unit of work of `service`."""
        kwargs.setdefault("subject", "thing-1")
        kwargs.setdefault("data", {"name": "widget"})
        kwargs.setdefault("sequence", 1)
        with self.database(service).uow() as uow:
            event = record(uow.session, event_type, **kwargs)
            uow.commit()
        return event

    def applied(self, service: str) -> list[dict[str, Any]]:
        """Return what `service`'s handlers applied, in order."""
        with self.database(service).engine.connect() as connection:
            rows = connection.execute(sa.select(applied_table).order_by(applied_table.c.n))
            return [dict(row._mapping) for row in rows]

    def consumer(
        self, service: str, queue: str, handlers: dict[str, Handler] | None = None, **options: Any
    ) -> EventConsumer:
        """Return a consumer with test-sized retries (3 attempts, 50 ms apart) unless told otherwise."""
        options.setdefault("max_attempts", 3)
        options.setdefault("backoff", (0.05, 0.05))
        handlers = handlers if handlers is not None else {"testpub.thing.*": apply}
        return EventConsumer(self.database(service), self.settings(service), queue, handlers, **options)


def _bus(kind: str, folder: Path, request: pytest.FixtureRequest) -> Bus:
    if kind == "rabbitmq":
        vhost = request.getfixturevalue("rabbit_vhost")
        return Bus(kind, vhost.url, folder, vhost=vhost)
    return Bus(kind, "filesystem://", folder)


@pytest.fixture(params=["filesystem", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    """The bus on each transport: kombu's filesystem folders in tmp_path, then a fresh RabbitMQ vhost."""
    made = _bus(request.param, tmp_path, request)
    yield made
    made.dispose()


@pytest.fixture
def types() -> SimpleNamespace:
    """The test publisher's event types and the `apply` handler."""
    return SimpleNamespace(registry=REGISTRY, created=THING_CREATED, deleted=THING_DELETED, apply=apply)


@pytest.fixture
def fs_bus(tmp_path: Path) -> Iterator[Bus]:
    made = Bus("filesystem", "filesystem://", tmp_path)
    yield made
    made.dispose()


@pytest.fixture
def rabbit_bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    made = _bus("rabbitmq", tmp_path, request)
    yield made
    made.dispose()
