"""Request and response bodies of /api/v1/api-keys."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crmkit import PageQuerySchema, Schema


def _names(**kwargs: Any) -> ma.fields.List[str]:
    return ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=200)), **kwargs)


class ApiKeySchema(Schema):
    id = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)
    prefix = ma.fields.String(
        dump_only=True, metadata={"description": "The key's first characters after crmk_"}
    )
    resources = ma.fields.List(ma.fields.String(), dump_only=True)
    event_types = ma.fields.List(ma.fields.String(), dump_only=True)
    field_groups = ma.fields.List(ma.fields.String(), dump_only=True)
    scopes = ma.fields.List(ma.fields.String(), dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"description": "active, expired or revoked"})
    created_by = ma.fields.String(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)
    expires_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    last_used_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class IssuedApiKeySchema(ApiKeySchema):
    key = ma.fields.String(
        dump_only=True,
        metadata={"description": "The secret, shown this once: send `Authorization: ApiKey <key>`"},
    )


class ApiKeyCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    resources = _names(load_default=list, metadata={"description": "Resources the key may read (GET)"})
    event_types = _names(
        load_default=list, metadata={"description": "Event type patterns, e.g. sales.opportunity.* or #"}
    )
    field_groups = _names(
        load_default=list, metadata={"description": "Masked field groups the key may see unmasked"}
    )
    expires_at = ma.fields.AwareDateTime(load_default=None, allow_none=True)

    @ma.validates_schema
    def check_some_scope(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("resources") and not data.get("event_types"):
            raise ma.ValidationError("Give the key at least one resource or event type.", "resources")


class ApiKeyUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=150))
    resources = _names()
    event_types = _names()
    field_groups = _names()
    expires_at = ma.fields.AwareDateTime(allow_none=True)

    @ma.validates_schema
    def check_not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError(
                "Send at least one of: name, resources, event_types, field_groups, expires_at.", "_schema"
            )


class ApiKeyQuerySchema(PageQuerySchema):
    active = ma.fields.Boolean(metadata={"description": "true: neither revoked nor expired"})
