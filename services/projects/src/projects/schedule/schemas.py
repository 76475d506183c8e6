"""Schedule schemas: tasks, dependencies, critical path, Gantt data, baselines and variance."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from projects.fields import Timestamp, hours, money
from projects.schedule.models import DEPENDENCY_TYPES

NAME = ma.validate.Length(1, 200)
ID = ma.validate.Length(1, 32)
MAX_DURATION = 10_000
MAX_LAG = 1_000


class TaskWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=10_000))
    planned_start = ma.fields.Date(
        allow_none=True,
        metadata={"description": "Start no earlier than this day (null: as soon as possible)"},
    )
    planned_finish = ma.fields.Date(
        metadata={"description": "Sets the duration in working days from the start"}
    )
    duration_days = ma.fields.Integer(
        validate=ma.validate.Range(0, MAX_DURATION), metadata={"description": "Working days"}
    )
    effort_hours = hours()
    progress_percent = ma.fields.Integer(validate=ma.validate.Range(0, 100))
    budget_amount = money(allow_none=True, metadata={"description": "The task's share of the budget (BAC)"})
    assignee_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(1, 64))


class TaskCreateSchema(TaskWriteSchema):
    name = ma.fields.String(required=True, validate=NAME)
    parent_id = ma.fields.String(validate=ID, metadata={"description": "Make it a subtask of this task"})
    is_milestone = ma.fields.Boolean(load_default=False)
    position = ma.fields.Integer(validate=ma.validate.Range(1, 100_000))

    @ma.validates_schema
    def _finish_or_duration(self, data: dict[str, Any], **_: Any) -> None:
        if "planned_finish" in data and "duration_days" in data:
            raise ma.ValidationError("give planned_finish or duration_days, not both", "planned_finish")
        if (
            data.get("planned_finish")
            and data.get("planned_start")
            and data["planned_finish"] < data["planned_start"]
        ):
            raise ma.ValidationError("must not be before planned_start", "planned_finish")


class TaskUpdateSchema(TaskWriteSchema):
    @ma.validates_schema
    def _finish_or_duration(self, data: dict[str, Any], **_: Any) -> None:
        if "planned_finish" in data and "duration_days" in data:
            raise ma.ValidationError("give planned_finish or duration_days, not both", "planned_finish")


class TaskSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    parent_id = ma.fields.String(allow_none=True)
    position = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    is_milestone = ma.fields.Boolean()
    is_summary = ma.fields.Boolean()
    start_constraint = ma.fields.Date(allow_none=True, metadata={"description": "Start no earlier than"})
    planned_start = ma.fields.Date()
    planned_finish = ma.fields.Date()
    duration_days = ma.fields.Integer()
    effort_hours = hours()
    progress_percent = ma.fields.Integer()
    budget_amount = money(allow_none=True)
    assignee_id = ma.fields.String(allow_none=True)
    completed_at = Timestamp(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class TaskQuerySchema(crmkit.PageQuerySchema):
    parent = ma.fields.String(
        validate=ID, metadata={"description": "A task id, or `root` for top-level tasks"}
    )
    milestone = ma.fields.Boolean(load_default=None)
    sort = ma.fields.String(
        load_default="planned_start",
        validate=ma.validate.OneOf(
            ("planned_start", "-planned_start", "name", "-name", "created_at", "-created_at")
        ),
    )


class DependencyCreateSchema(crmkit.Schema):
    predecessor_id = ma.fields.String(required=True, validate=ID)
    successor_id = ma.fields.String(required=True, validate=ID)
    type = ma.fields.String(load_default="FS", validate=ma.validate.OneOf(DEPENDENCY_TYPES))
    lag_days = ma.fields.Integer(
        load_default=0,
        validate=ma.validate.Range(-MAX_LAG, MAX_LAG),
        metadata={"description": "Working days"},
    )


class DependencyUpdateSchema(crmkit.Schema):
    type = ma.fields.String(validate=ma.validate.OneOf(DEPENDENCY_TYPES))
    lag_days = ma.fields.Integer(validate=ma.validate.Range(-MAX_LAG, MAX_LAG))


class DependencySchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    predecessor_id = ma.fields.String()
    successor_id = ma.fields.String()
    type = ma.fields.String()
    lag_days = ma.fields.Integer()
    created_at = Timestamp()


class DependencyListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(DependencySchema))


class TimingSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    is_milestone = ma.fields.Boolean()
    duration_days = ma.fields.Integer()
    early_start = ma.fields.Date()
    early_finish = ma.fields.Date()
    late_start = ma.fields.Date()
    late_finish = ma.fields.Date()
    total_float_days = ma.fields.Integer()
    is_critical = ma.fields.Boolean()


class CriticalPathSchema(crmkit.Schema):
    project_id = ma.fields.String()
    start_date = ma.fields.Date()
    finish_date = ma.fields.Date(allow_none=True)
    duration_days = ma.fields.Integer()
    critical_task_ids = ma.fields.List(ma.fields.String())
    tasks = ma.fields.List(ma.fields.Nested(TimingSchema))


class GanttTaskSchema(crmkit.Schema):
    id = ma.fields.String()
    parent_id = ma.fields.String(allow_none=True)
    wbs = ma.fields.String(metadata={"description": "Outline number such as 1.2.3"})
    level = ma.fields.Integer()
    name = ma.fields.String()
    start = ma.fields.Date()
    finish = ma.fields.Date()
    duration_days = ma.fields.Integer()
    progress_percent = ma.fields.Integer()
    is_milestone = ma.fields.Boolean()
    is_summary = ma.fields.Boolean()
    is_critical = ma.fields.Boolean()
    total_float_days = ma.fields.Integer(allow_none=True)
    assignee_id = ma.fields.String(allow_none=True)
    baseline_start = ma.fields.Date(allow_none=True)
    baseline_finish = ma.fields.Date(allow_none=True)


class GanttProjectSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    start_date = ma.fields.Date()
    finish_date = ma.fields.Date(allow_none=True)
    status = ma.fields.String()
    health = ma.fields.String()


class GanttLinkSchema(crmkit.Schema):
    id = ma.fields.String()
    predecessor_id = ma.fields.String()
    successor_id = ma.fields.String()
    type = ma.fields.String()
    lag_days = ma.fields.Integer()


class GanttSchema(crmkit.Schema):
    project = ma.fields.Nested(GanttProjectSchema)
    baseline_id = ma.fields.String(allow_none=True)
    tasks = ma.fields.List(ma.fields.Nested(GanttTaskSchema))
    dependencies = ma.fields.List(ma.fields.Nested(GanttLinkSchema))


class BaselineCreateSchema(crmkit.Schema):
    name = ma.fields.String(required=True, validate=NAME)


class BaselineTaskSchema(crmkit.Schema):
    task_id = ma.fields.String()
    parent_id = ma.fields.String(allow_none=True)
    name = ma.fields.String()
    is_milestone = ma.fields.Boolean()
    planned_start = ma.fields.Date()
    planned_finish = ma.fields.Date()
    duration_days = ma.fields.Integer()
    effort_hours = hours()
    progress_percent = ma.fields.Integer()
    budget_amount = money(allow_none=True)


class BaselineBudgetSchema(crmkit.Schema):
    category = ma.fields.String()
    amount = ma.fields.String()


class BaselineSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    number = ma.fields.Integer()
    name = ma.fields.String()
    start_date = ma.fields.Date()
    finish_date = ma.fields.Date(allow_none=True)
    budget_amount = money()
    budget_lines = ma.fields.List(ma.fields.Nested(BaselineBudgetSchema))
    created_at = Timestamp()
    created_by = ma.fields.String()


class BaselineDetailSchema(BaselineSchema):
    tasks = ma.fields.List(ma.fields.Nested(BaselineTaskSchema), attribute="task_rows")


class BaselineListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(BaselineSchema))


class TaskVarianceSchema(crmkit.Schema):
    task_id = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.String(metadata={"description": "kept, added (since the baseline) or removed"})
    baseline_start = ma.fields.Date(allow_none=True)
    baseline_finish = ma.fields.Date(allow_none=True)
    current_start = ma.fields.Date(allow_none=True)
    current_finish = ma.fields.Date(allow_none=True)
    start_variance_days = ma.fields.Integer(
        allow_none=True, metadata={"description": "Calendar days; + is later"}
    )
    finish_variance_days = ma.fields.Integer(allow_none=True)
    duration_variance_days = ma.fields.Integer(allow_none=True)
    effort_variance_hours = hours(allow_none=True, validate=None)
    budget_variance = money(allow_none=True, validate=None)


class ProjectVarianceSchema(crmkit.Schema):
    baseline_start = ma.fields.Date()
    current_start = ma.fields.Date()
    start_variance_days = ma.fields.Integer(allow_none=True)
    baseline_finish = ma.fields.Date(allow_none=True)
    current_finish = ma.fields.Date(allow_none=True)
    finish_variance_days = ma.fields.Integer(allow_none=True)
    baseline_budget = money()
    current_budget = money()
    budget_variance = money(validate=None)


class VarianceBaselineSchema(crmkit.Schema):
    id = ma.fields.String()
    number = ma.fields.Integer()
    name = ma.fields.String()
    created_at = Timestamp()


class VarianceSchema(crmkit.Schema):
    baseline = ma.fields.Nested(VarianceBaselineSchema)
    project = ma.fields.Nested(ProjectVarianceSchema)
    tasks = ma.fields.List(ma.fields.Nested(TaskVarianceSchema))
