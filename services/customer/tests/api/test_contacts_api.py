"""Contacts over HTTP: per account and across accounts, e-mail duplicates, consents, ETags and events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_add_contact_answers_201_with_location_etag_and_records_created_event(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    body = {
        "name": "Jana Novak",
        "title": "Head of Procurement",
        "emails": [{"address": " Jana.Novak@Acme.example ", "label": "work"}],
        "phones": [{"number": "+49 30 1234567", "label": "office"}],
        "preferred_channel": "email",
    }
    response = client.post(f"/api/v1/accounts/{account['id']}/contacts", json=body, headers=rep)
    assert response.status_code == 201, response.json
    contact = response.json
    assert (
        response.headers["Location"] == f"/api/v1/contacts/{contact['id']}"
        and response.headers["ETag"] == '"1"'
    )
    assert contact["emails"] == [{"address": "jana.novak@acme.example", "label": "work"}]
    assert contact["phones"] == [{"number": "+49 30 1234567", "label": "office"}]
    [event] = outbox("customer.contact.created")
    assert (event.subject, event.sequence, event.data["account_id"]) == (contact["id"], 1, account["id"])


def test_consents_are_recorded_with_when_how_and_by_whom(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
) -> None:
    account = create_account()
    body = {
        "name": "Jana",
        "consents": {
            "marketing_email": {
                "granted": True,
                "method": "paper",
                "recorded_at": "2026-01-05T10:00:00+01:00",
            }
        },
    }
    contact = client.post(f"/api/v1/accounts/{account['id']}/contacts", json=body, headers=rep).json
    assert contact["consents"]["marketing_email"] == {
        "granted": True,
        "method": "paper",
        "recorded_at": "2026-01-05T09:00:00.000000Z",
        "recorded_by": "rep-1",
    }
    change = {"consents": {"marketing_sms": {"granted": False, "method": "phone"}}}
    updated = patch_json(f"/api/v1/contacts/{contact['id']}", change, rep, 1).json
    assert set(updated["consents"]) == {"marketing_email", "marketing_sms"}
    assert updated["consents"]["marketing_sms"]["granted"] is False
    assert updated["consents"]["marketing_sms"]["recorded_at"].endswith("Z")


def test_a_second_contact_with_the_same_email_is_a_409_unless_allowed(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    first = create_contact(account["id"], emails=[{"address": "jana@acme.example"}])
    url = f"/api/v1/accounts/{account['id']}/contacts"
    body = {"name": "J. Novak", "emails": [{"address": "JANA@acme.example"}]}
    refused = client.post(url, json=body, headers=rep)
    assert refused.status_code == 409 and refused.json["code"] == "customer.contact.duplicate"
    assert [c["id"] for c in refused.json["candidates"]] == [first["id"]]
    assert len(outbox("customer.contact.created")) == 1
    assert client.post(url, json={**body, "allow_duplicate": True}, headers=rep).status_code == 201


def test_invalid_contact_names_every_bad_field(
    client: FlaskClient, rep: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    account = create_account()
    body = {
        "emails": [{"address": "not-an-address"}],
        "phones": [{"number": "call me"}],
        "preferred_channel": "pigeon",
        "consents": {
            "marketing_email": {"granted": True, "method": "telepathy", "recorded_at": "2026-01-05T10:00"},
            "marketing_fax": {"granted": True, "method": "paper"},
        },
    }
    response = client.post(f"/api/v1/accounts/{account['id']}/contacts", json=body, headers=rep)
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {
        "name",
        "emails.0.address",
        "phones.0.number",
        "preferred_channel",
        "consents.marketing_email.method",
        "consents.marketing_email.recorded_at",
        "consents.marketing_fax",
    }


def test_the_same_address_or_number_twice_on_one_contact_is_refused(
    client: FlaskClient, rep: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    account = create_account()
    body = {
        "name": "Jana",
        "emails": [{"address": "jana@acme.example"}, {"address": "JANA@acme.example"}],
        "phones": [{"number": "+49 30 1234567"}, {"number": "0049-30-1234567"}],
    }
    response = client.post(f"/api/v1/accounts/{account['id']}/contacts", json=body, headers=rep)
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"emails", "phones"}


def test_contact_of_an_unknown_account_is_a_404(client: FlaskClient, rep: Headers) -> None:
    response = client.post("/api/v1/accounts/nope/contacts", json={"name": "X"}, headers=rep)
    assert response.status_code == 404 and response.json["code"] == "customer.account.not_found"


def test_contacts_can_be_found_by_email_phone_or_account(
    client: FlaskClient,
    reader: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
) -> None:
    acme, globex = create_account("Acme"), create_account("Globex")
    jana = create_contact(
        acme["id"],
        "Jana",
        emails=[{"address": "jana@acme.example"}],
        phones=[{"number": "+49 (30) 123-4567"}],
    )
    hank = create_contact(globex["id"], "Hank", emails=[{"address": "hank@globex.example"}])

    def ids(query: str) -> list[str]:
        return [c["id"] for c in client.get(f"/api/v1/contacts?{query}", headers=reader).json["items"]]

    assert ids("email=JANA@acme.example") == [jana["id"]]
    assert ids(f"phone={quote('0049 30 1234567')}") == [jana["id"]]
    assert ids(f"account_id={globex['id']}") == [hank["id"]]
    assert ids("") == [hank["id"], jana["id"]]


def test_contact_lists_page_by_name_and_by_age(
    reader: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    walk: Callable[..., list[dict[str, Any]]],
) -> None:
    account = create_account()
    names = ["Eve", "bob", "Alice", "dave", "Carol"]
    created = [create_contact(account["id"], name) for name in names]
    base = f"/api/v1/accounts/{account['id']}/contacts"
    assert [c["name"] for c in walk(f"{base}?sort=name", reader, limit=2)] == [
        "Alice",
        "bob",
        "Carol",
        "dave",
        "Eve",
    ]
    assert [c["name"] for c in walk(f"{base}?sort=-name", reader, limit=2)] == [
        "Eve",
        "dave",
        "Carol",
        "bob",
        "Alice",
    ]
    assert [c["id"] for c in walk(f"{base}?sort=created_at", reader, limit=2)] == [c["id"] for c in created]
    assert [c["id"] for c in walk("/api/v1/contacts?sort=-created_at", reader, limit=2)] == [
        c["id"] for c in reversed(created)
    ]


def test_patch_contact_needs_if_match_and_records_changes(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    patch_json: Callable[..., Any],
    outbox: Callable[..., list[Any]],
) -> None:
    contact = create_contact(create_account()["id"], title="Buyer")
    url = f"/api/v1/contacts/{contact['id']}"
    assert client.patch(url, json={"title": "CFO"}, headers=rep).status_code == 428
    response = patch_json(url, {"title": "CFO", "emails": [{"address": "cfo@acme.example"}]}, rep, 1)
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    assert patch_json(url, {"title": "CEO"}, rep, 1).status_code == 412
    [event] = outbox("customer.contact.updated")
    assert event.sequence == 2 and event.data["changes"] == {
        "emails": {"before": [], "after": [{"address": "cfo@acme.example", "label": None}]},
        "title": {"before": "Buyer", "after": "CFO"},
    }


def test_delete_contact_needs_a_manager_and_if_match(
    client: FlaskClient,
    rep: Headers,
    manager: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    contact = create_contact(create_account()["id"])
    url = f"/api/v1/contacts/{contact['id']}"
    assert client.delete(url, headers={**rep, "If-Match": '"1"'}).status_code == 403
    assert client.delete(url, headers=manager).status_code == 428
    assert client.delete(url, headers={**manager, "If-Match": '"1"'}).status_code == 204
    response = client.get(url, headers=manager)
    assert response.status_code == 404 and response.json["code"] == "customer.contact.not_found"
    [event] = outbox("customer.contact.deleted")
    assert (event.subject, event.sequence) == (contact["id"], 2) and event.data["deleted_at"]
