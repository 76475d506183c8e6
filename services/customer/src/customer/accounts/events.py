"""Events about accounts: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from customer.accounts.models import STAGES, TIERS, Account
from customer.payloads import ID, TEXT, TIMESTAMP, VERSION, nullable, one_of, record, timestamp, with_changes

ACCOUNT_CREATED = "customer.account.created"
ACCOUNT_UPDATED = "customer.account.updated"
ACCOUNT_MERGED = "customer.account.merged"
ACCOUNT_DELETED = "customer.account.deleted"

ADDRESS = record(
    {name: TEXT for name in ("line1", "line2", "postal_code", "city", "region", "country")},
    optional=("line1", "line2", "postal_code", "city", "region", "country"),
)
AccountStateV1 = record(
    {
        "id": ID,
        "name": TEXT,
        "industry": nullable(TEXT),
        "website": nullable(TEXT),
        "domain": nullable(TEXT),
        "address": nullable(ADDRESS),
        "owner_id": nullable(TEXT),
        "lifecycle_stage": one_of(STAGES),
        "tier": one_of(TIERS),
        "tags": {"type": "array", "items": TEXT, "uniqueItems": True},
        "custom_fields": {"type": "object"},
        "merged_into_id": nullable(ID),
        "deleted_at": nullable(TIMESTAMP),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
AccountCreatedV1 = AccountStateV1
AccountUpdatedV1 = with_changes(AccountStateV1)
AccountDeletedV1 = AccountStateV1
AccountMergedV1 = record(
    {
        **AccountStateV1["properties"],
        "survivor": AccountStateV1,
        "moved_contact_ids": {"type": "array", "items": ID},
        "moved_interactions": {"type": "integer", "minimum": 0},
    }
)

EXAMPLE_STATE: dict[str, Any] = {
    "id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "name": "Acme GmbH",
    "industry": "Manufacturing",
    "website": "https://www.acme.example",
    "domain": "acme.example",
    "address": {"line1": "Hauptstrasse 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    "owner_id": "u-4711",
    "lifecycle_stage": "active",
    "tier": "key",
    "tags": ["automotive", "emea"],
    "custom_fields": {"employees": 1200, "sla_plan": "gold"},
    "merged_into_id": None,
    "deleted_at": None,
    "created_at": "2026-03-02T09:15:00.000000Z",
    "updated_at": "2026-03-05T16:40:12.000000Z",
    "version": 3,
}
EXAMPLE_CREATED = {**EXAMPLE_STATE, "version": 1, "updated_at": EXAMPLE_STATE["created_at"]}
EXAMPLE_UPDATED = {
    **EXAMPLE_STATE,
    "changes": {
        "tier": {"before": "standard", "after": "key"},
        "tags": {"before": ["emea"], "after": ["automotive", "emea"]},
    },
}
EXAMPLE_DELETED = {**EXAMPLE_STATE, "deleted_at": "2026-04-01T08:00:00.000000Z", "version": 4}
EXAMPLE_MERGED = {
    **EXAMPLE_STATE,
    "id": "0b9e8d7c6a5f4e3d2c1b0a9f8e7d6c5b",
    "name": "ACME GmbH.",
    "merged_into_id": EXAMPLE_STATE["id"],
    "version": 2,
    "survivor": {**EXAMPLE_STATE, "version": 4},
    "moved_contact_ids": ["c81d4fae7dec11d0a76500a0c91e6bf6"],
    "moved_interactions": 7,
}


def account_state(account: Account) -> dict[str, Any]:
    """The account as events carry it (its state after the change)."""
    return {
        "id": account.id,
        "name": account.name,
        "industry": account.industry,
        "website": account.website,
        "domain": account.domain,
        "address": dict(account.address) if account.address else None,
        "owner_id": account.owner_id,
        "lifecycle_stage": account.lifecycle_stage,
        "tier": account.tier,
        "tags": account.tags,
        "custom_fields": dict(account.custom_fields),
        "merged_into_id": account.merged_into_id,
        "deleted_at": timestamp(account.deleted_at),
        "created_at": timestamp(account.created_at),
        "updated_at": timestamp(account.updated_at),
        "version": account.version,
    }
