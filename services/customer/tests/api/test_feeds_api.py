"""Other services' events: lead conversion, the customer 360 view and the shared timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

from crmkit.events.envelope import Event, type_for

Headers = dict[str, str]
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def event(routing_key: str, data: dict[str, Any], *, subject: str | None = None, sequence: int = 1) -> Event:
    service = routing_key.split(".", 1)[0]
    return Event(
        id=uuid.uuid4().hex,
        source=f"/services/{service}",
        type=type_for(routing_key),
        subject=subject or str(data.get("id") or uuid.uuid4().hex),
        time=AT,
        data=data,
        dataschema=f"urn:crm:{routing_key}:v1",
        sequence=sequence,
    )


def lead(**fields: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "account_id": None,
        "contact_id": None,
        "opportunity_id": uuid.uuid4().hex,
        "company": "Nordwind Logistik AG",
        "first_name": "Eva",
        "last_name": "Lind",
        "email": "eva.lind@nordwind.example",
        "phone": "+49 40 123456",
        "website": "https://nordwind.example",
        "industry": "Logistics",
        "region": "Hamburg",
        "country": "DE",
        "owner_id": "rep-1",
        **fields,
    }


def accounts_named(client: FlaskClient, headers: Headers, name: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/accounts?name={name}", headers=headers)
    assert response.status_code == 200
    return list(response.json["items"])


def test_a_converted_lead_becomes_an_account_and_contact_once(client, rep, deliver, outbox) -> None:
    converted = lead()
    deliver(event("sales.lead.converted", converted))
    deliver(event("sales.lead.converted", converted))  # sent again under a new event id

    (account,) = accounts_named(client, rep, "Nordwind")
    assert (account["industry"], account["owner_id"], account["lifecycle_stage"]) == (
        "Logistics",
        "rep-1",
        "prospect",
    )
    contacts = client.get(f"/api/v1/accounts/{account['id']}/contacts", headers=rep).json["items"]
    assert [(c["name"], c["emails"][0]["address"]) for c in contacts] == [
        ("Eva Lind", "eva.lind@nordwind.example")
    ]
    (completed,) = outbox("customer.lead_conversion.completed")
    assert completed.subject == converted["id"]
    assert completed.data["account_id"] == account["id"]
    assert completed.data["contact_id"] == contacts[0]["id"]
    assert completed.data["opportunity_id"] == converted["opportunity_id"]
    assert (completed.data["account_created"], completed.data["contact_created"]) == (True, True)
    assert len(outbox("customer.account.created")) == 1


def test_a_lead_from_a_known_company_joins_it(
    client, rep, deliver, outbox, create_account, create_contact
) -> None:
    known = create_account("Nordwind Logistik AG", website="https://www.nordwind.example")
    contact = create_contact(known["id"], "Eva Lind", emails=[{"address": "Eva.Lind@nordwind.example"}])

    deliver(event("sales.lead.converted", lead(company="Nordwind Logistics")))  # matched by web domain

    (completed,) = outbox("customer.lead_conversion.completed")
    assert completed.data["account_id"] == known["id"]
    assert completed.data["contact_id"] == contact["id"]
    assert completed.data["account_match"] == "duplicate"
    assert (completed.data["account_created"], completed.data["contact_created"]) == (False, False)
    assert len(accounts_named(client, rep, "Nordwind")) == 1


def test_the_account_the_rep_chose_wins_even_after_a_merge(
    client, manager, deliver, outbox, create_account
) -> None:
    survivor = create_account("Alpha Holding")
    merged = create_account("Alpha Holding GmbH")
    response = client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    assert response.status_code == 200, response.json

    deliver(event("sales.lead.converted", lead(account_id=merged["id"], company="Someone Else Ltd")))

    (completed,) = outbox("customer.lead_conversion.completed")
    assert (completed.data["account_id"], completed.data["account_match"]) == (survivor["id"], "chosen")


def test_a_private_customer_lead_gets_an_account_under_the_persons_name(client, rep, deliver, outbox) -> None:
    deliver(
        event("sales.lead.converted", lead(company=None, website=None, email="max@mail.example", phone=None))
    )
    (completed,) = outbox("customer.lead_conversion.completed")
    assert (
        client.get(f"/api/v1/accounts/{completed.data['account_id']}", headers=rep).json["name"] == "Eva Lind"
    )


def order(account_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "number": "SO-1001",
        "account_id": account_id,
        "owner_id": "rep-1",
        "currency": "USD",
        "total": "1190.00",
        "base_currency": "EUR",
        "total_in_base": "1100.50",
        "status": "confirmed",
        **fields,
    }


def view_360(client: FlaskClient, headers: Headers, account_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/accounts/{account_id}/360", headers=headers)
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_orders_count_toward_lifetime_value_until_cancelled(client, rep, deliver, create_account) -> None:
    account = create_account("Acme GmbH")
    first, second = order(account["id"]), order(account["id"], number="SO-1002", total_in_base="99.50")
    deliver(event("sales.order.confirmed", first))
    deliver(event("sales.order.confirmed", second))
    assert view_360(client, rep, account["id"])["value"] == {
        "lifetime_value": [{"currency": "EUR", "amount": "1200.00", "orders": 2}],
        "orders": 2,
    }
    deliver(event("sales.order.cancelled", {**second, "status": "cancelled"}, sequence=2))
    assert view_360(client, rep, account["id"])["value"]["lifetime_value"][0]["amount"] == "1100.50"


def test_a_late_older_event_changes_nothing(client, rep, deliver, create_account) -> None:
    account = create_account("Acme GmbH")
    ticket = {
        "id": "t-1",
        "number": "T-7",
        "account_id": account["id"],
        "subject": "Printer on fire",
        "type": "incident",
    }
    deliver(event("servicedesk.ticket.resolved", {**ticket, "status": "resolved"}, sequence=3))
    deliver(event("servicedesk.ticket.created", {**ticket, "status": "new"}, sequence=1))
    assert view_360(client, rep, account["id"])["tickets"]["by_status"] == {"resolved": 1}


def test_tickets_projects_and_deals_are_counted_and_logged(client, rep, deliver, create_account) -> None:
    account = create_account("Acme GmbH")
    account_id = account["id"]
    complaint = {
        "id": "t-2",
        "number": "T-8",
        "account_id": account_id,
        "subject": "Late delivery",
        "type": "complaint",
    }
    deliver(event("servicedesk.ticket.created", complaint))
    deliver(
        event(
            "projects.project.created",
            {"id": "p-1", "account_id": account_id, "name": "Rollout", "status": "active"},
        )
    )
    deal = {
        "id": "o-1",
        "account_id": account_id,
        "name": "Fleet deal",
        "amount": "5000.00",
        "currency": "EUR",
    }
    deliver(event("sales.opportunity.created", deal))
    deliver(event("sales.opportunity.won", deal, sequence=2))
    deliver(
        event(
            "sales.activity.completed",
            {
                "id": "a-1",
                "account_id": account_id,
                "kind": "visit",
                "subject": "Site tour",
                "outcome": "Signed",
                "owner_id": "rep-9",
            },
        )
    )

    view = view_360(client, rep, account_id)
    assert view["tickets"] == {"open": 1, "total": 1, "by_status": {"open": 1}, "open_complaints": 1}
    assert view["projects"]["open"] == 1
    assert view["opportunities"] == {"open": 0, "total": 1, "by_status": {"won": 1}}
    timeline = client.get(f"/api/v1/accounts/{account_id}/interactions", headers=rep).json["items"]
    assert {(item["type"], item["source"]) for item in timeline} == {
        ("ticket", "servicedesk"), ("project", "projects"), ("deal", "sales"), ("visit", "sales"),
    }  # fmt: skip
    visit = next(item for item in timeline if item["type"] == "visit")
    assert (visit["summary"], visit["author_id"]) == ("Visit completed: Site tour: Signed", "rep-9")
    assert [entry["summary"] for entry in view["recent"]][:1] != []


def test_a_replayed_event_is_logged_once(client, rep, deliver, create_account) -> None:
    account = create_account("Acme GmbH")
    once = event("servicedesk.survey.answered", {"id": "s-1", "account_id": account["id"], "rating": 2})
    deliver(once)
    deliver(once)
    timeline = client.get(f"/api/v1/accounts/{account['id']}/interactions", headers=rep).json["items"]
    assert [item["summary"] for item in timeline] == ["Satisfaction survey answered: 2/5"]


def test_events_for_unknown_accounts_are_skipped(client, rep, deliver, outbox) -> None:
    deliver(event("sales.order.confirmed", order("no-such-account")))
    deliver(event("sales.opportunity.created", {"id": "o-2", "account_id": None, "name": "Pending"}))
    assert outbox("customer.interaction.logged") == []


def test_a_merge_moves_the_360_view_to_the_survivor(client, rep, manager, deliver, create_account) -> None:
    survivor, merged = create_account("Beta AG"), create_account("Beta AG (old)")
    deliver(event("sales.order.confirmed", order(merged["id"])))
    response = client.post(
        f"/api/v1/accounts/{survivor['id']}/merge", json={"merged_account_id": merged["id"]}, headers=manager
    )
    assert response.status_code == 200, response.json
    deliver(
        event("sales.order.confirmed", order(merged["id"], total_in_base="10.00"))
    )  # an old id, after the merge
    assert view_360(client, rep, survivor["id"])["value"]["lifetime_value"] == [
        {"currency": "EUR", "amount": "1110.50", "orders": 2}
    ]


def test_the_360_view_needs_a_token_and_a_live_account(client, rep) -> None:
    assert client.get("/api/v1/accounts/nope/360").status_code == 401
    response = client.get("/api/v1/accounts/nope/360", headers=rep)
    assert response.status_code == 404
    assert response.json["code"] == "customer.account.not_found"


def test_people_cannot_log_system_entry_types(client, rep, create_account) -> None:
    account = create_account("Acme GmbH")
    response = client.post(
        f"/api/v1/accounts/{account['id']}/interactions", json={"type": "ticket", "summary": "x"}, headers=rep
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json["errors"]] == ["type"]
