"""Problems of the projects feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class ProjectNotFound(crmkit.NotFound):
    code = "projects.project.not_found"


class ProjectTransitionInvalid(crmkit.Conflict):
    """The lifecycle does not allow this status change; `allowed` lists what may follow."""

    title = "Status Change Not Allowed"
    code = "projects.project.transition_invalid"


class ProjectClosed(crmkit.Conflict):
    """A closed project is read-only."""

    title = "Project Closed"
    code = "projects.project.closed"


class ProjectInvalid(crmkit.ValidationFailed):
    code = "projects.project.invalid"
