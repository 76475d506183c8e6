"""Project schemas: what clients send and receive."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from projects.fields import Timestamp, hours, money
from projects.projects.models import BUDGET_CATEGORIES, HEALTHS, STATUSES

SORTS = ("created_at", "-created_at", "name", "-name")
NAME = ma.validate.Length(1, 200)
CURRENCY = ma.validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as EUR")
MAX_SCOPE_ITEMS = 500


class ScopeItemInSchema(crmkit.Schema):
    name = ma.fields.String(required=True, validate=NAME)
    sku = ma.fields.String(validate=ma.validate.Length(1, 64))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(BUDGET_CATEGORIES))
    unit = ma.fields.String(validate=ma.validate.Length(1, 16))
    quantity = hours(required=True)
    unit_price = money(required=True)


class ScopeItemSchema(ScopeItemInSchema):
    id = ma.fields.String()
    order_line_no = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    amount = money()
    task_id = ma.fields.String(allow_none=True)


class ProjectCreateSchema(crmkit.Schema):
    name = ma.fields.String(required=True, validate=NAME)
    description = ma.fields.String(validate=ma.validate.Length(max=10_000))
    account_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    currency = ma.fields.String(load_default="EUR", validate=CURRENCY)
    start_date = ma.fields.Date(required=True)
    calendar_id = ma.fields.String(validate=ma.validate.Length(1, 32))
    template_id = ma.fields.String(
        validate=ma.validate.Length(1, 32),
        metadata={"description": "Start from this template: its tasks, dependencies and roles are copied"},
    )
    scope_items = ma.fields.List(
        ma.fields.Nested(ScopeItemInSchema), validate=ma.validate.Length(max=MAX_SCOPE_ITEMS)
    )


class ProjectUpdateSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=10_000))
    account_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 32))
    start_date = ma.fields.Date(metadata={"description": "Moving it reschedules the plan"})
    calendar_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 32))
    manager_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 64))
    status = ma.fields.String(
        validate=ma.validate.OneOf(STATUSES),
        metadata={"description": "planned -> active -> completed -> closed; on_hold from planned or active"},
    )


class ProjectSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    account_id = ma.fields.String(allow_none=True)
    account_name = ma.fields.String(allow_none=True, metadata={"description": "From the customer service"})
    order_id = ma.fields.String(allow_none=True)
    order_number = ma.fields.String(allow_none=True)
    opportunity_id = ma.fields.String(allow_none=True)
    template_id = ma.fields.String(allow_none=True)
    source = ma.fields.String(metadata={"description": "manual, template or order"})
    status = ma.fields.String()
    health = ma.fields.String()
    currency = ma.fields.String()
    budget_amount = money()
    start_date = ma.fields.Date()
    finish_date = ma.fields.Date(allow_none=True)
    calendar_id = ma.fields.String(allow_none=True)
    manager_id = ma.fields.String(allow_none=True)
    completed_at = Timestamp(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class ProjectQuerySchema(crmkit.PageQuerySchema):
    account = ma.fields.String(validate=ma.validate.Length(1, 32), metadata={"description": "Account id"})
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    health = ma.fields.String(validate=ma.validate.OneOf(HEALTHS))
    order = ma.fields.String(validate=ma.validate.Length(1, 64), metadata={"description": "Sales order id"})
    sort = ma.fields.String(load_default="-created_at", validate=ma.validate.OneOf(SORTS))


class StatusUpdateCreateSchema(crmkit.Schema):
    health = ma.fields.String(required=True, validate=ma.validate.OneOf(HEALTHS))
    comment = ma.fields.String(required=True, validate=ma.validate.Length(1, 10_000))


class StatusUpdateSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    health = ma.fields.String()
    previous_health = ma.fields.String()
    status = ma.fields.String()
    comment = ma.fields.String()
    author_id = ma.fields.String()
    created_at = Timestamp()


class StatusUpdateQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(
        load_default="-created_at", validate=ma.validate.OneOf(("created_at", "-created_at"))
    )


class ScopeItemListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(ScopeItemSchema))
