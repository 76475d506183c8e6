"""Quote and discount rule schemas: what clients send and receive."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

import crmkit
from sales.catalog.fields import Currency, Day, DecimalString, Percent, Quantity
from sales.quotes.models import STATUSES, TIER_ANY

TIERS = (TIER_ANY, "key", "standard", "low")
ROLES = ("sales_rep", "sales_manager", "management", "marketing", "admin")
NOTE = ma.validate.Length(max=500)
MAX_LINES = 200


class LineWriteSchema(crmkit.Schema):
    product_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 32))
    quantity = Quantity(required=True)
    discount_percent = Percent(load_default=Decimal(0))
    tax_rate = Percent(metadata={"description": "Percent; the product's tax rate when left out"})
    description = ma.fields.String(allow_none=True, validate=NOTE)


class QuoteWriteSchema(crmkit.Schema):
    title = ma.fields.String(validate=ma.validate.Length(1, 200))
    valid_until = Day()
    overall_discount_percent = Percent()
    notes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=5000))
    lines = ma.fields.List(
        ma.fields.Nested(LineWriteSchema),
        validate=ma.validate.Length(1, MAX_LINES),
        metadata={"description": "Replaces every line; prices come from the price list"},
    )


class QuoteCreateSchema(QuoteWriteSchema):
    opportunity_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 32))
    currency = Currency(metadata={"description": "The opportunity's currency when left out"})
    lines = ma.fields.List(
        ma.fields.Nested(LineWriteSchema), required=True, validate=ma.validate.Length(1, MAX_LINES)
    )


class QuoteLineSchema(crmkit.Schema):
    line_no = ma.fields.Integer()
    product_id = ma.fields.String()
    sku = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    unit = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    quantity = DecimalString(places=4)
    unit_price = DecimalString()
    discount_percent = DecimalString()
    tax_rate = DecimalString()
    effective_discount_percent = DecimalString(places=4)
    gross_amount = DecimalString()
    discount_amount = DecimalString()
    net_amount = DecimalString()
    tax_amount = DecimalString()
    total = DecimalString()


class QuoteSchema(crmkit.Schema):
    id = ma.fields.String()
    number = ma.fields.String()
    revision = ma.fields.Integer()
    previous_id = ma.fields.String(allow_none=True)
    title = ma.fields.String()
    opportunity_id = ma.fields.String()
    account_id = ma.fields.String(allow_none=True)
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    price_list_id = ma.fields.String()
    status = ma.fields.String()
    overall_discount_percent = DecimalString()
    subtotal = DecimalString()
    discount_total = DecimalString()
    net_total = DecimalString()
    tax_total = DecimalString()
    total = DecimalString()
    max_discount_percent = DecimalString(places=4)
    approval_threshold = DecimalString(allow_none=True)
    approval_required = ma.fields.Boolean(attribute="needs_approval")
    approval_requested_at = ma.fields.AwareDateTime(allow_none=True)
    approval_requested_by = ma.fields.String(allow_none=True)
    approved_at = ma.fields.AwareDateTime(allow_none=True)
    approved_by = ma.fields.String(allow_none=True)
    approval_note = ma.fields.String(allow_none=True)
    valid_until = Day()
    notes = ma.fields.String(allow_none=True)
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    order_id = ma.fields.String(allow_none=True, dump_only=True)
    lines = ma.fields.List(ma.fields.Nested(QuoteLineSchema))
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class QuoteQuerySchema(crmkit.PageQuerySchema):
    opportunity_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    account_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    number = ma.fields.String(validate=ma.validate.Length(1, 20))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    owner = ma.fields.String(validate=ma.validate.Length(1, 64))
    current = ma.fields.Boolean(metadata={"description": "true: only the latest version of each quote"})


class DocumentQuerySchema(crmkit.Schema):
    format = ma.fields.String(load_default="html", validate=ma.validate.OneOf(("html", "pdf")))


class QuoteNoteSchema(crmkit.Schema):
    note = ma.fields.String(allow_none=True, validate=NOTE)


class DiscountRuleCreateSchema(crmkit.Schema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    tier = ma.fields.String(load_default=TIER_ANY, validate=ma.validate.OneOf(TIERS))
    max_discount_percent = Percent(required=True)


class DiscountRuleUpdateSchema(crmkit.Schema):
    max_discount_percent = Percent(required=True)


class DiscountRuleSchema(crmkit.Schema):
    id = ma.fields.String()
    role = ma.fields.String()
    tier = ma.fields.String()
    max_discount_percent = DecimalString()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()
