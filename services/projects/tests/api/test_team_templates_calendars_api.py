"""Team roles and project-scoped permissions, working calendars, and projects from templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Json = dict[str, Any]


def test_project_roles_decide_who_may_plan_and_who_may_report_progress(
    client: FlaskClient, pm: Headers, as_role: Callable[..., Headers], create_project: Callable[..., Json]
) -> None:
    project = create_project()
    team_url = f"/api/v1/projects/{project['id']}/team"
    dev = as_role("delivery_member", sub="dev-1")
    customer = as_role("integrator", sub="cust-1")
    added = client.post(
        team_url, json={"user_id": "dev-1", "role": "team_member", "display_name": "Dev One"}, headers=pm
    )
    assert added.status_code == 201
    client.post(team_url, json={"user_id": "cust-1", "role": "customer_representative"}, headers=pm)
    again = client.post(team_url, json={"user_id": "dev-1", "role": "technical_lead"}, headers=pm)
    assert again.status_code == 409 and again.json["code"] == "projects.team_member.duplicate"
    task = client.post(f"/api/v1/projects/{project['id']}/tasks", json={"name": "Build"}, headers=pm).json
    assert (
        client.post(f"/api/v1/projects/{project['id']}/tasks", json={"name": "X"}, headers=dev).status_code
        == 403
    )
    progress = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"progress_percent": 40},
        headers={**dev, "If-Match": f'"{task["version"]}"'},
    )
    assert progress.status_code == 200 and progress.json["progress_percent"] == 40
    moved = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"duration_days": 4},
        headers={**dev, "If-Match": f'"{progress.json["version"]}"'},
    )
    assert moved.status_code == 403 and moved.json["code"] == "projects.project_role_required"
    assert (
        client.patch(
            f"/api/v1/tasks/{task['id']}",
            json={"progress_percent": 50},
            headers={**customer, "If-Match": f'"{progress.json["version"]}"'},
        ).status_code
        == 403
    )
    promoted = client.patch(f"{team_url}/{added.json['id']}", json={"role": "technical_lead"}, headers=pm)
    assert promoted.status_code == 200
    assert (
        client.post(f"/api/v1/projects/{project['id']}/tasks", json={"name": "X"}, headers=dev).status_code
        == 201
    )


def test_the_last_project_manager_cannot_leave_and_manager_id_follows_the_team(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    team_url = f"/api/v1/projects/{project['id']}/team"
    (me,) = client.get(team_url, headers=pm).json["items"]
    refused = client.delete(f"{team_url}/{me['id']}", headers=pm)
    assert refused.status_code == 409 and refused.json["code"] == "projects.team_member.last_manager"
    other = client.post(team_url, json={"user_id": "pm-2", "role": "project_manager"}, headers=pm).json
    assert client.delete(f"{team_url}/{me['id']}", headers=pm).status_code == 204
    assert client.get(f"/api/v1/projects/{project['id']}", headers=pm).json["manager_id"] == "pm-2"
    assert client.delete(f"{team_url}/{other['id']}", headers=pm).status_code == 409
    bad = client.post(team_url, json={"user_id": "x", "role": "boss"}, headers=pm)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "role"


def test_a_calendar_with_holidays_shapes_the_plan_and_a_change_reschedules(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    body = {
        "name": "DE 2026",
        "work_days": [1, 2, 3, 4, 5],
        "holidays": [{"date": "2026-04-03", "name": "Good Friday"}],
    }
    calendar = client.post("/api/v1/work-calendars", json=body, headers=pm)
    assert calendar.status_code == 201, calendar.json
    project = create_project(start_date="2026-04-01", calendar_id=calendar.json["id"])
    task = client.post(
        f"/api/v1/projects/{project['id']}/tasks", json={"name": "Audit", "duration_days": 3}, headers=pm
    ).json
    assert (task["planned_start"], task["planned_finish"]) == ("2026-04-01", "2026-04-06")
    easter = {"holidays": [*body["holidays"], {"date": "2026-04-06", "name": "Easter Monday"}]}
    changed = client.patch(
        f"/api/v1/work-calendars/{calendar.json['id']}",
        json=easter,
        headers={**pm, "If-Match": calendar.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=pm).json["planned_finish"] == "2026-04-07"
    in_use = client.delete(
        f"/api/v1/work-calendars/{calendar.json['id']}", headers={**pm, "If-Match": changed.headers["ETag"]}
    )
    assert in_use.status_code == 409 and in_use.json["code"] == "projects.work_calendar.in_use"
    duplicate = client.post("/api/v1/work-calendars", json={"name": "DE 2026"}, headers=pm)
    assert duplicate.status_code == 409 and duplicate.json["errors"][0]["field"] == "name"
    bad = client.post("/api/v1/work-calendars", json={"name": "Odd", "work_days": [0, 8]}, headers=pm)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"].startswith("work_days")
    assert [c["name"] for c in client.get("/api/v1/work-calendars", headers=pm).json["items"]] == ["DE 2026"]


TEMPLATE = {
    "name": "Rollout",
    "tasks": [
        {"key": "1", "name": "Prepare"},
        {"key": "1.1", "name": "Workshop", "parent_key": "1", "duration_days": 2, "effort_hours": "16"},
        {"key": "1.2", "name": "Spec", "parent_key": "1", "duration_days": 3},
        {"key": "2", "name": "Build", "duration_days": 5, "offset_days": 10},
        {"key": "3", "name": "Go-live", "is_milestone": True, "duration_days": 0},
    ],
    "dependencies": [
        {"predecessor_key": "1.1", "successor_key": "1.2", "type": "FS"},
        {"predecessor_key": "1.2", "successor_key": "2", "type": "SS", "lag_days": 1},
        {"predecessor_key": "2", "successor_key": "3"},
    ],
    "roles": [{"user_id": "lead-1", "role": "technical_lead"}],
}


def test_a_project_from_a_template_keeps_tasks_dependencies_and_roles(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json], outbox: Callable[..., list[Any]]
) -> None:
    template = client.post("/api/v1/project-templates", json=TEMPLATE, headers=pm)
    assert template.status_code == 201, template.json
    project = create_project(template_id=template.json["id"])
    assert (project["source"], project["template_id"]) == ("template", template.json["id"])
    assert outbox("projects.task.rescheduled") == []  # a plan built in one go announces no moves
    gantt = client.get(f"/api/v1/projects/{project['id']}/gantt", headers=pm).json
    rows = {row["name"]: row for row in gantt["tasks"]}
    assert [row["wbs"] for row in gantt["tasks"]] == ["1", "1.1", "1.2", "2", "3"]
    assert rows["Prepare"]["is_summary"] and rows["Spec"]["start"] == "2026-03-04"
    assert rows["Build"]["start"] == "2026-03-16" and rows["Go-live"]["start"] == "2026-03-23"
    assert len(gantt["dependencies"]) == 3
    team = client.get(f"/api/v1/projects/{project['id']}/team", headers=pm).json["items"]
    assert {(m["user_id"], m["role"]) for m in team} == {
        ("pm-1", "project_manager"),
        ("lead-1", "technical_lead"),
    }
    copy = client.post(
        "/api/v1/project-templates", json={"name": "Rollout v2", "from_project_id": project["id"]}, headers=pm
    )
    assert copy.status_code == 201 and len(copy.json["tasks"]) == 5 and len(copy.json["dependencies"]) == 3


def test_a_template_with_a_cycle_or_unknown_keys_is_refused(client: FlaskClient, pm: Headers) -> None:
    cyclic = {
        **TEMPLATE,
        "dependencies": [*TEMPLATE["dependencies"], {"predecessor_key": "3", "successor_key": "1.1"}],
    }
    response = client.post("/api/v1/project-templates", json=cyclic, headers=pm)
    assert response.status_code == 422 and response.json["code"] == "projects.template.invalid"
    assert "cycle" in response.json["errors"][0]["message"]
    unknown = {**TEMPLATE, "dependencies": [{"predecessor_key": "9", "successor_key": "2"}]}
    response = client.post("/api/v1/project-templates", json=unknown, headers=pm)
    assert (
        response.status_code == 422
        and response.json["errors"][0]["field"] == "dependencies.0.predecessor_key"
    )
    summary = {**TEMPLATE, "dependencies": [{"predecessor_key": "1", "successor_key": "2"}]}
    assert client.post("/api/v1/project-templates", json=summary, headers=pm).status_code == 422
    assert client.get("/api/v1/project-templates", headers=pm).json["items"] == []
