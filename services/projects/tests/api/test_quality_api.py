"""Quality through the HTTP API: plans per deliverable, reviews against the checklist, non-conformances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]
CHECKLIST = ["Welds inspected", "Load test passed"]


@pytest.fixture
def project(
    create_project: Callable[..., dict[str, Any]], db_team_member: Callable[..., None]
) -> dict[str, Any]:
    created = create_project()
    db_team_member(created["id"], "qa-1", "team_member")
    return created


@pytest.fixture
def qa(as_role: Callable[..., Headers]) -> Headers:
    return as_role("delivery_member", sub="qa-1")


@pytest.fixture
def plan(client: FlaskClient, project: dict[str, Any], pm: Headers) -> dict[str, Any]:
    body = {
        "deliverable": "Steel frame",
        "standards": ["EN 1090-2 EXC2"],
        "checklist": CHECKLIST,
        "acceptance_criteria": "No open major findings",
        "owner_id": "qa-1",
    }
    response = client.post(f"/api/v1/projects/{project['id']}/quality-plans", json=body, headers=pm)
    assert response.status_code == 201, response.json
    return dict(response.json)


def reviews_url(project: dict[str, Any], plan: dict[str, Any]) -> str:
    return f"/api/v1/projects/{project['id']}/quality-plans/{plan['id']}/reviews"


def test_failed_inspection_leads_to_a_non_conformance_worked_to_closure(
    client: FlaskClient,
    project: dict[str, Any],
    plan: dict[str, Any],
    qa: Headers,
    pm: Headers,
    patch_json: Any,
) -> None:
    results = [
        {"item": CHECKLIST[0], "passed": True},
        {"item": CHECKLIST[1], "passed": False, "note": "deflection"},
    ]
    review = client.post(
        reviews_url(project, plan),
        json={
            "kind": "inspection",
            "held_on": "2026-03-12",
            "result": "failed",
            "checklist_results": results,
        },
        headers=qa,
    )
    assert review.status_code == 201, review.json
    body = {
        "review_id": review.json["id"],
        "title": "Beam deflection",
        "severity": "major",
        "owner_id": "qa-1",
    }
    nc = client.post(f"/api/v1/projects/{project['id']}/non-conformances", json=body, headers=qa).json
    nc_url = f"/api/v1/projects/{project['id']}/non-conformances/{nc['id']}"

    working = patch_json(
        nc_url, {"status": "in_progress", "corrective_action": "Add stiffener"}, qa, nc["version"]
    )
    resolved = patch_json(nc_url, {"status": "resolved"}, qa, working.json["version"])
    reopen_closed = patch_json(nc_url, {"status": "closed"}, pm, resolved.json["version"])

    assert (nc["status"], nc["raised_by"]) == ("open", "qa-1")
    assert working.status_code == 200 and working.json["corrective_action"] == "Add stiffener"
    assert resolved.json["status"] == "resolved" and resolved.json["resolved_at"]
    assert reopen_closed.json["status"] == "closed"
    back = patch_json(nc_url, {"status": "open"}, pm, reopen_closed.json["version"])
    assert (back.status_code, back.json["code"]) == (409, "projects.non_conformance.transition_invalid")
    listed = client.get(f"/api/v1/projects/{project['id']}/non-conformances?severity=major", headers=pm).json
    assert [item["id"] for item in listed["items"]] == [nc["id"]]
    assert [item["result"] for item in client.get(reviews_url(project, plan), headers=pm).json["items"]] == [
        "failed"
    ]


def test_review_must_answer_every_checklist_item(
    client: FlaskClient, project: dict[str, Any], plan: dict[str, Any], qa: Headers
) -> None:
    body = {
        "held_on": "2026-03-12",
        "result": "passed",
        "checklist_results": [{"item": CHECKLIST[0], "passed": True}],
    }

    response = client.post(reviews_url(project, plan), json=body, headers=qa)

    assert (response.status_code, response.json["code"]) == (422, "projects.quality_review.invalid")
    assert response.json["errors"][0]["field"] == "checklist_results"


def test_review_cannot_pass_with_a_failed_item(
    client: FlaskClient, project: dict[str, Any], plan: dict[str, Any], qa: Headers
) -> None:
    results = [{"item": item, "passed": item == CHECKLIST[0]} for item in CHECKLIST]

    response = client.post(
        reviews_url(project, plan),
        json={"held_on": "2026-03-12", "result": "passed", "checklist_results": results},
        headers=qa,
    )

    assert (response.status_code, response.json["errors"][0]["field"]) == (422, "result")


def test_team_member_cannot_write_the_quality_plan(
    client: FlaskClient, project: dict[str, Any], qa: Headers
) -> None:
    body = {"deliverable": "Roof", "checklist": ["Sealed"], "owner_id": "qa-1"}

    response = client.post(f"/api/v1/projects/{project['id']}/quality-plans", json=body, headers=qa)

    assert response.status_code == 403


def test_non_conformance_from_another_projects_review_is_refused(
    client: FlaskClient, project: dict[str, Any], qa: Headers
) -> None:
    body = {"review_id": "elsewhere", "title": "x", "severity": "minor", "owner_id": "qa-1"}

    response = client.post(f"/api/v1/projects/{project['id']}/non-conformances", json=body, headers=qa)

    assert (response.status_code, response.json["errors"][0]["field"]) == (422, "review_id")
