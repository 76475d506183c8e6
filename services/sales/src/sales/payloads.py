"""This service's names for the kit's payload schema building blocks (crmkit.events.payloads)."""

from __future__ import annotations

from typing import Any

from crmkit.events.payloads import (
    CHANGES,
    CURRENCY,
    DATE,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    VERSION,
    Schema,
    day,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)

__all__ = [
    "CHANGES",
    "CURRENCY",
    "DATE",
    "ID",
    "MONEY",
    "TEXT",
    "TIMESTAMP",
    "VERSION",
    "Schema",
    "day",
    "money",
    "nullable",
    "one_of",
    "record",
    "timestamp",
    "with_changes",
]


def money(amount: Any) -> str | None:
    """A Decimal amount as events carry it (a string with its two decimals)."""
    return None if amount is None else f"{amount:.2f}"
