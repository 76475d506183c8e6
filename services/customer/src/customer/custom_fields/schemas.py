"""Custom field definition schemas: what administrators send and everyone reads."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from customer.custom_fields.models import FIELD_TYPES, KEY_PATTERN
from customer.fields import Timestamp

MAX_OPTIONS = 100


def _unique(options: list[str]) -> None:
    if len(options) != len(set(options)):
        raise ma.ValidationError("each option may appear once")


OPTIONS = ma.validate.And(ma.validate.Length(1, MAX_OPTIONS), _unique)


class CustomFieldCreateSchema(crmkit.Schema):
    key = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            KEY_PATTERN, error="lower case letters, digits and _, starting with a letter"
        ),
    )
    label = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(FIELD_TYPES))
    options = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 100)),
        load_default=None,
        validate=OPTIONS,
        metadata={"description": "The allowed values of an enum field (enum only)"},
    )
    required = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def options_only_for_enum(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("type") == "enum" and not data.get("options"):
            raise ma.ValidationError("an enum field needs its options", "options")
        if data.get("type") != "enum" and data.get("options") is not None:
            raise ma.ValidationError("only enum fields have options", "options")


class CustomFieldUpdateSchema(crmkit.Schema):
    """What may change on a definition; its key and type are fixed."""

    label = ma.fields.String(validate=ma.validate.Length(1, 100))
    options = ma.fields.List(ma.fields.String(validate=ma.validate.Length(1, 100)), validate=OPTIONS)
    required = ma.fields.Boolean()


class CustomFieldSchema(crmkit.Schema):
    key = ma.fields.String()
    label = ma.fields.String()
    type = ma.fields.String()
    options = ma.fields.List(ma.fields.String(), allow_none=True)
    required = ma.fields.Boolean()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class CustomFieldQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(load_default="key", validate=ma.validate.OneOf(["key"]))
