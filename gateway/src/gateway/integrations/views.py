"""HTTP endpoints: the replay feed /api/v1/events and the webhooks under /api/v1/webhooks."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from crmkit import (
    Blueprint,
    Page,
    current_principal,
    current_uow,
    etag_for,
    expected_version,
    idempotent,
    page_schema,
    require_roles,
)
from crmkit.api import ProblemSchema
from crmkit.types import utcnow
from gateway.access.rules import INTEGRATOR
from gateway.integrations import service
from gateway.integrations.masking import masked_envelope
from gateway.integrations.models import Delivery, Webhook
from gateway.integrations.schemas import (
    DeliveryQuerySchema,
    DeliverySchema,
    EventFeedSchema,
    EventQuerySchema,
    RotateSecretSchema,
    WebhookCreateSchema,
    WebhookQuerySchema,
    WebhookSchema,
    WebhookUpdateSchema,
    WebhookWithSecretSchema,
)

PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}

events_blp = Blueprint(
    "events", __name__, url_prefix="/api/v1/events", description="Replay feed of every retained event."
)
webhooks_blp = Blueprint(
    "webhooks", __name__, url_prefix="/api/v1/webhooks", description="Signed, durable event deliveries."
)


@events_blp.route("")
class EventFeed(MethodView):
    @require_roles(INTEGRATOR)
    @events_blp.arguments(EventQuerySchema, location="query")
    @events_blp.response(200, EventFeedSchema)
    @events_blp.alt_response(403, description="Not an admin, or a key without an events scope", **PROBLEM)
    @events_blp.alt_response(410, description="The cursor is older than the retention", **PROBLEM)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Read events after a cursor, oldest first (admins and API keys with `events:` scopes)."""
        principal = current_principal()
        with current_uow() as uow:
            page = service.read_events(
                uow=uow, principal=principal, after=query["after"], type_=query["type"], limit=query["limit"]
            )
        items = [
            {**masked_envelope(row.envelope, principal.roles, principal.scopes), "cursor": str(row.id)}
            for row in page.items
        ]
        return {"items": items, "next_cursor": page.next_cursor}


@webhooks_blp.route("")
class WebhookCollection(MethodView):
    @require_roles(INTEGRATOR)
    @webhooks_blp.arguments(WebhookQuerySchema, location="query")
    @webhooks_blp.response(200, page_schema(WebhookSchema))
    def get(self, query: dict[str, Any]) -> Page:
        """List your webhooks (admins: every webhook)."""
        with current_uow() as uow:
            return service.list_(uow=uow, principal=current_principal(), query=query)

    @require_roles(INTEGRATOR)
    @idempotent(replay=False)  # the answer holds a secret shown once: never stored
    @webhooks_blp.arguments(WebhookCreateSchema)
    @webhooks_blp.response(201, WebhookWithSecretSchema)
    @webhooks_blp.alt_response(422, description="A field is invalid (named in `errors`)", **PROBLEM)
    def post(self, data: dict[str, Any]) -> tuple[Webhook, dict[str, str]]:
        """Subscribe a URL to event types; the answer shows the signing secret once."""
        with current_uow() as uow:
            webhook = service.create_webhook(uow=uow, principal=current_principal(), data=data)
        return webhook, _headers(webhook, location=True)


@webhooks_blp.route("/<webhook_id>")
class WebhookItem(MethodView):
    @require_roles(INTEGRATOR)
    @webhooks_blp.response(200, WebhookSchema)
    @webhooks_blp.alt_response(404, description="No such webhook (or not yours)", **PROBLEM)
    def get(self, webhook_id: str) -> tuple[Webhook, dict[str, str]]:
        """Read a webhook: its status (paused and why) and settings."""
        with current_uow() as uow:
            webhook = service.get_or_raise(uow=uow, principal=current_principal(), webhook_id=webhook_id)
        return webhook, _headers(webhook)

    @require_roles(INTEGRATOR)
    @webhooks_blp.arguments(WebhookUpdateSchema)
    @webhooks_blp.response(200, WebhookSchema)
    @webhooks_blp.alt_response(412, description="Changed since the If-Match version", **PROBLEM)
    @webhooks_blp.alt_response(428, description="If-Match is missing", **PROBLEM)
    def patch(self, data: dict[str, Any], webhook_id: str) -> tuple[Webhook, dict[str, str]]:
        """Change a webhook, or pause / resume it (`status`); send If-Match."""
        version = expected_version()
        with current_uow() as uow:
            webhook = service.update_webhook(
                uow=uow,
                principal=current_principal(),
                webhook_id=webhook_id,
                data=data,
                expected_version=version,
                now=utcnow(),
            )
        return webhook, _headers(webhook)

    @require_roles(INTEGRATOR)
    @webhooks_blp.response(204)
    @webhooks_blp.alt_response(412, description="Changed since the If-Match version", **PROBLEM)
    def delete(self, webhook_id: str) -> None:
        """Delete a webhook and its delivery log; send If-Match."""
        version = expected_version()
        with current_uow() as uow:
            service.delete_webhook(
                uow=uow, principal=current_principal(), webhook_id=webhook_id, expected_version=version
            )


@webhooks_blp.route("/<webhook_id>/rotate-secret")
class WebhookSecret(MethodView):
    @require_roles(INTEGRATOR)
    @webhooks_blp.arguments(RotateSecretSchema)
    @webhooks_blp.response(200, WebhookWithSecretSchema)
    def post(self, data: dict[str, Any], webhook_id: str) -> tuple[Webhook, dict[str, str]]:
        """Make a new signing secret (shown once); the old one keeps signing for `grace_seconds`."""
        with current_uow() as uow:
            webhook = service.rotate_secret(
                uow=uow,
                principal=current_principal(),
                webhook_id=webhook_id,
                grace_seconds=data["grace_seconds"],
                now=utcnow(),
            )
        return webhook, _headers(webhook)


@webhooks_blp.route("/<webhook_id>/deliveries")
class DeliveryLog(MethodView):
    @require_roles(INTEGRATOR)
    @webhooks_blp.arguments(DeliveryQuerySchema, location="query")
    @webhooks_blp.response(200, page_schema(DeliverySchema))
    def get(self, query: dict[str, Any], webhook_id: str) -> Page:
        """The webhook's delivery log, newest first (filter: status)."""
        with current_uow() as uow:
            return service.list_deliveries(
                uow=uow, principal=current_principal(), webhook_id=webhook_id, query=query
            )


@webhooks_blp.route("/<webhook_id>/deliveries/<int:delivery_id>/redeliver")
class Redelivery(MethodView):
    @require_roles(INTEGRATOR)
    @webhooks_blp.response(202, DeliverySchema)
    @webhooks_blp.alt_response(404, description="No such delivery for this webhook", **PROBLEM)
    def post(self, webhook_id: str, delivery_id: int) -> Delivery:
        """Send a delivery's event again (queued behind what is pending for the same subject)."""
        with current_uow() as uow:
            return service.redeliver(
                uow=uow,
                principal=current_principal(),
                webhook_id=webhook_id,
                delivery_id=delivery_id,
                now=utcnow(),
            )


def _headers(webhook: Webhook, *, location: bool = False) -> dict[str, str]:
    headers = {"ETag": etag_for(webhook.version)}
    if location:
        headers["Location"] = url_for("webhooks.WebhookItem", webhook_id=webhook.id)
    return headers
