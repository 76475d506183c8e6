"""Problems of business calendars (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class CalendarNotFound(crmkit.NotFound):
    code = "servicedesk.calendar.not_found"


class CalendarNameTaken(crmkit.Conflict):
    title = "Name Taken"
    code = "servicedesk.calendar.name_taken"


class CalendarInUse(crmkit.Conflict):
    """SLA policies (listed in `policy_ids`) use the calendar; point them elsewhere first."""

    title = "Calendar In Use"
    code = "servicedesk.calendar.in_use"
