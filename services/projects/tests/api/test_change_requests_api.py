"""Change requests through the HTTP API: impact, approval levels, re-baselining and the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def dev(as_role: Callable[..., Headers]) -> Headers:
    return as_role("delivery_member", sub="dev-1")


@pytest.fixture
def plan(
    client: FlaskClient,
    create_project: Callable[..., dict[str, Any]],
    db_team_member: Callable[..., None],
    pm: Headers,
) -> dict[str, Any]:
    """Design (5 working days from Mon 2026-03-02, budget 1,000) -> FS -> Build (10 days, budget 4,000)."""
    project = create_project(account_id="acc-1")
    db_team_member(project["id"], "dev-1", "team_member")
    tasks_url = f"/api/v1/projects/{project['id']}/tasks"
    design = client.post(
        tasks_url,
        json={"name": "Design", "duration_days": 5, "budget_amount": "1000", "progress_percent": 0},
        headers=pm,
    )
    build = client.post(
        tasks_url,
        json={"name": "Build", "duration_days": 10, "budget_amount": "4000", "progress_percent": 0},
        headers=pm,
    )
    assert design.status_code == build.status_code == 201, (design.json, build.json)
    link = {"predecessor_id": design.json["id"], "successor_id": build.json["id"], "type": "FS"}
    assert (
        client.post(f"/api/v1/projects/{project['id']}/dependencies", json=link, headers=pm).status_code
        == 201
    )
    return {"project": project, "design": design.json["id"], "build": build.json["id"]}


def cr_url(plan: dict[str, Any], path: str = "") -> str:
    return f"/api/v1/projects/{plan['project']['id']}/change-requests{path}"


def task(client: FlaskClient, task_id: str, headers: Headers) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/tasks/{task_id}", headers=headers).json)


def extension(plan: dict[str, Any], hours: str = "20", rate: str = "50", **extra: Any) -> dict[str, Any]:
    amount = str(int(hours) * int(rate))
    return {
        "title": "Extra interface",
        "reason": "Customer asked for a second ERP interface",
        "scope_items": [
            {
                "name": "ERP interface 2",
                "category": "labour",
                "unit": "hour",
                "quantity": hours,
                "unit_price": "90",
            }
        ],
        "task_changes": [{"task_id": plan["design"], "extend_days": 2, "budget_delta": amount}],
        "budget_lines": [{"category": "labour", "role": "Consultant", "quantity": hours, "unit_rate": rate}],
        **extra,
    }


def test_approved_change_moves_the_plan_adds_budget_and_saves_a_baseline(
    client: FlaskClient, plan: dict[str, Any], pm: Headers, dev: Headers, outbox: Callable[..., list[Any]]
) -> None:
    project_id = plan["project"]["id"]
    build_before = task(client, plan["build"], pm)
    assert build_before["planned_start"] == "2026-03-09"
    change = client.post(cr_url(plan), json=extension(plan), headers=dev)
    assert change.status_code == 201, change.json
    assert (change.json["code"], change.json["status"], change.json["approval_level"]) == (
        "CR-1",
        "submitted",
        "project_manager",
    )
    assert (change.json["cost_delta"], change.json["price_delta"]) == ("1000.00", "1800.00")

    response = client.post(cr_url(plan, f"/{change.json['id']}/approve"), json={"comment": "ok"}, headers=pm)

    assert response.status_code == 200, response.json
    assert response.json["status"] == "approved"
    design, build = task(client, plan["design"], pm), task(client, plan["build"], pm)
    assert (design["planned_finish"], design["duration_days"], design["budget_amount"]) == (
        "2026-03-10",
        7,
        "2000.00",
    )
    assert build["planned_start"] == "2026-03-11"  # the dependant moved with it
    baselines = client.get(f"/api/v1/projects/{project_id}/baselines", headers=pm).json["items"]
    assert [item["name"] for item in baselines] == ["CR-1: Extra interface"]
    assert baselines[0]["id"] == response.json["baseline_id"]
    lines = client.get(f"/api/v1/projects/{project_id}/budget-lines", headers=pm).json["items"]
    assert [(line["source"], line["amount"], line["source_ref"]) for line in lines] == [
        ("change_request", "1000.00", change.json["id"])
    ]
    [event] = outbox("projects.change_request.approved")
    assert event.subject == change.json["id"]
    assert (event.data["account_id"], event.data["cost_delta"], event.data["price_delta"]) == (
        "acc-1",
        "1000.00",
        "1800.00",
    )
    assert event.data["baseline_id"] == response.json["baseline_id"]
    assert outbox("projects.task.rescheduled")
    earned = client.get(f"/api/v1/projects/{project_id}/earned-value?as_of=2026-03-02", headers=pm).json
    assert (earned["basis"], earned["baseline_id"], earned["bac"]) == (
        "baseline",
        baselines[0]["id"],
        "6000.00",
    )


def test_change_above_the_limit_needs_management(
    client: FlaskClient, plan: dict[str, Any], pm: Headers, as_role: Callable[..., Headers]
) -> None:
    change = client.post(cr_url(plan), json=extension(plan, hours="200", rate="60"), headers=pm).json
    assert (change["cost_delta"], change["approval_level"]) == ("12000.00", "management")

    by_pm = client.post(cr_url(plan, f"/{change['id']}/approve"), json={}, headers=pm)
    by_sponsor = client.post(
        cr_url(plan, f"/{change['id']}/approve"), json={}, headers=as_role("management", sub="boss")
    )

    assert (by_pm.status_code, by_pm.json["code"]) == (403, "projects.change_request.approval_level")
    assert (by_sponsor.status_code, by_sponsor.json["status"]) == (200, "approved")


def test_change_naming_another_projects_task_is_refused_and_nothing_is_written(
    client: FlaskClient, plan: dict[str, Any], pm: Headers
) -> None:
    body = extension(plan, task_changes=[{"task_id": "not-a-task", "shift_days": 3}])

    response = client.post(cr_url(plan), json=body, headers=pm)

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "task_changes.0.task_id"
    assert client.get(cr_url(plan), headers=pm).json["items"] == []


def test_task_budget_deltas_must_add_up_to_the_budget_lines(
    client: FlaskClient, plan: dict[str, Any], pm: Headers
) -> None:
    body = extension(plan, task_changes=[{"task_id": plan["design"], "budget_delta": "1"}])

    response = client.post(cr_url(plan), json=body, headers=pm)

    assert (response.status_code, response.json["errors"][0]["field"]) == (422, "task_changes")


def test_rejected_change_leaves_the_plan_alone(
    client: FlaskClient, plan: dict[str, Any], pm: Headers, dev: Headers, outbox: Callable[..., list[Any]]
) -> None:
    change = client.post(cr_url(plan), json=extension(plan), headers=dev).json

    by_member = client.post(cr_url(plan, f"/{change['id']}/reject"), json={"comment": "no"}, headers=dev)
    rejected = client.post(
        cr_url(plan, f"/{change['id']}/reject"), json={"comment": "Out of budget"}, headers=pm
    )
    again = client.post(cr_url(plan, f"/{change['id']}/approve"), json={}, headers=pm)

    assert by_member.status_code == 403
    assert (rejected.status_code, rejected.json["status"]) == (200, "rejected")
    assert (again.status_code, again.json["code"]) == (409, "projects.change_request.already_decided")
    assert task(client, plan["design"], pm)["duration_days"] == 5
    assert outbox("projects.change_request.approved") == []
    listed = client.get(cr_url(plan) + "?status=rejected", headers=pm).json["items"]
    assert [item["id"] for item in listed] == [change["id"]]


def test_scope_only_change_on_a_project_without_tasks_still_rebaselines(
    client: FlaskClient, create_project: Callable[..., dict[str, Any]], pm: Headers
) -> None:
    project = create_project()
    url = f"/api/v1/projects/{project['id']}/change-requests"
    body = {
        "title": "Extra training day",
        "scope_items": [{"name": "Training", "unit": "day", "unit_price": "800"}],
    }
    change = client.post(url, json=body, headers=pm).json

    approved = client.post(f"{url}/{change['id']}/approve", json={}, headers=pm)

    assert approved.status_code == 200, approved.json
    assert (approved.json["price_delta"], approved.json["cost_delta"]) == ("800.00", "0.00")
    scope = client.get(f"/api/v1/projects/{project['id']}/scope", headers=pm).json
    assert "Training" in str(scope)
    baselines = client.get(f"/api/v1/projects/{project['id']}/baselines", headers=pm).json["items"]
    assert [item["id"] for item in baselines] == [approved.json["baseline_id"]]
