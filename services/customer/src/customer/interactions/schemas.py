"""Interaction schemas: what clients send and receive."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from customer.fields import Timestamp
from customer.interactions.models import CHANNELS, LOGGABLE_TYPES, TYPES

SOURCE = ma.validate.Regexp(r"^[a-z][a-z0-9_.-]{0,49}$", error="lower case letters, digits, _ . -")


class InteractionCreateSchema(crmkit.Schema):
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(LOGGABLE_TYPES))
    channel = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(CHANNELS))
    occurred_at = Timestamp(load_default=None, metadata={"description": "When it happened (default: now)"})
    author_id = ma.fields.String(
        load_default=None, validate=ma.validate.Length(1, 64), metadata={"description": "Default: the caller"}
    )
    contact_id = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(1, 64))
    summary = ma.fields.String(required=True, validate=ma.validate.Length(1, 4000))
    source = ma.fields.String(
        load_default=None, validate=SOURCE, metadata={"description": "Default: customer"}
    )
    external_ref = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(1, 200),
        metadata={
            "description": "The source's own id; logging the same source+reference again changes nothing"
        },
    )


class InteractionSchema(crmkit.Schema):
    id = ma.fields.String()
    account_id = ma.fields.String()
    contact_id = ma.fields.String(allow_none=True)
    type = ma.fields.String()
    channel = ma.fields.String(allow_none=True)
    occurred_at = Timestamp()
    author_id = ma.fields.String()
    summary = ma.fields.String()
    source = ma.fields.String()
    external_ref = ma.fields.String(allow_none=True)
    created_at = Timestamp()


class TimelineQuerySchema(crmkit.PageQuerySchema):
    type = ma.fields.String(validate=ma.validate.OneOf(TYPES))
    sort = ma.fields.String(load_default="-occurred_at", validate=ma.validate.OneOf(["-occurred_at"]))
