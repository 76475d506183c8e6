"""Request and response schemas of change requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

import crmkit
from projects.changes.models import CHANGE_STATUSES
from projects.costs.models import BUDGET_CATEGORIES
from projects.fields import Timestamp

SIGNED_MONEY: dict[str, Any] = {
    "as_string": True,
    "places": 2,
    "validate": ma.validate.Range(min=-(10**12), max=10**12),
}


class ScopeChangeSchema(crmkit.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    category = ma.fields.String(load_default="other", validate=ma.validate.OneOf(BUDGET_CATEGORIES))
    unit = ma.fields.String(load_default="each", validate=ma.validate.Length(1, 16))
    quantity = ma.fields.Decimal(
        as_string=True, places=2, load_default=Decimal(1), validate=ma.validate.Range(min=0)
    )
    unit_price = ma.fields.Decimal(
        as_string=True, places=2, load_default=Decimal(0), validate=ma.validate.Range(min=0, max=10**12)
    )


class TaskChangeSchema(crmkit.Schema):
    task_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    shift_days = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(-3650, 3650), metadata={"description": "Working days"}
    )
    extend_days = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(-3650, 3650), metadata={"description": "Working days"}
    )
    budget_delta = ma.fields.Decimal(load_default=Decimal(0), **SIGNED_MONEY)


class BudgetChangeSchema(crmkit.Schema):
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(BUDGET_CATEGORIES))
    role = ma.fields.String(validate=ma.validate.Length(1, 100), allow_none=True)
    description = ma.fields.String(validate=ma.validate.Length(1, 500), allow_none=True)
    quantity = ma.fields.Decimal(
        as_string=True, places=2, required=True, validate=ma.validate.Range(min=-(10**7), max=10**7)
    )
    unit_rate = ma.fields.Decimal(as_string=True, places=4, required=True, validate=ma.validate.Range(min=0))


class ChangeRequestSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    number = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(dump_only=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    reason = ma.fields.String(validate=ma.validate.Length(max=10000), allow_none=True)
    status = ma.fields.String(dump_only=True)
    scope_items = ma.fields.List(
        ma.fields.Nested(ScopeChangeSchema), load_default=list, validate=ma.validate.Length(max=100)
    )
    task_changes = ma.fields.List(
        ma.fields.Nested(TaskChangeSchema), load_default=list, validate=ma.validate.Length(max=500)
    )
    budget_lines = ma.fields.List(
        ma.fields.Nested(BudgetChangeSchema), load_default=list, validate=ma.validate.Length(max=100)
    )
    cost_delta = ma.fields.Decimal(dump_only=True, as_string=True, places=2)
    price_delta = ma.fields.Decimal(dump_only=True, as_string=True, places=2)
    currency = ma.fields.String(dump_only=True)
    approval_level = ma.fields.String(dump_only=True)
    requested_by = ma.fields.String(dump_only=True)
    requested_at = Timestamp(dump_only=True)
    decided_by = ma.fields.String(dump_only=True)
    decided_at = Timestamp(dump_only=True)
    decision_comment = ma.fields.String(dump_only=True)
    baseline_id = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class ChangeRequestQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(CHANGE_STATUSES))
