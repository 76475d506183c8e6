"""The overview's answer."""

from __future__ import annotations

import marshmallow as ma

from crmkit import Schema

STATUS = ma.fields.String(
    required=True, metadata={"description": "ok, stale (last good answer), unavailable, forbidden or error"}
)


class PartSchema(Schema):
    status = STATUS
    service = ma.fields.String()
    detail = ma.fields.String()
    as_of = ma.fields.String(metadata={"description": "For a stale part: when its service last answered"})
    more = ma.fields.Boolean(metadata={"description": "The service has more items than shown"})


class AccountPartSchema(PartSchema):
    data = ma.fields.Function(
        lambda part: part.get("data"),
        metadata={"type": "object", "nullable": True, "description": "The account (null when unavailable)"},
    )


class ListPartSchema(PartSchema):
    # Read with part.get: a plain dict's `items` attribute is its method.
    items = ma.fields.Function(
        lambda part: part.get("items"),
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "nullable": True,
            "description": "null when unavailable",
        },
    )


class OverviewSchema(Schema):
    account = ma.fields.Nested(AccountPartSchema, required=True)
    contacts = ma.fields.Nested(ListPartSchema, required=True)
    opportunities = ma.fields.Nested(ListPartSchema, required=True)
    tickets = ma.fields.Nested(ListPartSchema, required=True)
    projects = ma.fields.Nested(ListPartSchema, required=True)
    missing = ma.fields.List(ma.fields.String(), required=True)
    stale = ma.fields.List(ma.fields.String(), required=True)
    complete = ma.fields.Boolean(required=True)
    generated_at = ma.fields.String(required=True)
