"""Schemas of inbound mail results, mailboxes and attachments."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from service_desk.fields import EmailAddress, Timestamp
from service_desk.tickets.models import PRIORITIES, TYPES

ID = ma.validate.Length(1, 64)


class AttachmentSchema(crmkit.Schema):
    id = ma.fields.String()
    ticket_id = ma.fields.String()
    comment_id = ma.fields.String(allow_none=True)
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = Timestamp()


class AttachmentListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AttachmentSchema))


class InboundResultSchema(ma.Schema):
    action = ma.fields.String(
        metadata={
            "description": "created (a new ticket), replied, duplicate, or ignored (auto-reply, bounce)"
        }
    )
    ticket_id = ma.fields.String(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    comment_id = ma.fields.String(allow_none=True)
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema))


class MailboxWriteSchema(crmkit.Schema):
    address = EmailAddress()
    group_id = ma.fields.String(allow_none=True, validate=ID)
    default_priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    default_type = ma.fields.String(validate=ma.validate.OneOf(TYPES))
    active = ma.fields.Boolean()


class MailboxCreateSchema(MailboxWriteSchema):
    address = EmailAddress(required=True)


class MailboxSchema(crmkit.Schema):
    id = ma.fields.String()
    address = ma.fields.String()
    group_id = ma.fields.String(allow_none=True)
    default_priority = ma.fields.String()
    default_type = ma.fields.String()
    active = ma.fields.Boolean()
    created_by = ma.fields.String()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class MailboxWithSecretSchema(MailboxSchema):
    secret = ma.fields.String(
        metadata={"description": "send it as X-Inbound-Secret; shown only now (only its hash is kept)"}
    )
