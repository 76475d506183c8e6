"""HTTP resources of change control: /api/v1/projects/{id}/change-requests, approve and reject."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.changes import service
from projects.changes.schemas import ChangeRequestQuerySchema, ChangeRequestSchema
from projects.costs.config import control_settings
from projects.costs.schemas import DecisionSchema, RejectionSchema
from projects.http import created, etag

blp = crmkit.Blueprint(
    "change_requests",
    __name__,
    url_prefix="/api/v1/projects/<project_id>/change-requests",
    description="Change requests with scope, schedule and cost impact; approval re-baselines the plan.",
)


@blp.route("")
class ChangeRequests(MethodView):
    @blp.arguments(ChangeRequestQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ChangeRequestSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's change requests, by status."""
        return service.list_change_requests(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(ChangeRequestSchema)
    @blp.response(201, ChangeRequestSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Request a change: new scope items, task shifts/extensions and budget lines (team or customer rep)."""
        change = service.submit_change_request(
            uow=current_uow(),
            project_id=project_id,
            data=data,
            approval_limit=control_settings().change_approval_limit,
            actor=crmkit.current_principal(),
        )
        location = url_for("change_requests.ChangeRequestById", project_id=project_id, change_id=change.id)
        return change, created(location, change.version)


@blp.route("/<change_id>")
class ChangeRequestById(MethodView):
    @blp.response(200, ChangeRequestSchema)
    def get(self, project_id: str, change_id: str) -> Any:
        """Read a change request."""
        change = service.get_change_request(uow=current_uow(), project_id=project_id, change_id=change_id)
        return change, etag(change.version)


@blp.route("/<change_id>/approve")
class ChangeRequestApproval(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ChangeRequestSchema)
    @blp.alt_response(
        403, description="Above the project manager's limit (`projects.change_request.approval_level`)"
    )
    def post(self, data: dict[str, Any], project_id: str, change_id: str) -> Any:
        """Approve a change: its impact is applied to plan and budget and a new baseline is saved."""
        change = service.approve_change_request(
            uow=current_uow(),
            project_id=project_id,
            change_id=change_id,
            comment=data.get("comment"),
            actor=crmkit.current_principal(),
        )
        return change, etag(change.version)


@blp.route("/<change_id>/reject")
class ChangeRequestRejection(MethodView):
    @blp.arguments(RejectionSchema)
    @blp.response(200, ChangeRequestSchema)
    def post(self, data: dict[str, Any], project_id: str, change_id: str) -> Any:
        """Reject a change with the reason."""
        change = service.reject_change_request(
            uow=current_uow(),
            project_id=project_id,
            change_id=change_id,
            comment=data["comment"],
            actor=crmkit.current_principal(),
        )
        return change, etag(change.version)
