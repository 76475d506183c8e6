"""Problems of the activities feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class ActivityNotFound(crmkit.NotFound):
    code = "sales.activity.not_found"


class ActivityClosed(crmkit.Conflict):
    """Completed and cancelled activities are not changed any more."""

    title = "Activity Closed"
    code = "sales.activity.closed"


class ActivityInvalid(crmkit.ValidationFailed):
    """E.g. a visit without an account, or an opportunity/visit plan that does not exist."""

    code = "sales.activity.invalid"


class VisitPlanNotFound(crmkit.NotFound):
    code = "sales.visit_plan.not_found"
