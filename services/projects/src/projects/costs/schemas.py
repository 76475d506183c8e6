"""Request and response schemas of budget lines, timesheets, expenses, cost summary and earned value."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from projects.costs.models import APPROVAL_STATUSES, BUDGET_CATEGORIES, EXPENSE_CATEGORIES
from projects.fields import Timestamp, hours, money

ID = ma.fields.String(validate=ma.validate.Length(1, 64))
POSITIVE_HOURS = ma.validate.Range(min=0, max=24, min_inclusive=False)


class BudgetLineSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(BUDGET_CATEGORIES))
    role = ma.fields.String(validate=ma.validate.Length(1, 100), allow_none=True)
    description = ma.fields.String(validate=ma.validate.Length(1, 500), allow_none=True)
    quantity = hours(required=True, metadata={"description": "Hours for labour, else units"})
    unit = ma.fields.String(validate=ma.validate.Length(1, 16))
    unit_rate = ma.fields.Decimal(
        as_string=True, places=4, required=True, validate=ma.validate.Range(min=0, max=10**9)
    )
    amount = money(dump_only=True)
    currency = ma.fields.String(dump_only=True)
    task_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    source = ma.fields.String(dump_only=True)
    source_ref = ma.fields.String(dump_only=True)
    created_at = Timestamp(dump_only=True)
    created_by = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    @ma.validates_schema
    def labour_needs_a_role(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("category") == "labour" and not data.get("role"):
            raise ma.ValidationError("a labour line names the role whose hours it budgets", "role")
        if data.get("category") in ("material", "other") and not data.get("description"):
            raise ma.ValidationError("describe what the line budgets", "description")


class BudgetLineUpdateSchema(crmkit.Schema):
    role = ma.fields.String(validate=ma.validate.Length(1, 100))
    description = ma.fields.String(validate=ma.validate.Length(1, 500), allow_none=True)
    quantity = hours()
    unit_rate = ma.fields.Decimal(as_string=True, places=4, validate=ma.validate.Range(min=0, max=10**9))
    task_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)


class BudgetLineQuerySchema(crmkit.PageQuerySchema):
    category = ma.fields.String(validate=ma.validate.OneOf(BUDGET_CATEGORIES))


class TimesheetEntrySchema(crmkit.Schema):
    work_date = ma.fields.Date(required=True)
    hours = hours(required=True, validate=POSITIVE_HOURS)
    role = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    task_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    note = ma.fields.String(validate=ma.validate.Length(max=500), allow_none=True)
    rate = ma.fields.Decimal(as_string=True, places=4, dump_only=True)
    cost = money(dump_only=True)


class TimesheetSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    user_id = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    entries = ma.fields.List(
        ma.fields.Nested(TimesheetEntrySchema), required=True, validate=ma.validate.Length(1, 100)
    )
    note = ma.fields.String(validate=ma.validate.Length(max=2000), allow_none=True)
    total_hours = hours(dump_only=True)
    cost_amount = money(dump_only=True)
    currency = ma.fields.String(dump_only=True)
    submitted_at = Timestamp(dump_only=True)
    decided_by = ma.fields.String(dump_only=True)
    decided_at = Timestamp(dump_only=True)
    decision_comment = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class ApprovalQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(APPROVAL_STATUSES))


class TimesheetQuerySchema(ApprovalQuerySchema):
    user_id = ID


class DecisionSchema(crmkit.Schema):
    comment = ma.fields.String(validate=ma.validate.Length(1, 2000))


class RejectionSchema(crmkit.Schema):
    comment = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 2000), metadata={"description": "Why it is rejected"}
    )


class ExpenseSchema(crmkit.Schema):
    id = ma.fields.String(dump_only=True)
    project_id = ma.fields.String(dump_only=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(EXPENSE_CATEGORIES))
    description = ma.fields.String(required=True, validate=ma.validate.Length(1, 500))
    spent_on = ma.fields.Date(required=True)
    amount = money(required=True, validate=ma.validate.Range(min=0, max=10**12, min_inclusive=False))
    currency = ma.fields.String(required=True, validate=ma.validate.Regexp("^[A-Z]{3}$"))
    budget_line_id = ma.fields.String(validate=ma.validate.Length(1, 64), allow_none=True)
    status = ma.fields.String(dump_only=True)
    submitted_by = ma.fields.String(dump_only=True)
    submitted_at = Timestamp(dump_only=True)
    decided_by = ma.fields.String(dump_only=True)
    decided_at = Timestamp(dump_only=True)
    decision_comment = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class CategoryAmountSchema(crmkit.Schema):
    category = ma.fields.String()
    amount = money()


class CostSummarySchema(crmkit.Schema):
    project_id = ma.fields.String()
    currency = ma.fields.String()
    budget_total = money()
    budget_source = ma.fields.String(
        metadata={"description": "budget_lines, scope (sold scope items) or none"}
    )
    budget_by_category = ma.fields.List(ma.fields.Nested(CategoryAmountSchema))
    approved_hours = hours()
    labour_cost = money()
    expense_cost = money()
    actual_cost = money()
    pending_hours = hours(metadata={"description": "Submitted, not yet decided"})
    pending_expenses = money()
    remaining_budget = ma.fields.Decimal(as_string=True, places=2)


class EarnedValueQuerySchema(crmkit.Schema):
    as_of = ma.fields.Date(metadata={"description": "Status date (end of day); default today (UTC)"})
    by_task = ma.fields.Boolean(load_default=False, metadata={"description": "Add each leaf task's figures"})


class TaskEarnedValueSchema(crmkit.Schema):
    task_id = ma.fields.String()
    start = ma.fields.Date(metadata={"description": "Baseline (or planned) start"})
    finish = ma.fields.Date()
    budget = ma.fields.String()
    percent_complete = ma.fields.String()
    pv = ma.fields.String()
    ev = ma.fields.String()
    sv = ma.fields.String()


class EarnedValueSchema(crmkit.Schema):
    project_id = ma.fields.String()
    as_of = ma.fields.Date()
    currency = ma.fields.String()
    basis = ma.fields.String(metadata={"description": "baseline (latest) or plan (no baseline yet)"})
    baseline_id = ma.fields.String(allow_none=True)
    budget_source = ma.fields.String(metadata={"description": "tasks or budget_lines"})
    bac = ma.fields.String()
    pv = ma.fields.String()
    ev = ma.fields.String()
    ac = ma.fields.String()
    cv = ma.fields.String()
    sv = ma.fields.String()
    cpi = ma.fields.String(allow_none=True)
    spi = ma.fields.String(allow_none=True)
    eac = ma.fields.String()
    etc = ma.fields.String()
    vac = ma.fields.String()
    tcpi = ma.fields.String(allow_none=True)
    eac_alternatives = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    method = ma.fields.String()
    tasks = ma.fields.List(ma.fields.Nested(TaskEarnedValueSchema), metadata={"description": "With by_task"})
