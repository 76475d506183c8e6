"""Discount approval thresholds by role and customer tier."""

from __future__ import annotations

from decimal import Decimal as D

from sales.quotes.approval import threshold_of

RULES = [
    ("sales_rep", "any", D("10")),
    ("sales_rep", "key", D("15")),
    ("sales_manager", "any", D("25")),
    ("sales_manager", "low", D("5")),
]


def test_the_tiers_own_rule_beats_the_roles_any_rule() -> None:
    assert threshold_of(RULES, {"sales_rep"}, "key") == D("15")
    assert threshold_of(RULES, {"sales_rep"}, "standard") == D("10")
    assert threshold_of(list(reversed(RULES)), {"sales_rep"}, "key") == D("15")


def test_the_most_generous_role_counts() -> None:
    assert threshold_of(RULES, {"sales_rep", "sales_manager"}, "standard") == D("25")
    assert threshold_of(RULES, {"sales_rep", "sales_manager"}, "low") == D("10")


def test_without_a_rule_every_discount_needs_approval() -> None:
    assert threshold_of(RULES, {"marketing"}, "key") == D("0.00")
    assert threshold_of(RULES, {"sales_rep"}, None) == D("10")
