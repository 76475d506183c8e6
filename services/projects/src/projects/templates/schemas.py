"""Template schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from projects.fields import Timestamp, hours, money
from projects.schedule.models import DEPENDENCY_TYPES
from projects.team.models import PROJECT_ROLES

KEY = ma.validate.Length(1, 50)
MAX_TASKS = 2000


class TemplateTaskSchema(crmkit.Schema):
    key = ma.fields.String(
        required=True, validate=KEY, metadata={"description": "Unique within the template"}
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    parent_key = ma.fields.String(allow_none=True, validate=KEY)
    offset_days = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(0, 10_000),
        metadata={"description": "Start no earlier than this many working days after the project start"},
    )
    duration_days = ma.fields.Integer(load_default=1, validate=ma.validate.Range(0, 10_000))
    effort_hours = hours(load_default=None, allow_none=True)
    is_milestone = ma.fields.Boolean(load_default=False)
    budget_amount = money(allow_none=True)


class TemplateDependencySchema(crmkit.Schema):
    predecessor_key = ma.fields.String(required=True, validate=KEY)
    successor_key = ma.fields.String(required=True, validate=KEY)
    type = ma.fields.String(load_default="FS", validate=ma.validate.OneOf(DEPENDENCY_TYPES))
    lag_days = ma.fields.Integer(load_default=0, validate=ma.validate.Range(-1000, 1000))


class TemplateRoleSchema(crmkit.Schema):
    user_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(PROJECT_ROLES))


class TemplateCreateSchema(crmkit.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    description = ma.fields.String(validate=ma.validate.Length(max=10_000))
    from_project_id = ma.fields.String(
        validate=ma.validate.Length(1, 32),
        metadata={"description": "Save this project's tasks, dependencies and team roles as the template"},
    )
    tasks = ma.fields.List(ma.fields.Nested(TemplateTaskSchema), validate=ma.validate.Length(max=MAX_TASKS))
    dependencies = ma.fields.List(ma.fields.Nested(TemplateDependencySchema))
    roles = ma.fields.List(ma.fields.Nested(TemplateRoleSchema), validate=ma.validate.Length(max=200))

    @ma.validates_schema
    def _plan_or_project(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_project_id") and (data.get("tasks") or data.get("dependencies")):
            raise ma.ValidationError("give tasks or from_project_id, not both", "from_project_id")


class TemplateSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    tasks = ma.fields.List(ma.fields.Dict())
    dependencies = ma.fields.List(ma.fields.Dict())
    roles = ma.fields.List(ma.fields.Dict())
    created_at = Timestamp()
    updated_at = Timestamp()
    created_by = ma.fields.String()
    version = ma.fields.Integer()


class TemplateQuerySchema(crmkit.PageQuerySchema):
    sort = ma.fields.String(load_default="name", validate=ma.validate.OneOf(("name", "-name")))
