"""Problems of the cost feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class BudgetLineNotFound(crmkit.NotFound):
    code = "projects.budget_line.not_found"


class BudgetLineInvalid(crmkit.ValidationFailed):
    code = "projects.budget_line.invalid"


class TimesheetNotFound(crmkit.NotFound):
    code = "projects.timesheet.not_found"


class TimesheetInvalid(crmkit.ValidationFailed):
    """An entry names a role without a labour rate on the project, or a task of another project."""

    code = "projects.timesheet.invalid"


class TimesheetProjectClosed(crmkit.Conflict):
    """Time cannot be booked on a completed or closed project."""

    title = "Project Closed For Time"
    code = "projects.timesheet.project_closed"


class ExpenseNotFound(crmkit.NotFound):
    code = "projects.expense.not_found"


class ExpenseInvalid(crmkit.ValidationFailed):
    code = "projects.expense.invalid"


class ExpenseProjectClosed(crmkit.Conflict):
    """Expenses cannot be booked on a completed or closed project."""

    title = "Project Closed For Expenses"
    code = "projects.expense.project_closed"
