"""Cost, earned value, change control, documents, risks, quality and attendance on PostgreSQL."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmkit
from crmkit import migrations
from crmkit.testing.auth import TokenFactory
from crmkit.testing.events import outbox_events
from projects.app import create_app
from projects.cli import MIGRATIONS_DIR

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
    settings = crmkit.ServiceSettings.from_env("projects", env=env, testing=True)
    app = create_app(dataclasses.replace(settings, extra={"PROJECTS_DOCUMENT_MAX_BYTES": "2048"}))
    yield app
    crmkit.runtime(app).database.dispose()


@pytest.fixture
def client(pg_app: Flask) -> FlaskClient:
    return pg_app.test_client()


@pytest.fixture
def pm(token_factory: TokenFactory) -> Headers:
    return token_factory.headers("project_manager", sub="pm-1")


@pytest.fixture
def dev(token_factory: TokenFactory) -> Headers:
    return token_factory.headers("delivery_member", sub="dev-1")


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.json
    return dict(response.json)


def test_time_cost_earned_value_and_a_change_on_postgresql(
    pg_app: Flask, client: FlaskClient, pm: Headers, dev: Headers
) -> None:
    body = {"name": "Plant upgrade", "start_date": "2026-03-02", "currency": "EUR", "account_id": "acc-1"}
    project = ok(client.post("/api/v1/projects", json=body, headers=pm), 201)
    base = f"/api/v1/projects/{project['id']}"
    ok(client.post(f"{base}/team", json={"user_id": "dev-1", "role": "team_member"}, headers=pm), 201)
    task = {"name": "Install", "duration_days": 10, "budget_amount": "2000", "progress_percent": 40}
    install = ok(client.post(f"{base}/tasks", json=task, headers=pm), 201)
    line = {"category": "labour", "role": "Fitter", "quantity": "40", "unit_rate": "50"}
    ok(client.post(f"{base}/budget-lines", json=line, headers=pm), 201)
    sheet = ok(
        client.post(
            f"{base}/timesheets",
            json={"entries": [{"work_date": "2026-03-03", "hours": "7.5", "role": "fitter"}]},
            headers=dev,
        ),
        201,
    )
    ok(client.post(f"{base}/timesheets/{sheet['id']}/approve", json={}, headers=pm))

    figures = ok(client.get(f"{base}/earned-value?as_of=2026-03-06", headers=pm))
    change = ok(
        client.post(
            f"{base}/change-requests",
            json={"title": "Second line", "task_changes": [{"task_id": install["id"], "shift_days": 2}]},
            headers=dev,
        ),
        201,
    )
    approved = ok(client.post(f"{base}/change-requests/{change['id']}/approve", json={}, headers=pm))

    # 2,000 over 10 working days, 5 of them by Fri 03-06: PV 1,000; EV 40 % = 800; AC 7.5 h x 50 = 375.
    assert (figures["pv"], figures["ev"], figures["ac"], figures["cpi"]) == (
        "1000.00",
        "800.00",
        "375.00",
        "2.1333",
    )
    assert ok(client.get(f"/api/v1/tasks/{install['id']}", headers=pm))["planned_start"] == "2026-03-04"
    assert approved["baseline_id"]
    database = crmkit.runtime(pg_app).database
    assert [e.data["cost_amount"] for e in outbox_events(database, "projects.timesheet.approved")] == [
        "375.00"
    ]
    assert [e.data["account_id"] for e in outbox_events(database, "projects.change_request.approved")] == [
        "acc-1"
    ]


def test_documents_risks_quality_and_attendance_on_postgresql(client: FlaskClient, pm: Headers) -> None:
    body = {"name": "Plant upgrade", "start_date": "2026-03-02", "currency": "EUR"}
    base = f"/api/v1/projects/{ok(client.post('/api/v1/projects', json=body, headers=pm), 201)['id']}"

    document = client.post(
        f"{base}/documents",
        data={"file": (io.BytesIO(b"%PDF-1.4 drawing"), "drawing.pdf"), "category": "drawing"},
        headers=pm,
        content_type="multipart/form-data",
    )
    too_large = client.post(
        f"{base}/documents",
        data={"file": (io.BytesIO(b"%PDF-" + b"x" * 4096), "big.pdf")},
        headers=pm,
        content_type="multipart/form-data",
    )
    risk = {
        "title": "Late steel",
        "probability": 3,
        "impact": 5,
        "owner_id": "pm-1",
        "response": "mitigate",
        "review_date": "2026-03-20",
    }
    raised = ok(client.post(f"{base}/risks", json=risk, headers=pm), 201)
    plan = ok(
        client.post(
            f"{base}/quality-plans",
            json={"deliverable": "Frame", "checklist": ["Welds"], "owner_id": "pm-1"},
            headers=pm,
        ),
        201,
    )
    review = {
        "held_on": "2026-03-12",
        "result": "passed",
        "checklist_results": [{"item": "Welds", "passed": True}],
    }
    ok(client.post(f"{base}/quality-plans/{plan['id']}/reviews", json=review, headers=pm), 201)
    ok(
        client.post(
            f"{base}/attendance/check-in", json={"site": "North", "at": "2026-03-09T06:00:00Z"}, headers=pm
        ),
        201,
    )
    ok(client.post(f"{base}/attendance/check-out", json={"at": "2026-03-09T16:00:00Z"}, headers=pm))

    overtime = ok(client.get(f"{base}/attendance/overtime?from=2026-03-09&to=2026-03-09", headers=pm))

    assert document.status_code == 201, document.json
    assert (too_large.status_code, too_large.json["code"]) == (413, "projects.document.too_large")
    assert len(ok(client.get(f"{base}/documents", headers=pm))["items"]) == 1
    assert raised["score"] == 15
    assert overtime["people"][0]["overtime_hours"] == "2.00"
