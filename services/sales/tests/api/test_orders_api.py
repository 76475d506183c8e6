"""Orders through HTTP: confirmed from an accepted quote, then fulfilled or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]


@pytest.fixture
def order(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> dict[str, Any]:
    """An order confirmed from an accepted quote of rep-1 (no discount: no approval needed)."""
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "2"}
    quote = client.post(
        "/api/v1/quotes", json={"opportunity_id": seed_opportunity(), "lines": [line]}, headers=rep
    ).json
    assert client.post(f"/api/v1/quotes/{quote['id']}/send", json={}, headers=rep).status_code == 200
    accepted = client.post(f"/api/v1/quotes/{quote['id']}/accept", json={}, headers=rep).json
    return dict(client.get(f"/api/v1/orders/{accepted['order_id']}", headers=rep).json)


def test_order_copies_the_quote_lines(order: dict[str, Any]) -> None:
    assert order["number"].startswith("SO-")
    [line] = order["lines"]
    assert (line["sku"], line["quantity"], line["net_amount"], line["total"]) == (
        "CONS-DAY",
        "2.0000",
        "2400.00",
        "2856.00",
    )
    assert order["total"] == "2856.00" and order["base_currency"] == "EUR"


def test_fulfils_a_confirmed_order(client: FlaskClient, rep: Headers, order: dict[str, Any]) -> None:
    response = client.post(f"/api/v1/orders/{order['id']}/fulfil", headers=rep)
    assert response.status_code == 200 and response.json["status"] == "fulfilled"
    again = client.post(f"/api/v1/orders/{order['id']}/cancel", json={}, headers=rep)
    assert again.status_code == 409 and again.json["code"] == "sales.order.invalid_transition"


def test_cancelling_emits_the_cancelled_event(
    client: FlaskClient, rep: Headers, order: dict[str, Any], outbox: Callable[..., list[Any]]
) -> None:
    response = client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "PO withdrawn"}, headers=rep
    )
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    [event] = outbox("sales.order.cancelled")
    assert event.subject == order["id"]
    assert event.data["changes"]["status"] == {"before": "confirmed", "after": "cancelled"}
    assert event.data["cancel_reason"] == "PO withdrawn" and event.data["account_id"] == order["account_id"]


def test_orders_follow_record_access(
    client: FlaskClient,
    order: dict[str, Any],
    south_rep: Headers,
    manager: Headers,
    as_role: Callable[..., Headers],
) -> None:
    assert client.get(f"/api/v1/orders/{order['id']}", headers=south_rep).status_code == 403
    assert client.post(f"/api/v1/orders/{order['id']}/fulfil", headers=south_rep).status_code == 403
    assert [item["id"] for item in client.get("/api/v1/orders", headers=manager).json["items"]] == [
        order["id"]
    ]
    delivery = as_role("delivery_member", sub="dev-1")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=delivery).status_code == 200
    assert client.post(f"/api/v1/orders/{order['id']}/fulfil", headers=delivery).status_code == 403


def test_unknown_order_is_a_problem(client: FlaskClient, rep: Headers) -> None:
    response = client.get("/api/v1/orders/nope", headers=rep)
    assert response.status_code == 404 and response.json["code"] == "sales.order.not_found"


def _sent(
    client: FlaskClient, rep: Headers, opportunity_id: str, product_id: str, **body: Any
) -> dict[str, Any]:
    quote = client.post(
        "/api/v1/quotes",
        json={
            "opportunity_id": opportunity_id,
            "lines": [{"product_id": product_id, "quantity": "1"}],
            **body,
        },
        headers=rep,
    ).json
    assert client.post(f"/api/v1/quotes/{quote['id']}/send", json={}, headers=rep).status_code == 200, quote
    return dict(quote)


def test_no_order_while_the_account_is_pending(
    client: FlaskClient,
    rep: Headers,
    seed_opportunity: Callable[..., str],
    price_book: dict[str, Any],
    outbox: Callable[..., list[Any]],
) -> None:
    quote = _sent(
        client,
        rep,
        seed_opportunity(account_id=None, account_pending=True),
        price_book["products"]["CONS-DAY"],
    )
    response = client.post(f"/api/v1/quotes/{quote['id']}/accept", json={}, headers=rep)
    assert response.status_code == 409 and response.json["code"] == "sales.quote.account_pending"
    assert client.get(f"/api/v1/quotes/{quote['id']}", headers=rep).json["status"] == "sent"
    assert outbox("sales.order.confirmed") == [] and outbox("sales.quote.accepted") == []


def test_no_order_without_an_exchange_rate_and_nothing_half_written(
    client: FlaskClient,
    rep: Headers,
    management: Headers,
    seed_opportunity: Callable[..., str],
    price_book: dict[str, Any],
    outbox: Callable[..., list[Any]],
) -> None:
    product = price_book["products"]["CONS-DAY"]
    gbp = {"currency": "GBP", "name": "GBP", "prices": [{"product_id": product, "unit_price": "1000"}]}
    assert client.post("/api/v1/price-lists", json=gbp, headers=management).status_code == 201
    quote = _sent(client, rep, seed_opportunity(currency="GBP"), product)
    response = client.post(f"/api/v1/quotes/{quote['id']}/accept", json={}, headers=rep)
    assert response.status_code == 409 and response.json["code"] == "sales.exchange_rate.missing"
    assert response.json["currency"] == "GBP"
    assert client.get(f"/api/v1/quotes/{quote['id']}", headers=rep).json["status"] == "sent"
    assert client.get("/api/v1/orders", headers=rep).json["items"] == []
    assert outbox("sales.opportunity.won") == []
