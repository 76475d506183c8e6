"""Order schemas."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from sales.catalog.fields import DecimalString
from sales.orders.models import STATUSES


class OrderLineSchema(crmkit.Schema):
    line_no = ma.fields.Integer()
    product_id = ma.fields.String()
    sku = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    unit = ma.fields.String()
    quantity = DecimalString(places=4)
    unit_price = DecimalString()
    discount_percent = DecimalString(places=4)
    tax_rate = DecimalString()
    net_amount = DecimalString()
    tax_amount = DecimalString()
    total = DecimalString()


class OrderSchema(crmkit.Schema):
    id = ma.fields.String()
    number = ma.fields.String()
    quote_id = ma.fields.String()
    opportunity_id = ma.fields.String()
    account_id = ma.fields.String()
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    currency = ma.fields.String()
    subtotal = DecimalString()
    discount_total = DecimalString()
    tax_total = DecimalString()
    total = DecimalString()
    base_currency = ma.fields.String()
    exchange_rate = DecimalString(places=8)
    total_in_base = DecimalString()
    status = ma.fields.String()
    confirmed_at = ma.fields.AwareDateTime()
    fulfilled_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema))
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class OrderQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    account_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    opportunity_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    owner = ma.fields.String(validate=ma.validate.Length(1, 64))


class OrderCancelSchema(crmkit.Schema):
    reason = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
