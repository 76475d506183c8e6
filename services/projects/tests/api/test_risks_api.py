"""The risk register through the HTTP API: scoring, ordering, re-assessment and projects.risk.raised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def project(
    create_project: Callable[..., dict[str, Any]], db_team_member: Callable[..., None]
) -> dict[str, Any]:
    created = create_project(account_id="acc-7")
    db_team_member(created["id"], "dev-1", "team_member")
    return created


@pytest.fixture
def dev(as_role: Callable[..., Headers]) -> Headers:
    return as_role("delivery_member", sub="dev-1")


def risk(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Steel delivery may slip",
        "category": "schedule",
        "probability": 4,
        "impact": 4,
        "owner_id": "dev-1",
        "response": "mitigate",
        "response_plan": "Second supplier as fallback",
        "review_date": "2026-03-15",
        **fields,
    }


def test_raised_risk_is_scored_and_emits_the_event(
    client: FlaskClient, project: dict[str, Any], dev: Headers, outbox: Callable[..., list[Any]]
) -> None:
    response = client.post(f"/api/v1/projects/{project['id']}/risks", json=risk(), headers=dev)

    assert response.status_code == 201, response.json
    assert (response.json["score"], response.json["level"], response.json["status"]) == (16, "high", "open")
    [event] = outbox("projects.risk.raised")
    assert (event.subject, event.data["account_id"], event.data["score"]) == (
        response.json["id"],
        "acc-7",
        16,
    )


def test_register_lists_highest_score_first_or_by_review_date(
    client: FlaskClient, project: dict[str, Any], dev: Headers
) -> None:
    url = f"/api/v1/projects/{project['id']}/risks"
    low = client.post(
        url, json=risk(title="Low", probability=1, impact=2, review_date="2026-03-01"), headers=dev
    ).json
    high = client.post(
        url, json=risk(title="High", probability=5, impact=5, review_date="2026-04-01"), headers=dev
    ).json

    by_score = client.get(url, headers=dev).json["items"]
    by_review = client.get(f"{url}?sort=review_date", headers=dev).json["items"]

    assert [item["id"] for item in by_score] == [high["id"], low["id"]]
    assert [item["id"] for item in by_review] == [low["id"], high["id"]]
    assert (low["level"], high["level"]) == ("low", "high")


def test_owner_reassesses_and_the_score_follows(
    client: FlaskClient, project: dict[str, Any], dev: Headers, patch_json: Callable[..., Any]
) -> None:
    created = client.post(f"/api/v1/projects/{project['id']}/risks", json=risk(), headers=dev).json
    url = f"/api/v1/projects/{project['id']}/risks/{created['id']}"

    response = patch_json(url, {"probability": 2, "status": "mitigating"}, dev, created["version"])

    assert response.status_code == 200, response.json
    assert (response.json["score"], response.json["level"], response.json["status"]) == (
        8,
        "medium",
        "mitigating",
    )
    stale = patch_json(url, {"impact": 1}, dev, created["version"])
    assert stale.status_code == 412


def test_probability_outside_the_scale_names_the_field(
    client: FlaskClient, project: dict[str, Any], dev: Headers
) -> None:
    response = client.post(f"/api/v1/projects/{project['id']}/risks", json=risk(probability=6), headers=dev)

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "probability"


def test_someone_else_on_the_team_cannot_reassess(
    client: FlaskClient,
    project: dict[str, Any],
    pm: Headers,
    as_role: Callable[..., Headers],
    db_team_member: Callable[..., None],
    patch_json: Callable[..., Any],
) -> None:
    db_team_member(project["id"], "dev-2", "team_member")
    created = client.post(f"/api/v1/projects/{project['id']}/risks", json=risk(), headers=pm).json

    response = patch_json(
        f"/api/v1/projects/{project['id']}/risks/{created['id']}",
        {"impact": 1},
        as_role("delivery_member", sub="dev-2"),
        created["version"],
    )

    assert response.status_code == 403


def test_review_queue_lists_open_risks_due_by_a_day(
    client: FlaskClient, project: dict[str, Any], dev: Headers, patch_json: Callable[..., Any]
) -> None:
    url = f"/api/v1/projects/{project['id']}/risks"
    due = client.post(url, json=risk(title="Due", review_date="2026-03-10"), headers=dev).json
    client.post(url, json=risk(title="Later", review_date="2026-04-10"), headers=dev)
    closed = client.post(url, json=risk(title="Closed", review_date="2026-03-01"), headers=dev).json
    patch_json(f"{url}/{closed['id']}", {"status": "closed"}, dev, closed["version"])

    queue = client.get(f"{url}?review_due_by=2026-03-15&sort=review_date", headers=dev).json["items"]

    assert [item["id"] for item in queue] == [due["id"]]
