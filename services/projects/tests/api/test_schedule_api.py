"""Planning through the API: tasks, the four dependency types, cycles, rescheduling, critical path, roll-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]
Json = dict[str, Any]


@pytest.fixture
def plan(client: FlaskClient, pm: Headers, create_project: Callable[..., Json]) -> Callable[..., Json]:
    """Build a project with tasks {name: duration} and links [(pred, succ, type, lag)]; return ids by name."""

    def build(durations: dict[str, int], links: list[tuple[str, str, str, int]]) -> Json:
        project = create_project()
        ids: Json = {"project": project["id"]}
        for name, duration in durations.items():
            body = {"name": name, "is_milestone": duration == 0}
            if duration:
                body["duration_days"] = duration
            response = client.post(f"/api/v1/projects/{project['id']}/tasks", json=body, headers=pm)
            assert response.status_code == 201, response.json
            ids[name] = response.json["id"]
        for predecessor, successor, kind, lag in links:
            body = {
                "predecessor_id": ids[predecessor],
                "successor_id": ids[successor],
                "type": kind,
                "lag_days": lag,
            }
            response = client.post(f"/api/v1/projects/{project['id']}/dependencies", json=body, headers=pm)
            assert response.status_code == 201, response.json
        return ids

    return build


HAND_WORKED = (
    {"A": 3, "B": 2, "C": 4, "D": 2, "E": 2, "F": 0},
    [
        ("A", "B", "FS", 0),
        ("A", "C", "SS", 1),
        ("B", "D", "FF", 1),
        ("C", "E", "SF", 2),
        ("D", "F", "FS", 0),
        ("E", "F", "FS", 2),
    ],
)


def tasks_by_name(client: FlaskClient, project_id: str, headers: Headers) -> dict[str, Json]:
    response = client.get(f"/api/v1/projects/{project_id}/tasks?limit=200", headers=headers)
    assert response.status_code == 200
    return {task["name"]: task for task in response.json["items"]}


def test_the_critical_path_of_the_hand_worked_plan_in_dates(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json]
) -> None:
    ids = plan(*HAND_WORKED)
    response = client.get(f"/api/v1/projects/{ids['project']}/critical-path", headers=pm)
    assert response.status_code == 200
    body = response.json
    rows = {row["name"]: row for row in body["tasks"]}
    # Working days from Monday 2026-03-02 (Mon-Fri): day 0 = 03-02 ... day 5 = 03-09, day 6 = 03-10.
    assert (rows["A"]["early_start"], rows["A"]["early_finish"]) == ("2026-03-02", "2026-03-04")
    assert (rows["D"]["early_start"], rows["D"]["early_finish"]) == ("2026-03-06", "2026-03-09")
    assert (rows["C"]["late_start"], rows["C"]["late_finish"], rows["C"]["total_float_days"]) == (
        "2026-03-04",
        "2026-03-09",
        1,
    )
    assert rows["F"]["early_start"] == "2026-03-10" and body["duration_days"] == 6
    assert body["critical_task_ids"] == [ids[name] for name in ("A", "B", "D", "F")]
    tasks = tasks_by_name(client, ids["project"], pm)
    assert (tasks["E"]["planned_start"], tasks["E"]["planned_finish"]) == ("2026-03-03", "2026-03-04")


def test_slipping_a_task_moves_its_dependants_and_the_critical_path(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json], outbox: Callable[..., list[Any]]
) -> None:
    ids = plan(*HAND_WORKED)
    before = len(outbox("projects.task.rescheduled"))
    task = client.get(f"/api/v1/tasks/{ids['C']}", headers=pm)
    response = client.patch(
        f"/api/v1/tasks/{ids['C']}",
        json={"duration_days": 8},
        headers={**pm, "If-Match": task.headers["ETag"]},
    )
    assert response.status_code == 200, response.json
    # C (SS+1 after A) now runs days 1-8 and finishes last: the path A -> C becomes critical.
    body = client.get(f"/api/v1/projects/{ids['project']}/critical-path", headers=pm).json
    assert ids["C"] in body["critical_task_ids"] and ids["B"] not in body["critical_task_ids"]
    # Slip of the start: E and F move later.
    start = client.get(f"/api/v1/tasks/{ids['A']}", headers=pm)
    moved = client.patch(
        f"/api/v1/tasks/{ids['A']}",
        json={"planned_start": "2026-03-09"},
        headers={**pm, "If-Match": start.headers["ETag"]},
    )
    assert moved.status_code == 200 and moved.json["planned_start"] == "2026-03-09"
    tasks = tasks_by_name(client, ids["project"], pm)
    assert tasks["B"]["planned_start"] == "2026-03-12" and tasks["F"]["planned_start"] > "2026-03-16"
    events = outbox("projects.task.rescheduled")[before:]
    moved_ids = {event.subject for event in events}
    assert {ids["B"], ids["D"], ids["F"]} <= moved_ids
    last = [event for event in events if event.subject == ids["B"]][-1]
    assert (
        last.data["cause_task_id"] == ids["A"]
        and last.data["changes"]["planned_start"]["after"] == "2026-03-12"
    )


def test_a_dependency_cycle_is_refused_naming_the_cycle_and_changes_nothing(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json], outbox: Callable[..., list[Any]]
) -> None:
    ids = plan(
        {"Design": 2, "Build": 3, "Test": 2}, [("Design", "Build", "FS", 0), ("Build", "Test", "FS", 0)]
    )
    before_events = len(outbox())
    before = client.get(f"/api/v1/projects/{ids['project']}/dependencies", headers=pm).json["items"]
    body = {"predecessor_id": ids["Test"], "successor_id": ids["Design"], "type": "SS"}
    response = client.post(f"/api/v1/projects/{ids['project']}/dependencies", json=body, headers=pm)
    assert response.status_code == 422
    problem = response.json
    assert problem["code"] == "projects.dependency.cycle"
    assert [step["name"] for step in problem["cycle"]] == ["Test", "Design", "Build", "Test"]
    assert "Test -> Design -> Build -> Test" in problem["detail"]
    assert problem["errors"][0]["field"] == "predecessor_id"
    assert client.get(f"/api/v1/projects/{ids['project']}/dependencies", headers=pm).json["items"] == before
    assert len(outbox()) == before_events


def test_a_self_dependency_and_unknown_tasks_are_refused(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json]
) -> None:
    ids = plan({"Design": 2}, [])
    url = f"/api/v1/projects/{ids['project']}/dependencies"
    same = client.post(url, json={"predecessor_id": ids["Design"], "successor_id": ids["Design"]}, headers=pm)
    assert same.status_code == 422 and same.json["code"] == "projects.dependency.cycle"
    unknown = client.post(url, json={"predecessor_id": "nope", "successor_id": ids["Design"]}, headers=pm)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "predecessor_id"
    bad_type = client.post(
        url, json={"predecessor_id": ids["Design"], "successor_id": ids["Design"], "type": "XX"}, headers=pm
    )
    assert bad_type.status_code == 422 and bad_type.json["errors"][0]["field"] == "type"


def test_subtasks_roll_up_dates_effort_and_progress(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    url = f"/api/v1/projects/{project['id']}/tasks"
    phase = client.post(url, json={"name": "Phase 1"}, headers=pm).json
    first = client.post(
        url,
        json={
            "name": "Workshop",
            "parent_id": phase["id"],
            "duration_days": 2,
            "effort_hours": "30",
            "progress_percent": 100,
        },
        headers=pm,
    ).json
    second = client.post(
        url,
        json={
            "name": "Spec",
            "parent_id": phase["id"],
            "planned_start": "2026-03-05",
            "duration_days": 3,
            "effort_hours": "10",
        },
        headers=pm,
    ).json
    assert first["completed_at"] is not None and second["planned_finish"] == "2026-03-09"
    summary = client.get(f"/api/v1/tasks/{phase['id']}", headers=pm).json
    assert summary["is_summary"] and (summary["planned_start"], summary["planned_finish"]) == (
        "2026-03-02",
        "2026-03-09",
    )
    assert (summary["effort_hours"], summary["progress_percent"], summary["duration_days"]) == (
        "40.00",
        75,
        6,
    )
    refused = client.patch(
        f"/api/v1/tasks/{phase['id']}",
        json={"duration_days": 3},
        headers={**pm, "If-Match": f'"{summary["version"]}"'},
    )
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "duration_days"
    linked = client.post(
        f"/api/v1/projects/{project['id']}/dependencies",
        json={"predecessor_id": phase["id"], "successor_id": first["id"]},
        headers=pm,
    )
    assert linked.status_code == 422 and linked.json["code"] == "projects.dependency.invalid"


def test_completing_a_milestone_announces_it_with_the_account(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json], outbox: Callable[..., list[Any]]
) -> None:
    project = create_project(account_id="acc-9")
    milestone = client.post(
        f"/api/v1/projects/{project['id']}/tasks", json={"name": "Go-live", "is_milestone": True}, headers=pm
    ).json
    assert milestone["duration_days"] == 0
    response = client.patch(
        f"/api/v1/tasks/{milestone['id']}",
        json={"progress_percent": 100},
        headers={**pm, "If-Match": f'"{milestone["version"]}"'},
    )
    assert response.status_code == 200 and response.json["completed_at"]
    events = outbox("projects.milestone.reached")
    assert (
        len(events) == 1 and events[0].data["account_id"] == "acc-9" and events[0].subject == milestone["id"]
    )


def test_someone_off_the_team_cannot_plan(
    client: FlaskClient, member: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    response = client.post(f"/api/v1/projects/{project['id']}/tasks", json={"name": "Sneaky"}, headers=member)
    assert response.status_code == 403 and response.json["code"] == "projects.project_role_required"


def test_changing_and_removing_a_dependency_moves_the_successor_back_and_forth(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json]
) -> None:
    ids = plan({"Design": 3, "Build": 2}, [("Design", "Build", "FS", 0)])
    url = f"/api/v1/projects/{ids['project']}/dependencies"
    (link,) = client.get(url, headers=pm).json["items"]
    assert client.get(f"/api/v1/tasks/{ids['Build']}", headers=pm).json["planned_start"] == "2026-03-05"
    lagged = client.patch(f"{url}/{link['id']}", json={"type": "SS", "lag_days": 1}, headers=pm)
    assert lagged.status_code == 200 and lagged.json["type"] == "SS"
    assert client.get(f"/api/v1/tasks/{ids['Build']}", headers=pm).json["planned_start"] == "2026-03-03"
    assert client.delete(f"{url}/{link['id']}", headers=pm).status_code == 204
    assert client.get(f"/api/v1/tasks/{ids['Build']}", headers=pm).json["planned_start"] == "2026-03-02"
    assert client.delete(f"{url}/{link['id']}", headers=pm).json["code"] == "projects.dependency.not_found"


def test_a_task_with_subtasks_cannot_be_removed_and_a_duplicate_link_is_refused(
    client: FlaskClient, pm: Headers, plan: Callable[..., Json]
) -> None:
    ids = plan({"Design": 3, "Build": 2}, [("Design", "Build", "FS", 0)])
    pid = ids["project"]
    again = client.post(
        f"/api/v1/projects/{pid}/dependencies",
        json={"predecessor_id": ids["Design"], "successor_id": ids["Build"], "type": "SS"},
        headers=pm,
    )
    assert again.status_code == 409 and again.json["code"] == "projects.dependency.duplicate"
    phase = client.post(f"/api/v1/projects/{pid}/tasks", json={"name": "Phase"}, headers=pm).json
    child = client.post(
        f"/api/v1/projects/{pid}/tasks", json={"name": "Step", "parent_id": phase["id"]}, headers=pm
    )
    assert child.status_code == 201
    phase = client.get(f"/api/v1/tasks/{phase['id']}", headers=pm).json
    refused = client.delete(
        f"/api/v1/tasks/{phase['id']}", headers={**pm, "If-Match": f'"{phase["version"]}"'}
    )
    assert refused.status_code == 409 and refused.json["code"] == "projects.task.has_children"
    linked_parent = client.post(
        f"/api/v1/projects/{pid}/tasks", json={"name": "Sub", "parent_id": ids["Design"]}, headers=pm
    )
    assert linked_parent.status_code == 422 and linked_parent.json["errors"][0]["field"] == "parent_id"
    build = client.get(f"/api/v1/tasks/{ids['Build']}", headers=pm).json
    removed = client.delete(
        f"/api/v1/tasks/{ids['Build']}", headers={**pm, "If-Match": f'"{build["version"]}"'}
    )
    assert removed.status_code == 204
    assert client.get(f"/api/v1/projects/{pid}/dependencies", headers=pm).json["items"] == []


def test_creating_a_project_twice_with_one_idempotency_key_creates_one(
    client: FlaskClient, pm: Headers
) -> None:
    body = {"name": "Once", "start_date": "2026-03-02"}
    headers = {**pm, "Idempotency-Key": "project-once-1"}
    first = client.post("/api/v1/projects", json=body, headers=headers)
    second = client.post("/api/v1/projects", json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json["id"] == second.json["id"]
    assert len(client.get("/api/v1/projects", headers=pm).json["items"]) == 1


def test_an_empty_plan_has_an_empty_critical_path_and_gantt(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    path = client.get(f"/api/v1/projects/{project['id']}/critical-path", headers=pm).json
    assert (path["tasks"], path["critical_task_ids"], path["finish_date"]) == ([], [], None)
    gantt = client.get(f"/api/v1/projects/{project['id']}/gantt", headers=pm).json
    assert (gantt["tasks"], gantt["dependencies"], gantt["baseline_id"]) == ([], [], None)
    assert client.get("/api/v1/projects/nope/critical-path", headers=pm).status_code == 404
