"""Events about quotes: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sales.payloads import (
    CURRENCY,
    DATE,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    VERSION,
    Schema,
    day,
    money,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)
from sales.quotes.models import STATUSES, Quote

QUOTE_APPROVAL_REQUESTED = "sales.quote.approval_requested"
QUOTE_APPROVED = "sales.quote.approved"
QUOTE_SENT = "sales.quote.sent"
QUOTE_ACCEPTED = "sales.quote.accepted"

DECIMAL: Schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": "Decimal string"}


def decimal_text(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros beyond what it needs ("8", "0.5", "14.5")."""
    text = format(value.normalize(), "f")
    return text


QuoteLineV1 = record(
    {
        "line_no": {"type": "integer", "minimum": 1},
        "product_id": ID,
        "sku": TEXT,
        "name": TEXT,
        "kind": TEXT,
        "unit": TEXT,
        "quantity": DECIMAL,
        "unit_price": MONEY,
        "discount_percent": DECIMAL,
        "effective_discount_percent": DECIMAL,
        "tax_rate": DECIMAL,
        "net_amount": MONEY,
        "tax_amount": MONEY,
        "total": MONEY,
    }
)
QuoteStateV1 = record(
    {
        "id": ID,
        "number": TEXT,
        "revision": {"type": "integer", "minimum": 1},
        "previous_id": nullable(ID),
        "title": TEXT,
        "opportunity_id": ID,
        "account_id": nullable(ID),
        "owner_id": ID,
        "owner_team": nullable(TEXT),
        "status": one_of(STATUSES),
        "currency": CURRENCY,
        "overall_discount_percent": DECIMAL,
        "max_discount_percent": DECIMAL,
        "approval_threshold": nullable(DECIMAL),
        "approval_required": {"type": "boolean"},
        "approved_by": nullable(TEXT),
        "approved_at": nullable(TIMESTAMP),
        "subtotal": MONEY,
        "discount_total": MONEY,
        "net_total": MONEY,
        "tax_total": MONEY,
        "total": MONEY,
        "valid_until": DATE,
        "sent_at": nullable(TIMESTAMP),
        "decided_at": nullable(TIMESTAMP),
        "lines": {"type": "array", "items": QuoteLineV1},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
QuoteApprovalRequestedV1 = record(
    {**with_changes(QuoteStateV1)["properties"], "requested_by": TEXT, "note": nullable(TEXT)}
)
QuoteApprovedV1 = record({**with_changes(QuoteStateV1)["properties"], "note": nullable(TEXT)})
QuoteSentV1 = with_changes(QuoteStateV1)
QuoteAcceptedV1 = record({**with_changes(QuoteStateV1)["properties"], "order_id": ID})

EXAMPLE_LINE: dict[str, Any] = {
    "line_no": 1,
    "product_id": "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b",
    "sku": "CONS-DAY",
    "name": "Consulting day",
    "kind": "service",
    "unit": "day",
    "quantity": "10",
    "unit_price": "1200.00",
    "discount_percent": "15",
    "effective_discount_percent": "19.25",
    "tax_rate": "19",
    "net_amount": "9690.00",
    "tax_amount": "1841.10",
    "total": "11531.10",
}
EXAMPLE_STATE: dict[str, Any] = {
    "id": "3c2b1a0f9e8d47c6b5a4f3e2d1c0b9a8",
    "number": "Q-000042",
    "revision": 2,
    "previous_id": "0f1e2d3c4b5a49687766554433221100",
    "title": "Rollout phase 1",
    "opportunity_id": "5e4d3c2b1a0f49e8d7c6b5a4f3e2d1c0",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "owner_id": "rep-1",
    "owner_team": "north",
    "status": "pending_approval",
    "currency": "EUR",
    "overall_discount_percent": "5",
    "max_discount_percent": "19.25",
    "approval_threshold": "10.00",
    "approval_required": True,
    "approved_by": None,
    "approved_at": None,
    "subtotal": "12000.00",
    "discount_total": "2310.00",
    "net_total": "9690.00",
    "tax_total": "1841.10",
    "total": "11531.10",
    "valid_until": "2026-12-31",
    "sent_at": None,
    "decided_at": None,
    "lines": [EXAMPLE_LINE],
    "created_at": "2026-11-20T10:00:00.000000Z",
    "updated_at": "2026-11-20T10:05:00.000000Z",
    "version": 3,
}
EXAMPLE_APPROVAL_REQUESTED = {
    **EXAMPLE_STATE,
    "changes": {"status": {"before": "draft", "after": "pending_approval"}},
    "requested_by": "rep-1",
    "note": "Strategic account, competing offer at -18 %",
}
EXAMPLE_APPROVED = {
    **EXAMPLE_STATE,
    "status": "approved",
    "approved_by": "manager-1",
    "approved_at": "2026-11-20T11:00:00.000000Z",
    "version": 4,
    "changes": {"status": {"before": "pending_approval", "after": "approved"}},
    "note": None,
}
EXAMPLE_SENT = {
    **EXAMPLE_APPROVED,
    "status": "sent",
    "sent_at": "2026-11-20T11:30:00.000000Z",
    "version": 5,
    "changes": {"status": {"before": "approved", "after": "sent"}},
}
del EXAMPLE_SENT["note"]
EXAMPLE_ACCEPTED = {
    **EXAMPLE_SENT,
    "status": "accepted",
    "decided_at": "2026-11-25T09:00:00.000000Z",
    "version": 6,
    "changes": {"status": {"before": "sent", "after": "accepted"}},
    "order_id": "7d6c5b4a39284f1e0d9c8b7a6f5e4d3c",
}


def line_state(line: Any) -> dict[str, Any]:
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
        "effective_discount_percent": decimal_text(line.effective_discount_percent),
        "tax_rate": decimal_text(line.tax_rate),
        "net_amount": money(line.net_amount),
        "tax_amount": money(line.tax_amount),
        "total": money(line.total),
    }


def quote_state(quote: Quote) -> dict[str, Any]:
    """The quote version as events carry it (its state after the change)."""
    threshold = quote.approval_threshold
    return {
        "id": quote.id,
        "number": quote.number,
        "revision": quote.revision,
        "previous_id": quote.previous_id,
        "title": quote.title,
        "opportunity_id": quote.opportunity_id,
        "account_id": quote.account_id,
        "owner_id": quote.owner_id,
        "owner_team": quote.owner_team,
        "status": quote.status,
        "currency": quote.currency,
        "overall_discount_percent": decimal_text(quote.overall_discount_percent),
        "max_discount_percent": decimal_text(quote.max_discount_percent),
        "approval_threshold": None if threshold is None else money(threshold),
        "approval_required": quote.needs_approval,
        "approved_by": quote.approved_by,
        "approved_at": timestamp(quote.approved_at),
        "subtotal": money(quote.subtotal),
        "discount_total": money(quote.discount_total),
        "net_total": money(quote.net_total),
        "tax_total": money(quote.tax_total),
        "total": money(quote.total),
        "valid_until": day(quote.valid_until),
        "sent_at": timestamp(quote.sent_at),
        "decided_at": timestamp(quote.decided_at),
        "lines": [line_state(line) for line in quote.lines],
        "created_at": timestamp(quote.created_at),
        "updated_at": timestamp(quote.updated_at),
        "version": quote.version,
    }
