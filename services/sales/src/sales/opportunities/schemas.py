"""Pipeline, loss reason and opportunity schemas: what clients send and receive."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from sales.fields import Currency, Money, Text, Timestamp, UserRef
from sales.opportunities.models import FORECAST_CATEGORIES, OUTCOMES, STATUSES

ID = ma.validate.Length(1, 32)
PERCENT = ma.validate.Range(0, 100)


class StageInputSchema(crmkit.Schema):
    id = ma.fields.String(validate=ID, metadata={"description": "Keep this existing stage (on update)"})
    name = Text(100, required=True)
    probability = ma.fields.Integer(validate=PERCENT, metadata={"description": "Default win probability"})
    outcome = ma.fields.String(load_default="open", validate=ma.validate.OneOf(OUTCOMES))

    @ma.validates_schema
    def _open_needs_probability(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome", "open") == "open" and "probability" not in data:
            raise ma.ValidationError("an open stage needs a probability", "probability")


class StageSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    position = ma.fields.Integer()
    probability = ma.fields.Integer()
    outcome = ma.fields.String()


class PipelineCreateSchema(crmkit.Schema):
    name = Text(100, required=True)
    is_default = ma.fields.Boolean(load_default=False)
    stages = ma.fields.List(
        ma.fields.Nested(StageInputSchema), required=True, validate=ma.validate.Length(3, 30)
    )


class PipelineUpdateSchema(crmkit.Schema):
    name = Text(100)
    is_default = ma.fields.Boolean(metadata={"description": "true makes this the default pipeline"})
    stages = ma.fields.List(ma.fields.Nested(StageInputSchema), validate=ma.validate.Length(3, 30))


class PipelineSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    is_default = ma.fields.Boolean()
    stages = ma.fields.List(ma.fields.Nested(StageSchema))
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class PipelineListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(PipelineSchema))


class LossReasonCreateSchema(crmkit.Schema):
    name = Text(100, required=True)
    active = ma.fields.Boolean(load_default=True)


class LossReasonUpdateSchema(crmkit.Schema):
    name = Text(100)
    active = ma.fields.Boolean()


class LossReasonSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = Timestamp()


class LossReasonListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(LossReasonSchema))


class LossReasonQuerySchema(crmkit.Schema):
    include_inactive = ma.fields.Boolean(load_default=False)


class OpportunityFieldsSchema(crmkit.Schema):
    name = Text()
    amount = Money()
    currency = Currency()
    expected_close_date = ma.fields.Date(allow_none=True)
    probability = ma.fields.Integer(
        validate=PERCENT, metadata={"description": "Overrides the stage's default"}
    )
    forecast_category = ma.fields.String(
        validate=ma.validate.OneOf(("pipeline", "best_case", "commit", "omitted"))
    )
    description = Text(5000, allow_none=True)
    owner_id = UserRef(metadata={"description": "Give the opportunity to another rep (managers)"})


class OpportunityCreateSchema(OpportunityFieldsSchema):
    name = Text(required=True)
    amount = Money(required=True)
    currency = Currency(required=True)
    account_id = ma.fields.String(allow_none=True, validate=ID)
    contact_id = ma.fields.String(allow_none=True, validate=ID)
    campaign_id = ma.fields.String(allow_none=True, validate=ID)
    pipeline_id = ma.fields.String(validate=ID, metadata={"description": "The default pipeline if left out"})
    stage_id = ma.fields.String(validate=ID, metadata={"description": "The first open stage if left out"})


class OpportunityUpdateSchema(OpportunityFieldsSchema):
    """Fields to change on an open opportunity (If-Match)."""


class StageMoveSchema(crmkit.Schema):
    stage_id = ma.fields.String(required=True, validate=ID)
    loss_reason_id = ma.fields.String(
        validate=ID, metadata={"description": "Needed when moving to the lost stage"}
    )
    loss_note = Text(500, allow_none=True)


class LoseSchema(crmkit.Schema):
    loss_reason_id = ma.fields.String(required=True, validate=ID)
    note = Text(500, allow_none=True)


class OpportunitySchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    account_id = ma.fields.String(allow_none=True)
    contact_id = ma.fields.String(allow_none=True)
    account_pending = ma.fields.Boolean(
        metadata={"description": "true until the customer service has linked or created the account"}
    )
    lead_id = ma.fields.String(allow_none=True)
    campaign_id = ma.fields.String(allow_none=True)
    pipeline_id = ma.fields.String()
    stage_id = ma.fields.String()
    amount = Money()
    currency = ma.fields.String()
    probability = ma.fields.Integer()
    weighted_amount = Money(metadata={"description": "amount x probability (0 when lost)"})
    forecast_category = ma.fields.String(metadata={"description": ", ".join(FORECAST_CATEGORIES)})
    expected_close_date = ma.fields.Date(allow_none=True)
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": ", ".join(STATUSES)})
    loss_reason_id = ma.fields.String(allow_none=True)
    loss_note = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    stage_entered_at = Timestamp()
    closed_at = Timestamp(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class OpportunityQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    owner = UserRef()
    team = ma.fields.String(validate=ma.validate.Length(1, 64))
    account_id = ma.fields.String(validate=ID)
    pipeline_id = ma.fields.String(validate=ID)
    stage_id = ma.fields.String(validate=ID)
    campaign_id = ma.fields.String(validate=ID)
    lead_id = ma.fields.String(validate=ID)
    close_from = ma.fields.Date()
    close_to = ma.fields.Date()
    sort = ma.fields.String(
        load_default="-created_at", validate=ma.validate.OneOf(("created_at", "-created_at"))
    )


class StageVisitSchema(crmkit.Schema):
    stage_id = ma.fields.String()
    stage_name = ma.fields.String(allow_none=True)
    entered_at = Timestamp()
    left_at = Timestamp(allow_none=True)
    seconds_in_stage = ma.fields.Integer()
    changed_by = ma.fields.String()


class StageHistorySchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(StageVisitSchema))
