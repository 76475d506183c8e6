"""Problems of the event feed and webhooks (codes `gateway.events.*`, `gateway.webhook.*`)."""

from __future__ import annotations

from crmkit import Forbidden, NotFound, Problem, ValidationFailed


class CursorExpired(Problem):
    status, title, code = 410, "Gone", "gateway.events.cursor_expired"


class EventTypeNotAllowed(Forbidden):
    code = "gateway.events.type_not_allowed"


class InvalidEventPattern(ValidationFailed):
    code = "gateway.events.invalid_pattern"


class WebhookNotFound(NotFound):
    code = "gateway.webhook.not_found"


class DeliveryNotFound(NotFound):
    code = "gateway.webhook.delivery_not_found"
