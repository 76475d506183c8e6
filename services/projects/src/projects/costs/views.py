"""HTTP resources of cost: budget lines, timesheets, expenses, the cost summary and earned value."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.costs import reports, service
from projects.costs.schemas import (
    ApprovalQuerySchema,
    BudgetLineQuerySchema,
    BudgetLineSchema,
    BudgetLineUpdateSchema,
    CostSummarySchema,
    DecisionSchema,
    EarnedValueQuerySchema,
    EarnedValueSchema,
    ExpenseSchema,
    RejectionSchema,
    TimesheetQuerySchema,
    TimesheetSchema,
)
from projects.http import created, etag

blp = crmkit.Blueprint(
    "costs",
    __name__,
    url_prefix="/api/v1/projects/<project_id>",
    description="Budget lines, timesheets, expenses, actual cost and earned value of a project.",
)


@blp.route("/budget-lines")
class BudgetLines(MethodView):
    @blp.arguments(BudgetLineQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(BudgetLineSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's budget lines, by category."""
        return service.list_budget_lines(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(BudgetLineSchema)
    @blp.response(201, BudgetLineSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Add a budget line: labour (role x hours x rate) or material/other (project managers)."""
        line = service.create_budget_line(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        location = url_for("costs.BudgetLineById", project_id=project_id, line_id=line.id)
        return line, created(location, line.version)


@blp.route("/budget-lines/<line_id>")
class BudgetLineById(MethodView):
    @blp.response(200, BudgetLineSchema)
    def get(self, project_id: str, line_id: str) -> Any:
        """Read a budget line."""
        line = service.get_budget_line(uow=current_uow(), project_id=project_id, line_id=line_id)
        return line, etag(line.version)

    @blp.arguments(BudgetLineUpdateSchema)
    @blp.response(200, BudgetLineSchema)
    def patch(self, data: dict[str, Any], project_id: str, line_id: str) -> Any:
        """Change a budget line (send If-Match with its ETag); the amount is re-priced."""
        line = service.update_budget_line(
            uow=current_uow(),
            project_id=project_id,
            line_id=line_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return line, etag(line.version)

    @blp.response(204)
    def delete(self, project_id: str, line_id: str) -> None:
        """Remove a budget line (send If-Match with its ETag)."""
        service.delete_budget_line(
            uow=current_uow(),
            project_id=project_id,
            line_id=line_id,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )


@blp.route("/timesheets")
class Timesheets(MethodView):
    @blp.arguments(TimesheetQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(TimesheetSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's timesheets, by status or person."""
        return service.list_timesheets(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(TimesheetSchema)
    @blp.response(201, TimesheetSchema)
    @blp.alt_response(
        409, description="The project is completed or closed (`projects.timesheet.project_closed`)"
    )
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Submit your hours on the project for the project manager's approval."""
        timesheet = service.submit_timesheet(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        location = url_for("costs.TimesheetById", project_id=project_id, timesheet_id=timesheet.id)
        return timesheet, created(location, timesheet.version)


@blp.route("/timesheets/<timesheet_id>")
class TimesheetById(MethodView):
    @blp.response(200, TimesheetSchema)
    def get(self, project_id: str, timesheet_id: str) -> Any:
        """Read a timesheet with its entries."""
        timesheet = service.get_timesheet(uow=current_uow(), project_id=project_id, timesheet_id=timesheet_id)
        return timesheet, etag(timesheet.version)


@blp.route("/timesheets/<timesheet_id>/approve")
class TimesheetApproval(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, TimesheetSchema)
    def post(self, data: dict[str, Any], project_id: str, timesheet_id: str) -> Any:
        """Approve a submitted timesheet (project managers): its hours x rate become actual cost."""
        timesheet = service.approve_timesheet(
            uow=current_uow(),
            project_id=project_id,
            timesheet_id=timesheet_id,
            comment=data.get("comment"),
            actor=crmkit.current_principal(),
        )
        return timesheet, etag(timesheet.version)


@blp.route("/timesheets/<timesheet_id>/reject")
class TimesheetRejection(MethodView):
    @blp.arguments(RejectionSchema)
    @blp.response(200, TimesheetSchema)
    def post(self, data: dict[str, Any], project_id: str, timesheet_id: str) -> Any:
        """Reject a submitted timesheet with the reason (project managers)."""
        timesheet = service.reject_timesheet(
            uow=current_uow(),
            project_id=project_id,
            timesheet_id=timesheet_id,
            comment=data["comment"],
            actor=crmkit.current_principal(),
        )
        return timesheet, etag(timesheet.version)


@blp.route("/expenses")
class Expenses(MethodView):
    @blp.arguments(ApprovalQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ExpenseSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's expenses, by status."""
        return service.list_expenses(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(ExpenseSchema)
    @blp.response(201, ExpenseSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Submit an expense (in the project currency) for approval."""
        expense = service.submit_expense(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        location = url_for("costs.ExpenseById", project_id=project_id, expense_id=expense.id)
        return expense, created(location, expense.version)


@blp.route("/expenses/<expense_id>")
class ExpenseById(MethodView):
    @blp.response(200, ExpenseSchema)
    def get(self, project_id: str, expense_id: str) -> Any:
        """Read an expense."""
        expense = service.get_expense(uow=current_uow(), project_id=project_id, expense_id=expense_id)
        return expense, etag(expense.version)


@blp.route("/expenses/<expense_id>/approve")
class ExpenseApproval(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ExpenseSchema)
    def post(self, data: dict[str, Any], project_id: str, expense_id: str) -> Any:
        """Approve a submitted expense (project managers): it becomes actual cost on its date."""
        return _decide(project_id, expense_id, approve=True, comment=data.get("comment"))


@blp.route("/expenses/<expense_id>/reject")
class ExpenseRejection(MethodView):
    @blp.arguments(RejectionSchema)
    @blp.response(200, ExpenseSchema)
    def post(self, data: dict[str, Any], project_id: str, expense_id: str) -> Any:
        """Reject a submitted expense with the reason (project managers)."""
        return _decide(project_id, expense_id, approve=False, comment=data["comment"])


def _decide(project_id: str, expense_id: str, *, approve: bool, comment: str | None) -> Any:
    expense = service.decide_expense(
        uow=current_uow(),
        project_id=project_id,
        expense_id=expense_id,
        approve=approve,
        comment=comment,
        actor=crmkit.current_principal(),
    )
    return expense, etag(expense.version)


@blp.route("/costs")
class CostSummary(MethodView):
    @blp.response(200, CostSummarySchema)
    def get(self, project_id: str) -> Any:
        """Read the project's budget, actual cost (approved time x rate + approved expenses) and pending cost."""
        return reports.cost_summary(uow=current_uow(), project_id=project_id)


@blp.route("/earned-value")
class EarnedValue(MethodView):
    @blp.arguments(EarnedValueQuerySchema, location="query")
    @blp.response(200, EarnedValueSchema)
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """Read PV, EV, AC, CV, SV, CPI, SPI, EAC, ETC, VAC and TCPI as of a date (method in docs)."""
        return reports.earned_value(
            uow=current_uow(), project_id=project_id, as_of=query.get("as_of"), by_task=query["by_task"]
        )
