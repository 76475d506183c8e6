"""What a merge keeps, fills and unites (plain objects, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from customer.accounts.models import Account

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def account(name: str, **fields: Any) -> Account:
    return Account.new(name=name, created_by="u-1", now=NOW, **fields)


def test_survivor_keeps_its_values_and_fills_only_empty_fields() -> None:
    survivor = account("Acme GmbH", industry="Manufacturing", tier="key", lifecycle_stage="active")
    merged = account("ACME", industry="Retail", website="https://acme.example", owner_id="u-9", tier="low")
    survivor.absorb(merged)
    assert (survivor.name, survivor.industry, survivor.tier, survivor.lifecycle_stage) == (
        "Acme GmbH",
        "Manufacturing",
        "key",
        "active",
    )
    assert (survivor.website, survivor.domain, survivor.owner_id) == (
        "https://acme.example",
        "acme.example",
        "u-9",
    )


def test_tags_are_united_and_custom_fields_filled_without_overwriting() -> None:
    survivor = account("A", tags=["emea", "key-account"], custom_fields={"employees": 10})
    merged = account("B", tags=["emea", "automotive"], custom_fields={"employees": 99, "vip": True})
    survivor.absorb(merged)
    assert survivor.tags == ["automotive", "emea", "key-account"]
    assert survivor.custom_fields == {"employees": 10, "vip": True}


def test_the_merged_account_points_at_the_survivor_and_is_no_longer_live() -> None:
    survivor, merged = account("A"), account("B")
    survivor.absorb(merged)
    assert merged.merged_into_id == survivor.id and not merged.is_live and survivor.is_live


def test_tag_rows_carry_the_accounts_sort_keys_after_rename_and_retier() -> None:
    tagged = account("Alpha", tags=["emea"])
    tagged.rename("Zulu Holdings")
    tagged.set_tier("key")
    [row] = tagged.tag_rows
    assert (row.name_key, row.tier_rank, row.created_at) == ("zulu holdings", 0, NOW)
