"""Request and response bodies of the event feed and the webhooks endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crmkit import PageQuerySchema, Schema
from crmkit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from gateway.integrations.models import DELIVERY_STATUSES, WEBHOOK_STATUSES

MAX_GRACE_SECONDS = 7 * 24 * 3600
MAX_CURSOR = 2**63 - 1  # a BIGINT
DEFAULT_GRACE_SECONDS = 24 * 3600


class EventQuerySchema(Schema):
    after = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=0, max=MAX_CURSOR),
        metadata={"description": "Cursor: read the events after this one (leave out: the oldest retained)"},
    )
    type = ma.fields.String(
        load_default=None,
        metadata={"description": "Type patterns, comma-separated: `sales.opportunity.*`, `customer.#`"},
    )
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT))


class EventFeedSchema(Schema):
    items = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={"description": "CloudEvents (data masked for the caller), each with its `cursor`"},
    )
    next_cursor = ma.fields.String(
        required=True, metadata={"description": "Pass as `after` to continue (also when `items` is empty)"}
    )


def _url(**kwargs: Any) -> ma.fields.Url:
    return ma.fields.Url(
        schemes={"http", "https"}, require_tld=False, validate=ma.validate.Length(max=2000), **kwargs
    )


def _event_types(**kwargs: Any) -> ma.fields.List[str]:
    item = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    return ma.fields.List(item, validate=ma.validate.Length(min=1, max=50), **kwargs)


def _payload_filter(**kwargs: Any) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Field path (dotted) -> the value `data` must hold there"},
        **kwargs,
    )


class WebhookSchema(Schema):
    id = ma.fields.String(dump_only=True)
    url = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    event_types = ma.fields.List(ma.fields.String())
    payload_filter = ma.fields.Dict()
    status = ma.fields.String(metadata={"description": "active, or paused (by its owner or after failures)"})
    paused_reason = ma.fields.String(allow_none=True)
    paused_at = ma.fields.DateTime(allow_none=True)
    owner_id = ma.fields.String()
    previous_secret_expires_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "Until then the old secret signs beside the new one"}
    )
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class WebhookWithSecretSchema(WebhookSchema):
    secret = ma.fields.String(
        attribute="clear_secret", metadata={"description": "The signing secret; shown only in this answer"}
    )


class WebhookCreateSchema(Schema):
    url = _url(required=True)
    description = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=500))
    event_types = _event_types(required=True)
    payload_filter = _payload_filter(load_default=dict)


class WebhookUpdateSchema(Schema):
    url = _url()
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    event_types = _event_types()
    payload_filter = _payload_filter(allow_none=True)
    status = ma.fields.String(validate=ma.validate.OneOf(WEBHOOK_STATUSES))

    @ma.validates_schema
    def check_not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError("Send at least one field to change.", "_schema")


class WebhookQuerySchema(PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(WEBHOOK_STATUSES))


class RotateSecretSchema(Schema):
    grace_seconds = ma.fields.Integer(
        load_default=DEFAULT_GRACE_SECONDS,
        validate=ma.validate.Range(0, MAX_GRACE_SECONDS),
        metadata={"description": "How long the old secret keeps signing beside the new one"},
    )


class DeliverySchema(Schema):
    id = ma.fields.String(dump_only=True)
    webhook_id = ma.fields.String()
    event_cursor = ma.fields.String(metadata={"description": "The event's cursor in /api/v1/events"})
    subject = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, delivered or failed (given up)"})
    attempts = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    first_attempt_at = ma.fields.DateTime(allow_none=True)
    last_attempt_at = ma.fields.DateTime(allow_none=True)
    next_attempt_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    redelivery_of = ma.fields.String(allow_none=True)


class DeliveryQuerySchema(Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(DELIVERY_STATUSES))
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT))
    cursor = ma.fields.String(load_default=None)
