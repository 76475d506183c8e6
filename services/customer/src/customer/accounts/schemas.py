"""Account schemas: what clients send and receive."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from customer.accounts.models import STAGES, TIERS
from customer.contacts.schemas import InitialContactSchema
from customer.fields import EmailAddress, Name, PhoneNumber, Tag, Timestamp, Website
from customer.normalize import email_key

SORTS = ("name", "-name", "created_at", "-created_at", "tier", "-tier")
MAX_TAGS = 50
MAX_INITIAL_CONTACTS = 20
PLAIN = ma.validate.Length(1, 100)


class AddressSchema(crmkit.Schema):
    line1 = ma.fields.String(validate=ma.validate.Length(1, 200))
    line2 = ma.fields.String(validate=ma.validate.Length(1, 200))
    postal_code = ma.fields.String(validate=ma.validate.Length(1, 20))
    city = ma.fields.String(validate=PLAIN)
    region = ma.fields.String(validate=PLAIN)
    country = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Z]{2}$", error="must be an ISO 3166-1 alpha-2 code such as DE")
    )


class CustomFieldValues(ma.fields.Dict):
    """Values by custom field key; checked against the definitions by the service (null removes one)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), **kwargs)


class AccountWriteSchema(crmkit.Schema):
    """Fields a client may set on an account (all optional: the create schema requires the name)."""

    name = Name()
    industry = ma.fields.String(allow_none=True, validate=PLAIN)
    website = Website(allow_none=True, validate=ma.validate.Length(max=500))
    address = ma.fields.Nested(AddressSchema, allow_none=True)
    owner_id = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(1, 64),
        metadata={"description": "Account manager user id"},
    )
    lifecycle_stage = ma.fields.String(validate=ma.validate.OneOf(STAGES))
    tier = ma.fields.String(
        validate=ma.validate.OneOf(TIERS), metadata={"description": "key customers first"}
    )
    tags = ma.fields.List(Tag(), validate=ma.validate.Length(max=MAX_TAGS))
    custom_fields = CustomFieldValues()

    @ma.post_load
    def unique_tags(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "tags" in data:
            data["tags"] = sorted(set(data["tags"]))
        return data


class AccountCreateSchema(AccountWriteSchema):
    name = Name(required=True)
    contacts = ma.fields.List(
        ma.fields.Nested(InitialContactSchema),
        validate=ma.validate.Length(max=MAX_INITIAL_CONTACTS),
        metadata={"description": "Contacts created with the account, in the same transaction"},
    )
    allow_duplicate = ma.fields.Boolean(
        load_default=False, metadata={"description": "Create even when likely duplicates exist"}
    )

    @ma.validates_schema
    def _no_shared_email_among_new_contacts(self, data: dict[str, Any], **_: Any) -> None:
        """Two of the new contacts may not share an e-mail (one more contact could not either)."""
        seen: set[str] = set()
        for index, contact in enumerate(data.get("contacts") or ()):
            for position, email in enumerate(contact.get("emails") or ()):
                key = email_key(email["address"])
                if key in seen:
                    field = f"contacts.{index}.emails.{position}.address"
                    raise ma.ValidationError("another new contact has this e-mail", field)
                seen.add(key)


class AccountUpdateSchema(AccountWriteSchema):
    """Fields to change; custom_fields are merged per key (null removes one), tags are replaced."""


class AccountSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    industry = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    domain = ma.fields.String(allow_none=True, metadata={"description": "Normalised web domain"})
    address = ma.fields.Nested(AddressSchema, allow_none=True)
    owner_id = ma.fields.String(allow_none=True)
    lifecycle_stage = ma.fields.String()
    tier = ma.fields.String()
    tags = ma.fields.List(ma.fields.String())
    custom_fields = ma.fields.Dict()
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class AccountQuerySchema(crmkit.PageQuerySchema):
    q = ma.fields.String(validate=ma.validate.Length(1, 200), metadata={"description": "Name prefix"})
    tag = Tag()
    tier = ma.fields.String(validate=ma.validate.OneOf(TIERS))
    owner = ma.fields.String(validate=ma.validate.Length(1, 64), metadata={"description": "Owner user id"})
    stage = ma.fields.String(validate=ma.validate.OneOf(STAGES))
    sort = ma.fields.String(
        load_default="name", validate=ma.validate.OneOf(SORTS), metadata={"description": "tier: key first"}
    )


class DuplicateQuerySchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 200))
    website = Website()
    email = EmailAddress()
    phone = PhoneNumber()

    @ma.validates_schema
    def something_to_compare(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("give at least one of name, website, email, phone", "name")


class DuplicateSchema(crmkit.Schema):
    account = ma.fields.Nested(AccountSchema)
    reasons = ma.fields.List(ma.fields.String(), metadata={"description": "name, domain, email, phone"})


class DuplicateListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(DuplicateSchema))


class MergeSchema(crmkit.Schema):
    merged_account_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
