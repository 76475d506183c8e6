"""Rep roster schemas: what clients send and receive."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from sales.fields import EmailAddress, Text, Timestamp, UserRef

TEAM = ma.validate.Length(1, 64)


class AbsenceSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    reason = Text(allow_none=True)

    @ma.validates_schema
    def _in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("must not be before starts_on", "ends_on")


class RepWriteSchema(crmkit.Schema):
    name = Text()
    email = EmailAddress(allow_none=True)
    team = ma.fields.String(allow_none=True, validate=TEAM)
    capacity = ma.fields.Integer(
        validate=ma.validate.Range(0, 10000), metadata={"description": "Most open leads at once"}
    )
    active = ma.fields.Boolean()


class RepCreateSchema(RepWriteSchema):
    id = UserRef(required=True, metadata={"description": "The rep's user id (token `sub`)"})
    name = Text(required=True)


class RepSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    team = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer()
    active = ma.fields.Boolean()
    open_leads = ma.fields.Integer(metadata={"description": "Open leads the rep owns now"})
    absences = ma.fields.List(ma.fields.Nested(AbsenceSchema))
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class RepQuerySchema(crmkit.PageQuerySchema):
    team = ma.fields.String(validate=TEAM)
    active = ma.fields.Boolean()
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(("name", "-name")))
