"""This service's names for the kit's payload schema building blocks (crmkit.events.payloads)."""

from __future__ import annotations

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
    "nullable",
    "one_of",
    "record",
    "timestamp",
    "with_changes",
]
