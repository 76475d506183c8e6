"""Masking of event payloads for what the reader may see: the gateway's one masking table (gateway.access)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.access.masking import mask_event


def masked_envelope(envelope: dict[str, Any], roles: Iterable[str], scopes: Iterable[str]) -> dict[str, Any]:
    """The CloudEvent with `data` masked for a reader holding `roles` and `scopes`."""
    event_type = str(envelope.get("type", "")).removeprefix("crm.")
    data = mask_event(event_type, dict(envelope.get("data") or {}), frozenset(roles), frozenset(scopes))
    return {**envelope, "data": data}
