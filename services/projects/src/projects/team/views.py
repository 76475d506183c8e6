"""HTTP resources of a project's team: /api/v1/projects/<id>/team."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.team import service
from projects.team.schemas import (
    TeamListSchema,
    TeamMemberCreateSchema,
    TeamMemberSchema,
    TeamMemberUpdateSchema,
)

blp = crmkit.Blueprint(
    "team", __name__, url_prefix="/api/v1/projects", description="A project's team and project roles."
)


@blp.route("/<project_id>/team")
class ProjectTeam(MethodView):
    @blp.response(200, TeamListSchema)
    def get(self, project_id: str) -> Any:
        """List the project's team with their project roles."""
        return {"items": service.list_team(uow=current_uow(), project_id=project_id)}

    @blp.arguments(TeamMemberCreateSchema)
    @blp.response(201, TeamMemberSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Put a user on the team (its project managers, or platform project managers and management)."""
        return service.add_team_member(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<project_id>/team/<member_id>")
class ProjectTeamMember(MethodView):
    @blp.arguments(TeamMemberUpdateSchema)
    @blp.response(200, TeamMemberSchema)
    def patch(self, data: dict[str, Any], project_id: str, member_id: str) -> Any:
        """Change a team member's project role."""
        return service.change_team_member(
            uow=current_uow(),
            project_id=project_id,
            member_id=member_id,
            data=data,
            actor=crmkit.current_principal(),
        )

    @blp.response(204)
    def delete(self, project_id: str, member_id: str) -> None:
        """Take a user off the team (the last project manager stays)."""
        service.remove_team_member(
            uow=current_uow(), project_id=project_id, member_id=member_id, actor=crmkit.current_principal()
        )
