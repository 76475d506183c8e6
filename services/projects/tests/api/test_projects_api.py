"""Projects by hand: create, read, list, change, lifecycle, status updates and their history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Json = dict[str, Any]


def test_a_project_manager_creates_a_project_and_becomes_its_manager(
    client: FlaskClient, pm: Headers, outbox: Callable[..., list[Any]]
) -> None:
    body = {
        "name": "ERP rollout",
        "start_date": "2026-03-02",
        "account_id": "acc-1",
        "scope_items": [
            {
                "name": "Consulting",
                "category": "labour",
                "unit": "hour",
                "quantity": "100",
                "unit_price": "120",
            },
            {"name": "Server", "category": "material", "quantity": "1", "unit_price": "2500.50"},
        ],
    }
    response = client.post("/api/v1/projects", json=body, headers=pm)
    assert response.status_code == 201, response.json
    project = response.json
    assert (project["status"], project["health"], project["manager_id"]) == ("planned", "on_track", "pm-1")
    assert project["budget_amount"] == "14500.50" and response.headers["ETag"] == f'"{project["version"]}"'
    (event,) = outbox("projects.project.created")
    assert event.data["account_id"] == "acc-1" and len(event.data["scope_items"]) == 2
    read = client.get(response.headers["Location"], headers=pm)
    assert read.status_code == 200 and read.json["name"] == "ERP rollout"
    team = client.get(f"/api/v1/projects/{project['id']}/team", headers=pm).json["items"]
    assert [(m["user_id"], m["role"]) for m in team] == [("pm-1", "project_manager")]


def test_bad_input_names_the_field_and_roles_are_checked(
    client: FlaskClient, pm: Headers, reader: Headers
) -> None:
    missing = client.post("/api/v1/projects", json={"name": "X"}, headers=pm)
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "start_date"
    currency = client.post(
        "/api/v1/projects", json={"name": "X", "start_date": "2026-03-02", "currency": "eur"}, headers=pm
    )
    assert currency.status_code == 422 and currency.json["errors"][0]["field"] == "currency"
    calendar = client.post(
        "/api/v1/projects", json={"name": "X", "start_date": "2026-03-02", "calendar_id": "nope"}, headers=pm
    )
    assert calendar.status_code == 422 and calendar.json["errors"][0]["field"] == "calendar_id"
    forbidden = client.post(
        "/api/v1/projects", json={"name": "X", "start_date": "2026-03-02"}, headers=reader
    )
    assert forbidden.status_code == 403
    assert client.get("/api/v1/projects/nope", headers=pm).json["code"] == "projects.project.not_found"


def test_status_updates_change_health_keep_history_and_emit_status_changed(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json], outbox: Callable[..., list[Any]]
) -> None:
    project = create_project(account_id="acc-2")
    url = f"/api/v1/projects/{project['id']}/status-updates"
    first = client.post(url, json={"health": "at_risk", "comment": "Test data late"}, headers=pm)
    assert first.status_code == 201 and first.json["previous_health"] == "on_track"
    client.post(url, json={"health": "off_track", "comment": "Two weeks behind"}, headers=pm)
    history = client.get(url, headers=pm).json["items"]
    assert [item["health"] for item in history] == ["off_track", "at_risk"]
    assert client.get(f"/api/v1/projects/{project['id']}", headers=pm).json["health"] == "off_track"
    events = outbox("projects.project.status_changed")
    assert [e.data["changes"]["health"]["after"] for e in events] == ["at_risk", "off_track"]
    assert events[0].data["comment"] == "Test data late" and events[0].data["account_id"] == "acc-2"
    bad = client.post(url, json={"health": "fine", "comment": "x"}, headers=pm)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "health"


def test_the_lifecycle_runs_planned_active_completed_closed_and_closed_is_read_only(
    client: FlaskClient,
    pm: Headers,
    create_project: Callable[..., Json],
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    project = create_project()
    url = f"/api/v1/projects/{project['id']}"
    wrong = patch_json(url, {"status": "completed"}, pm, project["version"])
    assert wrong.status_code == 409 and wrong.json["code"] == "projects.project.transition_invalid"
    assert wrong.json["allowed"] == ["active", "on_hold", "closed"]
    version = project["version"]
    for status in ("active", "completed", "closed"):
        response = patch_json(url, {"status": status}, pm, version)
        assert response.status_code == 200, response.json
        version = response.json["version"]
    (completed,) = outbox("projects.project.completed")
    assert completed.data["status"] == "completed" and completed.data["completed_at"]
    refused = client.post(f"{url}/tasks", json={"name": "Late work"}, headers=pm)
    assert refused.status_code == 409 and refused.json["code"] == "projects.project.closed"


def test_a_patch_needs_if_match_and_a_current_version(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json], patch_json: Callable[..., Any]
) -> None:
    project = create_project()
    url = f"/api/v1/projects/{project['id']}"
    assert client.patch(url, json={"name": "New"}, headers=pm).status_code == 428
    assert patch_json(url, {"name": "New"}, pm, 99).status_code == 412
    renamed = patch_json(url, {"name": "New"}, pm, project["version"])
    assert renamed.status_code == 200 and renamed.json["name"] == "New"


def test_only_the_projects_managers_may_change_it(
    client: FlaskClient,
    as_role: Callable[..., Headers],
    create_project: Callable[..., Json],
    patch_json: Callable[..., Any],
) -> None:
    project = create_project()
    other_pm = as_role("project_manager", sub="pm-2")
    refused = patch_json(f"/api/v1/projects/{project['id']}", {"name": "Mine"}, other_pm, project["version"])
    assert refused.status_code == 403 and refused.json["roles"] == ["project_manager"]
    boss = as_role("management", sub="boss-1")
    assert (
        patch_json(
            f"/api/v1/projects/{project['id']}", {"name": "Ours"}, boss, project["version"]
        ).status_code
        == 200
    )


def test_projects_are_listed_with_filters_and_cursors(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    for n in range(5):
        create_project(name=f"P{n}", account_id="acc-a" if n % 2 else "acc-b")
    first = client.get("/api/v1/projects?limit=2&sort=name", headers=pm).json
    assert [p["name"] for p in first["items"]] == ["P0", "P1"] and first["next_cursor"]
    second = client.get(f"/api/v1/projects?limit=2&sort=name&cursor={first['next_cursor']}", headers=pm).json
    assert [p["name"] for p in second["items"]] == ["P2", "P3"]
    assert len(client.get("/api/v1/projects?account=acc-a", headers=pm).json["items"]) == 2
    assert client.get("/api/v1/projects?status=closed", headers=pm).json["items"] == []


def test_moving_the_project_start_reschedules_the_plan(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json], patch_json: Callable[..., Any]
) -> None:
    project = create_project()
    task = client.post(
        f"/api/v1/projects/{project['id']}/tasks", json={"name": "Kick-off", "duration_days": 2}, headers=pm
    ).json
    assert (task["planned_start"], task["planned_finish"]) == ("2026-03-02", "2026-03-03")
    current = client.get(f"/api/v1/projects/{project['id']}", headers=pm).json
    moved = patch_json(
        f"/api/v1/projects/{project['id']}", {"start_date": "2026-03-13"}, pm, current["version"]
    )
    assert moved.status_code == 200 and moved.json["finish_date"] == "2026-03-16"
    task = client.get(f"/api/v1/tasks/{task['id']}", headers=pm).json
    assert (task["planned_start"], task["planned_finish"]) == ("2026-03-13", "2026-03-16")
