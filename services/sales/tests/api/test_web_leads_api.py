"""Web forms and their keys; the public web-to-lead endpoint (X-Api-Key, consent, duplicates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

import crmkit
from sales.leads.models import WebForm

Headers = dict[str, str]
VISITOR = {
    "first_name": "Lena",
    "last_name": "Krause",
    "company": "Nordwind",
    "email": "lena@nordwind.example",
}


@pytest.fixture
def web_form(client: FlaskClient, manager: Headers) -> dict[str, Any]:
    body = {"name": "Contact us", "consent_text": "You may contact me about offers."}
    response = client.post("/api/v1/web-forms", json=body, headers=manager)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_key_is_shown_once_and_stored_hashed(
    client: FlaskClient, manager: Headers, web_form: dict[str, Any], database: crmkit.Database
) -> None:
    key = web_form["api_key"]
    assert key.startswith("wf_") and len(key) > 30
    assert key.startswith(web_form["key_prefix"])
    read = client.get(f"/api/v1/web-forms/{web_form['id']}", headers=manager).json
    assert "api_key" not in read
    listed = client.get("/api/v1/web-forms", headers=manager).json["items"]
    assert all("api_key" not in item for item in listed)
    with database.uow() as uow:
        stored = uow.session.get(WebForm, web_form["id"])
        assert stored is not None and key not in (stored.key_hash, stored.key_prefix)


def test_web_lead_is_captured_with_consent(
    client: FlaskClient, manager: Headers, web_form: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    response = client.post(
        "/api/v1/web-leads", json={**VISITOR, "consent": True}, headers={"X-Api-Key": web_form["api_key"]}
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "received"
    lead = client.get(f"/api/v1/leads/{response.json['id']}", headers=manager).json
    assert lead["source"] == "web"
    assert lead["consent"]["granted"] is True
    assert lead["consent"]["method"] == "web_form"
    assert lead["consent"]["text"] == "You may contact me about offers."
    assert lead["consent"]["recorded_at"]
    assert outbox("sales.lead.created")[0].data["consent"]["granted"] is True
    form = client.get(f"/api/v1/web-forms/{web_form['id']}", headers=manager).json
    assert form["last_used_at"] is not None


def test_web_lead_needs_a_valid_active_key(
    client: FlaskClient, manager: Headers, web_form: dict[str, Any], patch_json: Callable[..., Any]
) -> None:
    body = {**VISITOR, "consent": False}
    missing = client.post("/api/v1/web-leads", json=body)
    assert missing.status_code == 401
    assert missing.json["code"] == "sales.web_form.key_invalid"
    assert client.post("/api/v1/web-leads", json=body, headers={"X-Api-Key": "wf_wrong"}).status_code == 401
    patch_json(f"/api/v1/web-forms/{web_form['id']}", {"active": False}, manager, web_form["version"])
    inactive = client.post("/api/v1/web-leads", json=body, headers={"X-Api-Key": web_form["api_key"]})
    assert inactive.status_code == 401


def test_web_lead_bad_input_and_consent_required(client: FlaskClient, web_form: dict[str, Any]) -> None:
    headers = {"X-Api-Key": web_form["api_key"]}
    response = client.post("/api/v1/web-leads", json={"email": "x"}, headers=headers)
    assert response.status_code == 422
    assert {error["field"] for error in response.json["errors"]} == {"last_name", "email", "consent"}


def test_web_duplicates_are_captured_and_flagged(
    client: FlaskClient, manager: Headers, web_form: dict[str, Any]
) -> None:
    headers = {"X-Api-Key": web_form["api_key"]}
    first = client.post("/api/v1/web-leads", json={**VISITOR, "consent": True}, headers=headers).json
    second = client.post("/api/v1/web-leads", json={**VISITOR, "consent": True}, headers=headers)
    assert second.status_code == 201
    lead = client.get(f"/api/v1/leads/{second.json['id']}", headers=manager).json
    assert lead["duplicates"] == [{"kind": "lead", "id": first["id"], "account_id": None}]


def test_rotating_the_key_retires_the_old_one(
    client: FlaskClient, manager: Headers, web_form: dict[str, Any]
) -> None:
    rotated = client.post(f"/api/v1/web-forms/{web_form['id']}/rotate-key", headers=manager)
    assert rotated.status_code == 200
    body = {**VISITOR, "consent": True}
    assert (
        client.post("/api/v1/web-leads", json=body, headers={"X-Api-Key": web_form["api_key"]}).status_code
        == 401
    )
    fresh = client.post("/api/v1/web-leads", json=body, headers={"X-Api-Key": rotated.json["api_key"]})
    assert fresh.status_code == 201


def test_only_managers_run_web_forms(client: FlaskClient, rep: Headers) -> None:
    assert client.post("/api/v1/web-forms", json={"name": "x"}, headers=rep).status_code == 403
    assert client.get("/api/v1/web-forms", headers=rep).status_code == 403


def test_web_form_campaign_travels_to_the_lead(client: FlaskClient, manager: Headers) -> None:
    form = client.post(
        "/api/v1/web-forms", json={"name": "Fair", "campaign_id": "camp-1"}, headers=manager
    ).json
    receipt = client.post(
        "/api/v1/web-leads", json={**VISITOR, "consent": True}, headers={"X-Api-Key": form["api_key"]}
    ).json
    assert client.get(f"/api/v1/leads/{receipt['id']}", headers=manager).json["campaign_id"] == "camp-1"
