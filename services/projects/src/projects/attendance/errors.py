"""Problems of attendance (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class AlreadyCheckedIn(crmkit.Conflict):
    """The person is still checked in on this project (`record_id`); check out first."""

    title = "Already Checked In"
    code = "projects.attendance.already_checked_in"


class NotCheckedIn(crmkit.Conflict):
    title = "Not Checked In"
    code = "projects.attendance.not_checked_in"


class AttendanceInvalid(crmkit.ValidationFailed):
    """Check-out before check-in, a stay over 24 hours, or a period that ends before it starts."""

    code = "projects.attendance.invalid"


class AttendanceProjectClosed(crmkit.Conflict):
    title = "Project Closed For Attendance"
    code = "projects.attendance.project_closed"
