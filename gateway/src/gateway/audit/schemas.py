"""The audit log's list query and entry body."""

from __future__ import annotations

import marshmallow as ma

from crmkit import PageQuerySchema, Schema
from gateway.audit.models import ACTIONS, OUTCOMES


class AuditEntrySchema(Schema):
    id = ma.fields.Integer(dump_only=True, metadata={"description": "Increases with time"})
    occurred_at = ma.fields.DateTime(dump_only=True)
    action = ma.fields.String(dump_only=True, metadata={"example": "auth.login_failed"})
    outcome = ma.fields.String(dump_only=True, metadata={"description": "success, failure or denied"})
    actor_id = ma.fields.String(dump_only=True, allow_none=True)
    actor_name = ma.fields.String(dump_only=True, allow_none=True)
    actor_kind = ma.fields.String(
        dump_only=True, allow_none=True, metadata={"description": "user, api_key, cli or anonymous"}
    )
    target_type = ma.fields.String(dump_only=True, allow_none=True)
    target_id = ma.fields.String(dump_only=True, allow_none=True)
    method = ma.fields.String(dump_only=True, allow_none=True)
    path = ma.fields.String(dump_only=True, allow_none=True)
    status = ma.fields.Integer(dump_only=True, allow_none=True)
    client_ip = ma.fields.String(dump_only=True, allow_none=True)
    request_id = ma.fields.String(dump_only=True, allow_none=True)
    details = ma.fields.Dict(dump_only=True)


class AuditQuerySchema(PageQuerySchema):
    action = ma.fields.String(validate=ma.validate.OneOf(ACTIONS))
    outcome = ma.fields.String(validate=ma.validate.OneOf(OUTCOMES))
    actor_id = ma.fields.String()
    actor_name = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.String()
    status = ma.fields.Integer()
    path_prefix = ma.fields.String(metadata={"description": "Entries whose path starts with this"})
    since = ma.fields.AwareDateTime(metadata={"description": "RFC 3339; entries at or after"})
    until = ma.fields.AwareDateTime(metadata={"description": "RFC 3339; entries before"})
