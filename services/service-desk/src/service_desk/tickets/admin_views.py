"""HTTP resources service managers configure: /api/v1/ticket-groups and /api/v1/canned-responses."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.http import created, etag
from service_desk.roles import MANAGERS
from service_desk.tickets import canned, groups
from service_desk.tickets.schemas import (
    CannedCreateSchema,
    CannedQuerySchema,
    CannedSchema,
    CannedWriteSchema,
    GroupCreateSchema,
    GroupQuerySchema,
    GroupSchema,
    GroupWriteSchema,
)

groups_blp = crmkit.Blueprint(
    "ticket_groups",
    __name__,
    url_prefix="/api/v1/ticket-groups",
    description="Queues of agents and how they get tickets.",
)
canned_blp = crmkit.Blueprint(
    "canned_responses", __name__, url_prefix="/api/v1/canned-responses", description="Reusable reply texts."
)


@groups_blp.route("")
class Groups(MethodView):
    @groups_blp.arguments(GroupQuerySchema, location="query")
    @groups_blp.response(200, crmkit.page_schema(GroupSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List ticket groups."""
        return groups.list_groups(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @groups_blp.arguments(GroupCreateSchema)
    @groups_blp.response(201, GroupSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a group: members (agent user ids) and assignment manual, round_robin or least_busy."""
        group = groups.create_group(uow=current_uow(), data=data)
        return group, created(url_for("ticket_groups.GroupById", group_id=group.id), group.version)


@groups_blp.route("/<group_id>")
class GroupById(MethodView):
    @groups_blp.response(200, GroupSchema)
    def get(self, group_id: str) -> Any:
        """Read a group."""
        group = groups.get_group(uow=current_uow(), group_id=group_id)
        return group, etag(group.version)

    @crmkit.require_roles(*MANAGERS)
    @groups_blp.arguments(GroupWriteSchema)
    @groups_blp.response(200, GroupSchema)
    def patch(self, data: dict[str, Any], group_id: str) -> Any:
        """Change a group (If-Match with its ETag); `members` replaces the member list."""
        group = groups.update_group(
            uow=current_uow(), group_id=group_id, data=data, expected_version=crmkit.expected_version()
        )
        return group, etag(group.version)


@canned_blp.route("")
class CannedResponses(MethodView):
    @canned_blp.arguments(CannedQuerySchema, location="query")
    @canned_blp.response(200, crmkit.page_schema(CannedSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List canned responses (with group_id: that group's and the shared ones)."""
        return canned.list_canned(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @canned_blp.arguments(CannedCreateSchema)
    @canned_blp.response(201, CannedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a canned response."""
        item = canned.create_canned(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return item, created(url_for("canned_responses.CannedById", canned_id=item.id), item.version)


@canned_blp.route("/<canned_id>")
class CannedById(MethodView):
    @canned_blp.response(200, CannedSchema)
    def get(self, canned_id: str) -> Any:
        """Read a canned response."""
        item = canned.get_canned(uow=current_uow(), canned_id=canned_id)
        return item, etag(item.version)

    @crmkit.require_roles(*MANAGERS)
    @canned_blp.arguments(CannedWriteSchema)
    @canned_blp.response(200, CannedSchema)
    def patch(self, data: dict[str, Any], canned_id: str) -> Any:
        """Change a canned response (If-Match with its ETag)."""
        item = canned.update_canned(
            uow=current_uow(), canned_id=canned_id, data=data, expected_version=crmkit.expected_version()
        )
        return item, etag(item.version)

    @crmkit.require_roles(*MANAGERS)
    @canned_blp.response(204)
    def delete(self, canned_id: str) -> None:
        """Delete a canned response (If-Match with its ETag)."""
        canned.delete_canned(
            uow=current_uow(), canned_id=canned_id, expected_version=crmkit.expected_version()
        )
