"""Duplicate detection on create and through the check endpoint; merging a duplicate into a survivor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_creating_an_account_with_the_same_normalised_name_is_a_409_listing_candidates(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    existing = create_account("Acme GmbH")
    response = client.post("/api/v1/accounts", json={"name": "ACME, Inc."}, headers=rep)
    assert response.status_code == 409 and response.json["code"] == "customer.account.duplicate"
    assert response.json["candidates"] == [
        {"id": existing["id"], "name": "Acme GmbH", "domain": None, "reasons": ["name"]}
    ]
    assert len(client.get("/api/v1/accounts", headers=rep).json["items"]) == 1 and len(outbox()) == 1


def test_same_web_domain_or_contact_email_or_phone_counts_as_a_duplicate(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
) -> None:
    existing = create_account("Initech", website="https://www.initech.example/contact")
    create_contact(
        existing["id"], emails=[{"address": "bill@initech.example"}], phones=[{"number": "+1 555 0100"}]
    )
    cases = {
        "domain": {"name": "Other", "website": "initech.example"},
        "email": {
            "name": "Other",
            "contacts": [{"name": "B", "emails": [{"address": "BILL@initech.example"}]}],
        },
        "phone": {"name": "Other", "contacts": [{"name": "B", "phones": [{"number": "001-555-0100"}]}]},
    }
    for reason, body in cases.items():
        response = client.post("/api/v1/accounts", json=body, headers=rep)
        assert response.status_code == 409, reason
        assert response.json["candidates"][0]["reasons"] == [reason]


def test_allow_duplicate_creates_the_account_anyway(
    client: FlaskClient, rep: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    create_account("Acme GmbH")
    response = client.post("/api/v1/accounts", json={"name": "Acme", "allow_duplicate": True}, headers=rep)
    assert response.status_code == 201


def test_duplicate_check_endpoint_lists_candidates_with_reasons_most_first(
    client: FlaskClient,
    reader: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
) -> None:
    by_name = create_account("Globex Corporation")
    by_both = create_account("Globex Ltd", website="globex.example")
    create_contact(by_name["id"], emails=[{"address": "hank@globex.example"}])
    create_account("Unrelated", website="unrelated.example")
    response = client.get(
        "/api/v1/accounts/duplicates?name=GLOBEX&website=https://globex.example&email=hank@globex.example",
        headers=reader,
    )
    assert response.status_code == 200
    found = [(item["account"]["id"], item["reasons"]) for item in response.json["items"]]
    assert found == [(by_name["id"], ["name", "email"]), (by_both["id"], ["name", "domain"])]


def test_duplicate_check_needs_something_to_compare(client: FlaskClient, reader: Headers) -> None:
    empty = client.get("/api/v1/accounts/duplicates", headers=reader)
    assert empty.status_code == 422 and empty.json["errors"][0]["field"] == "name"
    bad = client.get("/api/v1/accounts/duplicates?phone=call-me", headers=reader)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "phone"


def test_merge_moves_contacts_and_timeline_unites_tags_and_fills_empty_fields(
    client: FlaskClient,
    manager: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
) -> None:
    survivor = create_account("Acme GmbH", tags=["emea"], tier="key", industry="Manufacturing")
    merged = create_account(
        "ACME", tags=["automotive"], website="acme.example", industry="Retail", owner_id="u-9"
    )
    contact = create_contact(merged["id"])
    client.post(
        f"/api/v1/accounts/{merged['id']}/interactions",
        json={"type": "note", "summary": "Hi"},
        headers=manager,
    )
    response = client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    account = response.json
    assert account["tags"] == ["automotive", "emea"] and account["tier"] == "key"
    assert (account["industry"], account["domain"], account["owner_id"]) == (
        "Manufacturing",
        "acme.example",
        "u-9",
    )
    contacts = client.get(f"/api/v1/accounts/{survivor['id']}/contacts", headers=manager).json["items"]
    assert [c["id"] for c in contacts] == [contact["id"]] and contacts[0]["account_id"] == survivor["id"]
    timeline = client.get(f"/api/v1/accounts/{survivor['id']}/interactions", headers=manager).json["items"]
    assert [i["summary"] for i in timeline] == ["Hi"]


def test_a_merged_account_answers_404_naming_the_survivor(
    client: FlaskClient, manager: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    survivor, merged = create_account("Acme"), create_account("Acme Inc")
    client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    for method, path in (("get", ""), ("get", "/contacts"), ("get", "/interactions"), ("patch", "")):
        response = getattr(client, method)(
            f"/api/v1/accounts/{merged['id']}{path}", json={} if method == "patch" else None,
            headers={**manager, "If-Match": '"1"'},
        )  # fmt: skip
        assert response.status_code == 404, path
        assert (response.json["code"], response.json["merged_into"]) == (
            "customer.account.merged",
            survivor["id"],
        )


def test_merge_records_merged_event_for_the_merged_account_and_updates_for_survivor_and_contacts(
    client: FlaskClient,
    manager: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    survivor, merged = create_account("Acme"), create_account("Acme Inc", tags=["emea"])
    contact = create_contact(merged["id"])
    client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    [merged_event] = outbox("customer.account.merged")
    assert (merged_event.subject, merged_event.sequence) == (merged["id"], 2)
    data = merged_event.data
    assert data["merged_into_id"] == survivor["id"] and data["survivor"]["tags"] == ["emea"]
    assert data["moved_contact_ids"] == [contact["id"]] and data["moved_interactions"] == 0
    [survivor_event] = outbox("customer.account.updated")
    assert (survivor_event.subject, survivor_event.sequence) == (survivor["id"], 2)
    assert survivor_event.data["changes"] == {"tags": {"before": [], "after": ["emea"]}}
    [moved] = outbox("customer.contact.updated")
    assert moved.subject == contact["id"] and moved.sequence == 2
    assert moved.data["changes"] == {"account_id": {"before": merged["id"], "after": survivor["id"]}}


def test_merging_into_itself_or_an_already_merged_account_is_refused_on_the_field(
    client: FlaskClient, manager: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    first, second, third = create_account("A"), create_account("B"), create_account("C")
    url = f"/api/v1/accounts/{first['id']}/merge"
    itself = client.post(url, json={"merged_account_id": first["id"]}, headers=manager)
    client.post(url, json={"merged_account_id": second["id"]}, headers=manager)
    again = client.post(
        f"/api/v1/accounts/{third['id']}/merge", json={"merged_account_id": second["id"]}, headers=manager
    )
    unknown = client.post(url, json={"merged_account_id": "nope"}, headers=manager)
    for response in (itself, again, unknown):
        assert response.status_code == 422 and response.json["code"] == "customer.account.merge_invalid"
        assert response.json["errors"][0]["field"] == "merged_account_id"


def test_merge_checks_the_survivors_if_match_when_sent(
    client: FlaskClient, manager: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    survivor, merged = create_account("A"), create_account("B")
    url = f"/api/v1/accounts/{survivor['id']}/merge"
    stale = client.post(url, json={"merged_account_id": merged["id"]}, headers={**manager, "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json["code"] == "stale_version"
    fresh = client.post(url, json={"merged_account_id": merged["id"]}, headers={**manager, "If-Match": '"1"'})
    assert fresh.status_code == 200


def test_ids_merged_into_a_later_merged_account_resolve_to_the_final_survivor(
    client: FlaskClient, manager: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    first, second, final = create_account("A"), create_account("B"), create_account("C")
    client.post(
        f"/api/v1/accounts/{second['id']}/merge", json={"merged_account_id": first["id"]}, headers=manager
    )
    client.post(
        f"/api/v1/accounts/{final['id']}/merge", json={"merged_account_id": second["id"]}, headers=manager
    )
    response = client.get(f"/api/v1/accounts/{first['id']}", headers=manager)
    assert response.json["merged_into"] == final["id"]


def test_merge_needs_a_manager_role(
    client: FlaskClient, rep: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    survivor, merged = create_account("A"), create_account("B")
    response = client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=rep
    )
    assert response.status_code == 403 and response.json["code"] == "auth.role_required"
