"""Events about orders: routing keys, payload JSON Schemas (v1), examples and the payload builder.

`sales.order.confirmed` carries exactly the fields the cross-service contract fixes (COMMON brief): the
projects service starts a delivery project from it and the customer service counts `total_in_base`.
"""

from __future__ import annotations

from typing import Any

from sales.orders.models import STATUSES, Order, OrderLine
from sales.payloads import (
    CURRENCY,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    money,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)
from sales.quotes.events import DECIMAL, decimal_text

ORDER_CONFIRMED = "sales.order.confirmed"
ORDER_CANCELLED = "sales.order.cancelled"

OrderLineV1 = record(
    {
        "line_no": {"type": "integer", "minimum": 1},
        "product_id": ID,
        "sku": TEXT,
        "name": TEXT,
        "kind": one_of(("service", "product", "other")),
        "unit": TEXT,
        "quantity": DECIMAL,
        "unit_price": MONEY,
        "discount_percent": DECIMAL,
        "net_amount": MONEY,
        "tax_amount": MONEY,
        "total": MONEY,
    }
)
OrderConfirmedV1 = record(
    {
        "id": ID,
        "number": TEXT,
        "account_id": ID,
        "opportunity_id": ID,
        "quote_id": ID,
        "owner_id": ID,
        "currency": CURRENCY,
        "lines": {"type": "array", "items": OrderLineV1, "minItems": 1},
        "subtotal": MONEY,
        "discount_total": MONEY,
        "tax_total": MONEY,
        "total": MONEY,
        "base_currency": CURRENCY,
        "total_in_base": MONEY,
        "confirmed_at": TIMESTAMP,
        "status": one_of(STATUSES),
    }
)
OrderCancelledV1 = record(
    {
        **with_changes(OrderConfirmedV1)["properties"],
        "cancelled_at": TIMESTAMP,
        "cancel_reason": nullable(TEXT),
    }
)

EXAMPLE_CONFIRMED: dict[str, Any] = {
    "id": "7d6c5b4a39284f1e0d9c8b7a6f5e4d3c",
    "number": "SO-000017",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "opportunity_id": "5e4d3c2b1a0f49e8d7c6b5a4f3e2d1c0",
    "quote_id": "3c2b1a0f9e8d47c6b5a4f3e2d1c0b9a8",
    "owner_id": "rep-1",
    "currency": "USD",
    "lines": [
        {
            "line_no": 1,
            "product_id": "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b",
            "sku": "CONS-DAY",
            "name": "Consulting day",
            "kind": "service",
            "unit": "day",
            "quantity": "10",
            "unit_price": "1200.00",
            "discount_percent": "19.25",
            "net_amount": "9690.00",
            "tax_amount": "1841.10",
            "total": "11531.10",
        }
    ],
    "subtotal": "12000.00",
    "discount_total": "2310.00",
    "tax_total": "1841.10",
    "total": "11531.10",
    "base_currency": "EUR",
    "total_in_base": "10954.55",
    "confirmed_at": "2026-11-25T09:00:00.000000Z",
    "status": "confirmed",
}
EXAMPLE_CANCELLED = {
    **EXAMPLE_CONFIRMED,
    "status": "cancelled",
    "changes": {"status": {"before": "confirmed", "after": "cancelled"}},
    "cancelled_at": "2026-11-26T14:00:00.000000Z",
    "cancel_reason": "Customer withdrew the purchase order",
}


def line_state(line: OrderLine) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "kind": line.kind,
        "unit": line.unit,
        "quantity": decimal_text(line.quantity),
        "unit_price": money(line.unit_price),
        "discount_percent": decimal_text(line.discount_percent),
        "net_amount": money(line.net_amount),
        "tax_amount": money(line.tax_amount),
        "total": money(line.total),
    }


def order_state(order: Order) -> dict[str, Any]:
    """The order as sales.order.confirmed carries it (exactly the contract's fields)."""
    return {
        "id": order.id,
        "number": order.number,
        "account_id": order.account_id,
        "opportunity_id": order.opportunity_id,
        "quote_id": order.quote_id,
        "owner_id": order.owner_id,
        "currency": order.currency,
        "lines": [line_state(line) for line in order.lines],
        "subtotal": money(order.subtotal),
        "discount_total": money(order.discount_total),
        "tax_total": money(order.tax_total),
        "total": money(order.total),
        "base_currency": order.base_currency,
        "total_in_base": money(order.total_in_base),
        "confirmed_at": timestamp(order.confirmed_at),
        "status": order.status,
    }
