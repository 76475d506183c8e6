"""Custom fields over HTTP: admins define them; account values are checked against the definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def define(client: FlaskClient, admin: Headers) -> Callable[..., dict[str, Any]]:
    def create(key: str, type_: str, **fields: Any) -> dict[str, Any]:
        body = {"key": key, "label": key.replace("_", " ").title(), "type": type_, **fields}
        response = client.post("/api/v1/custom-fields", json=body, headers=admin)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return create


def test_admin_defines_a_field_answered_with_location_and_etag(client: FlaskClient, admin: Headers) -> None:
    body = {
        "key": "sla_plan",
        "label": "SLA plan",
        "type": "enum",
        "options": ["gold", "silver"],
        "required": True,
    }
    response = client.post("/api/v1/custom-fields", json=body, headers=admin)
    assert response.status_code == 201
    assert (
        response.headers["Location"] == "/api/v1/custom-fields/sla_plan" and response.headers["ETag"] == '"1"'
    )
    assert response.json["options"] == ["gold", "silver"] and response.json["required"] is True


def test_only_admins_change_definitions_but_everyone_reads_them(
    client: FlaskClient, rep: Headers, define: Callable[..., dict[str, Any]]
) -> None:
    define("employees", "number")
    refused = client.post(
        "/api/v1/custom-fields", json={"key": "x", "label": "X", "type": "string"}, headers=rep
    )
    assert refused.status_code == 403 and refused.json["code"] == "auth.role_required"
    assert (
        client.delete("/api/v1/custom-fields/employees", headers={**rep, "If-Match": '"1"'}).status_code
        == 403
    )
    assert client.get("/api/v1/custom-fields/employees", headers=rep).json["type"] == "number"
    assert [f["key"] for f in client.get("/api/v1/custom-fields", headers=rep).json["items"]] == ["employees"]


def test_definitions_are_checked(
    client: FlaskClient, admin: Headers, define: Callable[..., dict[str, Any]]
) -> None:
    define("employees", "number")
    cases = [
        ({"key": "employees", "label": "Again", "type": "number"}, 409, "customer.custom_field.exists", None),
        ({"key": "tier2", "label": "T", "type": "enum"}, 422, "validation_failed", "options"),
        (
            {"key": "note", "label": "N", "type": "string", "options": ["a"]},
            422,
            "validation_failed",
            "options",
        ),
        ({"key": "Bad Key", "label": "B", "type": "colour"}, 422, "validation_failed", "key"),
    ]
    for body, status, code, field in cases:
        response = client.post("/api/v1/custom-fields", json=body, headers=admin)
        assert (response.status_code, response.json["code"]) == (status, code), body
        if field:
            assert field in {e["field"] for e in response.json["errors"]}, body


def test_account_values_must_match_the_definitions_naming_each_bad_key(
    client: FlaskClient, rep: Headers, define: Callable[..., dict[str, Any]], outbox: Callable[..., list[Any]]
) -> None:
    define("employees", "number")
    define("sla_plan", "enum", options=["gold", "silver"], required=True)
    define("signed_on", "date")
    body = {
        "name": "Acme",
        "custom_fields": {"employees": "many", "signed_on": "2026-02-30", "colour": "red"},
    }
    response = client.post("/api/v1/accounts", json=body, headers=rep)
    assert response.status_code == 422 and response.json["code"] == "customer.custom_field.invalid"
    assert {e["field"] for e in response.json["errors"]} == {
        "custom_fields.employees",
        "custom_fields.signed_on",
        "custom_fields.colour",
        "custom_fields.sla_plan",
    }
    assert outbox() == []


def test_account_custom_fields_are_stored_merged_on_patch_and_published(
    client: FlaskClient,
    rep: Headers,
    define: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    define("employees", "number")
    define("vip", "boolean")
    body = {"name": "Acme", "custom_fields": {"employees": 1200, "vip": True}}
    account = client.post("/api/v1/accounts", json=body, headers=rep).json
    assert account["custom_fields"] == {"employees": 1200, "vip": True}
    updated = patch_json(
        f"/api/v1/accounts/{account['id']}", {"custom_fields": {"employees": 1300, "vip": None}}, rep, 1
    )
    assert updated.json["custom_fields"] == {"employees": 1300}
    [event] = outbox("customer.account.updated")
    assert event.data["changes"]["custom_fields"] == {
        "before": {"employees": 1200, "vip": True},
        "after": {"employees": 1300},
    }


def test_definition_changes_need_if_match_and_type_is_fixed(
    client: FlaskClient, admin: Headers, define: Callable[..., dict[str, Any]], patch_json: Callable[..., Any]
) -> None:
    define("sla_plan", "enum", options=["gold"])
    url = "/api/v1/custom-fields/sla_plan"
    assert client.patch(url, json={"label": "Plan"}, headers=admin).status_code == 428
    changed = patch_json(url, {"label": "Plan", "options": ["gold", "silver"]}, admin, 1)
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert changed.json["options"] == ["gold", "silver"]
    retyped = patch_json(url, {"type": "string"}, admin, 2)
    assert retyped.status_code == 422 and retyped.json["errors"][0]["field"] == "type"
    define("note", "string")
    optioned = patch_json("/api/v1/custom-fields/note", {"options": ["a"]}, admin, 1)
    assert optioned.status_code == 422 and optioned.json["code"] == "customer.custom_field.invalid"


def test_deleting_a_definition_drops_its_values_on_the_next_change(
    client: FlaskClient,
    admin: Headers,
    rep: Headers,
    define: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
) -> None:
    define("employees", "number")
    define("vip", "boolean")
    account = client.post(
        "/api/v1/accounts", json={"name": "A", "custom_fields": {"employees": 5, "vip": True}}, headers=rep
    ).json
    assert (
        client.delete("/api/v1/custom-fields/employees", headers={**admin, "If-Match": '"1"'}).status_code
        == 204
    )
    missing = client.get("/api/v1/custom-fields/employees", headers=admin)
    assert missing.status_code == 404 and missing.json["code"] == "customer.custom_field.not_found"
    updated = patch_json(f"/api/v1/accounts/{account['id']}", {"custom_fields": {"vip": False}}, rep, 1).json
    assert updated["custom_fields"] == {"vip": False}
