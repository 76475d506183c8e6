"""What changed between two states of an entity, as event payloads carry it: {field: {before, after}}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

NOT_CHANGES = frozenset({"version", "updated_at"})


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, ignore: Iterable[str] = NOT_CHANGES
) -> dict[str, dict[str, Any]]:
    """List each field whose value differs, with both values (bookkeeping fields are ignored)."""
    skipped = set(ignore)
    return {
        field: {"before": before.get(field), "after": after.get(field)}
        for field in sorted(set(before) | set(after))
        if field not in skipped and before.get(field) != after.get(field)
    }
