"""Fixtures of the sales service's tests: a migrated SQLite database per test, the app, tokens, outbox.

Tests run in pytest's importlib mode, so shared helpers live here as fixtures, not in sibling modules.
S1 (core) and S2 (commercial) both append fixtures here; keep each one small and documented.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.db import transaction
from crmkit.events.envelope import Event
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from sales.app import create_app
from sales.cli import MIGRATIONS_DIR
from sales.consumers import HANDLERS

Headers = dict[str, str]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations once per run; every test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "sales.db"
    migrations.upgrade(MIGRATIONS_DIR, f"sqlite:///{path}")
    return path


def settings_for(tmp_path: Path, database_url: str, jwks_url: str, **env: str) -> crmkit.ServiceSettings:
    values = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "JWT_JWKS_URL": jwks_url, **env}
    settings = crmkit.ServiceSettings.from_env("sales", env=values, testing=True)
    settings.broker_transport_options()  # creates the filesystem broker's folders (readiness checks them)
    return settings


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path, token_factory: TokenFactory) -> crmkit.ServiceSettings:
    database = tmp_path / "sales.db"
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
    """Authorization headers for a caller with these roles: as_role("sales_rep", sub="u-1", team="north")."""

    def headers(*roles: str, sub: str = "user-1", **claims: Any) -> Headers:
        return token_factory.headers(*roles, sub=sub, **claims)

    return headers


@pytest.fixture
def rep(as_role: Callable[..., Headers]) -> Headers:
    """Rep `rep-1` of team `north`."""
    return as_role("sales_rep", sub="rep-1", team="north")


@pytest.fixture
def other_rep(as_role: Callable[..., Headers]) -> Headers:
    """Rep `rep-2` of team `north` (same team as `rep`)."""
    return as_role("sales_rep", sub="rep-2", team="north")


@pytest.fixture
def south_rep(as_role: Callable[..., Headers]) -> Headers:
    """Rep `rep-3` of team `south`."""
    return as_role("sales_rep", sub="rep-3", team="south")


@pytest.fixture
def manager(as_role: Callable[..., Headers]) -> Headers:
    """Sales manager of team `north`."""
    return as_role("sales_manager", sub="manager-1", team="north")


@pytest.fixture
def management(as_role: Callable[..., Headers]) -> Headers:
    return as_role("management", sub="boss-1")


@pytest.fixture
def admin(as_role: Callable[..., Headers]) -> Headers:
    return as_role("admin", sub="admin-1")


@pytest.fixture
def reader(as_role: Callable[..., Headers]) -> Headers:
    """A caller with a valid token and no sales role."""
    return as_role("integrator", sub="reader-1")


@pytest.fixture
def outbox(database: crmkit.Database) -> Callable[..., list[Event]]:
    """The events written so far, oldest first: outbox() or outbox("sales.lead.created")."""
    return lambda routing_key=None: outbox_events(database, routing_key)


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
def deliver(database: crmkit.Database) -> Callable[..., None]:
    """Hand an event to this service's consumer handler in one transaction, as the worker would:
    deliver("customer.account.created", data, subject=..., sequence=...)."""

    def handle(
        routing_key: str, data: dict[str, Any], *, subject: str | None = None, sequence: int = 1
    ) -> None:
        event = Event(
            id=f"test-{routing_key}-{subject or data.get('id')}-{sequence}",
            source=f"/services/{routing_key.split('.')[0]}",
            type=f"crm.{routing_key}",
            subject=subject or str(data.get("id") or data.get("lead_id")),
            time=datetime.now(UTC),
            data=data,
            dataschema=f"urn:test:{routing_key}",
            sequence=sequence,
        )
        with transaction(database) as session:
            HANDLERS[routing_key](session, event)

    return handle


# --- S2 (commercial) fixtures -----------------------------------------------------------------------------


@pytest.fixture
def seed_account(database: crmkit.Database) -> Callable[..., str]:
    """Put an account into the read model as the customer events would: seed_account(tier="key", ...)."""
    from sales.accounts.models import AccountView

    def seed(
        account_id: str | None = None, *, name: str = "Acme GmbH", tier: str = "standard", **fields: Any
    ) -> str:
        account = AccountView(
            id=account_id or uuid.uuid4().hex,
            name=name,
            tier=tier,
            updated_at=datetime.now(UTC),
            **{"tags": [], **fields},
        )
        with transaction(database) as session:
            session.add(account)
        return account.id

    return seed


@pytest.fixture
def seed_opportunity(database: crmkit.Database, seed_account: Callable[..., str]) -> Callable[..., str]:
    """Open an opportunity (default pipeline, created when missing) through S1's open_opportunity, straight
    in the database: seed_opportunity(owner=("rep-1", "north"), amount="10000", tier="key", ...) -> id."""
    from datetime import date

    from sales.opportunities.models import Pipeline, Stage
    from sales.opportunities.service import open_opportunity

    def seed(
        *,
        owner: tuple[str, str | None] = ("rep-1", "north"),
        amount: str = "10000.00",
        currency: str = "EUR",
        tier: str = "standard",
        account_id: str | None = "",
        close: date | None = None,
        **fields: Any,
    ) -> str:
        if account_id == "":
            account_id = seed_account(tier=tier)
        now = datetime.now(UTC)
        with transaction(database) as session:
            if session.scalar(sa.select(Pipeline.id).limit(1)) is None:
                stages = [
                    ("Qualify", 10, "open"),
                    ("Propose", 60, "open"),
                    ("Won", 100, "won"),
                    ("Lost", 0, "lost"),
                ]
                session.add(
                    Pipeline(
                        name="Standard",
                        is_default=True,
                        created_at=now,
                        updated_at=now,
                        stages=[
                            Stage(name=name, position=index, probability=probability, outcome=outcome)
                            for index, (name, probability, outcome) in enumerate(stages)
                        ],
                    )
                )
                session.flush()
            opportunity = open_opportunity(
                session,
                fields={
                    "name": fields.pop("name", "Rollout"),
                    "account_id": account_id,
                    "amount": Decimal(amount),
                    "currency": currency,
                    "expected_close_date": close or now.date(),
                    **fields,
                },
                owner=owner,
                actor_id=owner[0],
                now=now,
            )
            return opportunity.id

    return seed


@pytest.fixture
def price_book(client: FlaskClient, management: Headers) -> dict[str, Any]:
    """Products and the EUR and USD price lists, created through the API; a USD rate of 0.9 from 2020-01-01."""
    products = {}
    for sku, kind, unit, tax in (
        ("CONS-DAY", "service", "day", "19"),
        ("LIC-USER", "product", "license", "19"),
    ):
        body = {"sku": sku, "name": sku.title(), "kind": kind, "unit": unit, "tax_rate": tax}
        response = client.post("/api/v1/products", json=body, headers=management)
        assert response.status_code == 201, response.json
        products[sku] = response.json["id"]
    lists = {}
    for currency, prices in (("EUR", ("1200.00", "33.33")), ("USD", ("1300.00", "36.00"))):
        body = {
            "currency": currency,
            "name": f"{currency} list",
            "prices": [
                {"product_id": products["CONS-DAY"], "unit_price": prices[0]},
                {"product_id": products["LIC-USER"], "unit_price": prices[1]},
            ],
        }
        response = client.post("/api/v1/price-lists", json=body, headers=management)
        assert response.status_code == 201, response.json
        lists[currency] = response.json["id"]
    rate = {"currency": "USD", "rate": "0.9", "valid_from": "2020-01-01"}
    assert client.post("/api/v1/exchange-rates", json=rate, headers=management).status_code == 201
    return {"products": products, "price_lists": lists}


@pytest.fixture
def discount_rules(client: FlaskClient, management: Headers) -> None:
    """Reps may give 10 % (15 % to key customers), sales managers 25 %."""
    for role, tier, limit in (
        ("sales_rep", "any", "10"),
        ("sales_rep", "key", "15"),
        ("sales_manager", "any", "25"),
    ):
        body = {"role": role, "tier": tier, "max_discount_percent": limit}
        assert client.post("/api/v1/discount-rules", json=body, headers=management).status_code == 201


# --- sales core (S1) helpers -------------------------------------------------------------------------------


@pytest.fixture
def add_rep(client: FlaskClient, manager: Headers) -> Callable[..., dict[str, Any]]:
    """Put a rep on the roster through the API: add_rep("rep-1", team="north", capacity=5)."""

    def add(rep_id: str, *, team: str | None = "north", **fields: Any) -> dict[str, Any]:
        body = {"id": rep_id, "name": fields.pop("name", rep_id.title()), "team": team, **fields}
        response = client.post("/api/v1/sales-reps", json=body, headers=manager)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return add


@pytest.fixture
def add_rule(client: FlaskClient, manager: Headers) -> Callable[..., dict[str, Any]]:
    """Add an assignment rule through the API: add_rule(["rep-1", "rep-2"], regions=["Bavaria"])."""

    def add(rep_ids: list[str], **fields: Any) -> dict[str, Any]:
        body = {"name": fields.pop("name", "rule"), "rep_ids": rep_ids, **fields}
        response = client.post("/api/v1/lead-assignment-rules", json=body, headers=manager)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return add


@pytest.fixture
def create_lead(client: FlaskClient, manager: Headers) -> Callable[..., dict[str, Any]]:
    """Capture a lead through the API (duplicates allowed) and return its JSON."""

    def create(headers: Headers | None = None, **fields: Any) -> dict[str, Any]:
        body = {"last_name": "Krause", "company": "Nordwind GmbH", "allow_duplicate": True, **fields}
        response = client.post("/api/v1/leads", json=body, headers=headers or manager)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


@pytest.fixture
def post_json(client: FlaskClient) -> Callable[..., Any]:
    """POST and return the response: post_json(url, body, headers)."""

    def post(url: str, body: dict[str, Any] | None, headers: Headers) -> Any:
        return client.post(url, json=body if body is not None else {}, headers=headers)

    return post


def _account_event(account_id: str, **fields: Any) -> dict[str, Any]:
    """A customer.account.* payload as the customer service publishes it."""
    return {
        "id": account_id,
        "name": fields.pop("name", "Acme GmbH"),
        "industry": fields.pop("industry", "Manufacturing"),
        "website": None,
        "domain": fields.pop("domain", None),
        "address": {"region": fields.pop("region", "Bavaria"), "country": "DE"},
        "owner_id": fields.pop("owner_id", None),
        "lifecycle_stage": "active",
        "tier": fields.pop("tier", "standard"),
        "tags": fields.pop("tags", []),
        "custom_fields": {},
        "merged_into_id": fields.pop("merged_into_id", None),
        "deleted_at": fields.pop("deleted_at", None),
        "created_at": "2026-03-02T09:15:00.000000Z",
        "updated_at": "2026-03-02T09:15:00.000000Z",
        "version": fields.pop("version", 1),
        **fields,
    }


def _contact_event(contact_id: str, account_id: str, email: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": contact_id,
        "account_id": account_id,
        "name": "Jana Novak",
        "title": None,
        "emails": [{"address": email, "label": "work"}],
        "phones": [],
        "preferred_channel": None,
        "consents": {},
        "deleted_at": None,
        "created_at": "2026-03-02T09:20:00.000000Z",
        "updated_at": "2026-03-02T09:20:00.000000Z",
        "version": 1,
        **fields,
    }


@pytest.fixture
def account_event() -> Callable[..., dict[str, Any]]:
    """A customer.account.* payload: account_event("acc-1", tier="key", version=2)."""
    return _account_event


@pytest.fixture
def contact_event() -> Callable[..., dict[str, Any]]:
    """A customer.contact.* payload: contact_event("con-1", "acc-1", "jana@acme.example")."""
    return _contact_event
