"""HTTP resources of project templates: /api/v1/project-templates."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.http import created, etag
from projects.roles import PLANNERS
from projects.templates import service
from projects.templates.schemas import TemplateCreateSchema, TemplateQuerySchema, TemplateSchema

blp = crmkit.Blueprint(
    "project_templates",
    __name__,
    url_prefix="/api/v1/project-templates",
    description="Reusable plans: tasks, dependencies and team roles.",
)


@blp.route("")
class Templates(MethodView):
    @blp.arguments(TemplateQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(TemplateSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List project templates."""
        return service.list_templates(uow=current_uow(), query=query)

    @crmkit.require_roles(*PLANNERS)
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Define a template, or save a project's plan and team as one (from_project_id)."""
        template = service.create_template(uow=current_uow(), data=data, actor=crmkit.current_principal())
        location = url_for("project_templates.TemplateById", template_id=template.id)
        return template, created(location, template.version)


@blp.route("/<template_id>")
class TemplateById(MethodView):
    @blp.response(200, TemplateSchema)
    def get(self, template_id: str) -> Any:
        """Read a template."""
        template = service.get_template(uow=current_uow(), template_id=template_id)
        return template, etag(template.version)

    @crmkit.require_roles(*PLANNERS)
    @blp.response(204)
    def delete(self, template_id: str) -> None:
        """Remove a template (send If-Match)."""
        service.delete_template(
            uow=current_uow(), template_id=template_id, expected_version=crmkit.expected_version()
        )
