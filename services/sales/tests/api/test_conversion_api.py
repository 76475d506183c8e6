"""Lead conversion: opportunity at once (account pending), sales.lead.converted, the customer's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def qualified_lead(
    client: FlaskClient, rep: Headers, add_rep: Callable[..., Any], create_lead: Callable[..., Any]
) -> dict[str, Any]:
    add_rep("rep-1")
    lead = create_lead(
        owner_id="rep-1", email="lena@nordwind.example", website="https://nordwind.example", first_name="Lena"
    )
    response = client.post(f"/api/v1/leads/{lead['id']}/qualify", headers=rep)
    assert response.status_code == 200
    return dict(response.json)


OPPORTUNITY = {"amount": "48000.00", "currency": "EUR", "expected_close_date": "2026-06-30"}


def test_conversion_opens_the_opportunity_with_account_pending(
    client: FlaskClient, rep: Headers, qualified_lead: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    response = client.post(
        f"/api/v1/leads/{qualified_lead['id']}/convert", json={"opportunity": OPPORTUNITY}, headers=rep
    )
    assert response.status_code == 201, response.json
    lead, opportunity = response.json["lead"], response.json["opportunity"]
    assert lead["status"] == "converted"
    assert lead["opportunity_id"] == opportunity["id"]
    assert opportunity["account_pending"] is True
    assert opportunity["account_id"] is None
    assert opportunity["owner_id"] == "rep-1"
    assert opportunity["owner_team"] == "north"
    assert opportunity["name"] == "Nordwind GmbH"
    assert opportunity["amount"] == "48000.00"
    assert opportunity["probability"] == 10  # the standard pipeline's first stage
    assert opportunity["weighted_amount"] == "4800.00"
    assert opportunity["lead_id"] == lead["id"]
    converted = outbox("sales.lead.converted")
    assert len(converted) == 1
    data = converted[0].data
    assert data["id"] == lead["id"]
    assert data["opportunity_id"] == opportunity["id"]
    assert data["account_id"] is None and data["contact_id"] is None
    for field in (
        "company",
        "first_name",
        "last_name",
        "email",
        "phone",
        "website",
        "industry",
        "region",
        "country",
        "owner_id",
        "converted_at",
    ):
        assert field in data
    assert outbox("sales.opportunity.created")[0].data["account_pending"] is True


def test_customer_answer_points_lead_and_opportunity_at_the_account(
    client: FlaskClient, rep: Headers, qualified_lead: dict[str, Any], deliver: Callable[..., Any]
) -> None:
    converted = client.post(
        f"/api/v1/leads/{qualified_lead['id']}/convert", json={"opportunity": OPPORTUNITY}, headers=rep
    ).json
    answer = {
        "lead_id": qualified_lead["id"],
        "opportunity_id": converted["opportunity"]["id"],
        "account_id": "acc-new",
        "contact_id": "con-new",
        "account_created": True,
        "contact_created": True,
    }
    deliver("customer.lead_conversion.completed", answer, subject=qualified_lead["id"])
    deliver("customer.lead_conversion.completed", answer, subject=qualified_lead["id"], sequence=2)  # again
    opportunity = client.get(f"/api/v1/opportunities/{answer['opportunity_id']}", headers=rep).json
    assert (opportunity["account_id"], opportunity["contact_id"], opportunity["account_pending"]) == (
        "acc-new",
        "con-new",
        False,
    )
    lead = client.get(f"/api/v1/leads/{qualified_lead['id']}", headers=rep).json
    assert (lead["account_id"], lead["contact_id"]) == ("acc-new", "con-new")


def test_chosen_account_travels_in_the_event(
    client: FlaskClient, rep: Headers, qualified_lead: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    body = {"account_id": "acc-7", "contact_id": "con-7", "opportunity": OPPORTUNITY}
    response = client.post(f"/api/v1/leads/{qualified_lead['id']}/convert", json=body, headers=rep)
    assert response.status_code == 201
    data = outbox("sales.lead.converted")[0].data
    assert (data["account_id"], data["contact_id"]) == ("acc-7", "con-7")
    assert response.json["opportunity"]["account_pending"] is True


def test_only_qualified_leads_convert_and_only_once(
    client: FlaskClient,
    rep: Headers,
    add_rep: Callable[..., Any],
    create_lead: Callable[..., Any],
    qualified_lead: dict[str, Any],
    outbox: Callable[..., Any],
) -> None:
    fresh = create_lead(owner_id="rep-1", last_name="Neu")
    response = client.post(
        f"/api/v1/leads/{fresh['id']}/convert", json={"opportunity": OPPORTUNITY}, headers=rep
    )
    assert response.status_code == 409
    assert response.json["code"] == "sales.lead.status_invalid"
    url = f"/api/v1/leads/{qualified_lead['id']}/convert"
    assert client.post(url, json={"opportunity": OPPORTUNITY}, headers=rep).status_code == 201
    assert client.post(url, json={"opportunity": OPPORTUNITY}, headers=rep).status_code == 409
    assert len(outbox("sales.lead.converted")) == 1


def test_idempotency_key_replays_the_conversion(
    client: FlaskClient, rep: Headers, qualified_lead: dict[str, Any], outbox: Callable[..., Any]
) -> None:
    url = f"/api/v1/leads/{qualified_lead['id']}/convert"
    headers = {**rep, "Idempotency-Key": "convert-once"}
    first = client.post(url, json={"opportunity": OPPORTUNITY}, headers=headers)
    second = client.post(url, json={"opportunity": OPPORTUNITY}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert len(outbox("sales.opportunity.created")) == 1


def test_conversion_validates_money(
    client: FlaskClient, rep: Headers, qualified_lead: dict[str, Any]
) -> None:
    body = {"opportunity": {"amount": "12.345", "currency": "euro"}}
    response = client.post(f"/api/v1/leads/{qualified_lead['id']}/convert", json=body, headers=rep)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json["errors"]}
    assert fields == {"opportunity.amount", "opportunity.currency"}
    lead = client.get(f"/api/v1/leads/{qualified_lead['id']}", headers=rep).json
    assert lead["status"] == "qualified"


def test_answer_for_a_merged_account_follows_the_merge(
    client: FlaskClient,
    rep: Headers,
    qualified_lead: dict[str, Any],
    deliver: Callable[..., Any],
    account_event: Callable[..., Any],
) -> None:
    converted = client.post(
        f"/api/v1/leads/{qualified_lead['id']}/convert", json={"opportunity": OPPORTUNITY}, headers=rep
    ).json
    survivor = account_event("acc-survivor", version=2)
    merged = {
        **account_event("acc-loser", version=2, merged_into_id="acc-survivor"),
        "survivor": survivor,
        "moved_contact_ids": [],
        "moved_interactions": 0,
    }
    deliver("customer.account.merged", merged, sequence=2)
    answer = {
        "lead_id": qualified_lead["id"],
        "opportunity_id": converted["opportunity"]["id"],
        "account_id": "acc-loser",
        "contact_id": None,
        "account_created": False,
        "contact_created": False,
    }
    deliver("customer.lead_conversion.completed", answer, subject=qualified_lead["id"])
    opportunity = client.get(f"/api/v1/opportunities/{answer['opportunity_id']}", headers=rep).json
    assert opportunity["account_id"] == "acc-survivor"
