"""Products, price lists (one per currency) and exchange rates through HTTP."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]


def test_product_lifecycle_and_unique_sku(
    client: FlaskClient, management: Headers, rep: Headers, patch_json: Any
) -> None:
    body = {"sku": "TRAIN-H", "name": "Training hour", "kind": "service", "unit": "hour", "tax_rate": "7"}
    assert client.post("/api/v1/products", json=body, headers=rep).status_code == 403
    created = client.post("/api/v1/products", json=body, headers=management)
    assert created.status_code == 201 and created.json["tax_rate"] == "7.00"
    duplicate = client.post("/api/v1/products", json=body, headers=management)
    assert duplicate.status_code == 409 and duplicate.json["code"] == "sales.product.sku_taken"
    changed = patch_json(
        f"/api/v1/products/{created.json['id']}", {"active": False}, management, created.json["version"]
    )
    assert changed.status_code == 200 and changed.json["active"] is False
    assert client.get("/api/v1/products?active=true", headers=rep).json["items"] == []


def test_bad_product_fields_are_named(client: FlaskClient, management: Headers) -> None:
    response = client.post(
        "/api/v1/products",
        json={"sku": "A", "name": "A", "kind": "thing", "unit": "each", "tax_rate": "1.234"},
        headers=management,
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json["errors"]} == {"kind", "tax_rate"}


def test_one_price_list_per_currency(
    client: FlaskClient, management: Headers, price_book: dict[str, Any]
) -> None:
    again = client.post("/api/v1/price-lists", json={"currency": "EUR", "name": "Again"}, headers=management)
    assert again.status_code == 409 and again.json["code"] == "sales.price_list.exists"
    unknown = client.post(
        "/api/v1/price-lists",
        json={"currency": "GBP", "name": "GBP", "prices": [{"product_id": "nope", "unit_price": "1.00"}]},
        headers=management,
    )
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "prices.0.product_id"


def test_prices_change_and_are_removed(
    client: FlaskClient, management: Headers, price_book: dict[str, Any], patch_json: Any
) -> None:
    url = f"/api/v1/price-lists/{price_book['price_lists']['EUR']}"
    current = client.get(url, headers=management).json
    licence = price_book["products"]["LIC-USER"]
    body = {
        "prices": [
            {"product_id": licence, "unit_price": None},
            {"product_id": price_book["products"]["CONS-DAY"], "unit_price": "1250"},
        ]
    }
    changed = patch_json(url, body, management, current["version"]).json
    assert changed["prices"] == [{"product_id": price_book["products"]["CONS-DAY"], "unit_price": "1250.00"}]


def test_exchange_rates_roll_up_by_day(
    client: FlaskClient, management: Headers, rep: Headers, price_book: dict[str, Any]
) -> None:
    later = {"currency": "USD", "rate": "0.95", "valid_from": "2026-03-01"}
    assert client.post("/api/v1/exchange-rates", json=later, headers=management).status_code == 201
    again = client.post("/api/v1/exchange-rates", json=later, headers=management)
    assert again.status_code == 409 and again.json["code"] == "sales.exchange_rate.exists"
    before = client.get(
        "/api/v1/exchange-rates/convert?amount=100.01&currency=USD&on=2026-02-28", headers=rep
    ).json
    after = client.get(
        "/api/v1/exchange-rates/convert?amount=100.01&currency=USD&on=2026-03-01", headers=rep
    ).json
    assert (before["amount_in_base"], after["amount_in_base"]) == ("90.01", "95.01")
    assert after["base_currency"] == "EUR"
    missing = client.get("/api/v1/exchange-rates/convert?amount=1&currency=USD&on=2019-12-31", headers=rep)
    assert missing.status_code == 409 and missing.json["code"] == "sales.exchange_rate.missing"
    base = client.post(
        "/api/v1/exchange-rates",
        json={"currency": "EUR", "rate": "1", "valid_from": "2026-01-01"},
        headers=management,
    )
    assert base.status_code == 422 and base.json["errors"][0]["field"] == "currency"


def test_discount_rules_are_managed_by_management(
    client: FlaskClient, management: Headers, manager: Headers, patch_json: Any
) -> None:
    body = {"role": "sales_rep", "tier": "low", "max_discount_percent": "5"}
    assert client.post("/api/v1/discount-rules", json=body, headers=manager).status_code == 403
    rule = client.post("/api/v1/discount-rules", json=body, headers=management).json
    assert (
        client.post("/api/v1/discount-rules", json=body, headers=management).json["code"]
        == "sales.discount_rule.exists"
    )
    changed = patch_json(
        f"/api/v1/discount-rules/{rule['id']}", {"max_discount_percent": "7.5"}, management, rule["version"]
    )
    assert changed.json["max_discount_percent"] == "7.50"
    assert [item["tier"] for item in client.get("/api/v1/discount-rules", headers=manager).json] == ["low"]


def test_price_lists_are_found_by_currency(
    client: FlaskClient, rep: Headers, price_book: dict[str, Any]
) -> None:
    found = client.get("/api/v1/price-lists?currency=USD", headers=rep).json["items"]
    assert [item["id"] for item in found] == [price_book["price_lists"]["USD"]]
    assert client.get("/api/v1/price-lists?currency=usd", headers=rep).status_code == 422
