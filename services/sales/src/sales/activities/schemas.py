"""Activity and visit plan schemas: what clients send and receive."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from sales.activities.models import KINDS, OUTCOMES, STATUSES
from sales.fields import Text, Timestamp, UserRef

ID = ma.validate.Length(1, 32)


class ActivityFieldsSchema(crmkit.Schema):
    subject = Text()
    notes = Text(5000, allow_none=True)
    due_at = Timestamp()
    duration_minutes = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 24 * 60))
    location = Text(300, allow_none=True)


class ActivityCreateSchema(ActivityFieldsSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    subject = Text(required=True)
    due_at = Timestamp(required=True)
    account_id = ma.fields.String(allow_none=True, validate=ID)
    opportunity_id = ma.fields.String(allow_none=True, validate=ID)
    lead_id = ma.fields.String(allow_none=True, validate=ID)
    visit_plan_id = ma.fields.String(allow_none=True, validate=ID)
    owner_id = UserRef(metadata={"description": "Plan it for another rep (managers); default: you"})


class ActivityUpdateSchema(ActivityFieldsSchema):
    """Fields to change on a planned activity (If-Match)."""


class CompleteSchema(crmkit.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    outcome_notes = Text(5000, allow_none=True)
    completed_at = Timestamp(metadata={"description": "When it happened; default: now"})


class ActivitySchema(crmkit.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    subject = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    account_id = ma.fields.String(allow_none=True)
    opportunity_id = ma.fields.String(allow_none=True)
    lead_id = ma.fields.String(allow_none=True)
    visit_plan_id = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    due_at = Timestamp()
    duration_minutes = ma.fields.Integer(allow_none=True)
    location = ma.fields.String(allow_none=True)
    completed_at = Timestamp(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    outcome_notes = ma.fields.String(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class ActivityQuerySchema(crmkit.PageQuerySchema):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    owner = UserRef()
    account_id = ma.fields.String(validate=ID)
    opportunity_id = ma.fields.String(validate=ID)
    visit_plan_id = ma.fields.String(validate=ID)
    due_from = Timestamp()
    due_to = Timestamp()
    sort = ma.fields.String(load_default="due_at", validate=ma.validate.OneOf(("due_at", "-due_at")))


class PlannedVisitSchema(crmkit.Schema):
    account_id = ma.fields.String(required=True, validate=ID)
    opportunity_id = ma.fields.String(allow_none=True, validate=ID)
    subject = Text(required=True)
    due_at = Timestamp(required=True)
    duration_minutes = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(0, 24 * 60))
    location = Text(300, allow_none=True)
    notes = Text(5000, allow_none=True)


class VisitPlanCreateSchema(crmkit.Schema):
    day = ma.fields.Date(required=True)
    title = Text(required=True)
    notes = Text(5000, allow_none=True)
    owner_id = UserRef(metadata={"description": "Plan for another rep (managers); default: you"})
    visits = ma.fields.List(
        ma.fields.Nested(PlannedVisitSchema), load_default=list, validate=ma.validate.Length(max=50)
    )


class VisitPlanSchema(crmkit.Schema):
    id = ma.fields.String()
    owner_id = ma.fields.String()
    owner_team = ma.fields.String(allow_none=True)
    day = ma.fields.Date()
    title = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    visits = ma.fields.List(ma.fields.Nested(ActivitySchema))
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class VisitPlanQuerySchema(crmkit.PageQuerySchema):
    owner = UserRef()
    day_from = ma.fields.Date()
    day_to = ma.fields.Date()
    sort = ma.fields.String(load_default="day", validate=ma.validate.OneOf(("day", "-day")))
