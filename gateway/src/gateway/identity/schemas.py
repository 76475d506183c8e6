"""Request and response bodies of the auth and users endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crmkit import PageQuerySchema, Schema
from gateway.identity.models import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ROLES


def _password(**kwargs: Any) -> ma.fields.String:
    """A write-only password field (the length policy is checked by the use case, for the CLI too)."""
    return ma.fields.String(load_only=True, validate=ma.validate.Length(max=PASSWORD_MAX_LENGTH), **kwargs)


def _roles(**kwargs: Any) -> ma.fields.List[str]:
    """A list of known roles (an unknown one is named in the 422)."""
    return ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ROLES)), **kwargs)


class TokenRequestSchema(Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    password = _password(required=True)


class RefreshRequestSchema(Schema):
    refresh_token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class TokenSchema(Schema):
    access_token = ma.fields.String(required=True, metadata={"description": "RS256 JWT for Authorization"})
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds the access token lives"})
    refresh_token = ma.fields.String(
        required=True, metadata={"description": "Opaque, single use: trade it at /api/v1/auth/refresh"}
    )


class JwksSchema(Schema):
    keys = ma.fields.List(ma.fields.Dict(), required=True, metadata={"description": "RFC 7517 public keys"})


class UserSchema(Schema):
    id = ma.fields.String(dump_only=True)
    username = ma.fields.String(metadata={"description": "Lower case; unique regardless of case"})
    roles = _roles()
    team = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    failed_logins = ma.fields.Integer(dump_only=True, metadata={"description": "Failed sign-ins in a row"})
    locked_until = ma.fields.DateTime(
        dump_only=True, allow_none=True, metadata={"description": "Sign-ins are refused until then"}
    )
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class UserCreateSchema(Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    password = _password(
        required=True, metadata={"description": f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters"}
    )
    roles = _roles(required=True, validate=ma.validate.Length(min=1))
    team = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=100))
    active = ma.fields.Boolean(load_default=True)


class UserUpdateSchema(Schema):
    roles = _roles(validate=ma.validate.Length(min=1))
    team = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    active = ma.fields.Boolean()
    password = _password(metadata={"description": "Sets a new password (signs the user out)"})

    @ma.validates_schema
    def check_not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError("Send at least one of: roles, team, active, password.", "_schema")


class UserQuerySchema(PageQuerySchema):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    team = ma.fields.String()
    active = ma.fields.Boolean()


class TeamSchema(Schema):
    id = ma.fields.String(dump_only=True)
    name = ma.fields.String(metadata={"description": "Unique; what tokens carry as `team`"})
    description = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class TeamCreateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    description = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=500))


class TeamUpdateSchema(Schema):
    description = ma.fields.String(required=True, allow_none=True, validate=ma.validate.Length(max=500))


class TeamQuerySchema(PageQuerySchema):
    name = ma.fields.String()


class RoleSchema(Schema):
    name = ma.fields.String(metadata={"example": "sales_rep"})
    access = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Resource -> HTTP methods this role may use at the gateway"},
    )
    sees_fields_of = ma.fields.List(
        ma.fields.String(), metadata={"description": "Masked field groups this role may see"}
    )


class RoleListSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(RoleSchema), required=True)
