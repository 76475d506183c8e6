"""Quotes through HTTP: pricing from the price list, exact totals, versions, approval, send, accept, order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

Headers = dict[str, str]
pytestmark = pytest.mark.usefixtures("price_book", "discount_rules")


@pytest.fixture
def draft(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> Callable[..., dict[str, Any]]:
    """Draft a quote as rep-1 on a fresh opportunity: draft(line_discount="5", tier="standard")."""

    def make(
        line_discount: str = "5", overall: str = "0", tier: str = "standard", **body: Any
    ) -> dict[str, Any]:
        opportunity_id = body.pop("opportunity_id", None) or seed_opportunity(tier=tier)
        lines = [
            {
                "product_id": price_book["products"]["CONS-DAY"],
                "quantity": "10",
                "discount_percent": line_discount,
            },
            {"product_id": price_book["products"]["LIC-USER"], "quantity": "3"},
        ]
        payload = {
            "opportunity_id": opportunity_id,
            "lines": lines,
            "overall_discount_percent": overall,
            **body,
        }
        response = client.post("/api/v1/quotes", json=payload, headers=rep)
        assert response.status_code == 201, response.json
        return dict(response.json)

    return make


def act(client: FlaskClient, quote: dict[str, Any], action: str, headers: Headers, **body: Any) -> Any:
    return client.post(f"/api/v1/quotes/{quote['id']}/{action}", json=body, headers=headers)


def test_prices_lines_from_the_price_list_with_exact_totals(draft: Callable[..., dict[str, Any]]) -> None:
    quote = draft(line_discount="10", overall="5")
    consulting, licences = quote["lines"]
    assert consulting["unit_price"] == "1200.00"
    assert consulting["effective_discount_percent"] == "14.5000"
    assert consulting["net_amount"] == "10260.00"
    assert consulting["tax_amount"] == "1949.40"
    assert licences["net_amount"] == "94.99"  # 99.99 * 0.95 = 94.9905
    assert quote["subtotal"] == "12099.99"
    assert quote["net_total"] == "10354.99"
    assert quote["tax_total"] == "1967.45"  # 1949.40 + 18.05
    assert quote["total"] == "12322.44"
    assert quote["number"].startswith("Q-") and quote["revision"] == 1 and quote["status"] == "draft"


def test_refuses_a_product_without_a_price_naming_the_line(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], management: Headers
) -> None:
    product = client.post(
        "/api/v1/products",
        json={"sku": "X-1", "name": "X", "kind": "other", "unit": "each"},
        headers=management,
    ).json
    body = {"opportunity_id": seed_opportunity(), "lines": [{"product_id": product["id"], "quantity": "1"}]}
    response = client.post("/api/v1/quotes", json=body, headers=rep)
    assert response.status_code == 422
    assert response.json["code"] == "sales.quote.invalid"
    assert response.json["errors"][0]["field"] == "lines.0.product_id"


def test_bad_quantity_and_discount_are_named(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> None:
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "0", "discount_percent": "120"}
    response = client.post(
        "/api/v1/quotes", json={"opportunity_id": seed_opportunity(), "lines": [line]}, headers=rep
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json["errors"]}
    assert {"lines.0.quantity", "lines.0.discount_percent"} <= fields


def test_within_the_threshold_a_rep_sends_directly(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]], outbox: Callable[..., list[Any]]
) -> None:
    quote = draft(line_discount="10")
    assert quote["approval_required"] is False
    response = act(client, quote, "send", rep)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "sent"
    [event] = outbox("sales.quote.sent")
    assert event.data["changes"]["status"] == {"before": "draft", "after": "sent"}


def test_rejects_quote_discount_above_limit_without_approval(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft(line_discount="12")
    assert quote["approval_required"] is True and quote["approval_threshold"] == "10.00"
    response = act(client, quote, "send", rep)
    assert response.status_code == 409
    assert response.json["code"] == "sales.quote.approval_required"


def test_key_customers_have_their_own_threshold(draft: Callable[..., dict[str, Any]]) -> None:
    quote = draft(line_discount="12", tier="key")
    assert quote["approval_threshold"] == "15.00"
    assert quote["approval_required"] is False


def test_manager_approves_then_the_quote_can_be_sent(
    client: FlaskClient,
    rep: Headers,
    manager: Headers,
    draft: Callable[..., dict[str, Any]],
    outbox: Callable[..., list[Any]],
) -> None:
    quote = draft(line_discount="20")
    requested = act(client, quote, "approval-request", rep, note="competitor at -18 %")
    assert requested.status_code == 200 and requested.json["status"] == "pending_approval"
    assert act(client, quote, "approve", rep).status_code == 403  # reps do not approve
    approved = act(client, quote, "approve", manager)
    assert approved.status_code == 200, approved.json
    assert approved.json["approved_by"] == "manager-1"
    assert act(client, quote, "send", rep).json["status"] == "sent"
    assert [e.type for e in outbox() if "quote" in e.type] == [
        "crm.sales.quote.approval_requested",
        "crm.sales.quote.approved",
        "crm.sales.quote.sent",
    ]
    assert outbox("sales.quote.approval_requested")[0].data["requested_by"] == "rep-1"


def test_a_declined_request_returns_to_draft(
    client: FlaskClient, rep: Headers, manager: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft(line_discount="20")
    act(client, quote, "approval-request", rep)
    response = act(client, quote, "decline", manager, note="max 15 %")
    assert response.json["status"] == "draft"
    assert act(client, quote, "send", rep).json["code"] == "sales.quote.approval_required"


def test_approval_not_needed_is_refused(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    response = act(client, draft(line_discount="0"), "approval-request", rep)
    assert response.status_code == 409 and response.json["code"] == "sales.quote.approval_not_needed"


def test_revision_is_a_new_version_and_the_old_one_is_read_only(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]], patch_json: Callable[..., Any]
) -> None:
    first = draft(line_discount="10")
    act(client, first, "send", rep)
    response = client.post(f"/api/v1/quotes/{first['id']}/revisions", headers=rep)
    assert response.status_code == 201, response.json
    second = response.json
    assert (second["number"], second["revision"], second["previous_id"]) == (first["number"], 2, first["id"])
    old = client.get(f"/api/v1/quotes/{first['id']}", headers=rep).json
    assert old["status"] == "superseded"
    refused = patch_json(f"/api/v1/quotes/{first['id']}", {"title": "x"}, rep, old["version"])
    assert refused.status_code == 409 and refused.json["code"] == "sales.quote.not_editable"
    changed = patch_json(
        f"/api/v1/quotes/{second['id']}", {"overall_discount_percent": "2"}, rep, second["version"]
    )
    assert changed.status_code == 200 and changed.json["discount_total"] != second["discount_total"]
    versions = client.get(f"/api/v1/quotes?number={first['number']}", headers=rep).json["items"]
    assert sorted(item["revision"] for item in versions) == [1, 2]
    latest = client.get(f"/api/v1/quotes?number={first['number']}&current=true", headers=rep).json["items"]
    assert [item["revision"] for item in latest] == [2]


def test_patch_needs_if_match(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft()
    assert client.patch(f"/api/v1/quotes/{quote['id']}", json={"title": "x"}, headers=rep).status_code == 428


def test_accepting_confirms_an_order_and_wins_the_opportunity(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]], outbox: Callable[..., list[Any]]
) -> None:
    quote = draft(line_discount="10")
    act(client, quote, "send", rep)
    accepted = act(client, quote, "accept", rep)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    order = client.get(f"/api/v1/orders/{accepted.json['order_id']}", headers=rep).json
    assert order["status"] == "confirmed" and order["total"] == quote["total"]
    assert order["total_in_base"] == quote["total"]  # EUR is the base currency
    [event] = outbox("sales.order.confirmed")
    assert event.subject == order["id"]
    assert set(event.data) == {
        "id",
        "number",
        "account_id",
        "opportunity_id",
        "quote_id",
        "owner_id",
        "currency",
        "lines",
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "base_currency",
        "total_in_base",
        "confirmed_at",
        "status",
    }
    assert event.data["lines"][0]["discount_percent"] == "10"
    [won] = outbox("sales.opportunity.won")
    assert won.data["amount"] == quote["net_total"]
    assert act(client, quote, "accept", rep).json["code"] == "sales.quote.invalid_transition"


def test_a_usd_order_rolls_up_into_the_base_currency(
    client: FlaskClient,
    rep: Headers,
    draft: Callable[..., dict[str, Any]],
    seed_opportunity: Callable[..., str],
) -> None:
    quote = draft(line_discount="0", opportunity_id=seed_opportunity(currency="USD"))
    assert quote["currency"] == "USD" and quote["lines"][0]["unit_price"] == "1300.00"
    act(client, quote, "send", rep)
    order_id = act(client, quote, "accept", rep).json["order_id"]
    order = client.get(f"/api/v1/orders/{order_id}", headers=rep).json
    assert order["exchange_rate"] == "0.90000000"
    assert order["total_in_base"] == f"{float(quote['total']) * 0.9:.2f}"


def test_other_reps_neither_see_nor_change_the_quote(
    client: FlaskClient,
    draft: Callable[..., dict[str, Any]],
    south_rep: Headers,
    other_rep: Headers,
    manager: Headers,
) -> None:
    quote = draft()
    assert client.get(f"/api/v1/quotes/{quote['id']}", headers=south_rep).status_code == 403
    assert client.get("/api/v1/quotes", headers=south_rep).json["items"] == []
    assert act(client, quote, "send", other_rep).status_code == 403
    assert client.get(f"/api/v1/quotes/{quote['id']}", headers=manager).status_code == 200


def test_the_document_is_html_with_lines_and_totals(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft(title="<script>alert(1)</script>")
    response = client.get(f"/api/v1/quotes/{quote['id']}/document", headers=rep)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert quote["number"] in html and quote["total"] in html and "CONS-DAY" in html
    assert "<script>alert" not in html


def test_expired_quotes_cannot_be_accepted(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft()
    act(client, quote, "send", rep)
    assert act(client, quote, "expire", rep).json["status"] == "expired"
    assert act(client, quote, "accept", rep).json["code"] == "sales.quote.invalid_transition"


def test_a_manager_cannot_approve_their_own_request_but_management_can(
    client: FlaskClient,
    manager: Headers,
    management: Headers,
    seed_opportunity: Callable[..., str],
    price_book: dict[str, Any],
) -> None:
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "1", "discount_percent": "30"}
    body = {"opportunity_id": seed_opportunity(owner=("manager-1", "north")), "lines": [line]}
    quote = client.post("/api/v1/quotes", json=body, headers=manager).json
    assert quote["approval_threshold"] == "25.00" and quote["approval_required"] is True
    assert act(client, quote, "approval-request", manager).status_code == 200
    own = act(client, quote, "approve", manager)
    assert own.status_code == 403 and own.json["code"] == "sales.quote.self_approval"
    assert act(client, quote, "approve", management).json["status"] == "approved"


def test_quote_creation_is_idempotent_with_a_key(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> None:
    body = {
        "opportunity_id": seed_opportunity(),
        "lines": [{"product_id": price_book["products"]["CONS-DAY"], "quantity": "1"}],
    }
    headers = {**rep, "Idempotency-Key": "quote-once"}
    first, second = (client.post("/api/v1/quotes", json=body, headers=headers) for _ in range(2))
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]


def test_quotes_on_closed_or_foreign_opportunities_are_refused(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> None:
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "1"}
    foreign = seed_opportunity(owner=("rep-3", "south"))
    response = client.post("/api/v1/quotes", json={"opportunity_id": foreign, "lines": [line]}, headers=rep)
    assert response.status_code == 422 and response.json["code"] == "sales.quote.opportunity_invalid"
    assert response.json["errors"][0]["field"] == "opportunity_id"
    no_list = client.post(
        "/api/v1/quotes",
        json={"opportunity_id": seed_opportunity(), "currency": "JPY", "lines": [line]},
        headers=rep,
    )
    assert no_list.status_code == 422 and no_list.json["errors"][0]["field"] == "currency"


def test_amounts_too_large_to_store_are_refused_not_a_500(
    client: FlaskClient, rep: Headers, seed_opportunity: Callable[..., str], price_book: dict[str, Any]
) -> None:
    line = {"product_id": price_book["products"]["CONS-DAY"], "quantity": "99999999999999"}
    response = client.post(
        "/api/v1/quotes", json={"opportunity_id": seed_opportunity(), "lines": [line]}, headers=rep
    )
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "lines"


def test_the_document_is_also_a_pdf(
    client: FlaskClient, rep: Headers, draft: Callable[..., dict[str, Any]]
) -> None:
    quote = draft(title="Rollout (phase 1) \\ Grüße")
    response = client.get(f"/api/v1/quotes/{quote['id']}/document?format=pdf", headers=rep)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert quote["total"].encode() in pdf and b"Rollout \\(phase 1\\) \\\\ Gr\xfc\xdfe" in pdf
    startxref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[startxref:].startswith(b"xref")
    bad = client.get(f"/api/v1/quotes/{quote['id']}/document?format=docx", headers=rep)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "format"
