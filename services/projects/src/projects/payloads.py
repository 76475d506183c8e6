"""This service's names for the kit's payload schema building blocks (crmkit.events.payloads)."""

from __future__ import annotations

from decimal import Decimal

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


def money(value: Decimal | None) -> str | None:
    """A Decimal amount as events carry it (its stored scale: rates may have more than two decimals)."""
    return str(value) if value is not None else None
