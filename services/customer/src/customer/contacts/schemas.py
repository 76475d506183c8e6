"""Contact schemas: what clients send and receive."""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma

import crmkit
from customer import normalize
from customer.contacts.models import CHANNELS, CONSENT_METHODS
from customer.fields import EmailAddress, Name, PhoneNumber, Timestamp

LABEL = ma.validate.Length(1, 30)
MAX_ADDRESSES = 10
SORTS = ("name", "-name", "created_at", "-created_at")


class EmailSchema(crmkit.Schema):
    address = EmailAddress(required=True)
    label = ma.fields.String(load_default=None, allow_none=True, validate=LABEL)


class PhoneSchema(crmkit.Schema):
    number = PhoneNumber(required=True)
    label = ma.fields.String(load_default=None, allow_none=True, validate=LABEL)


class ConsentAnswerSchema(crmkit.Schema):
    """A consent answer as a client records it; the service adds who recorded it."""

    granted = ma.fields.Boolean(required=True)
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(CONSENT_METHODS))
    recorded_at = Timestamp(load_default=None, metadata={"description": "When it was given (default: now)"})


class ConsentAnswersSchema(crmkit.Schema):
    """The answers to record, by purpose (purposes left out keep their recorded answer)."""

    marketing_email = ma.fields.Nested(ConsentAnswerSchema)
    marketing_phone = ma.fields.Nested(ConsentAnswerSchema)
    marketing_sms = ma.fields.Nested(ConsentAnswerSchema)
    marketing_post = ma.fields.Nested(ConsentAnswerSchema)


class ConsentSchema(crmkit.Schema):
    granted = ma.fields.Boolean()
    method = ma.fields.String()
    recorded_at = ma.fields.String(metadata={"description": "RFC 3339 UTC"})
    recorded_by = ma.fields.String(metadata={"description": "User id of who recorded the answer"})


def _unique(key: str, normal: Callable[[str], str] = str) -> Callable[[list[dict[str, str]]], None]:
    """A list validator: no two items with the same (normalised) `key`."""

    def validate(items: list[dict[str, str]]) -> None:
        values = [normal(item[key]) for item in items]
        if len(values) != len(set(values)):
            raise ma.ValidationError(f"each {key} may appear once")

    return validate


class ContactWriteSchema(crmkit.Schema):
    """Fields a client may set on a contact (all optional: the create schema requires the name)."""

    name = Name()
    title = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 100))
    emails = ma.fields.List(
        ma.fields.Nested(EmailSchema), validate=[ma.validate.Length(max=MAX_ADDRESSES), _unique("address")]
    )
    phones = ma.fields.List(
        ma.fields.Nested(PhoneSchema),
        validate=[ma.validate.Length(max=MAX_ADDRESSES), _unique("number", normalize.phone_key)],
    )
    preferred_channel = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(CHANNELS))
    consents = ma.fields.Nested(ConsentAnswersSchema)


class InitialContactSchema(ContactWriteSchema):
    """A contact created together with its account (the account's duplicate check covers it)."""

    name = Name(required=True)


class ContactCreateSchema(InitialContactSchema):
    allow_duplicate = ma.fields.Boolean(
        load_default=False, metadata={"description": "Create even when a contact has one of these e-mails"}
    )


class ContactUpdateSchema(ContactWriteSchema):
    """Fields to change; consents are merged per purpose, lists are replaced."""


class ContactSchema(crmkit.Schema):
    id = ma.fields.String()
    account_id = ma.fields.String()
    name = ma.fields.String()
    title = ma.fields.String(allow_none=True)
    emails = ma.fields.List(ma.fields.Nested(EmailSchema))
    phones = ma.fields.List(ma.fields.Nested(PhoneSchema))
    preferred_channel = ma.fields.String(allow_none=True)
    consents = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(ConsentSchema))
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class ContactQuerySchema(crmkit.PageQuerySchema):
    email = EmailAddress(metadata={"description": "Contacts with this e-mail address"})
    phone = PhoneNumber(metadata={"description": "Contacts with this phone number (any formatting)"})
    account_id = ma.fields.String(metadata={"description": "Contacts of this account"})
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(SORTS))


class AccountContactQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(SORTS))
