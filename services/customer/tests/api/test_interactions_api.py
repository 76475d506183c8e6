"""The timeline over HTTP: logging (idempotent per source+reference), newest-first pages, events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_logging_an_interaction_answers_201_and_records_the_logged_event(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    contact = create_contact(account["id"])
    body = {
        "type": "call",
        "channel": "phone",
        "occurred_at": "2026-03-04T11:30:00+01:00",
        "contact_id": contact["id"],
        "summary": "Discussed the renewal.",
    }
    response = client.post(f"/api/v1/accounts/{account['id']}/interactions", json=body, headers=rep)
    assert response.status_code == 201, response.json
    interaction = response.json
    assert interaction["occurred_at"] == "2026-03-04T10:30:00.000000Z"
    assert (interaction["author_id"], interaction["source"], interaction["external_ref"]) == (
        "rep-1",
        "customer",
        None,
    )
    [event] = outbox("customer.interaction.logged")
    assert (event.subject, event.sequence) == (interaction["id"], 1)
    assert event.data["account_id"] == account["id"] and event.data["contact_id"] == contact["id"]


def test_the_same_source_and_reference_logs_once_and_answers_200_with_the_first(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account = create_account()
    url = f"/api/v1/accounts/{account['id']}/interactions"
    body = {
        "type": "email",
        "summary": "Ticket 42 opened",
        "source": "servicedesk",
        "external_ref": "ticket-42",
    }
    first = client.post(url, json=body, headers=rep)
    again = client.post(url, json={**body, "summary": "changed wording"}, headers=rep)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["summary"] == "Ticket 42 opened"
    assert len(outbox("customer.interaction.logged")) == 1
    other_source = client.post(url, json={**body, "source": "sales"}, headers=rep)
    assert other_source.status_code == 201


def test_timeline_pages_newest_first(
    client: FlaskClient,
    rep: Headers,
    reader: Headers,
    create_account: Callable[..., dict[str, Any]],
    walk: Callable[..., list[dict[str, Any]]],
) -> None:
    account = create_account()
    url = f"/api/v1/accounts/{account['id']}/interactions"
    days = [5, 1, 9, 3, 7, 3, 2]
    for index, day in enumerate(days):
        body = {"type": "note", "summary": f"n{index}", "occurred_at": f"2026-01-0{day}T12:00:00Z"}
        assert client.post(url, json=body, headers=rep).status_code == 201
    timeline = walk(url, reader, limit=3)
    occurred = [item["occurred_at"] for item in timeline]
    assert occurred == sorted(occurred, reverse=True) and len(timeline) == len(days)
    notes = walk(f"{url}?type=note", reader, limit=10)
    assert len(notes) == len(days) and walk(f"{url}?type=call", reader, limit=10) == []


def test_a_contact_of_another_account_is_refused_on_contact_id(
    client: FlaskClient,
    rep: Headers,
    create_account: Callable[..., dict[str, Any]],
    create_contact: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    account, other = create_account("Acme"), create_account("Globex")
    stranger = create_contact(other["id"])
    body = {"type": "meeting", "summary": "Kick-off", "contact_id": stranger["id"]}
    response = client.post(f"/api/v1/accounts/{account['id']}/interactions", json=body, headers=rep)
    assert response.status_code == 422 and response.json["code"] == "customer.interaction.contact_invalid"
    assert response.json["errors"][0]["field"] == "contact_id"
    assert outbox("customer.interaction.logged") == []


def test_bad_interactions_name_each_field(
    client: FlaskClient, rep: Headers, create_account: Callable[..., dict[str, Any]]
) -> None:
    account = create_account()
    body = {"type": "fax", "channel": "smoke", "occurred_at": "2026-03-04 10:30", "source": "Not Valid"}
    response = client.post(f"/api/v1/accounts/{account['id']}/interactions", json=body, headers=rep)
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {
        "type",
        "channel",
        "occurred_at",
        "source",
        "summary",
    }


def test_timeline_of_an_unknown_account_is_a_404(client: FlaskClient, reader: Headers) -> None:
    response = client.get("/api/v1/accounts/nope/interactions", headers=reader)
    assert response.status_code == 404 and response.json["code"] == "customer.account.not_found"
