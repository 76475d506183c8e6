"""Schemas of products, price lists, exchange rates."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

import crmkit
from sales.catalog.fields import Currency, Day, DecimalString, Money, Percent
from sales.catalog.models import KINDS, UNITS

NAME = ma.validate.Length(1, 200)


class ProductWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=5000))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    unit = ma.fields.String(validate=ma.validate.OneOf(UNITS))
    tax_rate = Percent()
    active = ma.fields.Boolean()


class ProductCreateSchema(ProductWriteSchema):
    sku = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", error="letters, digits, . _ -"),
    )
    name = ma.fields.String(required=True, validate=NAME)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(UNITS))
    tax_rate = Percent(load_default=Decimal(0))


class ProductSchema(crmkit.Schema):
    id = ma.fields.String()
    sku = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    unit = ma.fields.String()
    tax_rate = DecimalString()
    active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class ProductQuerySchema(crmkit.PageQuerySchema):
    active = ma.fields.Boolean()
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))


class PriceSchema(crmkit.Schema):
    product_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 32))
    unit_price = Money(required=True, allow_none=True, metadata={"description": "null removes the price"})


class PriceListWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    prices = ma.fields.List(ma.fields.Nested(PriceSchema), validate=ma.validate.Length(max=1000))


class PriceListCreateSchema(PriceListWriteSchema):
    currency = Currency(required=True)
    name = ma.fields.String(required=True, validate=NAME)


class PriceEntrySchema(crmkit.Schema):
    product_id = ma.fields.String()
    unit_price = Money()


class PriceListSchema(crmkit.Schema):
    id = ma.fields.String()
    currency = ma.fields.String()
    name = ma.fields.String()
    prices = ma.fields.List(ma.fields.Nested(PriceEntrySchema), attribute="entries")
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class PriceListQuerySchema(crmkit.PageQuerySchema):
    currency = Currency()


class ExchangeRateCreateSchema(crmkit.Schema):
    currency = Currency(required=True)
    rate = DecimalString(required=True, places=8, minimum="0.00000001", maximum="9999999999")
    valid_from = Day(required=True)


class ExchangeRateSchema(crmkit.Schema):
    id = ma.fields.String()
    currency = ma.fields.String()
    base_currency = ma.fields.String()
    rate = DecimalString(places=8)
    valid_from = Day()
    created_at = ma.fields.AwareDateTime()
    created_by = ma.fields.String()


class ExchangeRateQuerySchema(crmkit.PageQuerySchema):
    currency = Currency()


class CurrencyConversionQuerySchema(crmkit.Schema):
    amount = DecimalString(required=True, minimum="-9999999999999999.99", maximum="9999999999999999.99")
    currency = Currency(required=True)
    on = Day(required=True, metadata={"description": "the day whose rate applies"})


class CurrencyConversionSchema(crmkit.Schema):
    amount = DecimalString()
    currency = ma.fields.String()
    on = Day()
    rate = DecimalString(places=8)
    base_currency = ma.fields.String()
    amount_in_base = DecimalString()
