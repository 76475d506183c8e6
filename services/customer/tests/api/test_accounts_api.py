"""Accounts over HTTP: create, read, change and delete, with ETags, idempotency keys and outbox rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_create_account_answers_201_with_location_etag_and_normalised_fields(
    client: FlaskClient, rep: Headers
) -> None:
    body = {
        "name": "  Acme   GmbH ",
        "website": "https://www.Acme.example/about",
        "industry": "Manufacturing",
        "address": {"line1": "Hauptstrasse 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "owner_id": "u-4711",
        "tier": "key",
        "lifecycle_stage": "active",
        "tags": ["EMEA", "automotive", "emea "],
    }
    response = client.post("/api/v1/accounts", json=body, headers=rep)
    assert response.status_code == 201, response.json
    account = response.json
    assert response.headers["Location"] == f"/api/v1/accounts/{account['id']}"
    assert response.headers["ETag"] == '"1"' and account["version"] == 1
    assert account["name"] == "Acme GmbH" and account["domain"] == "acme.example"
    assert account["tags"] == ["automotive", "emea"] and account["tier"] == "key"
    assert account["created_by"] == "rep-1" and account["created_at"].endswith("Z")


def test_create_account_defaults_to_standard_tier_and_prospect_stage(
    create_account: Callable[..., dict[str, Any]],
) -> None:
    account = create_account("Globex")
    assert (account["tier"], account["lifecycle_stage"], account["tags"]) == ("standard", "prospect", [])


def test_create_account_records_created_event_with_subject_and_sequence(
    create_account: Callable[..., dict[str, Any]], outbox: Callable[..., list[Any]]
) -> None:
    account = create_account("Acme GmbH", tier="key", tags=["emea"], owner_id="u-1")
    [event] = outbox()
    assert event.type == "crm.customer.account.created"
    assert (event.subject, event.sequence) == (account["id"], 1)
    data = event.data
    assert (data["name"], data["tier"], data["owner_id"], data["tags"]) == (
        "Acme GmbH",
        "key",
        "u-1",
        ["emea"],
    )
    assert data["lifecycle_stage"] == "prospect" and data["domain"] is None


def test_create_account_with_contacts_creates_them_in_the_same_transaction(
    client: FlaskClient, rep: Headers, outbox: Callable[..., list[Any]]
) -> None:
    body = {
        "name": "Initech",
        "contacts": [{"name": "Peter Gibbons", "emails": [{"address": "Peter@Initech.example"}]}],
    }
    account = client.post("/api/v1/accounts", json=body, headers=rep).json
    contacts = client.get(f"/api/v1/accounts/{account['id']}/contacts", headers=rep).json["items"]
    assert [c["emails"] for c in contacts] == [[{"address": "peter@initech.example", "label": None}]]
    assert [e.type for e in outbox()] == ["crm.customer.account.created", "crm.customer.contact.created"]


def test_invalid_account_names_every_bad_field_and_writes_nothing(
    client: FlaskClient, rep: Headers, outbox: Callable[..., list[Any]]
) -> None:
    body = {
        "name": "!!!",
        "website": "not a site",
        "tier": "gold",
        "address": {"country": "Germany"},
        "colour": "red",
    }
    response = client.post("/api/v1/accounts", json=body, headers=rep)
    assert response.status_code == 422 and response.json["code"] == "validation_failed"
    fields = {error["field"] for error in response.json["errors"]}
    assert fields == {"name", "website", "tier", "address.country", "colour"}
    assert all(error["in"] == "json" for error in response.json["errors"])
    assert client.get("/api/v1/accounts", headers=rep).json["items"] == [] and outbox() == []


def test_get_account_answers_with_its_etag(
    client: FlaskClient, reader: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    account = create_account()
    response = client.get(f"/api/v1/accounts/{account['id']}", headers=reader)
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert response.json == account


def test_unknown_account_is_a_404_problem(client: FlaskClient, reader: Headers) -> None:
    response = client.get("/api/v1/accounts/nope", headers=reader)
    assert response.status_code == 404 and response.json["code"] == "customer.account.not_found"
    assert response.mimetype == "application/problem+json"


def test_patch_changes_fields_bumps_version_and_records_changes(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account("Acme", tags=["emea"])
    body = {"name": "Acme Corp", "tier": "key", "tags": ["emea", "automotive"], "industry": None}
    response = patch_json(f"/api/v1/accounts/{account['id']}", body, rep, 1)
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    assert response.json["name"] == "Acme Corp" and response.json["version"] == 2
    [event] = outbox("customer.account.updated")
    assert (event.subject, event.sequence) == (account["id"], 2)
    assert event.data["changes"] == {
        "name": {"before": "Acme", "after": "Acme Corp"},
        "tier": {"before": "standard", "after": "key"},
        "tags": {"before": ["emea"], "after": ["automotive", "emea"]},
    }


def test_patch_that_changes_nothing_keeps_the_version_and_records_nothing(
    create_account: Callable[..., dict[str, Any]],
    rep: Headers,
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account("Acme", tier="key")
    response = patch_json(f"/api/v1/accounts/{account['id']}", {"tier": "key", "name": "Acme"}, rep, 1)
    assert response.status_code == 200 and response.json["version"] == 1
    assert outbox("customer.account.updated") == []


def test_patch_without_if_match_is_428_and_with_a_stale_one_412(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
) -> None:
    account = create_account()
    url = f"/api/v1/accounts/{account['id']}"
    missing = client.patch(url, json={"tier": "key"}, headers=rep)
    assert missing.status_code == 428 and missing.json["code"] == "precondition_required"
    assert patch_json(url, {"tier": "key"}, rep, 1).status_code == 200
    stale = patch_json(url, {"tier": "low"}, rep, 1)
    assert stale.status_code == 412 and stale.json["code"] == "stale_version"
    assert client.get(url, headers=rep).json["tier"] == "key"


def test_patch_with_a_bad_field_names_it_and_changes_nothing(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    response = patch_json(
        f"/api/v1/accounts/{account['id']}", {"name": None, "lifecycle_stage": "zombie"}, rep, 1
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json["errors"]} == {"name", "lifecycle_stage"}
    assert client.get(f"/api/v1/accounts/{account['id']}", headers=rep).json["version"] == 1
    assert outbox("customer.account.updated") == []


def test_delete_hides_the_account_and_its_contacts_and_records_deletions(
    client: FlaskClient,
    manager: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    contact = create_contact(account["id"])
    url = f"/api/v1/accounts/{account['id']}"
    assert client.delete(url, headers=manager).status_code == 428
    response = client.delete(url, headers={**manager, "If-Match": '"1"'})
    assert response.status_code == 204
    assert client.get(url, headers=manager).json["code"] == "customer.account.not_found"
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=manager).status_code == 404
    assert client.get("/api/v1/accounts", headers=manager).json["items"] == []
    [deleted] = outbox("customer.account.deleted")
    assert (deleted.subject, deleted.sequence) == (account["id"], 2) and deleted.data["deleted_at"]
    [contact_deleted] = outbox("customer.contact.deleted")
    assert (contact_deleted.subject, contact_deleted.sequence) == (contact["id"], 2)


def test_idempotency_key_replays_the_first_response_and_creates_nothing_new(
    client: FlaskClient, rep: Headers, outbox: Callable[..., list[Any]]
) -> None:
    headers = {**rep, "Idempotency-Key": "create-acme-1"}
    first = client.post("/api/v1/accounts", json={"name": "Acme"}, headers=headers)
    again = client.post("/api/v1/accounts", json={"name": "Acme"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/accounts", headers=rep).json["items"]) == 1
    assert len(outbox()) == 1


def test_idempotency_key_reused_with_another_body_is_refused(client: FlaskClient, rep: Headers) -> None:
    headers = {**rep, "Idempotency-Key": "k-2"}
    client.post("/api/v1/accounts", json={"name": "Acme"}, headers=headers)
    response = client.post("/api/v1/accounts", json={"name": "Globex"}, headers=headers)
    assert response.status_code == 422 and response.json["code"] == "idempotency_key.reused"


def test_new_contacts_sharing_an_email_are_refused_naming_the_second(
    client: FlaskClient, rep: Headers
) -> None:
    contacts = [
        {"name": "A", "emails": [{"address": "same@twin.example"}]},
        {"name": "B", "emails": [{"address": "Same@Twin.example"}]},
    ]
    response = client.post(
        "/api/v1/accounts", json={"name": "Twin Mail Co", "contacts": contacts}, headers=rep
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["contacts.1.emails.0.address"]
    assert client.get("/api/v1/contacts?email=same@twin.example", headers=rep).json["items"] == []
