"""Event type patterns and payload filters, as subscriptions and the replay feed use them.

A pattern is an AMQP topic pattern over the routing key (`sales.opportunity.*`: `*` is one word, `#` zero or
more words); a leading `crm.` (the CloudEvents type prefix) is accepted and ignored. A payload filter is a
JSON object of field paths (dotted for nested objects) to the value the event's `data` must hold there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from crmkit.events.topology import topic_matches
from gateway.access.rules import event_patterns

TYPE_PREFIX = "crm."
_WORD = re.compile(r"^(\*|#|[a-z0-9_-]+)$")
MISSING = object()


def normalize_pattern(raw: str) -> str:
    """The pattern without `crm.`; raise ValueError when it is not dotted words, `*` and `#`."""
    pattern = raw.strip().removeprefix(TYPE_PREFIX)
    if not pattern or not all(_WORD.match(word) for word in pattern.split(".")):
        raise ValueError(f"not an event type pattern: {raw!r} (use words, '*' and '#' separated by dots)")
    return pattern


def matches_any(patterns: Iterable[str], routing_key: str) -> bool:
    """Whether `routing_key` matches one of the (normalized) patterns."""
    return any(topic_matches(pattern, routing_key) for pattern in patterns)


def literal_prefix(pattern: str) -> str:
    """The dotted words before the first wildcard (`sales.opportunity.` for `sales.opportunity.*`)."""
    words: list[str] = []
    for word in pattern.split("."):
        if word in ("*", "#"):
            return ".".join(words) + "." if words else ""
        words.append(word)
    return pattern


def check_payload_filter(payload_filter: Mapping[str, Any]) -> None:
    """Raise ValueError unless every key is a dotted field path and every value a JSON scalar."""
    for path, value in payload_filter.items():
        if not path or any(not part for part in path.split(".")):
            raise ValueError(f"not a field path: {path!r}")
        if not (value is None or isinstance(value, str | int | float | bool)):
            raise ValueError(f"{path}: a filter compares with a string, number, boolean or null")


def payload_matches(payload_filter: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether `data` holds each filtered field with exactly the filtered value."""
    return all(_field(data, path) == value for path, value in payload_filter.items())


def _field(data: Mapping[str, Any], path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return MISSING
        current = current[part]
    return current


def scope_patterns(scopes: Iterable[str]) -> list[str]:
    """The event type patterns an API key's `events:<pattern>` scopes grant (malformed ones grant nothing)."""
    granted = []
    for raw in event_patterns(scopes):
        try:
            granted.append(normalize_pattern(raw))
        except ValueError:
            continue
    return granted
