"""Events about interactions: routing key, payload JSON Schema (v1), example and the payload builder."""

from __future__ import annotations

from typing import Any

from customer.interactions.models import CHANNELS, TYPES, Interaction
from customer.payloads import ID, TEXT, TIMESTAMP, VERSION, nullable, one_of, record, timestamp

INTERACTION_LOGGED = "customer.interaction.logged"

InteractionLoggedV1 = record(
    {
        "id": ID,
        "account_id": ID,
        "contact_id": nullable(ID),
        "type": one_of(TYPES),
        "channel": nullable(one_of(CHANNELS)),
        "occurred_at": TIMESTAMP,
        "author_id": ID,
        "summary": TEXT,
        "source": ID,
        "external_ref": nullable(TEXT),
        "created_at": TIMESTAMP,
        "version": VERSION,
    }
)
EXAMPLE_LOGGED: dict[str, Any] = {
    "id": "3e5f7a9b1c2d4e6f8091a2b3c4d5e6f7",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "contact_id": "c81d4fae7dec11d0a76500a0c91e6bf6",
    "type": "call",
    "channel": "phone",
    "occurred_at": "2026-03-04T10:30:00.000000Z",
    "author_id": "u-4711",
    "summary": "Discussed the renewal; they want a quote for 40 more seats by Friday.",
    "source": "customer",
    "external_ref": None,
    "created_at": "2026-03-04T10:41:07.000000Z",
    "version": 1,
}


def interaction_state(interaction: Interaction) -> dict[str, Any]:
    """The interaction as the logged event carries it."""
    return {
        "id": interaction.id,
        "account_id": interaction.account_id,
        "contact_id": interaction.contact_id,
        "type": interaction.type,
        "channel": interaction.channel,
        "occurred_at": timestamp(interaction.occurred_at),
        "author_id": interaction.author_id,
        "summary": interaction.summary,
        "source": interaction.source,
        "external_ref": interaction.external_ref,
        "created_at": timestamp(interaction.created_at),
        "version": interaction.version,
    }
