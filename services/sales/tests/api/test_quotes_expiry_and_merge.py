"""The quote expiry job, and account merges re-pointing quotes, orders and campaign members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

import crmkit
from crmkit.db import transaction
from crmkit.jobs import run_once
from sales.accounts.service import repoint_account
from sales.quotes.lifecycle import expire_due_quotes

Headers = dict[str, str]


def _sent_quote(
    client: FlaskClient, rep: Headers, opportunity_id: str, product_id: str, valid_until: str
) -> dict[str, Any]:
    body = {
        "opportunity_id": opportunity_id,
        "lines": [{"product_id": product_id, "quantity": "1"}],
        "valid_until": valid_until,
    }
    quote = client.post("/api/v1/quotes", json=body, headers=rep).json
    assert client.post(f"/api/v1/quotes/{quote['id']}/send", json={}, headers=rep).status_code == 200
    return dict(quote)


def test_the_expiry_job_expires_sent_quotes_past_their_validity(
    client: FlaskClient,
    rep: Headers,
    database: crmkit.Database,
    seed_opportunity: Callable[..., str],
    price_book: dict[str, Any],
) -> None:
    today = datetime.now(UTC).date()
    product = price_book["products"]["CONS-DAY"]
    due = _sent_quote(client, rep, seed_opportunity(), product, today.isoformat())
    later = _sent_quote(client, rep, seed_opportunity(), product, (today + timedelta(days=5)).isoformat())
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with transaction(database) as session:
        assert expire_due_quotes(session, tomorrow) == 1
    assert client.get(f"/api/v1/quotes/{due['id']}", headers=rep).json["status"] == "expired"
    assert client.get(f"/api/v1/quotes/{later['id']}", headers=rep).json["status"] == "sent"
    from sales.jobs import JOBS

    job = next(job for job in JOBS if job.name == "quotes-expire")
    assert run_once(database, job, tomorrow + timedelta(days=10)) == 1
    assert client.get(f"/api/v1/quotes/{later['id']}", headers=rep).json["status"] == "expired"


def test_a_merge_repoints_quotes_orders_and_campaign_members(
    client: FlaskClient,
    rep: Headers,
    management: Headers,
    database: crmkit.Database,
    seed_account: Callable[..., str],
    seed_opportunity: Callable[..., str],
    price_book: dict[str, Any],
) -> None:
    loser, survivor = seed_account(tags=["x"]), seed_account()
    product = price_book["products"]["LIC-USER"]
    quote = _sent_quote(client, rep, seed_opportunity(account_id=loser), product, "2099-01-01")
    order_id = client.post(f"/api/v1/quotes/{quote['id']}/accept", json={}, headers=rep).json["order_id"]
    campaign = client.post(
        "/api/v1/campaigns", json={"name": "C", "channel": "email", "budget": "1"}, headers=management
    ).json
    client.post(
        f"/api/v1/campaigns/{campaign['id']}/members", json={"account_ids": [loser]}, headers=management
    )
    with transaction(database) as session:
        assert repoint_account(session, loser, survivor) >= 3
    assert client.get(f"/api/v1/quotes/{quote['id']}", headers=rep).json["account_id"] == survivor
    assert client.get(f"/api/v1/orders/{order_id}", headers=rep).json["account_id"] == survivor
    members = client.get(f"/api/v1/campaigns/{campaign['id']}/members", headers=management).json["items"]
    assert [member["account_id"] for member in members] == [survivor]
