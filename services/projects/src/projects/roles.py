"""Who may do what, by platform role (token roles). Project roles (team) are in projects.team.

Reading needs any valid token; admin passes every check (crmkit.require_roles).
"""

from __future__ import annotations

# Start projects by hand or from a template, staff them, define templates and calendars.
PLANNERS = ("project_manager", "management")
# Platform roles that may act on every project whatever their project role.
OVERSEERS = ("management", "admin")
