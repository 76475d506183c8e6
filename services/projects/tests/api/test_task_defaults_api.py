"""A task created with only the fields a planner usually knows gets sensible defaults."""

from __future__ import annotations


def test_a_task_needs_no_progress_to_be_created(client, create_project, pm) -> None:
    project = create_project(account_id="acc-1")
    response = client.post(
        f"/api/v1/projects/{project['id']}/tasks",
        json={"name": "Design", "duration_days": 5, "budget_amount": "1000"},
        headers=pm,
    )
    assert response.status_code == 201, response.json
    assert response.json["progress_percent"] == 0
