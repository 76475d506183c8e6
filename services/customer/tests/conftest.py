"""Fixtures of the customer service's tests: a migrated SQLite database per test, the app, tokens, outbox.

Tests run in pytest's importlib mode, so shared helpers live here as fixtures, not in sibling modules.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.events.envelope import Event
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from customer.app import create_app
from customer.cli import MIGRATIONS_DIR
from customer.consumers import HANDLERS as CUSTOMER_HANDLERS

Headers = dict[str, str]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations once per run; every test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "customer.db"
    migrations.upgrade(MIGRATIONS_DIR, f"sqlite:///{path}")
    return path


def settings_for(tmp_path: Path, database_url: str, jwks_url: str, **env: str) -> crmkit.ServiceSettings:
    values = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "JWT_JWKS_URL": jwks_url, **env}
    settings = crmkit.ServiceSettings.from_env("customer", env=values, testing=True)
    settings.broker_transport_options()  # creates the filesystem broker's folders (readiness checks them)
    return settings


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path, token_factory: TokenFactory) -> crmkit.ServiceSettings:
    database = tmp_path / "customer.db"
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
    """Authorization headers for a caller with these roles: as_role("sales_rep", sub="u-1")."""

    def headers(*roles: str, sub: str = "user-1", **claims: Any) -> Headers:
        return token_factory.headers(*roles, sub=sub, **claims)

    return headers


@pytest.fixture
def rep(as_role: Callable[..., Headers]) -> Headers:
    return as_role("sales_rep", sub="rep-1")


@pytest.fixture
def manager(as_role: Callable[..., Headers]) -> Headers:
    return as_role("sales_manager", sub="manager-1")


@pytest.fixture
def admin(as_role: Callable[..., Headers]) -> Headers:
    return as_role("admin", sub="admin-1")


@pytest.fixture
def reader(as_role: Callable[..., Headers]) -> Headers:
    """A caller with a valid token and no role that allows writing."""
    return as_role("integrator", sub="reader-1")


@pytest.fixture
def outbox(database: crmkit.Database) -> Callable[..., list[Event]]:
    """The events written so far, oldest first: outbox() or outbox("customer.account.created")."""
    return lambda routing_key=None: outbox_events(database, routing_key)


@pytest.fixture
def create_account(client: FlaskClient, rep: Headers) -> Callable[..., dict[str, Any]]:
    """Create an account through the API (duplicates allowed) and return its JSON."""

    def create(name: str = "Acme GmbH", **fields: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/accounts", json={"name": name, "allow_duplicate": True, **fields}, headers=rep
        )
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def create_contact(client: FlaskClient, rep: Headers) -> Callable[..., dict[str, Any]]:
    """Add a contact to an account through the API and return its JSON."""

    def create(account_id: str, name: str = "Jana Novak", **fields: Any) -> dict[str, Any]:
        body = {"name": name, "allow_duplicate": True, **fields}
        response = client.post(f"/api/v1/accounts/{account_id}/contacts", json=body, headers=rep)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def patch_json(client: FlaskClient) -> Callable[..., Any]:
    """PATCH with If-Match set to `version`: patch_json(url, body, headers, version)."""

    def patch(url: str, body: dict[str, Any], headers: Headers, version: int) -> Any:
        return client.patch(url, json=body, headers={**headers, "If-Match": f'"{version}"'})

    return patch


@pytest.fixture
def walk(client: FlaskClient) -> Callable[..., list[dict[str, Any]]]:
    """Follow next_cursor from `url` to the end; every page holds at most `limit` items. Return them all."""

    def follow(url: str, headers: Headers, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        for _ in range(1000):
            separator = "&" if "?" in url else "?"
            page_url = f"{url}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            response = client.get(page_url, headers=headers)
            assert response.status_code == 200, (page_url, response.json)
            page = response.json
            assert len(page["items"]) <= limit
            items.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return items
        raise AssertionError(f"{url}: the cursor never ended")

    return follow


@pytest.fixture
def deliver(database: crmkit.Database) -> Callable[[Event], None]:
    """Hand an event to this service's handler in one transaction, as the consumer does."""

    def apply(incoming: Event) -> None:
        with database.uow() as uow:
            CUSTOMER_HANDLERS[incoming.routing_key](uow.session, incoming)
            uow.commit()

    return apply
