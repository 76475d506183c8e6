"""Cross-project lists: /api/v1/timesheets, /api/v1/expenses and /api/v1/attendance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def setup(
    client: FlaskClient,
    create_project: Callable[..., dict[str, Any]],
    db_team_member: Callable[..., None],
    pm: Headers,
) -> dict[str, Any]:
    project = create_project()
    db_team_member(project["id"], "dev-1", "team_member")
    line = {"category": "labour", "role": "Consultant", "quantity": "10", "unit_rate": "50"}
    assert (
        client.post(f"/api/v1/projects/{project['id']}/budget-lines", json=line, headers=pm).status_code
        == 201
    )
    return project


def test_approval_inbox_lists_what_the_project_manager_may_approve(
    client: FlaskClient,
    create_project: Callable[..., dict[str, Any]],
    db_team_member: Callable[..., None],
    pm: Headers,
    as_role: Callable[..., Headers],
) -> None:
    dev = as_role("delivery_member", sub="dev-1")
    project = setup(client, create_project, db_team_member, pm)
    body = {"entries": [{"work_date": "2026-03-02", "hours": "8", "role": "Consultant"}]}
    sheet = client.post(f"/api/v1/projects/{project['id']}/timesheets", json=body, headers=dev).json
    client.post(
        f"/api/v1/projects/{project['id']}/timesheets", json=body, headers=pm
    )  # own: not in the inbox

    inbox = client.get("/api/v1/timesheets?awaiting_my_approval=true", headers=pm).json["items"]
    mine = client.get("/api/v1/timesheets", headers=dev).json["items"]
    others = client.get("/api/v1/timesheets?user_id=pm-1", headers=dev)

    assert [item["id"] for item in inbox] == [sheet["id"]]
    assert [item["id"] for item in mine] == [sheet["id"]]
    assert (others.status_code, others.json["code"]) == (403, "projects.records.not_yours")
    boss = client.get("/api/v1/timesheets?user_id=dev-1", headers=as_role("management", sub="boss")).json
    assert [item["id"] for item in boss["items"]] == [sheet["id"]]


def test_own_expenses_and_attendance_across_projects(
    client: FlaskClient,
    create_project: Callable[..., dict[str, Any]],
    db_team_member: Callable[..., None],
    pm: Headers,
    as_role: Callable[..., Headers],
) -> None:
    dev = as_role("delivery_member", sub="dev-1")
    first = setup(client, create_project, db_team_member, pm)
    second = setup(client, create_project, db_team_member, pm)
    expense = {
        "category": "travel",
        "description": "Taxi",
        "spent_on": "2026-03-03",
        "amount": "30",
        "currency": "EUR",
    }
    for project in (first, second):
        client.post(f"/api/v1/projects/{project['id']}/expenses", json=expense, headers=dev)
        url = f"/api/v1/projects/{project['id']}/attendance"
        client.post(f"{url}/check-in", json={"site": "Gate", "at": "2026-03-09T07:00:00Z"}, headers=dev)
        client.post(f"{url}/check-out", json={"at": "2026-03-09T15:00:00Z"}, headers=dev)

    expenses = client.get("/api/v1/expenses?status=submitted", headers=dev).json["items"]
    stays = client.get(f"/api/v1/attendance?project_id={first['id']}", headers=dev).json["items"]
    all_stays = client.get("/api/v1/attendance", headers=dev).json["items"]

    assert {item["project_id"] for item in expenses} == {first["id"], second["id"]}
    assert len(all_stays) == 2
    assert [item["project_id"] for item in stays] == [first["id"]]
