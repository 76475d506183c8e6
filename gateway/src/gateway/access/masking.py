"""Field masking by role: ONE declarative table, applied to API responses and to integrators' events.

A rule names the fields it hides (at any depth: items inside lists too, quote and order lines included),
where it applies (resources of /api/v1/<resource> answers; event type patterns) and who may still see
them. Everyone else gets the document without those fields. Admin sees everything; an integrator API key
sees masked fields only with the scope `fields:<rule name>`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable
from typing import Any

from gateway.identity.models import ADMIN

FIELDS_SCOPE = "fields:"


@dataclasses.dataclass(frozen=True)
class MaskRule:
    """Hide `fields` in answers of `resources` and in events matching `event_types`, unless `visible_to`."""

    name: str
    fields: frozenset[str]
    resources: frozenset[str]
    event_types: tuple[str, ...]
    visible_to: frozenset[str]

    def applies_to_resource(self, resource: str) -> bool:
        return resource in self.resources

    def applies_to_event(self, event_type: str) -> bool:
        return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in self.event_types)

    def hides_from(self, roles: frozenset[str], scopes: frozenset[str]) -> bool:
        """Whether a caller with `roles` and `scopes` must not see this rule's fields."""
        if ADMIN in roles or roles & self.visible_to:
            return False
        return f"{FIELDS_SCOPE}{self.name}" not in scopes


# Commercial terms: discounts, margins and costs are for sales and management only (hidden from the
# service, delivery and marketing roles and from integrators without `fields:commercial_terms`).
MASK_RULES: tuple[MaskRule, ...] = (
    MaskRule(
        name="commercial_terms",
        fields=frozenset(
            {
                "discount_percent",
                "discount_amount",
                "discount_total",
                "margin",
                "margin_percent",
                "margin_amount",
                "cost",
                "unit_cost",
                "cost_price",
                "cost_total",
            }
        ),
        resources=frozenset(
            {"quotes", "orders", "opportunities", "products", "price-lists", "discount-rules", "forecast"}
        ),
        event_types=(
            "sales.quote.*",
            "sales.order.*",
            "sales.opportunity.*",
            "sales.product.*",
            "sales.price_list.*",
            "sales.discount_rule.*",
        ),
        visible_to=frozenset({"sales_rep", "sales_manager", "management"}),
    ),
)


def hidden_fields(rules: Iterable[MaskRule], roles: frozenset[str], scopes: frozenset[str]) -> frozenset[str]:
    """The union of the fields the applicable `rules` hide from this caller."""
    hidden: set[str] = set()
    for rule in rules:
        if rule.hides_from(roles, scopes):
            hidden |= rule.fields
    return frozenset(hidden)


def fields_hidden_in_resource(
    resource: str, roles: frozenset[str], scopes: frozenset[str] = frozenset()
) -> frozenset[str]:
    """What to hide from this caller in answers of /api/v1/<resource> (empty: send it as it is)."""
    return hidden_fields((rule for rule in MASK_RULES if rule.applies_to_resource(resource)), roles, scopes)


def fields_hidden_in_event(
    event_type: str, roles: frozenset[str], scopes: frozenset[str] = frozenset()
) -> frozenset[str]:
    """What to hide from this caller in the `data` of an event of `event_type`."""
    return hidden_fields((rule for rule in MASK_RULES if rule.applies_to_event(event_type)), roles, scopes)


def strip_fields(document: Any, hidden: frozenset[str]) -> Any:
    """A copy of `document` without the keys in `hidden`, at any depth (lists and nested objects too)."""
    if not hidden:
        return document
    if isinstance(document, dict):
        return {key: strip_fields(value, hidden) for key, value in document.items() if key not in hidden}
    if isinstance(document, list):
        return [strip_fields(item, hidden) for item in document]
    return document


def mask_response(
    resource: str, body: Any, roles: frozenset[str], scopes: frozenset[str] = frozenset()
) -> Any:
    """`body` (an answer of /api/v1/<resource>) as this caller may see it."""
    return strip_fields(body, fields_hidden_in_resource(resource, roles, scopes))


def mask_event(
    event_type: str, data: dict[str, Any], roles: frozenset[str], scopes: frozenset[str]
) -> dict[str, Any]:
    """An event's `data` as a receiver with `roles` and `scopes` may see it (never changes `data` itself).

    Integrators (API keys: role "integrator", their scopes) and admins read events through the gateway's
    event log and webhooks; the same table as for API answers decides what they see.
    """
    masked: dict[str, Any] = strip_fields(data, fields_hidden_in_event(event_type, roles, scopes))
    return masked
