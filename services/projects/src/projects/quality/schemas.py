"""Request and response schemas of quality plans, reviews and non-conformances."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from projects.fields import Timestamp
from projects.quality.models import NC_STATUSES, REVIEW_KINDS, REVIEW_RESULTS, SEVERITIES

ITEM = ma.fields.String(validate=ma.validate.Length(1, 500))
LONG_TEXT = ma.validate.Length(max=10000)


class QualityPlanSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    deliverable = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    task_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    standards = ma.fields.List(ITEM, load_default=list, validate=ma.validate.Length(max=50))
    checklist = ma.fields.List(ITEM, required=True, validate=ma.validate.Length(1, 200))
    acceptance_criteria = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    owner_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    @ma.validates("checklist")
    def _distinct(self, value: list[str], **_: object) -> None:
        if len(set(value)) != len(value):
            raise ma.ValidationError("checklist items must be distinct")


class QualityPlanUpdateSchema(crmkit.Schema):
    deliverable = ma.fields.String(validate=ma.validate.Length(1, 200))
    standards = ma.fields.List(ITEM, validate=ma.validate.Length(max=50))
    checklist = ma.fields.List(ITEM, validate=ma.validate.Length(1, 200))
    acceptance_criteria = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    owner_id = ma.fields.String(validate=ma.validate.Length(1, 64))


class ChecklistResultSchema(crmkit.Schema):
    item = ma.fields.String(required=True, validate=ma.validate.Length(1, 500))
    passed = ma.fields.Boolean(required=True)
    note = ma.fields.String(validate=ma.validate.Length(max=2000), allow_none=True)


class QualityReviewSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    plan_id = ma.fields.String(dump_only=True)
    kind = ma.fields.String(load_default="review", validate=ma.validate.OneOf(REVIEW_KINDS))
    held_on = ma.fields.Date(required=True)
    reviewer_id = ma.fields.String(dump_only=True)
    result = ma.fields.String(required=True, validate=ma.validate.OneOf(REVIEW_RESULTS))
    checklist_results = ma.fields.List(ma.fields.Nested(ChecklistResultSchema), required=True)
    notes = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    created_at = Timestamp(dump_only=True)


class NonConformanceSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    review_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    plan_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(SEVERITIES))
    owner_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    status = ma.fields.String(dump_only=True)
    due_date = ma.fields.Date(allow_none=True)
    corrective_action = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    resolved_at = Timestamp(dump_only=True)
    raised_by = ma.fields.String(dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class NonConformanceUpdateSchema(crmkit.Schema):
    title = ma.fields.String(validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=LONG_TEXT, allow_none=True)
    severity = ma.fields.String(validate=ma.validate.OneOf(SEVERITIES))
    owner_id = ma.fields.String(validate=ma.validate.Length(1, 64))
    status = ma.fields.String(validate=ma.validate.OneOf(NC_STATUSES))
    due_date = ma.fields.Date(allow_none=True)
    corrective_action = ma.fields.String(validate=LONG_TEXT, allow_none=True)


class NonConformanceQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(NC_STATUSES))
    severity = ma.fields.String(validate=ma.validate.OneOf(SEVERITIES))
    owner_id = ma.fields.String(validate=ma.validate.Length(1, 64))


class ReviewListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(QualityReviewSchema))
