"""Problems of the team feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class TeamMemberNotFound(crmkit.NotFound):
    code = "projects.team_member.not_found"


class TeamMemberDuplicate(crmkit.Conflict):
    """The user is already on the team; change their role instead."""

    title = "Already On The Team"
    code = "projects.team_member.duplicate"


class ProjectRoleRequired(crmkit.Forbidden):
    """The caller's project role (or none) does not allow this on this project; `roles` lists those that do."""

    title = "Project Role Required"
    code = "projects.project_role_required"


class LastProjectManager(crmkit.Conflict):
    """A project keeps at least one project manager."""

    title = "Last Project Manager"
    code = "projects.team_member.last_manager"
