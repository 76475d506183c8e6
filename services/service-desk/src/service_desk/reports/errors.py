"""Problems of service reports (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class ReportPeriodInvalid(crmkit.ValidationFailed):
    code = "servicedesk.report.period_invalid"


class ReportCalendarUnknown(crmkit.ValidationFailed):
    code = "servicedesk.report.calendar_unknown"
