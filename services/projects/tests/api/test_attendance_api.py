"""Attendance through the HTTP API: check-in/out per day and site, and overtime per person and period."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def project(
    create_project: Callable[..., dict[str, Any]], db_team_member: Callable[..., None]
) -> dict[str, Any]:
    created = create_project()
    db_team_member(created["id"], "dev-1", "team_member")
    return created


@pytest.fixture
def dev(as_role: Callable[..., Headers]) -> Headers:
    return as_role("delivery_member", sub="dev-1")


def stay(
    client: FlaskClient, project: dict[str, Any], headers: Headers, site: str, start: str, end: str
) -> Any:
    url = f"/api/v1/projects/{project['id']}/attendance"
    checked_in = client.post(f"{url}/check-in", json={"site": site, "at": start}, headers=headers)
    assert checked_in.status_code == 201, checked_in.json
    return client.post(f"{url}/check-out", json={"at": end}, headers=headers)


def test_overtime_counts_hours_beyond_the_standard_day_and_all_hours_on_days_off(
    client: FlaskClient, project: dict[str, Any], dev: Headers, pm: Headers
) -> None:
    """Mon 03-09: 07:00-12:00 site A + 12:30-18:00 site B = 10.5 h -> 2.5 h overtime; Sat 03-14: 4 h, all
    overtime; Tue 03-10: 6 h, none. Worked 20.5 h, standard 2 x 8 = 16 h, overtime 6.5 h."""
    stay(client, project, dev, "Site A", "2026-03-09T07:00:00Z", "2026-03-09T12:00:00Z")
    monday = stay(client, project, dev, "Site B", "2026-03-09T12:30:00Z", "2026-03-09T18:00:00Z")
    stay(client, project, dev, "Site A", "2026-03-10T08:00:00Z", "2026-03-10T14:00:00Z")
    stay(client, project, dev, "Site A", "2026-03-14T08:00:00Z", "2026-03-14T12:00:00Z")
    assert (monday.status_code, monday.json["worked_minutes"], monday.json["work_date"]) == (
        200,
        330,
        "2026-03-09",
    )

    report = client.get(
        f"/api/v1/projects/{project['id']}/attendance/overtime?from=2026-03-09&to=2026-03-15", headers=pm
    )

    assert report.status_code == 200, report.json
    [person] = report.json["people"]
    assert (person["user_id"], person["days_worked"]) == ("dev-1", 3)
    assert (person["worked_hours"], person["standard_hours"], person["overtime_hours"]) == (
        "20.50",
        "16.00",
        "6.50",
    )
    assert [(day["date"], day["working_day"], day["overtime_hours"]) for day in person["days"]] == [
        ("2026-03-09", True, "2.50"),
        ("2026-03-10", True, "0.00"),
        ("2026-03-14", False, "4.00"),
    ]


def test_second_check_in_without_check_out_is_a_conflict(
    client: FlaskClient, project: dict[str, Any], dev: Headers
) -> None:
    url = f"/api/v1/projects/{project['id']}/attendance/check-in"
    first = client.post(url, json={"site": "Site A", "at": "2026-03-09T07:00:00Z"}, headers=dev)

    second = client.post(url, json={"site": "Site B", "at": "2026-03-09T09:00:00Z"}, headers=dev)

    assert (second.status_code, second.json["code"], second.json["record_id"]) == (
        409,
        "projects.attendance.already_checked_in",
        first.json["id"],
    )


def test_check_out_needs_an_open_stay_and_a_later_time(
    client: FlaskClient, project: dict[str, Any], dev: Headers
) -> None:
    url = f"/api/v1/projects/{project['id']}/attendance"
    nothing_open = client.post(f"{url}/check-out", json={}, headers=dev)
    client.post(f"{url}/check-in", json={"site": "Site A", "at": "2026-03-09T07:00:00Z"}, headers=dev)

    backwards = client.post(f"{url}/check-out", json={"at": "2026-03-09T06:00:00Z"}, headers=dev)

    assert (nothing_open.status_code, nothing_open.json["code"]) == (
        409,
        "projects.attendance.not_checked_in",
    )
    assert (backwards.status_code, backwards.json["errors"][0]["field"]) == (422, "at")


def test_planner_records_for_someone_else_but_a_member_may_not(
    client: FlaskClient, project: dict[str, Any], dev: Headers, pm: Headers
) -> None:
    url = f"/api/v1/projects/{project['id']}/attendance/check-in"

    by_pm = client.post(url, json={"site": "Site A", "user_id": "dev-1"}, headers=pm)
    by_member = client.post(url, json={"site": "Site A", "user_id": "pm-1"}, headers=dev)

    assert (by_pm.status_code, by_pm.json["user_id"], by_pm.json["recorded_by"]) == (201, "dev-1", "pm-1")
    assert by_member.status_code == 403
    listed = client.get(f"/api/v1/projects/{project['id']}/attendance?user_id=dev-1", headers=pm).json[
        "items"
    ]
    assert [item["id"] for item in listed] == [by_pm.json["id"]]


def test_overtime_period_must_not_end_before_it_starts(
    client: FlaskClient, project: dict[str, Any], pm: Headers
) -> None:
    response = client.get(
        f"/api/v1/projects/{project['id']}/attendance/overtime?from=2026-03-09&to=2026-03-01", headers=pm
    )

    assert (response.status_code, response.json["code"]) == (422, "projects.attendance.invalid")
