"""The event this service answers a sales lead conversion with: schema (v1), example and payload builder."""

from __future__ import annotations

from typing import Any

from customer.conversions.models import MATCHES, LeadConversion
from customer.payloads import ID, TIMESTAMP, nullable, one_of, record, timestamp

LEAD_CONVERSION_COMPLETED = "customer.lead_conversion.completed"

LeadConversionCompletedV1 = record(
    {
        "lead_id": ID,
        "opportunity_id": nullable(ID),
        "account_id": ID,
        "contact_id": nullable(ID),
        "account_created": {"type": "boolean"},
        "contact_created": {"type": "boolean"},
        "account_match": one_of(MATCHES),
        "completed_at": TIMESTAMP,
    }
)
EXAMPLE_COMPLETED: dict[str, Any] = {
    "lead_id": "5b8e0c3d9a7f4e21b6c4d2e1f0a9b8c7",
    "opportunity_id": "9d2f4b6a8c0e4d1fa3b5c7e9f1a2b3c4",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "contact_id": "c81d4fae7dec11d0a76500a0c91e6bf6",
    "account_created": False,
    "contact_created": True,
    "account_match": "duplicate",
    "completed_at": "2026-03-06T11:02:00.000000Z",
}


def conversion_state(conversion: LeadConversion) -> dict[str, Any]:
    return {
        "lead_id": conversion.lead_id,
        "opportunity_id": conversion.opportunity_id,
        "account_id": conversion.account_id,
        "contact_id": conversion.contact_id,
        "account_created": conversion.account_created,
        "contact_created": conversion.contact_created,
        "account_match": conversion.account_match,
        "completed_at": timestamp(conversion.completed_at),
    }
