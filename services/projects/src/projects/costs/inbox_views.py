"""HTTP resources across projects: /api/v1/timesheets, /api/v1/expenses and /api/v1/attendance."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.attendance.schemas import AttendanceRecordSchema
from projects.costs import inbox
from projects.costs.models import APPROVAL_STATUSES
from projects.costs.schemas import ExpenseSchema, TimesheetSchema

blp = crmkit.Blueprint(
    "my_records",
    __name__,
    url_prefix="/api/v1",
    description="Your time, expenses and attendance across projects, and the approvals waiting for you.",
)


class RecordQuerySchema(crmkit.PageQuerySchema):
    user_id = ma.fields.String(
        validate=ma.validate.Length(1, 64), metadata={"description": "Default: you (others: management)"}
    )
    project_id = ma.fields.String(validate=ma.validate.Length(1, 64))


class ApprovableQuerySchema(RecordQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(APPROVAL_STATUSES))
    awaiting_my_approval = ma.fields.Boolean(
        load_default=False, metadata={"description": "Submitted ones on projects you manage (not your own)"}
    )


@blp.route("/timesheets")
class MyTimesheets(MethodView):
    @blp.arguments(ApprovableQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(TimesheetSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List your timesheets on every project, or those awaiting your approval."""
        return inbox.list_my_timesheets(uow=current_uow(), query=query, actor=crmkit.current_principal())


@blp.route("/expenses")
class MyExpenses(MethodView):
    @blp.arguments(ApprovableQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ExpenseSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List your expenses on every project, or those awaiting your approval."""
        return inbox.list_my_expenses(uow=current_uow(), query=query, actor=crmkit.current_principal())


@blp.route("/attendance")
class MyAttendance(MethodView):
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(AttendanceRecordSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List your stays on every project's sites, latest first."""
        return inbox.list_my_attendance(uow=current_uow(), query=query, actor=crmkit.current_principal())
