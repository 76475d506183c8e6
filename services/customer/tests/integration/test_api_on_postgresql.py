"""The API on PostgreSQL: the main flows, and concurrent writers that must not duplicate anything."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from customer.app import create_app
from customer.cli import MIGRATIONS_DIR

pytestmark = pytest.mark.postgres
Headers = dict[str, str]


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str, token_factory: TokenFactory) -> Iterator[Flask]:
    migrations.upgrade(MIGRATIONS_DIR, postgres_url)
    env = {
        "CRM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_url,
        "JWT_JWKS_URL": token_factory.jwks_url,
    }
    settings = crmkit.ServiceSettings.from_env("customer", env=env, testing=True)
    app = create_app(settings)
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def manager(token_factory: TokenFactory) -> Headers:
    return token_factory.headers("sales_manager", sub="manager-1")


def test_accounts_contacts_merge_and_delete_work_on_postgresql(pg_app: Flask, manager: Headers) -> None:
    client = pg_app.test_client()
    acme = client.post("/api/v1/accounts", json={"name": "Acme GmbH", "tags": ["emea"]}, headers=manager).json
    duplicate = client.post("/api/v1/accounts", json={"name": "ACME Inc."}, headers=manager)
    assert duplicate.status_code == 409 and duplicate.json["candidates"][0]["id"] == acme["id"]
    other = client.post(
        "/api/v1/accounts", json={"name": "Acme Inc", "allow_duplicate": True}, headers=manager
    ).json
    contact = client.post(
        f"/api/v1/accounts/{other['id']}/contacts", json={"name": "Jana"}, headers=manager
    ).json
    patched = client.patch(
        f"/api/v1/accounts/{acme['id']}", json={"tier": "key"}, headers={**manager, "If-Match": '"1"'}
    )
    assert patched.status_code == 200 and patched.headers["ETag"] == '"2"'
    merged = client.post(
        f"/api/v1/accounts/{acme['id']}/merge", json={"merged_account_id": other["id"]}, headers=manager
    )
    assert merged.status_code == 200
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=manager).json["account_id"] == acme["id"]
    pages = [client.get("/api/v1/accounts?q=acm&limit=1", headers=manager).json]
    assert [a["id"] for a in pages[0]["items"]] == [acme["id"]] and pages[0]["next_cursor"] is None
    deleted = client.delete(
        f"/api/v1/accounts/{acme['id']}", headers={**manager, "If-Match": merged.headers["ETag"]}
    )
    assert deleted.status_code == 204
    types = [
        event.type.removeprefix("crm.customer.") for event in outbox_events(crmkit.runtime(pg_app).database)
    ]
    assert types == [
        "account.created", "account.created", "contact.created", "account.updated", "contact.updated",
        "account.merged", "contact.deleted", "account.deleted",
    ]  # fmt: skip


def run_concurrently(count: int, call: Callable[[FlaskClient], Any], app: Flask) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[index] = call(client)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_logging_of_one_source_reference_logs_it_once(pg_app: Flask, manager: Headers) -> None:
    client = pg_app.test_client()
    account = client.post("/api/v1/accounts", json={"name": "Acme"}, headers=manager).json
    body = {"type": "email", "summary": "Ticket 7", "source": "servicedesk", "external_ref": "ticket-7"}
    url = f"/api/v1/accounts/{account['id']}/interactions"
    responses = run_concurrently(6, lambda c: c.post(url, json=body, headers=manager), pg_app)
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    assert len({r.json["id"] for r in responses}) == 1
    events = outbox_events(crmkit.runtime(pg_app).database, "customer.interaction.logged")
    assert len(events) == 1


def test_concurrent_changes_to_one_account_never_both_win(pg_app: Flask, manager: Headers) -> None:
    client = pg_app.test_client()
    account = client.post("/api/v1/accounts", json={"name": "Acme"}, headers=manager).json
    url = f"/api/v1/accounts/{account['id']}"
    headers = {**manager, "If-Match": '"1"'}
    responses = run_concurrently(
        4, lambda c: c.patch(url, json={"industry": f"i-{threading.get_ident()}"}, headers=headers), pg_app
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}
    assert len(outbox_events(crmkit.runtime(pg_app).database, "customer.account.updated")) == 1
