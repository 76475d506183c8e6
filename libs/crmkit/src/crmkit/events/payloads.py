"""Building blocks of event payload JSON Schemas, and the formats payloads use for times, dates and money.

Every service describes its events' payloads with these (see `EventRegistry.define`), so the catalog
speaks one dialect: RFC 3339 UTC times, ISO dates, decimal strings with an ISO 4217 currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from crmkit.events.envelope import format_time

Schema = dict[str, Any]

ID: Schema = {"type": "string", "minLength": 1}
TEXT: Schema = {"type": "string"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
VERSION: Schema = {"type": "integer", "minimum": 1}
MONEY: Schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": "Decimal amount"}
CURRENCY: Schema = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"}
CHANGES: Schema = {
    "type": "object",
    "description": "Each changed field with its value before and after the change.",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "properties": {"before": {}, "after": {}},
        "required": ["before", "after"],
        "additionalProperties": False,
    },
}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(values: Sequence[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


def record(properties: Mapping[str, Schema], *, optional: Sequence[str] = ()) -> Schema:
    """An object with exactly these properties, all required except `optional`."""
    return {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def with_changes(state: Schema) -> Schema:
    """The state schema plus the `changes` map an update event carries."""
    return record({**state["properties"], "changes": CHANGES})


def timestamp(moment: datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
