"""Request and response schemas of the risk register."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from projects.fields import Timestamp
from projects.risks.models import RISK_CATEGORIES, RISK_RESPONSES, RISK_STATUSES

SCALE = ma.validate.Range(1, 5)
SORTS = ("-score", "score", "review_date", "-review_date", "created_at", "-created_at")


class RiskSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    category = ma.fields.String(load_default="other", validate=ma.validate.OneOf(RISK_CATEGORIES))
    probability = ma.fields.Integer(required=True, validate=SCALE, metadata={"description": "1 (rare) - 5"})
    impact = ma.fields.Integer(required=True, validate=SCALE, metadata={"description": "1 (minor) - 5"})
    score = ma.fields.Integer(dump_only=True, metadata={"description": "probability x impact (1-25)"})
    level = ma.fields.String(dump_only=True, metadata={"description": "low 1-4, medium 5-12, high 15-25"})
    owner_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    response = ma.fields.String(required=True, validate=ma.validate.OneOf(RISK_RESPONSES))
    response_plan = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    status = ma.fields.String(dump_only=True)
    review_date = ma.fields.Date(required=True)
    raised_by = ma.fields.String(dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class RiskUpdateSchema(crmkit.Schema):
    title = ma.fields.String(validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    category = ma.fields.String(validate=ma.validate.OneOf(RISK_CATEGORIES))
    probability = ma.fields.Integer(validate=SCALE)
    impact = ma.fields.Integer(validate=SCALE)
    owner_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    response = ma.fields.String(validate=ma.validate.OneOf(RISK_RESPONSES))
    response_plan = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    status = ma.fields.String(validate=ma.validate.OneOf(RISK_STATUSES))
    review_date = ma.fields.Date()


class RiskQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(RISK_STATUSES))
    owner_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    review_due_by = ma.fields.Date(
        metadata={"description": "Only risks not closed whose review date is on or before this day"}
    )
    sort = ma.fields.String(load_default="-score", validate=ma.validate.OneOf(SORTS))
