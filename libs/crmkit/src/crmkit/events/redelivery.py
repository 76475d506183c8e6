# mypy: untyped-calls-exclude=kombu
"""Copies of a received message for its retry, its dead-letter queue or a replay; attempt bookkeeping."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from kombu.message import Message

from crmkit.events.envelope import CONTENT_TYPE, format_time
from crmkit.events.publisher import Outgoing
from crmkit.events.topology import QUEUE_HEADER
from crmkit.types import utcnow

ATTEMPTS_HEADER = "x-crm-attempts"
NOT_BEFORE_HEADER = "x-crm-not-before"
ROUTING_KEY_HEADER = "x-crm-original-routing-key"
LAST_ERROR_HEADER = "x-crm-last-error"
ERROR_TYPE_HEADER = "x-crm-error-type"
ERROR_MESSAGE_HEADER = "x-crm-error-message"
ERROR_TRACEBACK_HEADER = "x-crm-error-traceback"
FAILED_AT_HEADER = "x-crm-failed-at"
PROPERTY_NAMES = ("message_id", "type", "correlation_id", "app_id")
# Broker bookkeeping from earlier hops and our own per-attempt headers: a copy starts clean.
_DROPPED_PREFIXES = ("x-death", "x-first-death-", "x-last-death-", "x-delivery-count", "x-crm-")
_KEPT_CRM_HEADERS = (ROUTING_KEY_HEADER, QUEUE_HEADER)
ERROR_TEXT_LIMIT = 1000
TRACEBACK_LIMIT = 2000


def body_text(message: Message) -> str:
    """Return the body as text (py-amqp hands over decoded text, virtual transports bytes)."""
    body = message.body
    return body if isinstance(body, str) else bytes(body).decode("utf-8", errors="replace")


def failed_attempts(message: Message) -> int:
    """Return how many handling attempts of this message already failed."""
    raw = (message.headers or {}).get(ATTEMPTS_HEADER, 0)
    try:
        return max(int(raw), 0)
    except (TypeError, ValueError):
        return 0


def not_before(message: Message) -> float | None:
    """Return the epoch time before which a locally delayed retry must not be handled."""
    raw = (message.headers or {}).get(NOT_BEFORE_HEADER)
    try:
        return None if raw is None else float(raw)
    except (TypeError, ValueError):
        return None


def original_routing_key(message: Message) -> str:
    """Return the routing key the message first had on crm.events (retries travel under others)."""
    headers = message.headers or {}
    return str(headers.get(ROUTING_KEY_HEADER) or message.delivery_info.get("routing_key") or "")


def clean_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop broker death records and per-attempt headers; keep ce-* and where the message came from."""
    return {
        name: value
        for name, value in (headers or {}).items()
        if name in _KEPT_CRM_HEADERS or not name.startswith(_DROPPED_PREFIXES)
    }


def copy_of(message: Message, *, exchange: str, routing_key: str, headers: Mapping[str, Any]) -> Outgoing:
    """Return an Outgoing carrying the message's body and envelope properties to a new destination."""
    properties = message.properties or {}
    kept = {name: properties[name] for name in PROPERTY_NAMES if properties.get(name)}
    return Outgoing(
        exchange=exchange,
        routing_key=routing_key,
        body=message.body,
        headers=headers,
        properties=kept,
        content_type=message.content_type or CONTENT_TYPE,
    )


def retry_headers(message: Message, queue: str, failures: int, error: BaseException) -> dict[str, Any]:
    """Headers of the retry copy: clean, plus attempt count and a short last error."""
    return clean_headers(message.headers) | {
        ATTEMPTS_HEADER: failures,
        ROUTING_KEY_HEADER: original_routing_key(message),
        QUEUE_HEADER: queue,
        LAST_ERROR_HEADER: f"{_type_name(error)}: {error}"[:ERROR_TEXT_LIMIT],
    }


def dead_letter_headers(message: Message, queue: str, failures: int, error: BaseException) -> dict[str, Any]:
    """Headers of the parked copy: what failed, how often, when, and where the message was going."""
    trace = "".join(traceback.format_exception(error))
    return clean_headers(message.headers) | {
        ATTEMPTS_HEADER: failures,
        ROUTING_KEY_HEADER: original_routing_key(message),
        QUEUE_HEADER: queue,
        ERROR_TYPE_HEADER: _type_name(error),
        ERROR_MESSAGE_HEADER: str(error)[:ERROR_TEXT_LIMIT],
        ERROR_TRACEBACK_HEADER: trace[-TRACEBACK_LIMIT:],
        FAILED_AT_HEADER: format_time(utcnow()),
    }


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
