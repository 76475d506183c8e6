"""Campaign schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

import crmkit
from sales.accounts.models import TIERS
from sales.campaigns.models import CHANNELS, STATUSES
from sales.catalog.fields import Day, DecimalString, Money
from sales.fields import Text
from sales.leads.schemas import ConsentInputSchema, LeadFieldsSchema

NAME = ma.validate.Length(1, 200)


class CampaignWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=5000))
    channel = ma.fields.String(validate=ma.validate.OneOf(CHANNELS))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    budget = Money()
    actual_cost = Money()
    start_date = Day(allow_none=True)
    end_date = Day(allow_none=True)


class CampaignCreateSchema(CampaignWriteSchema):
    name = ma.fields.String(required=True, validate=NAME)
    channel = ma.fields.String(required=True, validate=ma.validate.OneOf(CHANNELS))
    budget = Money(required=True)
    actual_cost = Money(load_default=Decimal("0.00"))


class CampaignSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    channel = ma.fields.String()
    status = ma.fields.String()
    currency = ma.fields.String()
    budget = DecimalString()
    actual_cost = DecimalString()
    start_date = Day(allow_none=True)
    end_date = Day(allow_none=True)
    owner_id = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


class CampaignQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))


class SegmentSchema(crmkit.Schema):
    """Accounts of the local read model to add: all given criteria must match (tags: every tag)."""

    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 50)), validate=ma.validate.Length(max=20)
    )
    tier = ma.fields.String(validate=ma.validate.OneOf(TIERS))
    industry = ma.fields.String(validate=ma.validate.Length(1, 100))
    account_ids = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 32)), validate=ma.validate.Length(max=1000)
    )

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(name) for name in ("tags", "tier", "industry", "account_ids")):
            raise ma.ValidationError("give at least one of tags, tier, industry, account_ids", "tags")


class MembersAddedSchema(crmkit.Schema):
    added = ma.fields.Integer()
    members = ma.fields.Integer()


class MemberSchema(crmkit.Schema):
    id = ma.fields.String()
    account_id = ma.fields.String()
    segment = ma.fields.Dict()
    added_at = ma.fields.AwareDateTime()


class ResponseCreateSchema(LeadFieldsSchema):
    """Someone answered the campaign: the response becomes a lead (source `campaign`)."""

    last_name = Text(100, required=True)
    consent = ma.fields.Nested(ConsentInputSchema, allow_none=True)
    account_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 32))
    channel = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(CHANNELS))


class ResponseSchema(crmkit.Schema):
    id = ma.fields.String()
    campaign_id = ma.fields.String()
    lead_id = ma.fields.String()
    account_id = ma.fields.String(allow_none=True)
    channel = ma.fields.String(allow_none=True)
    responded_at = ma.fields.AwareDateTime()


class RoiSchema(crmkit.Schema):
    campaign_id = ma.fields.String()
    currency = ma.fields.String()
    budget = DecimalString()
    actual_cost = DecimalString()
    won_revenue = DecimalString(
        metadata={"description": "Won opportunities with this campaign_id, base currency"}
    )
    won_deals = ma.fields.Integer()
    members = ma.fields.Integer()
    responses = ma.fields.Integer()
    leads = ma.fields.Integer()
    converted_leads = ma.fields.Integer()
    roi = DecimalString(
        places=4, allow_none=True, metadata={"description": "(won - cost) / cost; null without cost"}
    )
    roi_percent = DecimalString(allow_none=True)
