"""Ticket schemas: what clients send and receive."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from service_desk.fields import EmailAddress, Timestamp
from service_desk.tickets.models import (
    ASSIGNMENT_MODES,
    CHANNELS,
    COMMENT_KINDS,
    LINK_KINDS,
    PRIORITIES,
    STATUSES,
    TYPES,
)

SUBJECT = ma.validate.Length(1, 300)
DESCRIPTION = ma.validate.Length(0, 50_000)
ID = ma.validate.Length(1, 64)
API_CHANNELS = ("web", "api", "phone")  # e-mail tickets come in through /api/v1/inbound-mail
MAX_TAGS = 20


class TicketCreateSchema(crmkit.Schema):
    subject = ma.fields.String(required=True, validate=SUBJECT)
    description = ma.fields.String(load_default="", validate=DESCRIPTION)
    channel = ma.fields.String(
        load_default="api",
        validate=ma.validate.OneOf(API_CHANNELS),
        metadata={"description": "web (a web form), api, or phone (a call an agent logs)"},
    )
    priority = ma.fields.String(load_default="normal", validate=ma.validate.OneOf(PRIORITIES))
    type = ma.fields.String(load_default="question", validate=ma.validate.OneOf(TYPES))
    requester_email = EmailAddress(allow_none=True)
    requester_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 200))
    contact_id = ma.fields.String(allow_none=True, validate=ID)
    account_id = ma.fields.String(allow_none=True, validate=ID)
    group_id = ma.fields.String(allow_none=True, validate=ID)
    assignee_id = ma.fields.String(allow_none=True, validate=ID)
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 50)), validate=ma.validate.Length(0, MAX_TAGS)
    )

    @ma.validates_schema
    def _someone_asked(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("requester_email") or data.get("contact_id") or data.get("account_id")):
            raise ma.ValidationError(
                "name the requester: requester_email, contact_id or account_id", field_name="requester_email"
            )


class TicketUpdateSchema(crmkit.Schema):
    subject = ma.fields.String(validate=SUBJECT)
    description = ma.fields.String(validate=DESCRIPTION)
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    type = ma.fields.String(validate=ma.validate.OneOf(TYPES))
    contact_id = ma.fields.String(allow_none=True, validate=ID)
    account_id = ma.fields.String(allow_none=True, validate=ID)
    group_id = ma.fields.String(allow_none=True, validate=ID)
    assignee_id = ma.fields.String(allow_none=True, validate=ID)
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 50)), validate=ma.validate.Length(0, MAX_TAGS)
    )
    flagged = ma.fields.Boolean()


class TicketSchema(crmkit.Schema):
    id = ma.fields.String()
    number = ma.fields.Integer()
    reference = ma.fields.String()
    subject = ma.fields.String()
    description = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    priority = ma.fields.String(metadata={"enum": list(PRIORITIES)})
    type = ma.fields.String(metadata={"enum": list(TYPES)})
    channel = ma.fields.String(metadata={"enum": list(CHANNELS)})
    account_id = ma.fields.String(allow_none=True)
    contact_id = ma.fields.String(allow_none=True)
    requester_email = ma.fields.String(allow_none=True)
    requester_name = ma.fields.String(allow_none=True)
    requester_known = ma.fields.Boolean()
    group_id = ma.fields.String(allow_none=True)
    assignee_id = ma.fields.String(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    flagged = ma.fields.Boolean()
    flag_reason = ma.fields.String(allow_none=True)
    merged_into_id = ma.fields.String(allow_none=True)
    reopen_count = ma.fields.Integer()
    time_spent_minutes = ma.fields.Integer()
    created_by = ma.fields.String()
    created_at = Timestamp()
    updated_at = Timestamp()
    first_responded_at = Timestamp(allow_none=True)
    resolved_at = Timestamp(allow_none=True)
    closed_at = Timestamp(allow_none=True)
    version = ma.fields.Integer()


class TicketQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    type = ma.fields.String(validate=ma.validate.OneOf(TYPES))
    channel = ma.fields.String(validate=ma.validate.OneOf(CHANNELS))
    group_id = ma.fields.String(validate=ID)
    assignee_id = ma.fields.String(validate=ID)
    account_id = ma.fields.String(validate=ID)
    contact_id = ma.fields.String(validate=ID)
    requester_email = EmailAddress()
    q = ma.fields.String(
        validate=ma.validate.Length(1, 200),
        metadata={"description": "a reference (T-1042) or text in the subject"},
    )
    unassigned = ma.fields.Boolean()
    flagged = ma.fields.Boolean()


class StatusChangeSchema(crmkit.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    reason = ma.fields.String(validate=ma.validate.Length(1, 500))


class CommentCreateSchema(crmkit.Schema):
    kind = ma.fields.String(
        load_default="public",
        validate=ma.validate.OneOf(COMMENT_KINDS),
        metadata={"description": "public (a reply the requester sees) or internal (a note for agents)"},
    )
    body = ma.fields.String(validate=ma.validate.Length(1, 50_000))
    canned_response_id = ma.fields.String(validate=ID)
    status = ma.fields.String(
        validate=ma.validate.OneOf(STATUSES), metadata={"description": "the state to move the ticket to"}
    )


class CommentSchema(crmkit.Schema):
    id = ma.fields.String()
    ticket_id = ma.fields.String()
    kind = ma.fields.String()
    author_kind = ma.fields.String()
    author_id = ma.fields.String(allow_none=True)
    author_email = ma.fields.String(allow_none=True)
    body = ma.fields.String()
    channel = ma.fields.String()
    created_at = Timestamp()


class CommentListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CommentSchema))


class TimeEntryCreateSchema(crmkit.Schema):
    minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 24 * 60))
    note = ma.fields.String(validate=ma.validate.Length(1, 500))


class TimeEntrySchema(crmkit.Schema):
    id = ma.fields.String()
    ticket_id = ma.fields.String()
    agent_id = ma.fields.String()
    minutes = ma.fields.Integer()
    note = ma.fields.String(allow_none=True)
    created_at = Timestamp()


class TimeEntryListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TimeEntrySchema))
    total_minutes = ma.fields.Integer()


class LinkCreateSchema(crmkit.Schema):
    other_ticket_id = ma.fields.String(required=True, validate=ID)
    kind = ma.fields.String(load_default="related", validate=ma.validate.OneOf(LINK_KINDS))


class LinkSchema(crmkit.Schema):
    ticket_id = ma.fields.String()
    other_ticket_id = ma.fields.String()
    kind = ma.fields.String()
    created_by = ma.fields.String()
    created_at = Timestamp()


class LinkListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LinkSchema))


class MergeSchema(crmkit.Schema):
    source_ticket_id = ma.fields.String(
        required=True, validate=ID, metadata={"description": "the duplicate ticket merged into this one"}
    )


class GroupWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(0, 500))
    assignment = ma.fields.String(validate=ma.validate.OneOf(ASSIGNMENT_MODES))
    members = ma.fields.List(ma.fields.String(validate=ID), validate=ma.validate.Length(0, 200))


class GroupCreateSchema(GroupWriteSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))


class GroupSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    assignment = ma.fields.String()
    members = ma.fields.List(ma.fields.String())
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class CannedWriteSchema(crmkit.Schema):
    title = ma.fields.String(validate=ma.validate.Length(1, 200))
    body = ma.fields.String(
        validate=ma.validate.Length(1, 20_000),
        metadata={"description": "may use {{ticket.reference}}, {{ticket.subject}} and {{requester.name}}"},
    )
    group_id = ma.fields.String(allow_none=True, validate=ID)


class CannedCreateSchema(CannedWriteSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    body = ma.fields.String(required=True, validate=ma.validate.Length(1, 20_000))


class CannedSchema(crmkit.Schema):
    id = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    group_id = ma.fields.String(allow_none=True)
    created_by = ma.fields.String()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class CannedQuerySchema(crmkit.PageQuerySchema):
    group_id = ma.fields.String(validate=ID)


class GroupQuerySchema(crmkit.PageQuerySchema):
    pass
