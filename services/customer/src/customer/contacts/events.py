"""Events about contacts: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from customer.contacts.models import CHANNELS, CONSENT_METHODS, CONSENT_PURPOSES, Contact
from customer.payloads import ID, TEXT, TIMESTAMP, VERSION, nullable, one_of, record, timestamp, with_changes

CONTACT_CREATED = "customer.contact.created"
CONTACT_UPDATED = "customer.contact.updated"
CONTACT_DELETED = "customer.contact.deleted"

CONSENT = record(
    {
        "granted": {"type": "boolean"},
        "method": one_of(CONSENT_METHODS),
        "recorded_at": TIMESTAMP,
        "recorded_by": ID,
    }
)
ContactStateV1 = record(
    {
        "id": ID,
        "account_id": ID,
        "name": TEXT,
        "title": nullable(TEXT),
        "emails": {"type": "array", "items": record({"address": TEXT, "label": nullable(TEXT)})},
        "phones": {"type": "array", "items": record({"number": TEXT, "label": nullable(TEXT)})},
        "preferred_channel": nullable(one_of(CHANNELS)),
        "consents": {
            "type": "object",
            "propertyNames": one_of(CONSENT_PURPOSES),
            "additionalProperties": CONSENT,
        },
        "deleted_at": nullable(TIMESTAMP),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
ContactCreatedV1 = ContactStateV1
ContactUpdatedV1 = with_changes(ContactStateV1)
ContactDeletedV1 = ContactStateV1

EXAMPLE_STATE: dict[str, Any] = {
    "id": "c81d4fae7dec11d0a76500a0c91e6bf6",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "name": "Jana Novak",
    "title": "Head of Procurement",
    "emails": [{"address": "jana.novak@acme.example", "label": "work"}],
    "phones": [{"number": "+49 30 1234567", "label": "office"}],
    "preferred_channel": "email",
    "consents": {
        "marketing_email": {
            "granted": True,
            "method": "web_form",
            "recorded_at": "2026-03-02T09:20:00.000000Z",
            "recorded_by": "u-4711",
        }
    },
    "deleted_at": None,
    "created_at": "2026-03-02T09:20:00.000000Z",
    "updated_at": "2026-03-04T11:02:45.000000Z",
    "version": 2,
}
EXAMPLE_CREATED = {**EXAMPLE_STATE, "version": 1, "updated_at": EXAMPLE_STATE["created_at"]}
EXAMPLE_UPDATED = {**EXAMPLE_STATE, "changes": {"title": {"before": "Buyer", "after": "Head of Procurement"}}}
EXAMPLE_DELETED = {**EXAMPLE_STATE, "deleted_at": "2026-04-01T08:00:00.000000Z", "version": 3}


def contact_state(contact: Contact) -> dict[str, Any]:
    """The contact as events carry it (its state after the change)."""
    return {
        "id": contact.id,
        "account_id": contact.account_id,
        "name": contact.name,
        "title": contact.title,
        "emails": contact.emails,
        "phones": contact.phones,
        "preferred_channel": contact.preferred_channel,
        "consents": {purpose: dict(answer) for purpose, answer in (contact.consents or {}).items()},
        "deleted_at": timestamp(contact.deleted_at),
        "created_at": timestamp(contact.created_at),
        "updated_at": timestamp(contact.updated_at),
        "version": contact.version,
    }
