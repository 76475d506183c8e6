"""Campaigns through HTTP: members from segments of the account read model, responses as leads, ROI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

import crmkit
from crmkit.db import transaction
from sales.opportunities.models import Opportunity
from sales.opportunities.service import mark_won

Headers = dict[str, str]


@pytest.fixture
def marketing(as_role: Callable[..., Headers]) -> Headers:
    return as_role("marketing", sub="mkt-1")


@pytest.fixture
def campaign(client: FlaskClient, marketing: Headers) -> dict[str, Any]:
    body = {
        "name": "Spring webinar",
        "channel": "webinar",
        "budget": "8000",
        "actual_cost": "5000",
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
    }
    response = client.post("/api/v1/campaigns", json=body, headers=marketing)
    assert response.status_code == 201, response.json
    return dict(response.json)


def test_members_come_from_segments_by_tags_tier_and_industry(
    client: FlaskClient, marketing: Headers, campaign: dict[str, Any], seed_account: Callable[..., str]
) -> None:
    key_auto = seed_account(tier="key", industry="Automotive", tags=["emea", "auto"])
    seed_account(tier="key", industry="Retail", tags=["emea"])
    seed_account(tier="standard", industry="Automotive", tags=["emea", "auto"])
    seed_account(tier="key", industry="Automotive", tags=["auto"], deleted=True)
    url = f"/api/v1/campaigns/{campaign['id']}/members"
    added = client.post(
        url, json={"tags": ["emea", "auto"], "tier": "key", "industry": "automotive"}, headers=marketing
    )
    assert added.status_code == 200 and added.json == {"added": 1, "members": 1}
    assert client.post(url, json={"tier": "key"}, headers=marketing).json == {"added": 1, "members": 2}
    assert client.post(url, json={"tier": "key"}, headers=marketing).json["added"] == 0
    assert key_auto in {item["account_id"] for item in client.get(url, headers=marketing).json["items"]}
    empty = client.post(url, json={}, headers=marketing)
    assert empty.status_code == 422 and empty.json["errors"][0]["field"] == "tags"


def test_a_response_becomes_a_lead_with_the_campaign(
    client: FlaskClient, marketing: Headers, campaign: dict[str, Any], outbox: Callable[..., list[Any]]
) -> None:
    body = {
        "last_name": "Novak",
        "first_name": "Jana",
        "company": "Novak Labs",
        "email": "jana@novak.example",
        "channel": "webinar",
    }
    response = client.post(f"/api/v1/campaigns/{campaign['id']}/responses", json=body, headers=marketing)
    assert response.status_code == 201, response.json
    [created] = outbox("sales.lead.created")
    assert created.subject == response.json["lead_id"]
    assert created.data["campaign_id"] == campaign["id"] and created.data["source"] == "campaign"
    missing = client.post(
        f"/api/v1/campaigns/{campaign['id']}/responses", json={"email": "x@y.example"}, headers=marketing
    )
    assert missing.status_code == 422 and missing.json["errors"][0]["field"] == "last_name"


def test_roi_is_won_revenue_minus_cost_over_cost(
    client: FlaskClient,
    marketing: Headers,
    campaign: dict[str, Any],
    seed_opportunity: Callable[..., str],
    database: crmkit.Database,
) -> None:
    won = [seed_opportunity(amount=amount, campaign_id=campaign["id"]) for amount in ("10000", "5000")]
    seed_opportunity(amount="99999", campaign_id=campaign["id"])  # open: not revenue yet
    with transaction(database) as session:
        for opportunity_id in won:
            mark_won(session, session.get_one(Opportunity, opportunity_id), "test")
    roi = client.get(f"/api/v1/campaigns/{campaign['id']}/roi", headers=marketing).json
    assert (roi["won_revenue"], roi["won_deals"], roi["actual_cost"]) == ("15000.00", 2, "5000.00")
    assert (roi["roi"], roi["roi_percent"], roi["currency"]) == ("2.0000", "200.00", "EUR")


def test_roi_without_cost_is_null_and_closed_campaigns_take_no_responses(
    client: FlaskClient, marketing: Headers, patch_json: Any
) -> None:
    campaign = client.post(
        "/api/v1/campaigns", json={"name": "Free", "channel": "social", "budget": "0"}, headers=marketing
    ).json
    assert client.get(f"/api/v1/campaigns/{campaign['id']}/roi", headers=marketing).json["roi"] is None
    closed = patch_json(
        f"/api/v1/campaigns/{campaign['id']}", {"status": "completed"}, marketing, campaign["version"]
    )
    assert closed.status_code == 200
    refused = client.post(
        f"/api/v1/campaigns/{campaign['id']}/responses", json={"last_name": "X"}, headers=marketing
    )
    assert refused.status_code == 409 and refused.json["code"] == "sales.campaign.closed"


def test_campaign_input_is_checked(client: FlaskClient, marketing: Headers, rep: Headers) -> None:
    body = {
        "name": "X",
        "channel": "email",
        "budget": "-1",
        "start_date": "2026-03-02",
        "end_date": "2026-03-01",
    }
    response = client.post("/api/v1/campaigns", json=body, headers=marketing)
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "budget"
    backwards = client.post("/api/v1/campaigns", json={**body, "budget": "1"}, headers=marketing)
    assert backwards.status_code == 422 and backwards.json["code"] == "sales.campaign.invalid"
    assert client.post("/api/v1/campaigns", json={**body, "budget": "1"}, headers=rep).status_code == 403
    assert datetime.now(UTC)
