"""HTTP resources of tickets: /api/v1/tickets, one ticket, its state, comments, time, links and merges."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.http import created, etag, optional_version
from service_desk.roles import AGENTS, REQUESTERS
from service_desk.tickets import service, work
from service_desk.tickets.errors import NotYourTicket
from service_desk.tickets.schemas import (
    CommentCreateSchema,
    CommentListSchema,
    CommentSchema,
    LinkCreateSchema,
    LinkListSchema,
    LinkSchema,
    MergeSchema,
    StatusChangeSchema,
    TicketCreateSchema,
    TicketQuerySchema,
    TicketSchema,
    TicketUpdateSchema,
    TimeEntryCreateSchema,
    TimeEntryListSchema,
    TimeEntrySchema,
)

blp = crmkit.Blueprint(
    "tickets",
    __name__,
    url_prefix="/api/v1/tickets",
    description="Tickets from every channel: states, replies and notes, time, links, merges.",
)


def _is_agent() -> bool:
    return crmkit.current_principal().has_any_role((*AGENTS, "admin"))


@blp.route("")
class Tickets(MethodView):
    @blp.arguments(TicketQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(TicketSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List tickets, filtered by state, priority, type, channel, group, assignee, account, contact."""
        return service.list_tickets(uow=current_uow(), query=query)

    @crmkit.require_roles(*REQUESTERS)
    @crmkit.idempotent
    @blp.arguments(TicketCreateSchema)
    @blp.response(201, TicketSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Open a ticket (channel web or api; phone: a call an agent logs). The requester is matched."""
        if data["channel"] == "phone" and not _is_agent():
            raise NotYourTicket("Only service agents log phone calls.")
        ticket = service.create_ticket(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return ticket, created(url_for("tickets.TicketById", ticket_id=ticket.id), ticket.version)


@blp.route("/<ticket_id>")
class TicketById(MethodView):
    @blp.response(200, TicketSchema)
    def get(self, ticket_id: str) -> Any:
        """Read a ticket."""
        ticket = service.get_ticket(uow=current_uow(), ticket_id=ticket_id)
        return ticket, etag(ticket.version)

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(TicketUpdateSchema)
    @blp.response(200, TicketSchema)
    def patch(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Change subject, priority, type, requester, group, assignee, tags (If-Match with its ETag)."""
        ticket = service.update_ticket(
            uow=current_uow(),
            ticket_id=ticket_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return ticket, etag(ticket.version)


@blp.route("/<ticket_id>/status")
class TicketStatus(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, TicketSchema)
    def post(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Move the ticket: new -> open -> pending -> resolved -> closed; open a resolved/closed one to reopen."""
        ticket = service.change_status(
            uow=current_uow(),
            ticket_id=ticket_id,
            status=data["status"],
            expected_version=optional_version(),
            actor=crmkit.current_principal(),
            reason=data.get("reason"),
        )
        return ticket, etag(ticket.version)


@blp.route("/<ticket_id>/comments")
class TicketComments(MethodView):
    @blp.response(200, CommentListSchema)
    def get(self, ticket_id: str) -> Any:
        """The conversation, oldest first; internal notes only for service agents."""
        comments = service.list_comments(uow=current_uow(), ticket_id=ticket_id, include_internal=_is_agent())
        return {"items": comments}

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    def post(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Reply publicly (kind public) or add an internal note; body, or a canned_response_id to fill it."""
        return service.add_comment(
            uow=current_uow(), ticket_id=ticket_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<ticket_id>/time-entries")
class TicketTime(MethodView):
    @blp.response(200, TimeEntryListSchema)
    def get(self, ticket_id: str) -> Any:
        """Time logged on the ticket, with the total."""
        return work.list_time(uow=current_uow(), ticket_id=ticket_id)

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(TimeEntryCreateSchema)
    @blp.response(201, TimeEntrySchema)
    def post(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Log minutes spent on the ticket."""
        return work.log_time(
            uow=current_uow(), ticket_id=ticket_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<ticket_id>/links")
class TicketLinks(MethodView):
    @blp.response(200, LinkListSchema)
    def get(self, ticket_id: str) -> Any:
        """Tickets linked to this one."""
        return {"items": work.list_links(uow=current_uow(), ticket_id=ticket_id)}

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(LinkCreateSchema)
    @blp.response(201, LinkSchema)
    def post(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Link another ticket (related, duplicate, caused_by, parent, child); the other side shows it too."""
        return work.add_link(
            uow=current_uow(), ticket_id=ticket_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<ticket_id>/links/<other_ticket_id>")
class TicketLinkById(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.response(204)
    def delete(self, ticket_id: str, other_ticket_id: str) -> None:
        """Remove a link (both sides)."""
        work.remove_link(uow=current_uow(), ticket_id=ticket_id, other_ticket_id=other_ticket_id)


@blp.route("/<ticket_id>/merge")
class TicketMerge(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.arguments(MergeSchema)
    @blp.response(200, TicketSchema)
    def post(self, data: dict[str, Any], ticket_id: str) -> Any:
        """Merge a duplicate ticket into this one: its conversation moves here and it is closed."""
        ticket = work.merge_tickets(
            uow=current_uow(),
            target_id=ticket_id,
            source_id=data["source_ticket_id"],
            actor=crmkit.current_principal(),
        )
        return ticket, etag(ticket.version)
