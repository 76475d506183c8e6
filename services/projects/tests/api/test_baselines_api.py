"""Baselines: save the plan, slip, read the variance; Gantt bars show the baseline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Json = dict[str, Any]


def add(client: FlaskClient, project_id: str, headers: Headers, **body: Any) -> Json:
    response = client.post(f"/api/v1/projects/{project_id}/tasks", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_a_slip_after_a_baseline_shows_as_variance_per_task_and_for_the_project(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    pid = project["id"]
    design = add(client, pid, pm, name="Design", duration_days=3, effort_hours="24", budget_amount="2400")
    build = add(client, pid, pm, name="Build", duration_days=5, effort_hours="40", budget_amount="4000")
    link = {"predecessor_id": design["id"], "successor_id": build["id"]}
    assert client.post(f"/api/v1/projects/{pid}/dependencies", json=link, headers=pm).status_code == 201
    saved = client.post(f"/api/v1/projects/{pid}/baselines", json={"name": "Signed plan"}, headers=pm)
    assert (
        saved.status_code == 201 and saved.json["number"] == 1 and saved.json["finish_date"] == "2026-03-11"
    )
    current = client.get(f"/api/v1/tasks/{design['id']}", headers=pm).json
    slipped = client.patch(
        f"/api/v1/tasks/{design['id']}",
        json={"planned_finish": "2026-03-09", "effort_hours": "40"},
        headers={**pm, "If-Match": f'"{current["version"]}"'},
    )
    assert slipped.status_code == 200 and slipped.json["duration_days"] == 6
    added = add(client, pid, pm, name="Docs", duration_days=1)
    variance = client.get(f"/api/v1/projects/{pid}/baselines/{saved.json['id']}/variance", headers=pm)
    assert variance.status_code == 200
    body = variance.json
    rows = {row["name"]: row for row in body["tasks"]}
    # Design now ends Monday 03-09 instead of Wednesday 03-04; Build follows (calendar days, + is later).
    assert (rows["Design"]["finish_variance_days"], rows["Design"]["effort_variance_hours"]) == (5, "16.00")
    assert (rows["Design"]["duration_variance_days"], rows["Build"]["budget_variance"]) == (3, "0.00")
    assert (rows["Build"]["start_variance_days"], rows["Build"]["finish_variance_days"]) == (5, 5)
    assert rows["Docs"]["status"] == "added" and rows["Docs"]["baseline_start"] is None
    assert body["project"]["finish_variance_days"] == 5 and body["project"]["current_finish"] == "2026-03-16"
    detail = client.get(f"/api/v1/projects/{pid}/baselines/{saved.json['id']}", headers=pm).json
    assert [t["name"] for t in detail["tasks"]] == ["Design", "Build"]
    gantt = client.get(f"/api/v1/projects/{pid}/gantt", headers=pm).json
    bars = {row["name"]: row for row in gantt["tasks"]}
    assert gantt["baseline_id"] == saved.json["id"]
    assert (bars["Build"]["start"], bars["Build"]["baseline_start"]) == ("2026-03-10", "2026-03-05")
    assert bars["Build"]["is_critical"] and not bars["Docs"]["is_critical"]
    assert bars[added["name"]]["baseline_start"] is None
    client.delete(f"/api/v1/tasks/{added['id']}", headers={**pm, "If-Match": f'"{added["version"]}"'})
    second = client.post(f"/api/v1/projects/{pid}/baselines", json={"name": "Re-plan"}, headers=pm).json
    assert second["number"] == 2
    assert [
        b["number"] for b in client.get(f"/api/v1/projects/{pid}/baselines", headers=pm).json["items"]
    ] == [1, 2]


def test_an_unknown_baseline_is_not_found(
    client: FlaskClient, pm: Headers, create_project: Callable[..., Json]
) -> None:
    project = create_project()
    response = client.get(f"/api/v1/projects/{project['id']}/baselines/nope/variance", headers=pm)
    assert response.status_code == 404 and response.json["code"] == "projects.baseline.not_found"
