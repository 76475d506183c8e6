"""Automatic assignment through the API: rule order and conditions, round robin, least busy, capacity, absence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

import crmkit
from crmkit.jobs import run_once
from sales.jobs import JOBS

Headers = dict[str, str]
TODAY = datetime.now(UTC).date()


def owners(create_lead: Callable[..., Any], count: int, **fields: Any) -> list[str | None]:
    return [create_lead(last_name=f"L{index}", **fields)["owner_id"] for index in range(count)]


def test_round_robin_rotates(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    for rep_id in ("a", "b", "c"):
        add_rep(rep_id)
    rule = add_rule(["a", "b", "c"], strategy="round_robin")
    assert owners(create_lead, 4) == ["a", "b", "c", "a"]
    current = client.get(f"/api/v1/lead-assignment-rules/{rule['id']}", headers=manager).json
    assert current["version"] == rule["version"]  # taking turns does not change the rule


def test_least_busy_balances_open_leads(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    add_rep("a")
    add_rep("b")
    create_lead(owner_id="a")
    create_lead(owner_id="a")
    add_rule(["a", "b"], strategy="least_busy")
    assert owners(create_lead, 3) == ["b", "b", "a"]
    reps = {
        item["id"]: item["open_leads"]
        for item in client.get("/api/v1/sales-reps", headers=manager).json["items"]
    }
    assert reps == {"a": 3, "b": 2}


def test_capacity_and_absence_are_respected(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    add_rep("full", capacity=1)
    add_rep("away")
    add_rep("free")
    body = {
        "starts_on": (TODAY - timedelta(days=1)).isoformat(),
        "ends_on": (TODAY + timedelta(days=1)).isoformat(),
    }
    assert client.post("/api/v1/sales-reps/away/absences", json=body, headers=manager).status_code == 201
    add_rule(["full", "away", "free"])
    assert owners(create_lead, 3) == ["full", "free", "free"]


def test_first_matching_rule_wins_and_falls_through_when_nobody_is_free(
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
    deliver: Callable[..., Any],
    account_event: Callable[..., Any],
) -> None:
    add_rep("key-rep", capacity=1)
    add_rep("bavaria-rep")
    add_rep("anyone")
    add_rule(["key-rep"], tiers=["key"], position=1)
    add_rule(["bavaria-rep"], regions=["Bavaria"], industries=["Retail"], sources=["api"], position=2)
    add_rule(["anyone"], position=3)
    deliver("customer.account.created", account_event("acc-key", tier="key", domain="bigco.example"))
    assert create_lead(website="https://www.bigco.example/about")["owner_id"] == "key-rep"
    assert create_lead(website="bigco.example")["owner_id"] == "anyone"  # key-rep is at capacity
    assert create_lead(region="Bavaria", industry="retail")["owner_id"] == "bavaria-rep"
    assert create_lead(region="Bavaria", industry="Retail", source="event")["owner_id"] == "anyone"


def test_reassign_by_rules_again(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    lead = create_lead()
    assert lead["owner_id"] is None
    add_rep("late")
    add_rule(["late"])
    response = client.post(f"/api/v1/leads/{lead['id']}/assign", json={}, headers=manager)
    assert response.json["owner_id"] == "late"
    history = client.get(f"/api/v1/leads/{lead['id']}/assignments", headers=manager).json["items"]
    assert [item["reason"] for item in history] == ["unmatched", "rule"]


def test_rules_need_roster_reps_and_managers(
    client: FlaskClient,
    manager: Headers,
    rep: Headers,
    add_rep: Callable[..., Any],
) -> None:
    response = client.post(
        "/api/v1/lead-assignment-rules", json={"name": "x", "rep_ids": ["ghost"]}, headers=manager
    )
    assert response.status_code == 422
    assert response.json["code"] == "sales.assignment_rule.invalid"
    add_rep("a")
    assert (
        client.post(
            "/api/v1/lead-assignment-rules", json={"name": "x", "rep_ids": ["a"]}, headers=rep
        ).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/lead-assignment-rules",
        json={"name": "x", "rep_ids": ["a", "a"], "tiers": ["vip"]},
        headers=manager,
    )
    assert {error["field"] for error in bad.json["errors"]} == {"rep_ids", "tiers.0"}


def test_rule_update_and_delete_need_if_match(
    client: FlaskClient,
    manager: Headers,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    patch_json: Callable[..., Any],
) -> None:
    add_rep("a")
    rule = add_rule(["a"])
    url = f"/api/v1/lead-assignment-rules/{rule['id']}"
    updated = patch_json(url, {"active": False, "regions": ["Hamburg"]}, manager, rule["version"])
    assert updated.status_code == 200 and updated.json["active"] is False
    assert client.delete(url, headers=manager).status_code == 428
    assert (
        client.delete(url, headers={**manager, "If-Match": f'"{updated.json["version"]}"'}).status_code == 204
    )
    assert client.get(url, headers=manager).status_code == 404


def test_roster_and_absences(
    client: FlaskClient, manager: Headers, add_rep: Callable[..., Any], patch_json: Callable[..., Any]
) -> None:
    rep = add_rep("a", capacity=3)
    assert (
        client.post("/api/v1/sales-reps", json={"id": "a", "name": "A"}, headers=manager).status_code == 409
    )
    bad = client.post(
        "/api/v1/sales-reps/a/absences",
        json={"starts_on": "2026-05-02", "ends_on": "2026-05-01"},
        headers=manager,
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "ends_on"
    absence = client.post(
        "/api/v1/sales-reps/a/absences",
        json={"starts_on": "2026-05-01", "ends_on": "2026-05-03"},
        headers=manager,
    ).json
    stale = patch_json("/api/v1/sales-reps/a", {"team": "south"}, manager, rep["version"])
    assert stale.status_code == 412  # the absence changed the rep
    current = client.get("/api/v1/sales-reps/a", headers=manager).json["version"]
    updated = patch_json("/api/v1/sales-reps/a", {"team": "south", "capacity": 5}, manager, current)
    assert (updated.json["team"], updated.json["capacity"]) == ("south", 5)
    assert len(updated.json["absences"]) == 1
    assert client.delete(f"/api/v1/sales-reps/a/absences/{absence['id']}", headers=manager).status_code == 204
    assert client.get("/api/v1/sales-reps/a", headers=manager).json["absences"] == []
    assert client.get("/api/v1/sales-reps/zz", headers=manager).json["code"] == "sales.rep.not_found"


def test_waiting_leads_are_assigned_when_a_rep_is_free_again(
    client: FlaskClient,
    manager: Headers,
    database: crmkit.Database,
    add_rep: Callable[..., Any],
    add_rule: Callable[..., Any],
    create_lead: Callable[..., Any],
) -> None:
    add_rep("away")
    body = {"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()}
    client.post("/api/v1/sales-reps/away/absences", json=body, headers=manager)
    add_rule(["away"])
    waiting = create_lead()
    assert waiting["owner_id"] is None
    job = next(job for job in JOBS if job.name == "leads-assign-waiting")
    assert run_once(database, job, datetime.now(UTC)) == 0  # still away today
    assert run_once(database, job, datetime.now(UTC) + timedelta(days=1)) == 1  # back tomorrow
    lead = client.get(f"/api/v1/leads/{waiting['id']}", headers=manager).json
    assert lead["owner_id"] == "away"
    history = client.get(f"/api/v1/leads/{waiting['id']}/assignments", headers=manager).json["items"]
    assert [item["reason"] for item in history] == ["unmatched", "rule"]


def test_reps_record_their_own_absences_only(
    client: FlaskClient, rep: Headers, add_rep: Callable[..., Any]
) -> None:
    add_rep("rep-1")
    add_rep("rep-2")
    body = {"starts_on": "2026-08-01", "ends_on": "2026-08-14", "reason": "holiday"}
    own = client.post("/api/v1/sales-reps/rep-1/absences", json=body, headers=rep)
    assert own.status_code == 201
    other = client.post("/api/v1/sales-reps/rep-2/absences", json=body, headers=rep)
    assert other.status_code == 403 and other.json["code"] == "sales.access.forbidden"
    assert (
        client.delete(f"/api/v1/sales-reps/rep-1/absences/{own.json['id']}", headers=rep).status_code == 204
    )
