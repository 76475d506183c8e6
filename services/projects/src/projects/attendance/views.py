"""HTTP resources of attendance: check-in, check-out, stays and overtime of a project."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.attendance import service
from projects.attendance.schemas import (
    AttendanceQuerySchema,
    AttendanceRecordSchema,
    CheckInSchema,
    CheckOutSchema,
    OvertimeQuerySchema,
    OvertimeSchema,
)
from projects.costs.config import control_settings

blp = crmkit.Blueprint(
    "attendance",
    __name__,
    url_prefix="/api/v1/projects/<project_id>/attendance",
    description="Team check-in/check-out per day and site; overtime per person and period.",
)


@blp.route("")
class Attendance(MethodView):
    @blp.arguments(AttendanceQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(AttendanceRecordSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List stays on the project's sites (latest first), by person or site."""
        return service.list_attendance(uow=current_uow(), project_id=project_id, query=query)


@blp.route("/check-in")
class CheckIn(MethodView):
    @blp.arguments(CheckInSchema)
    @blp.response(201, AttendanceRecordSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Check in on a site (yourself; planners may check in someone else with user_id)."""
        return service.check_in(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/check-out")
class CheckOut(MethodView):
    @blp.arguments(CheckOutSchema)
    @blp.response(200, AttendanceRecordSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Check out: ends the open stay and records the minutes worked."""
        return service.check_out(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/overtime")
class Overtime(MethodView):
    @blp.arguments(OvertimeQuerySchema, location="query")
    @blp.response(200, OvertimeSchema)
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """Worked and overtime hours per person and day in a period (standard day: PROJECTS_STANDARD_DAY_HOURS)."""
        return service.overtime(
            uow=current_uow(),
            project_id=project_id,
            query=query,
            standard_day_hours=control_settings().standard_day_hours,
        )
