"""Problems of change control (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class ChangeRequestNotFound(crmkit.NotFound):
    code = "projects.change_request.not_found"


class ChangeRequestInvalid(crmkit.ValidationFailed):
    """The impact names a task of another project (or none), or a currency other than the project's."""

    code = "projects.change_request.invalid"


class ChangeRequestProjectClosed(crmkit.Conflict):
    title = "Project Closed For Changes"
    code = "projects.change_request.project_closed"


class ChangeApprovalLevel(crmkit.Forbidden):
    """The change's cost delta is above the project manager's limit: management (the sponsor) decides."""

    title = "Approval Above Your Limit"
    code = "projects.change_request.approval_level"
