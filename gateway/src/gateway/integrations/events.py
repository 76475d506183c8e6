"""Events the gateway publishes itself (a webhook paused after sustained failure), for the events catalog.

The payload names the webhook but not its URL (a URL may carry a receiver's credentials, and any reader of
`gateway.#` would see it).

Installed under the `crm.event_catalog` entry point like every service's registry.
"""

from __future__ import annotations

from typing import Any

from crmkit.events.catalog import EventRegistry

WEBHOOK_PAUSED = "gateway.webhook.paused"

_TEXT = {"type": "string", "minLength": 1}
_TIME = {"type": "string", "format": "date-time"}
WebhookPausedV1: dict[str, Any] = {
    "type": "object",
    "additionalProperties": True,
    "required": ["id", "owner_id", "status", "paused_reason", "paused_at", "delivery_id", "event_id"],
    "properties": {
        "id": _TEXT,
        "owner_id": _TEXT,
        "status": {"const": "paused"},
        "paused_reason": _TEXT,
        "paused_at": _TIME,
        "delivery_id": {"type": "string", "pattern": "^[0-9]+$"},
        "event_id": _TEXT,
        "failed_since": _TIME,
        "attempts": {"type": "integer", "minimum": 1},
        "version": {"type": "integer", "minimum": 1},
    },
}
EXAMPLE_PAUSED: dict[str, Any] = {
    "id": "6f0c2a9b1d3e4f5a8b7c6d5e4f3a2b1c",
    "owner_id": "3a1f0d2e4b6a8c5b1e0c6f2a9d4e7b8c",
    "status": "paused",
    "paused_reason": "delivery 42 kept failing for 72 h (last: HTTP 503)",
    "paused_at": "2026-11-23T04:00:00.000000Z",
    "delivery_id": "42",
    "event_id": "0b7e2d55-3f0a-4c62-9d1e-2a6f1c0e8b11",
    "failed_since": "2026-11-20T04:00:00.000000Z",
    "attempts": 80,
    "version": 3,
}

REGISTRY = EventRegistry("gateway")

WEBHOOK_PAUSED_V1 = REGISTRY.define(
    WEBHOOK_PAUSED,
    schema=WebhookPausedV1,
    example=EXAMPLE_PAUSED,
    summary=(
        "A webhook was paused because one delivery kept failing for the whole retry window; its events "
        "keep queueing and are delivered in order once the owner sets it active again."
    ),
)
