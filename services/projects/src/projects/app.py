"""The projects service's app factory."""

from __future__ import annotations

from flask import Flask

import crmkit
from projects.attendance.views import blp as attendance
from projects.changes.views import blp as change_requests
from projects.costs.inbox_views import blp as my_records
from projects.costs.views import blp as costs
from projects.documents.views import blp as documents
from projects.projects.views import blp as projects
from projects.quality.views import blp as quality
from projects.risks.views import blp as risks
from projects.schedule.calendar_views import blp as work_calendars
from projects.schedule.views import blp as schedule
from projects.schedule.views import task_blp as tasks
from projects.team.views import blp as team
from projects.templates.views import blp as project_templates

SERVICE = "projects"
DESCRIPTION = (
    "Delivery projects (by hand, from templates, or from confirmed sales orders), their team, WBS schedule "
    "with dependencies, working calendars, critical path and baselines; cost, earned value, quality, "
    "change control, risks, documents and attendance."
)
# Blueprints in registration order (P2 appends its features here).
BLUEPRINTS = [
    projects,
    schedule,
    tasks,
    team,
    work_calendars,
    project_templates,
    costs,
    change_requests,
    documents,
    risks,
    quality,
    attendance,
    my_records,
]


def load_settings() -> crmkit.ServiceSettings:
    """Read this service's settings from the environment."""
    return crmkit.ServiceSettings.from_env(SERVICE)


def create_app(settings: crmkit.ServiceSettings | None = None) -> Flask:
    """Build the projects service's WSGI app (settings from the environment unless given)."""
    return crmkit.create_service_app(
        settings or load_settings(),
        title="CRM projects service",
        description=DESCRIPTION,
        blueprints=BLUEPRINTS,
    )
