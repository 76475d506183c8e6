"""The ticket API on PostgreSQL: the main flow, and concurrent creates that must not share a number."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import crmkit
from crmkit import migrations
from crmkit.testing.auth import TokenFactory
from service_desk.app import create_app
from service_desk.cli import MIGRATIONS_DIR

pytestmark = pytest.mark.postgres


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


def test_concurrent_creates_get_distinct_numbers(pg_app: Flask, token_factory: TokenFactory) -> None:
    headers = token_factory.headers("service_agent", sub="agent-1")
    numbers: list[int] = []
    failures: list[object] = []

    def create(index: int) -> None:
        client = pg_app.test_client()
        for _ in range(5):
            body = {"subject": f"Parallel {index}", "requester_email": f"p{index}@acme.example"}
            response = client.post("/api/v1/tickets", json=body, headers=headers)
            if response.status_code != 201:
                failures.append(response.json)
                return
            numbers.append(response.json["number"])

    threads = [threading.Thread(target=create, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert len(numbers) == 30 and len(set(numbers)) == 30


def test_resolve_survey_and_reopen_on_postgresql(pg_app: Flask, token_factory: TokenFactory) -> None:
    client = pg_app.test_client()
    agent = token_factory.headers("service_agent", sub="agent-1")
    ticket = client.post(
        "/api/v1/tickets",
        json={"subject": "Help", "requester_email": "a@b.example", "type": "complaint"},
        headers=agent,
    ).json
    resolved = client.post(
        f"/api/v1/tickets/{ticket['id']}/status", json={"status": "resolved"}, headers=agent
    )
    assert resolved.status_code == 200, resolved.json
    comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    [token] = [m.group(1) for c in comments if (m := re.search(r"survey-responses/(\S+)", c["body"]))]
    assert client.post(f"/api/v1/survey-responses/{token}", json={"rating": 1}).status_code == 201
    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (after["status"], after["flagged"]) == ("open", True)
    manager = token_factory.headers("service_manager", sub="manager-1")
    period = "from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z"
    summary = client.get(f"/api/v1/service-reports/summary?{period}", headers=manager)
    assert summary.status_code == 200, summary.json
    assert summary.json["complaints"]["total"] == 1
    assert summary.json["csat"]["responses"] == 1


def test_racing_survey_answers_count_once(pg_app: Flask, token_factory: TokenFactory) -> None:
    client = pg_app.test_client()
    agent = token_factory.headers("service_agent", sub="agent-1")
    ticket = client.post(
        "/api/v1/tickets", json={"subject": "Hi", "requester_email": "a@b.example"}, headers=agent
    ).json
    client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "resolved"}, headers=agent)
    comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    [token] = [m.group(1) for c in comments if (m := re.search(r"survey-responses/(\S+)", c["body"]))]
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def answer(rating: int) -> None:
        barrier.wait()
        statuses.append(
            pg_app.test_client()
            .post(f"/api/v1/survey-responses/{token}", json={"rating": rating})
            .status_code
        )

    threads = [threading.Thread(target=answer, args=(rating,)) for rating in (1, 3, 4, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [201, 409, 409, 409]
