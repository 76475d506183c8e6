"""HTTP resources of projects: /api/v1/projects, one project, its scope and its status history."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.http import created, etag
from projects.projects import service
from projects.projects.schemas import (
    ProjectCreateSchema,
    ProjectQuerySchema,
    ProjectSchema,
    ProjectUpdateSchema,
    ScopeItemListSchema,
    StatusUpdateCreateSchema,
    StatusUpdateQuerySchema,
    StatusUpdateSchema,
)
from projects.roles import PLANNERS

blp = crmkit.Blueprint(
    "projects", __name__, url_prefix="/api/v1/projects", description="Delivery projects, scope and status."
)


@blp.route("")
class Projects(MethodView):
    @blp.arguments(ProjectQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ProjectSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List projects, filtered by account, status, health or sales order."""
        return service.list_projects(uow=current_uow(), query=query)

    @crmkit.require_roles(*PLANNERS)
    @crmkit.idempotent
    @blp.arguments(ProjectCreateSchema)
    @blp.response(201, ProjectSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Start a project by hand or from a template; the caller becomes its project manager."""
        project = service.create_project(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return project, created(url_for("projects.ProjectById", project_id=project.id), project.version)


@blp.route("/<project_id>")
class ProjectById(MethodView):
    @blp.response(200, ProjectSchema)
    def get(self, project_id: str) -> Any:
        """Read a project."""
        project = service.get_project(uow=current_uow(), project_id=project_id)
        return project, etag(project.version)

    @blp.arguments(ProjectUpdateSchema)
    @blp.response(200, ProjectSchema)
    def patch(self, data: dict[str, Any], project_id: str) -> Any:
        """Change a project or its lifecycle status (project managers; send If-Match with its ETag)."""
        project = service.update_project(
            uow=current_uow(),
            project_id=project_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return project, etag(project.version)


@blp.route("/<project_id>/scope")
class ProjectScope(MethodView):
    @blp.response(200, ScopeItemListSchema)
    def get(self, project_id: str) -> Any:
        """List the project's scope items (for an order: its lines, with budget category and amount)."""
        return {"items": service.list_scope(uow=current_uow(), project_id=project_id)}


@blp.route("/<project_id>/status-updates")
class ProjectStatusUpdates(MethodView):
    @blp.arguments(StatusUpdateQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(StatusUpdateSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """Page through the project's status history."""
        return service.list_status_updates(uow=current_uow(), project_id=project_id, query=query)

    @blp.arguments(StatusUpdateCreateSchema)
    @blp.response(201, StatusUpdateSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Report the project as on_track, at_risk or off_track with a comment (project managers)."""
        return service.add_status_update(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
