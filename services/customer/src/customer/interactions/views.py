"""HTTP resource of the timeline: /api/v1/accounts/<id>/interactions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

import crmkit
from crmkit import current_uow
from customer.interactions import service
from customer.interactions.schemas import InteractionCreateSchema, InteractionSchema, TimelineQuerySchema
from customer.roles import EDITORS

blp = crmkit.Blueprint(
    "interactions", __name__, url_prefix="/api/v1/accounts", description="The timeline of each account."
)


@blp.route("/<account_id>/interactions")
class Timeline(MethodView):
    @blp.arguments(TimelineQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(InteractionSchema))
    def get(self, query: dict[str, Any], account_id: str) -> Any:
        """List an account's interactions, newest first."""
        return service.list_timeline(uow=current_uow(), account_id=account_id, query=query)

    @crmkit.require_roles(*EDITORS)
    @crmkit.idempotent
    @blp.arguments(InteractionCreateSchema)
    @blp.response(201, InteractionSchema)
    @blp.alt_response(
        200, schema=InteractionSchema, description="Already logged (same source and external_ref)"
    )
    def post(self, data: dict[str, Any], account_id: str) -> Any:
        """Log an interaction; the same source and external_ref again answers 200 with the first one."""
        interaction, created = service.log_interaction(
            uow=current_uow(), account_id=account_id, data=data, actor=crmkit.current_principal()
        )
        return interaction, 201 if created else 200
