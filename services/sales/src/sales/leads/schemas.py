"""Lead, web form and assignment rule schemas: what clients send and receive."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from sales.accounts.models import TIERS
from sales.fields import Currency, EmailAddress, Money, Text, Timestamp, UserRef
from sales.leads.models import DISQUALIFY_REASONS, SOURCES, STATUSES, STRATEGIES

COUNTRY = ma.validate.Regexp(r"^[A-Z]{2}$", error="must be an ISO 3166-1 alpha-2 code such as DE")
ID = ma.validate.Length(1, 32)


class ConsentInputSchema(crmkit.Schema):
    granted = ma.fields.Boolean(required=True)
    purpose = Text(100, load_default="sales_contact")
    text = Text(1000, allow_none=True, metadata={"description": "The wording the person agreed to"})
    method = ma.fields.String(
        load_default="api", validate=ma.validate.OneOf(("api", "web_form", "phone", "in_person", "email"))
    )


class LeadFieldsSchema(crmkit.Schema):
    """Fields of a lead a client may set (all optional: the create schema requires the last name)."""

    company = Text(allow_none=True)
    first_name = Text(100, allow_none=True)
    last_name = Text(100)
    title = Text(100, allow_none=True)
    email = EmailAddress(allow_none=True)
    phone = Text(40, allow_none=True)
    website = Text(500, allow_none=True)
    industry = Text(100, allow_none=True)
    region = Text(100, allow_none=True)
    country = ma.fields.String(allow_none=True, validate=COUNTRY)
    notes = Text(5000, allow_none=True)


class LeadCreateSchema(LeadFieldsSchema):
    last_name = Text(100, required=True)
    source = ma.fields.String(load_default="api", validate=ma.validate.OneOf(SOURCES))
    campaign_id = ma.fields.String(allow_none=True, validate=ID)
    consent = ma.fields.Nested(ConsentInputSchema, allow_none=True)
    owner_id = UserRef(
        allow_none=True,
        metadata={"description": "Assign to this user; without it the assignment rules decide"},
    )
    allow_duplicate = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Capture even when open leads or contacts share the e-mail"},
    )


class WebLeadSchema(LeadFieldsSchema):
    """What a public web form posts to /api/v1/web-leads (with the form's key in X-Api-Key)."""

    last_name = Text(100, required=True)
    consent = ma.fields.Boolean(
        required=True, metadata={"description": "Whether the visitor ticked the form's consent box"}
    )


class LeadUpdateSchema(LeadFieldsSchema):
    """Fields to change on an open lead (If-Match)."""


class DisqualifySchema(crmkit.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.OneOf(DISQUALIFY_REASONS))
    note = Text(500, allow_none=True)


class AssignSchema(crmkit.Schema):
    owner_id = UserRef(
        allow_none=True,
        metadata={"description": "The new owner; leave out to let the assignment rules choose"},
    )
    note = Text(500, allow_none=True)


class ConvertOpportunitySchema(crmkit.Schema):
    name = Text(allow_none=True, metadata={"description": "Defaults to the company (or person) name"})
    amount = Money(required=True)
    currency = Currency(required=True)
    pipeline_id = ma.fields.String(
        allow_none=True, validate=ID, metadata={"description": "Default pipeline if empty"}
    )
    expected_close_date = ma.fields.Date(allow_none=True)


class ConvertSchema(crmkit.Schema):
    account_id = ma.fields.String(
        allow_none=True,
        validate=ID,
        metadata={
            "description": "An existing account to link; else the customer service matches or creates one"
        },
    )
    contact_id = ma.fields.String(allow_none=True, validate=ID)
    opportunity = ma.fields.Nested(ConvertOpportunitySchema, required=True)


class ConsentSchema(crmkit.Schema):
    granted = ma.fields.Boolean()
    purpose = ma.fields.String()
    text = ma.fields.String(allow_none=True)
    method = ma.fields.String()
    recorded_at = ma.fields.String()


class DuplicateRefSchema(crmkit.Schema):
    kind = ma.fields.String(metadata={"description": "lead or contact"})
    id = ma.fields.String()
    account_id = ma.fields.String(allow_none=True)


class LeadSchema(crmkit.Schema):
    id = ma.fields.String()
    status = ma.fields.String()
    owner_id = ma.fields.String(allow_none=True)
    owner_team = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    campaign_id = ma.fields.String(allow_none=True)
    company = ma.fields.String(allow_none=True)
    first_name = ma.fields.String(allow_none=True)
    last_name = ma.fields.String()
    title = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    industry = ma.fields.String(allow_none=True)
    region = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    tier = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    consent = ma.fields.Nested(ConsentSchema, allow_none=True)
    duplicates = ma.fields.List(ma.fields.Nested(DuplicateRefSchema))
    disqualify_reason = ma.fields.String(allow_none=True)
    disqualify_note = ma.fields.String(allow_none=True)
    assignment_rule_id = ma.fields.String(allow_none=True)
    opportunity_id = ma.fields.String(allow_none=True)
    account_id = ma.fields.String(allow_none=True)
    contact_id = ma.fields.String(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    qualified_at = Timestamp(allow_none=True)
    converted_at = Timestamp(allow_none=True)
    created_by = ma.fields.String(allow_none=True)
    version = ma.fields.Integer()


class LeadQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    owner = UserRef(metadata={"description": "Owner user id; `none` lists unassigned leads"})
    team = ma.fields.String(validate=ma.validate.Length(1, 64))
    source = ma.fields.String(validate=ma.validate.OneOf(SOURCES))
    campaign_id = ma.fields.String(validate=ID)
    sort = ma.fields.String(
        load_default="-created_at", validate=ma.validate.OneOf(("created_at", "-created_at"))
    )


class AssignmentSchema(crmkit.Schema):
    id = ma.fields.String()
    lead_id = ma.fields.String()
    from_owner_id = ma.fields.String(allow_none=True)
    to_owner_id = ma.fields.String(allow_none=True)
    to_team = ma.fields.String(allow_none=True)
    rule_id = ma.fields.String(allow_none=True)
    reason = ma.fields.String(metadata={"description": "rule, manual or unmatched"})
    note = ma.fields.String(allow_none=True)
    assigned_at = Timestamp()
    assigned_by = ma.fields.String(allow_none=True)


class AssignmentListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(AssignmentSchema))


class WebLeadReceiptSchema(crmkit.Schema):
    id = ma.fields.String()
    status = ma.fields.String()


# --- web forms ---------------------------------------------------------------------------------------------


class WebFormWriteSchema(crmkit.Schema):
    name = Text()
    campaign_id = ma.fields.String(allow_none=True, validate=ID)
    consent_text = Text(1000, allow_none=True)
    active = ma.fields.Boolean()


class WebFormCreateSchema(WebFormWriteSchema):
    name = Text(required=True)


class WebFormSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    key_prefix = ma.fields.String(metadata={"description": "First characters of the key, to tell keys apart"})
    campaign_id = ma.fields.String(allow_none=True)
    consent_text = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    last_used_at = Timestamp(allow_none=True)
    version = ma.fields.Integer()


class WebFormWithKeySchema(WebFormSchema):
    api_key = ma.fields.String(metadata={"description": "Shown once: only its hash is stored"})


class WebFormQuerySchema(crmkit.PageQuerySchema):
    active = ma.fields.Boolean()
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(("name", "-name")))


# --- assignment rules --------------------------------------------------------------------------------------


class RuleWriteSchema(crmkit.Schema):
    name = Text()
    position = ma.fields.Integer(
        validate=ma.validate.Range(0, 100000), metadata={"description": "Lower first"}
    )
    active = ma.fields.Boolean()
    sources = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SOURCES)))
    regions = ma.fields.List(Text(100))
    industries = ma.fields.List(Text(100))
    tiers = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(TIERS)))
    strategy = ma.fields.String(validate=ma.validate.OneOf(STRATEGIES))
    rep_ids = ma.fields.List(UserRef(), validate=ma.validate.Length(1, 200))

    @ma.validates("rep_ids")
    def _distinct_reps(self, value: list[str], **_: Any) -> None:
        if len(set(value)) != len(value):
            raise ma.ValidationError("lists a rep twice")


class RuleCreateSchema(RuleWriteSchema):
    name = Text(required=True)
    rep_ids = ma.fields.List(UserRef(), required=True, validate=ma.validate.Length(1, 200))


class RuleSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    position = ma.fields.Integer()
    active = ma.fields.Boolean()
    sources = ma.fields.List(ma.fields.String())
    regions = ma.fields.List(ma.fields.String())
    industries = ma.fields.List(ma.fields.String())
    tiers = ma.fields.List(ma.fields.String())
    strategy = ma.fields.String()
    rep_ids = ma.fields.List(ma.fields.String())
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class RuleListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(RuleSchema))
