"""Field masking by role: one table for API answers and event payloads."""

from __future__ import annotations

import copy

from gateway.access.masking import (
    MASK_RULES,
    fields_hidden_in_event,
    fields_hidden_in_resource,
    mask_event,
    mask_response,
    strip_fields,
)

QUOTE = {
    "id": "q1",
    "total": "900.00",
    "discount_percent": "10",
    "margin": "300.00",
    "lines": [
        {"line_no": 1, "unit_price": "100.00", "discount_percent": "10", "cost": "60.00"},
        {"line_no": 2, "unit_price": "50.00", "unit_cost": "20.00"},
    ],
}
PAGE = {
    "items": [QUOTE, {"id": "q2", "margin_percent": "12.5", "nested": {"cost": "1"}}],
    "next_cursor": None,
}


def test_hidden_from_service_delivery_and_marketing_roles_but_not_sales_or_management():
    for roles in (
        {"marketing"},
        {"service_agent"},
        {"service_manager"},
        {"delivery_member"},
        {"project_manager"},
    ):
        assert "discount_percent" in fields_hidden_in_resource("quotes", frozenset(roles))
    for roles in ({"sales_rep"}, {"sales_manager"}, {"management"}, {"admin"}, {"marketing", "sales_rep"}):
        assert not fields_hidden_in_resource("quotes", frozenset(roles))


def test_masks_items_inside_lists_and_nested_objects():
    masked = mask_response("quotes", PAGE, frozenset({"marketing"}))
    first = masked["items"][0]
    assert "discount_percent" not in first and "margin" not in first
    assert first["lines"] == [{"line_no": 1, "unit_price": "100.00"}, {"line_no": 2, "unit_price": "50.00"}]
    assert masked["items"][1] == {"id": "q2", "nested": {}}
    assert first["total"] == "900.00"


def test_leaves_resources_without_rules_and_the_input_untouched():
    original = copy.deepcopy(PAGE)
    assert mask_response("projects", PAGE, frozenset({"marketing"})) == PAGE
    mask_response("quotes", PAGE, frozenset({"marketing"}))
    assert original == PAGE
    assert strip_fields(PAGE, frozenset()) is PAGE


def test_mask_event_uses_the_same_table_for_integrators():
    data = {"id": "o1", "account_id": "a1", "discount_total": "5.00", "lines": [{"discount_percent": "5"}]}
    masked = mask_event("sales.order.confirmed", data, frozenset({"integrator"}), frozenset({"events:#"}))
    assert masked == {"id": "o1", "account_id": "a1", "lines": [{}]}
    assert data["lines"] == [{"discount_percent": "5"}]


def test_a_field_scope_or_admin_unmasks_events():
    data = {"id": "o1", "discount_total": "5.00"}
    scopes = frozenset({"fields:commercial_terms"})
    assert mask_event("sales.order.confirmed", data, frozenset({"integrator"}), scopes) == data
    assert mask_event("sales.order.confirmed", data, frozenset({"admin"}), frozenset()) == data


def test_events_of_other_types_pass_unmasked():
    data = {"id": "t1", "cost": "3"}
    assert mask_event("projects.expense.recorded", data, frozenset({"integrator"}), frozenset()) == data
    assert not fields_hidden_in_event("customer.account.updated", frozenset({"integrator"}))


def test_rule_names_are_unique():
    names = [rule.name for rule in MASK_RULES]
    assert len(names) == len(set(names))
