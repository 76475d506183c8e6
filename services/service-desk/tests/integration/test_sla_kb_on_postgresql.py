"""The SLA engine and the knowledge base on real PostgreSQL: tsvector search with its GIN index,
business-hours clocks with the sweep (under its advisory lock), and migration 0002 down and up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.jobs import run_once
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from service_desk.app import create_app
from service_desk.cli import MIGRATIONS_DIR
from service_desk.jobs import JOBS

pytestmark = pytest.mark.postgres
Headers = dict[str, str]
OFFICE = {day: [{"start": "09:00", "end": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str, token_factory: TokenFactory) -> Iterator[Flask]:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "JWT_JWKS_URL": token_factory.jwks_url,
    }
    app = create_app(crmkit.ServiceSettings.from_env("service-desk", env=env, testing=True))
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def pg_client(pg_app: Flask) -> FlaskClient:
    return pg_app.test_client()


def publish(client: FlaskClient, agent: Headers, manager: Headers, title: str, body: str) -> dict[str, Any]:
    draft = client.post("/api/v1/kb/articles", json={"title": title, "body": body}, headers=agent).json
    response = client.post(f"/api/v1/kb/articles/{draft['id']}/publish", json={}, headers=manager)
    assert response.status_code == 200, response.json
    return dict(response.json)


def found(client: FlaskClient, agent: Headers, q: str) -> list[str]:
    response = client.get("/api/v1/kb/search", query_string={"q": q}, headers=agent)
    assert response.status_code == 200, response.json
    return [hit["article"]["id"] for hit in response.json["items"]]


def test_kb_search_uses_tsvector_ranking_phrases_and_exclusions(
    pg_app: Flask, pg_client: FlaskClient, agent: Headers, manager: Headers
) -> None:
    export = publish(
        pg_client, agent, manager, "Invoice export fails", "Check the export folder and the PDF printer."
    )
    printer = publish(
        pg_client,
        agent,
        manager,
        "Printer setup",
        "Install the PDF printer driver before exporting invoices.",
    )
    draft = pg_client.post(
        "/api/v1/kb/articles", json={"title": "Invoice draft", "body": "x"}, headers=agent
    ).json
    assert found(pg_client, agent, "invoices") == [export["id"], printer["id"]]  # stemmed; title ranks first
    assert draft["id"] not in found(pg_client, agent, "invoice")
    assert found(pg_client, agent, '"printer driver"') == [printer["id"]]
    assert found(pg_client, agent, "pdf -driver") == [export["id"]]
    for text in ['x" OR 1=1 --', "!!", "a & b | c", "pass*word:", "or"]:
        assert isinstance(found(pg_client, agent, text), list)
    hits = pg_client.get("/api/v1/kb/search?q=printer", headers=agent).json["items"]
    assert "<mark>" in hits[0]["snippet"]
    with crmkit.runtime(pg_app).database.uow() as uow:
        index = uow.session.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_kb_articles_search'")
        ).scalar_one()
    assert "gin" in index.lower() and "search_vector" in index


def test_suggestions_for_a_ticket_on_postgresql(
    pg_client: FlaskClient, agent: Headers, manager: Headers
) -> None:
    export = publish(pg_client, agent, manager, "Invoice export fails", "Check the export folder.")
    publish(pg_client, agent, manager, "Reset a password", "Use the forgot password link.")
    ticket = pg_client.post(
        "/api/v1/tickets",
        json={"subject": "Our invoice export is failing", "requester_email": "x@shop.example"},
        headers=agent,
    ).json
    response = pg_client.get(f"/api/v1/tickets/{ticket['id']}/suggested-articles", headers=agent)
    assert [hit["article"]["id"] for hit in response.json["items"]] == [export["id"]]


def test_business_hours_clock_pauses_warns_and_breaches_on_postgresql(
    pg_app: Flask, pg_client: FlaskClient, agent: Headers, manager: Headers, clock: Any
) -> None:
    calendar = pg_client.post(
        "/api/v1/business-calendars",
        json={"name": "Office", "timezone": "Europe/Berlin", "weekly_hours": OFFICE},
        headers=manager,
    ).json
    policy = {"name": "Std", "resolution_seconds": 4 * 3600, "calendar_id": calendar["id"]}
    assert pg_client.post("/api/v1/sla-policies", json=policy, headers=manager).status_code == 201
    clock.set(datetime(2026, 3, 6, 13, 0, tzinfo=UTC))  # Friday 14:00 Berlin
    ticket = pg_client.post(
        "/api/v1/tickets", json={"subject": "Down", "requester_email": "x@shop.example"}, headers=agent
    ).json
    view = pg_client.get(f"/api/v1/tickets/{ticket['id']}/sla", headers=agent).json
    assert view["clocks"][0]["due_at"] == "2026-03-09T09:00:00.000000Z"  # Monday 10:00 Berlin
    database = crmkit.runtime(pg_app).database
    sweep = next(job for job in JOBS if job.name == "sla-sweep")
    assert run_once(database, sweep, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) == 0  # the weekend
    assert run_once(database, sweep, datetime(2026, 3, 9, 8, 12, tzinfo=UTC)) == 1
    assert run_once(database, sweep, datetime(2026, 3, 9, 9, 0, tzinfo=UTC)) == 1
    assert run_once(database, sweep, datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) == 0
    types = [event.type for event in outbox_events(database) if "sla" in event.type]
    assert types == ["crm.servicedesk.ticket.sla_warning", "crm.servicedesk.ticket.sla_breached"]


def test_migration_0002_goes_down_and_up_on_postgresql(postgres_url: str) -> None:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    command.downgrade(migrations.alembic_config(MIGRATIONS_DIR, postgres_url), "0001")
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert "sla_clocks" not in sa.inspect(connection).get_table_names()
        migrations.upgrade(MIGRATIONS_DIR, postgres_url)
        with engine.connect() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("kb_articles")}
        assert "search_vector" in columns
    finally:
        engine.dispose()


def test_the_sweep_skips_a_ticket_another_transaction_is_changing(
    pg_app: Flask, pg_client: FlaskClient, agent: Headers, manager: Headers, postgres_url: str
) -> None:
    policy = {"name": "Std", "first_response_seconds": 3600}
    assert pg_client.post("/api/v1/sla-policies", json=policy, headers=manager).status_code == 201
    ticket = pg_client.post(
        "/api/v1/tickets", json={"subject": "Down", "requester_email": "x@shop.example"}, headers=agent
    ).json
    database = crmkit.runtime(pg_app).database
    sweep = next(job for job in JOBS if job.name == "sla-sweep")
    due = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    other = sa.create_engine(postgres_url)
    try:
        with other.begin() as busy:  # e.g. an agent's reply being written right now
            busy.execute(sa.text("SELECT id FROM tickets WHERE id = :id FOR UPDATE"), {"id": ticket["id"]})
            assert run_once(database, sweep, due) == 0
        assert run_once(database, sweep, due) == 2
    finally:
        other.dispose()
