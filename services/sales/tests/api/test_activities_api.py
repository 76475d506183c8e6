"""Activities and visit plans through the HTTP API; completion feeds the account's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
CALL = {"kind": "call", "subject": "Intro call", "due_at": "2026-05-04T09:00:00Z", "account_id": "acc-1"}


def test_complete_emits_activity_completed_with_account(
    client: FlaskClient, rep: Headers, add_rep: Callable[..., Any], outbox: Callable[..., Any]
) -> None:
    add_rep("rep-1")
    activity = client.post("/api/v1/activities", json=CALL, headers=rep)
    assert activity.status_code == 201, activity.json
    assert activity.json["owner_team"] == "north"
    url = f"/api/v1/activities/{activity.json['id']}"
    done = client.post(
        f"{url}/complete", json={"outcome": "follow_up", "outcome_notes": "Send offer"}, headers=rep
    )
    assert done.status_code == 200
    assert done.json["status"] == "completed"
    event = outbox("sales.activity.completed")[0].data
    assert event["account_id"] == "acc-1"
    assert event["outcome"] == "follow_up"
    assert event["changes"]["status"] == {"before": "planned", "after": "completed"}
    again = client.post(f"{url}/complete", json={"outcome": "successful"}, headers=rep)
    assert again.status_code == 409
    assert again.json["code"] == "sales.activity.closed"


def test_account_comes_from_the_opportunity(client: FlaskClient, rep: Headers) -> None:
    opportunity = client.post(
        "/api/v1/opportunities",
        json={"name": "D", "amount": "1", "currency": "EUR", "account_id": "acc-9"},
        headers=rep,
    ).json
    body = {
        "kind": "meeting",
        "subject": "Demo",
        "due_at": "2026-05-04T09:00:00Z",
        "opportunity_id": opportunity["id"],
    }
    activity = client.post("/api/v1/activities", json=body, headers=rep).json
    assert activity["account_id"] == "acc-9"


def test_bad_input(client: FlaskClient, rep: Headers) -> None:
    response = client.post("/api/v1/activities", json={"kind": "lunch", "due_at": "tomorrow"}, headers=rep)
    assert response.status_code == 422
    assert {error["field"] for error in response.json["errors"]} == {"kind", "due_at", "subject"}
    visit = client.post(
        "/api/v1/activities",
        json={"kind": "visit", "subject": "x", "due_at": "2026-05-04T09:00:00Z"},
        headers=rep,
    )
    assert visit.status_code == 422
    assert visit.json["errors"][0]["field"] == "account_id"
    outcome = client.post("/api/v1/activities", json=CALL, headers=rep).json
    bad = client.post(f"/api/v1/activities/{outcome['id']}/complete", json={"outcome": "great"}, headers=rep)
    assert bad.status_code == 422


def test_visit_plan_creates_visits(
    client: FlaskClient, rep: Headers, manager: Headers, south_rep: Headers
) -> None:
    body = {
        "day": "2026-05-12",
        "title": "Hamburg tour",
        "visits": [
            {
                "account_id": "acc-1",
                "subject": "Demo",
                "due_at": "2026-05-12T09:00:00Z",
                "location": "Hafen 1",
            },
            {"account_id": "acc-2", "subject": "Renewal", "due_at": "2026-05-12T14:00:00Z"},
        ],
    }
    response = client.post("/api/v1/visit-plans", json=body, headers=rep)
    assert response.status_code == 201, response.json
    plan = response.json
    assert [visit["kind"] for visit in plan["visits"]] == ["visit", "visit"]
    assert {visit["visit_plan_id"] for visit in plan["visits"]} == {plan["id"]}
    listed = client.get(f"/api/v1/activities?visit_plan_id={plan['id']}", headers=manager).json["items"]
    assert [item["subject"] for item in listed] == ["Demo", "Renewal"]
    assert client.get(f"/api/v1/visit-plans/{plan['id']}", headers=south_rep).status_code == 404
    wrong_day = {**body, "visits": [{**body["visits"][0], "due_at": "2026-05-13T09:00:00Z"}]}
    bad = client.post("/api/v1/visit-plans", json=wrong_day, headers=rep)
    assert bad.status_code == 422
    assert bad.json["errors"][0]["field"] == "visits.0.due_at"
    extra = {"kind": "visit", "subject": "Late stop", "account_id": "acc-3", "visit_plan_id": plan["id"]}
    off_day = client.post("/api/v1/activities", json={**extra, "due_at": "2026-05-13T09:00:00Z"}, headers=rep)
    assert off_day.status_code == 422 and off_day.json["errors"][0]["field"] == "due_at"
    added = client.post("/api/v1/activities", json={**extra, "due_at": "2026-05-12T17:00:00Z"}, headers=rep)
    assert added.status_code == 201
    assert len(client.get(f"/api/v1/visit-plans/{plan['id']}", headers=rep).json["visits"]) == 3


def test_access_and_other_departments(
    client: FlaskClient, rep: Headers, other_rep: Headers, manager: Headers, as_role: Callable[..., Headers]
) -> None:
    activity = client.post("/api/v1/activities", json=CALL, headers=rep).json
    url = f"/api/v1/activities/{activity['id']}"
    assert client.get(url, headers=other_rep).status_code == 404
    assert client.get(url, headers=manager).status_code == 200
    agent = as_role("service_agent", sub="agent-1")
    assert client.get(url, headers=agent).status_code == 200
    assert client.post(f"{url}/cancel", headers=agent).status_code == 403
    assert client.post(f"{url}/cancel", headers=manager).json["status"] == "cancelled"
    mine = client.get("/api/v1/activities", headers=rep).json["items"]
    assert [item["id"] for item in mine] == [activity["id"]]


def test_rep_cannot_plan_for_someone_else(
    client: FlaskClient, rep: Headers, manager: Headers, add_rep: Callable[..., Any]
) -> None:
    body = {**CALL, "owner_id": "rep-2"}
    assert client.post("/api/v1/activities", json=body, headers=manager).status_code == 403  # team unknown
    add_rep("rep-2", team="north")
    assert client.post("/api/v1/activities", json=body, headers=rep).status_code == 403
    planned = client.post("/api/v1/activities", json=body, headers=manager)
    assert planned.status_code == 201
    assert (planned.json["owner_id"], planned.json["owner_team"]) == ("rep-2", "north")
