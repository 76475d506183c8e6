"""Opportunities, pipelines and loss reasons through the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]
STANDARD = "00000000000000000000000000000001"
PROPOSAL = "00000000000000000000000000000013"
WON = "00000000000000000000000000000015"
LOST = "00000000000000000000000000000016"
PRICE = "00000000000000000000000000000021"


@pytest.fixture
def opportunity(client: FlaskClient, rep: Headers, add_rep: Callable[..., Any]) -> dict[str, Any]:
    add_rep("rep-1")
    body = {"name": "Fleet telematics", "amount": "1000.50", "currency": "EUR", "account_id": "acc-1"}
    response = client.post("/api/v1/opportunities", json=body, headers=rep)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_create_in_default_pipeline(opportunity: dict[str, Any], outbox: Callable[..., Any]) -> None:
    assert opportunity["pipeline_id"] == STANDARD
    assert opportunity["owner_id"] == "rep-1"
    assert opportunity["owner_team"] == "north"
    assert opportunity["probability"] == 10
    assert opportunity["weighted_amount"] == "100.05"
    assert opportunity["forecast_category"] == "pipeline"
    created = outbox("sales.opportunity.created")[0].data
    assert created["account_id"] == "acc-1"
    assert created["amount"] == "1000.50"


def test_stage_change_records_time_in_stage(
    client: FlaskClient, rep: Headers, opportunity: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    url = f"/api/v1/opportunities/{opportunity['id']}"
    response = client.post(f"{url}/stage", json={"stage_id": PROPOSAL}, headers=rep)
    assert response.status_code == 200
    assert response.json["probability"] == 50
    assert response.json["forecast_category"] == "best_case"
    event = outbox("sales.opportunity.stage_changed")[0].data
    assert event["from_stage_id"] == "00000000000000000000000000000011"
    assert event["stage_name"] == "Proposal"
    assert event["seconds_in_previous_stage"] >= 0
    assert event["changes"]["stage_id"]["after"] == PROPOSAL
    history = client.get(f"{url}/stage-history", headers=rep).json["items"]
    assert [item["stage_name"] for item in history] == ["Qualification", "Proposal"]
    assert history[0]["left_at"] is not None and history[1]["left_at"] is None


def test_unknown_stage_is_refused(client: FlaskClient, rep: Headers, opportunity: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/opportunities/{opportunity['id']}/stage", json={"stage_id": "x"}, headers=rep
    )
    assert response.status_code == 422
    assert response.json["code"] == "sales.opportunity.stage_invalid"
    assert response.json["errors"][0]["field"] == "stage_id"


def test_win(
    client: FlaskClient, rep: Headers, opportunity: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    response = client.post(f"/api/v1/opportunities/{opportunity['id']}/win", headers=rep)
    assert response.status_code == 200
    won = response.json
    assert (won["status"], won["probability"], won["forecast_category"]) == ("won", 100, "closed_won")
    assert won["stage_id"] == WON
    assert won["weighted_amount"] == "1000.50"
    event = outbox("sales.opportunity.won")[0].data
    assert event["account_id"] == "acc-1"
    assert event["changes"]["status"] == {"before": "open", "after": "won"}
    again = client.post(
        f"/api/v1/opportunities/{opportunity['id']}/stage", json={"stage_id": PROPOSAL}, headers=rep
    )
    assert again.status_code == 409
    assert again.json["code"] == "sales.opportunity.closed"


def test_lose_needs_a_reason_from_the_list(
    client: FlaskClient, rep: Headers, opportunity: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    url = f"/api/v1/opportunities/{opportunity['id']}"
    no_reason = client.post(f"{url}/stage", json={"stage_id": LOST}, headers=rep)
    assert no_reason.status_code == 422
    assert no_reason.json["errors"][0]["field"] == "loss_reason_id"
    unknown = client.post(f"{url}/lose", json={"loss_reason_id": "nope"}, headers=rep)
    assert unknown.status_code == 422
    response = client.post(f"{url}/lose", json={"loss_reason_id": PRICE, "note": "too dear"}, headers=rep)
    assert response.status_code == 200
    lost = response.json
    assert (lost["status"], lost["probability"], lost["forecast_category"]) == ("lost", 0, "omitted")
    assert lost["weighted_amount"] == "0.00"
    event = outbox("sales.opportunity.lost")[0].data
    assert event["loss_reason"] == "Price"
    assert event["account_id"] == "acc-1"


def test_money_is_validated(client: FlaskClient, rep: Headers) -> None:
    body = {"name": "X", "amount": 1.5e300, "currency": "EU"}
    response = client.post("/api/v1/opportunities", json=body, headers=rep)
    assert response.status_code == 422
    assert {error["field"] for error in response.json["errors"]} == {"amount", "currency"}


def test_patch_with_if_match(
    client: FlaskClient, rep: Headers, opportunity: dict[str, Any], patch_json: Callable[..., Any]
) -> None:
    url = f"/api/v1/opportunities/{opportunity['id']}"
    response = patch_json(
        url, {"amount": "2000", "probability": 40, "expected_close_date": "2026-09-30"}, rep, 1
    )
    assert response.status_code == 200, response.json
    assert response.json["weighted_amount"] == "800.00"
    assert patch_json(url, {"amount": "1"}, rep, 1).status_code == 412


def test_access_by_owner_team_and_department(
    client: FlaskClient,
    opportunity: dict[str, Any],
    other_rep: Headers,
    south_rep: Headers,
    manager: Headers,
    as_role: Callable[..., Headers],
) -> None:
    url = f"/api/v1/opportunities/{opportunity['id']}"
    assert client.get(url, headers=south_rep).status_code == 404
    assert client.get(url, headers=other_rep).status_code == 404
    assert client.get(url, headers=manager).status_code == 200
    assert client.post(f"{url}/win", headers=manager).status_code == 200
    project_manager = as_role("project_manager", sub="pm-1")
    assert client.get(url, headers=project_manager).status_code == 200
    assert (
        client.post(f"{url}/stage", json={"stage_id": PROPOSAL}, headers=project_manager).status_code == 403
    )
    assert client.get(url, headers=as_role("delivery_member", sub="dm-1")).status_code == 404
    listed = client.get("/api/v1/opportunities?status=won", headers=project_manager).json["items"]
    assert [item["id"] for item in listed] == [opportunity["id"]]


def test_pipeline_rules(client: FlaskClient, manager: Headers, rep: Headers) -> None:
    stages = [
        {"name": "Discovery", "probability": 20},
        {"name": "Offer", "probability": 60},
        {"name": "Closed won", "outcome": "won"},
        {"name": "Closed lost", "outcome": "lost"},
    ]
    bad = client.post(
        "/api/v1/pipelines", json={"name": "X", "stages": stages[:2] + stages[2:3] * 2}, headers=manager
    )
    assert bad.status_code == 422
    assert bad.json["code"] == "sales.pipeline.invalid"
    assert (
        client.post("/api/v1/pipelines", json={"name": "Y", "stages": stages}, headers=rep).status_code == 403
    )
    created = client.post("/api/v1/pipelines", json={"name": "Partners", "stages": stages}, headers=manager)
    assert created.status_code == 201
    assert [stage["probability"] for stage in created.json["stages"]] == [20, 60, 100, 0]
    assert created.json["is_default"] is False
    body = {"name": "Deal", "amount": "10", "currency": "USD", "pipeline_id": created.json["id"]}
    opportunity = client.post("/api/v1/opportunities", json=body, headers=manager).json
    assert opportunity["probability"] == 20
    names = [pipeline["name"] for pipeline in client.get("/api/v1/pipelines", headers=rep).json["items"]]
    assert names == ["Partners", "Standard"]
    kept = [
        {
            "id": stage["id"],
            "name": stage["name"],
            "probability": stage["probability"],
            "outcome": stage["outcome"],
        }
        for stage in created.json["stages"]
    ]
    in_use = client.patch(
        f"/api/v1/pipelines/{created.json['id']}",
        json={"stages": kept[1:]},
        headers={**manager, "If-Match": '"1"'},
    )
    assert in_use.status_code == 409
    assert in_use.json["code"] == "sales.pipeline.stage_in_use"


def test_loss_reasons(client: FlaskClient, manager: Headers, rep: Headers) -> None:
    created = client.post("/api/v1/loss-reasons", json={"name": "Budget cut"}, headers=manager)
    assert created.status_code == 201
    assert (
        client.post("/api/v1/loss-reasons", json={"name": "Budget cut"}, headers=manager).status_code == 409
    )
    retired = client.patch(
        f"/api/v1/loss-reasons/{created.json['id']}", json={"active": False}, headers=manager
    )
    assert retired.json["active"] is False
    names = [item["name"] for item in client.get("/api/v1/loss-reasons", headers=rep).json["items"]]
    assert "Budget cut" not in names and "Price" in names
