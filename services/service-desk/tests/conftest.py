"""Fixtures of the service desk's tests: a migrated SQLite database per test, the app, tokens, outbox,
a controllable clock, and helpers that feed the customer read model and open tickets.

Tests run in pytest's importlib mode, so shared helpers live here as fixtures, not in sibling modules.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.db import transaction
from crmkit.events.envelope import Event
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from service_desk import clock as service_clock
from service_desk.app import create_app
from service_desk.cli import MIGRATIONS_DIR
from service_desk.consumers import HANDLERS

Headers = dict[str, str]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations once per run; every test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "service-desk.db"
    migrations.upgrade(MIGRATIONS_DIR, f"sqlite:///{path}")
    return path


def settings_for(tmp_path: Path, database_url: str, jwks_url: str, **env: str) -> crmkit.ServiceSettings:
    values = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "JWT_JWKS_URL": jwks_url, **env}
    settings = crmkit.ServiceSettings.from_env("service-desk", env=values, testing=True)
    settings.broker_transport_options()  # creates the filesystem broker's folders (readiness checks them)
    return settings


class Clock:
    """The service's clock in tests: fixed at `now` until moved (never sleep)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every test starts at START (Monday 09:00 UTC); move it with clock.set(...) / clock.advance(hours=2)."""
    fake = Clock(START)
    monkeypatch.setattr(service_clock, "now", fake)
    return fake


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path, token_factory: TokenFactory) -> crmkit.ServiceSettings:
    database = tmp_path / "service-desk.db"
    shutil.copyfile(migrated_template, database)
    return settings_for(tmp_path, f"sqlite:///{database}", token_factory.jwks_url)


@pytest.fixture
def app(settings: crmkit.ServiceSettings) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def database(app: Flask) -> crmkit.Database:
    return crmkit.runtime(app).database


@pytest.fixture
def as_role(token_factory: TokenFactory) -> Callable[..., Headers]:
    """Authorization headers for a caller with these roles: as_role("service_agent", sub="agent-1")."""

    def headers(*roles: str, sub: str = "user-1", **claims: Any) -> Headers:
        return token_factory.headers(*roles, sub=sub, **claims)

    return headers


@pytest.fixture
def agent(as_role: Callable[..., Headers]) -> Headers:
    return as_role("service_agent", sub="agent-1")


@pytest.fixture
def manager(as_role: Callable[..., Headers]) -> Headers:
    return as_role("service_manager", sub="manager-1")


@pytest.fixture
def rep(as_role: Callable[..., Headers]) -> Headers:
    return as_role("sales_rep", sub="rep-1")


@pytest.fixture
def reader(as_role: Callable[..., Headers]) -> Headers:
    """A caller with a valid token and no role that allows writing."""
    return as_role("integrator", sub="reader-1")


@pytest.fixture
def outbox(database: crmkit.Database) -> Callable[..., list[Event]]:
    """The events written so far, oldest first: outbox() or outbox("servicedesk.ticket.created")."""
    return lambda routing_key=None: outbox_events(database, routing_key)


@pytest.fixture
def deliver(database: crmkit.Database) -> Callable[..., None]:
    """Hand an event (as the customer service publishes it) to this service's handler, in a transaction."""

    def handle(
        routing_key: str, data: dict[str, Any], *, sequence: int | None = None, subject: str | None = None
    ) -> None:
        event = Event(
            id=f"evt-{routing_key}-{data['id']}-{sequence or data.get('version', 1)}",
            source="/services/customer",
            type=f"crm.{routing_key}",
            subject=subject or data["id"],
            time=service_clock.now(),
            data=data,
            dataschema=f"urn:crm:events:{routing_key}:v1",
            sequence=sequence if sequence is not None else int(data.get("version", 1)),
        )
        with transaction(database) as session:
            HANDLERS[routing_key](session, event)

    return handle


def account_data(account_id: str = "acc-1", **fields: Any) -> dict[str, Any]:
    """A customer.account.* payload (the fields the desk reads, plus the rest of the shape)."""
    return {
        "id": account_id,
        "name": "Acme GmbH",
        "industry": None,
        "website": None,
        "domain": "acme.example",
        "address": None,
        "owner_id": "am-1",
        "lifecycle_stage": "active",
        "tier": "standard",
        "tags": [],
        "custom_fields": {},
        "merged_into_id": None,
        "deleted_at": None,
        "created_at": "2026-03-01T09:00:00.000000Z",
        "updated_at": "2026-03-01T09:00:00.000000Z",
        "version": 1,
        **fields,
    }


def contact_data(contact_id: str = "con-1", account_id: str = "acc-1", **fields: Any) -> dict[str, Any]:
    return {
        "id": contact_id,
        "account_id": account_id,
        "name": "Jana Novak",
        "title": None,
        "emails": [{"address": "jana@acme.example", "label": "work"}],
        "phones": [],
        "preferred_channel": None,
        "consents": {},
        "deleted_at": None,
        "created_at": "2026-03-01T09:00:00.000000Z",
        "updated_at": "2026-03-01T09:00:00.000000Z",
        "version": 1,
        **fields,
    }


@pytest.fixture
def customer(deliver: Callable[..., None]) -> Callable[..., None]:
    """Put an account (and its contact) into the read model: customer(tier="key", email="x@acme.example")."""

    def add(
        account_id: str = "acc-1",
        contact_id: str = "con-1",
        email: str = "jana@acme.example",
        **account_fields: Any,
    ) -> None:
        deliver("customer.account.created", account_data(account_id, **account_fields))
        emails = [{"address": email, "label": "work"}]
        deliver("customer.contact.created", contact_data(contact_id, account_id, emails=emails))

    return add


@pytest.fixture
def open_ticket(client: FlaskClient, agent: Headers) -> Callable[..., dict[str, Any]]:
    """Open a ticket through the API and return its JSON."""

    def create(subject: str = "Export fails", **fields: Any) -> dict[str, Any]:
        body = {"subject": subject, "requester_email": "jana@acme.example", **fields}
        response = client.post("/api/v1/tickets", json=body, headers=agent)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def set_status(client: FlaskClient, agent: Headers) -> Callable[..., dict[str, Any]]:
    """Move a ticket to a state through the API and return its JSON."""

    def move(ticket_id: str, status: str, headers: Headers | None = None) -> dict[str, Any]:
        response = client.post(
            f"/api/v1/tickets/{ticket_id}/status", json={"status": status}, headers=headers or agent
        )
        assert response.status_code == 200, response.json
        return dict(response.json)

    return move


@pytest.fixture
def patch_json(client: FlaskClient) -> Callable[..., Any]:
    """PATCH with If-Match set to `version`: patch_json(url, body, headers, version)."""

    def patch(url: str, body: dict[str, Any], headers: Headers, version: int) -> Any:
        return client.patch(url, json=body, headers={**headers, "If-Match": f'"{version}"'})

    return patch


@pytest.fixture
def account_payload() -> Callable[..., dict[str, Any]]:
    """Build a customer.account.* payload: account_payload("acc-1", tier="key", version=2)."""
    return account_data


@pytest.fixture
def contact_payload() -> Callable[..., dict[str, Any]]:
    """Build a customer.contact.* payload: contact_payload("con-1", "acc-1", emails=[...])."""
    return contact_data


# --- SLA engine and knowledge base (helper D2) ----------------------------------------------------------

OFFICE_HOURS = {day: [{"start": "09:00", "end": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def create_calendar(client: FlaskClient, manager: Headers) -> Callable[..., dict[str, Any]]:
    """Define a business calendar through the API (default: Mon-Fri 09:00-17:00 UTC) and return its JSON."""

    def create(name: str = "Office hours", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "timezone": "UTC", "weekly_hours": OFFICE_HOURS, **fields}
        response = client.post("/api/v1/business-calendars", json=body, headers=manager)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def create_policy(client: FlaskClient, manager: Headers) -> Callable[..., dict[str, Any]]:
    """Add an SLA policy through the API and return its JSON: create_policy("Key", conditions={...})."""

    def create(name: str = "Standard", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "first_response_seconds": 4 * 3600, "resolution_seconds": 16 * 3600, **fields}
        response = client.post("/api/v1/sla-policies", json=body, headers=manager)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def sweep(database: crmkit.Database) -> Callable[[datetime], int]:
    """Run the sla-sweep job once at `now` (as the worker would), returning how many events it wrote."""
    from crmkit.jobs import run_once
    from service_desk.jobs import JOBS

    job = next(job for job in JOBS if job.name == "sla-sweep")
    return lambda now: run_once(database, job, now) or 0


@pytest.fixture
def ticket_sla(client: FlaskClient, agent: Headers) -> Callable[[str], dict[str, Any]]:
    """GET /api/v1/tickets/<id>/sla as an agent."""

    def read(ticket_id: str) -> dict[str, Any]:
        response = client.get(f"/api/v1/tickets/{ticket_id}/sla", headers=agent)
        assert response.status_code == 200, response.json
        return dict(response.json)

    return read
