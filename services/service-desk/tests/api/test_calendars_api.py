"""/api/v1/business-calendars: define, read, change, delete, and ask for business time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_manager_defines_a_calendar_with_hours_and_holidays(
    client: FlaskClient, manager: Headers, agent: Headers
) -> None:
    body = {
        "name": "Berlin office",
        "timezone": "Europe/Berlin",
        "weekly_hours": {
            "mon": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}],
            "sat": [{"start": "22:00", "end": "06:00"}],
        },
        "holidays": [{"date": "2026-12-25", "name": "Christmas"}, {"date": "2026-01-01", "name": "New Year"}],
    }
    response = client.post("/api/v1/business-calendars", json=body, headers=manager)
    assert response.status_code == 201, response.json
    calendar = response.json
    assert response.headers["ETag"] == '"1"'
    assert calendar["holidays"][0] == {"date": "2026-01-01", "name": "New Year"}  # sorted by date
    read = client.get(f"/api/v1/business-calendars/{calendar['id']}", headers=agent)
    assert read.status_code == 200
    assert read.json["weekly_hours"]["mon"][1] == {"start": "13:00", "end": "17:00"}
    listed = client.get("/api/v1/business-calendars", headers=agent)
    assert [item["name"] for item in listed.json["items"]] == ["Berlin office"]


def test_business_time_between_instants_and_after_an_instant(
    client: FlaskClient, agent: Headers, create_calendar: Callable[..., dict[str, Any]]
) -> None:
    calendar = create_calendar(holidays=[{"date": "2026-03-03"}])
    url = f"/api/v1/business-calendars/{calendar['id']}/business-time"
    between = client.get(
        url, query_string={"start": "2026-03-02T16:00:00Z", "end": "2026-03-04T10:00:00Z"}, headers=agent
    )
    assert between.status_code == 200, between.json
    assert between.json["business_seconds"] == 2 * 3600  # Tuesday is a holiday
    after = client.get(
        url, query_string={"start": "2026-03-06T16:00:00Z", "add_seconds": 7200}, headers=agent
    )
    assert after.json["end"] == "2026-03-09T10:00:00.000000Z"  # over the weekend


def test_business_time_needs_exactly_one_question(
    client: FlaskClient, agent: Headers, create_calendar: Callable[..., dict[str, Any]]
) -> None:
    calendar = create_calendar()
    url = f"/api/v1/business-calendars/{calendar['id']}/business-time"
    response = client.get(url, query_string={"start": "2026-03-02T16:00:00Z"}, headers=agent)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "end"


def test_refuses_bad_calendars_naming_the_field(client: FlaskClient, manager: Headers) -> None:
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weekly_hours": {"mon": [{"start": "9:00", "end": "17:00"}]}}, "weekly_hours.mon.0.start"),
        ({"weekly_hours": {"mon": [{"start": "09:00", "end": "09:00"}]}}, "weekly_hours.mon.0.end"),
        ({"weekly_hours": {"mon": [{"start": "24:00", "end": "06:00"}]}}, "weekly_hours.mon.0.start"),
        ({"weekly_hours": {"funday": [{"start": "09:00", "end": "17:00"}]}}, "weekly_hours.funday"),
        ({"weekly_hours": {"mon": []}}, "weekly_hours"),
        ({"holidays": [{"date": "2026-02-30"}]}, "holidays.0.date"),
    ]
    for change, field in cases:
        body = {
            "name": "Bad",
            "timezone": "UTC",
            "weekly_hours": {"mon": [{"start": "09:00", "end": "17:00"}]},
            **change,
        }
        response = client.post("/api/v1/business-calendars", json=body, headers=manager)
        assert response.status_code == 422, (change, response.json)
        assert response.json["code"] == "validation_failed"
        assert field in [error["field"] for error in response.json["errors"]], response.json
    assert client.get("/api/v1/business-calendars", headers=manager).json["items"] == []


def test_only_managers_define_calendars(client: FlaskClient, agent: Headers) -> None:
    body = {"name": "X", "timezone": "UTC", "weekly_hours": {"mon": [{"start": "09:00", "end": "17:00"}]}}
    assert client.post("/api/v1/business-calendars", json=body, headers=agent).status_code == 403


def test_names_are_unique(
    client: FlaskClient, manager: Headers, create_calendar: Callable[..., dict[str, Any]]
) -> None:
    create_calendar("Office")
    body = {
        "name": "Office",
        "timezone": "UTC",
        "weekly_hours": {"mon": [{"start": "09:00", "end": "17:00"}]},
    }
    response = client.post("/api/v1/business-calendars", json=body, headers=manager)
    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.calendar.name_taken"


def test_change_needs_the_current_version(
    client: FlaskClient,
    manager: Headers,
    create_calendar: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
) -> None:
    calendar = create_calendar()
    url = f"/api/v1/business-calendars/{calendar['id']}"
    assert client.patch(url, json={"timezone": "Asia/Tokyo"}, headers=manager).status_code == 428
    assert patch_json(url, {"timezone": "Asia/Tokyo"}, manager, 7).status_code == 412
    changed = patch_json(url, {"timezone": "Asia/Tokyo"}, manager, 1)
    assert changed.status_code == 200
    assert changed.json["timezone"] == "Asia/Tokyo"
    assert changed.headers["ETag"] == '"2"'


def test_a_calendar_in_use_cannot_be_deleted(
    client: FlaskClient,
    manager: Headers,
    create_calendar: Callable[..., dict[str, Any]],
    create_policy: Callable[..., dict[str, Any]],
) -> None:
    calendar = create_calendar()
    policy = create_policy(calendar_id=calendar["id"])
    url = f"/api/v1/business-calendars/{calendar['id']}"
    refused = client.delete(url, headers={**manager, "If-Match": '"1"'})
    assert refused.status_code == 409
    assert refused.json["code"] == "servicedesk.calendar.in_use"
    assert refused.json["policy_ids"] == [policy["id"]]
    client.delete(f"/api/v1/sla-policies/{policy['id']}", headers={**manager, "If-Match": '"1"'})
    assert client.delete(url, headers={**manager, "If-Match": '"1"'}).status_code == 204
    missing = client.get(url, headers=manager)
    assert missing.status_code == 404
    assert missing.json["code"] == "servicedesk.calendar.not_found"
