"""The core sales flows on PostgreSQL, and concurrent captures taking turns on the round robin."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import crmkit
from crmkit import migrations
from crmkit.testing.auth import TokenFactory
from sales.app import create_app
from sales.cli import MIGRATIONS_DIR

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
    app = create_app(crmkit.ServiceSettings.from_env("sales", env=env, testing=True))
    yield app
    crmkit.runtime(app).database.dispose()


def test_lead_to_won_opportunity_on_postgresql(pg_app: Flask, token_factory: TokenFactory) -> None:
    client = pg_app.test_client()
    manager = token_factory.headers("sales_manager", sub="manager-1", team="north")
    client.post("/api/v1/sales-reps", json={"id": "rep-1", "name": "Rep", "team": "north"}, headers=manager)
    form = client.post("/api/v1/web-forms", json={"name": "Site"}, headers=manager).json
    client.post(
        "/api/v1/lead-assignment-rules",
        json={"name": "web", "sources": ["web"], "rep_ids": ["rep-1"]},
        headers=manager,
    )
    receipt = client.post(
        "/api/v1/web-leads",
        json={"last_name": "Krause", "company": "Nordwind", "consent": True},
        headers={"X-Api-Key": form["api_key"]},
    ).json
    rep = token_factory.headers("sales_rep", sub="rep-1", team="north")
    assert client.get(f"/api/v1/leads/{receipt['id']}", headers=rep).json["owner_id"] == "rep-1"
    client.post(f"/api/v1/leads/{receipt['id']}/qualify", headers=rep)
    body = {"opportunity": {"amount": "999.99", "currency": "EUR"}}
    opportunity = client.post(f"/api/v1/leads/{receipt['id']}/convert", json=body, headers=rep).json[
        "opportunity"
    ]
    moved = client.post(
        f"/api/v1/opportunities/{opportunity['id']}/stage",
        json={"stage_id": "00000000000000000000000000000014"},
        headers=rep,
    )
    assert moved.json["weighted_amount"] == "749.99"
    won = client.post(f"/api/v1/opportunities/{opportunity['id']}/win", headers=rep).json
    assert won["status"] == "won" and won["amount"] == "999.99"
    history = client.get(f"/api/v1/opportunities/{opportunity['id']}/stage-history", headers=rep).json[
        "items"
    ]
    assert [item["stage_name"] for item in history] == ["Qualification", "Negotiation", "Won"]


def test_concurrent_captures_take_turns_on_the_round_robin(
    pg_app: Flask, token_factory: TokenFactory
) -> None:
    client = pg_app.test_client()
    manager = token_factory.headers("sales_manager", sub="manager-1", team="north")
    for rep_id in ("a", "b"):
        client.post(
            "/api/v1/sales-reps", json={"id": rep_id, "name": rep_id, "team": "north"}, headers=manager
        )
    client.post("/api/v1/lead-assignment-rules", json={"name": "rr", "rep_ids": ["a", "b"]}, headers=manager)
    statuses: list[int] = []
    owners: list[str] = []
    start = threading.Barrier(8)

    def capture(index: int) -> None:
        local = pg_app.test_client()
        start.wait()
        for round_ in range(3):
            body = {"last_name": f"P{index}-{round_}", "allow_duplicate": True}
            response = local.post("/api/v1/leads", json=body, headers=manager)
            statuses.append(response.status_code)
            if response.status_code == 201:
                owners.append(response.json["owner_id"])

    threads = [threading.Thread(target=capture, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [201] * 24
    assert Counter(owners) == {"a": 12, "b": 12}
