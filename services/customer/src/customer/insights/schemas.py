"""The customer 360 view as clients receive it."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from customer.fields import Timestamp


class CountsSchema(crmkit.Schema):
    open = ma.fields.Integer(metadata={"description": "Open (not closed, won, lost or resolved)"})
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class TicketCountsSchema(CountsSchema):
    open_complaints = ma.fields.Integer()


class LifetimeValueSchema(crmkit.Schema):
    currency = ma.fields.String(allow_none=True)
    amount = ma.fields.String(metadata={"description": "Decimal string"})
    orders = ma.fields.Integer()


class ValueSchema(crmkit.Schema):
    lifetime_value = ma.fields.List(
        ma.fields.Nested(LifetimeValueSchema),
        metadata={"description": "Confirmed and fulfilled orders, per currency (the sales base currency)"},
    )
    orders = ma.fields.Integer()


class RecentEntrySchema(crmkit.Schema):
    id = ma.fields.String()
    type = ma.fields.String()
    summary = ma.fields.String()
    source = ma.fields.String()
    occurred_at = Timestamp()


class Account360Schema(crmkit.Schema):
    account_id = ma.fields.String()
    name = ma.fields.String()
    tier = ma.fields.String()
    owner_id = ma.fields.String(allow_none=True)
    value = ma.fields.Nested(ValueSchema)
    opportunities = ma.fields.Nested(CountsSchema)
    tickets = ma.fields.Nested(TicketCountsSchema)
    projects = ma.fields.Nested(CountsSchema)
    recent = ma.fields.List(
        ma.fields.Nested(RecentEntrySchema), metadata={"description": "Latest timeline entries"}
    )
