"""Discount approval rules: how much discount a role may give a customer tier without approval."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales.quotes.errors import DiscountRuleExists, DiscountRuleNotFound
from sales.quotes.models import TIER_ANY, DiscountRule

# Without any rule for the caller's roles every discount needs approval.
NO_RULE_THRESHOLD = Decimal("0.00")


def approval_threshold(session: Session, actor: crmkit.Principal, tier: str | None) -> Decimal:
    """The highest discount the caller may give this tier: per role the tier's own rule, else the role's
    `any` rule; across the caller's roles the most generous one."""
    tiers = [TIER_ANY] if tier is None else [TIER_ANY, tier]
    rules = session.scalars(
        sa.select(DiscountRule).where(
            DiscountRule.role.in_(sorted(actor.roles)), DiscountRule.tier.in_(tiers)
        )
    ).all()
    return threshold_of(
        [(rule.role, rule.tier, rule.max_discount_percent) for rule in rules], actor.roles, tier
    )


def threshold_of(
    rules: Iterable[tuple[str, str, Decimal]], roles: Iterable[str], tier: str | None
) -> Decimal:
    """The rule arithmetic without I/O: rules are (role, tier, max discount percent)."""
    wanted_roles, tiers = set(roles), {TIER_ANY, tier}
    matching = [rule for rule in rules if rule[0] in wanted_roles and rule[1] in tiers]
    per_role: dict[str, Decimal] = {}
    for role, _tier, limit in sorted(matching, key=lambda rule: rule[1] != TIER_ANY):  # the tier's own wins
        per_role[role] = limit
    return max(per_role.values(), default=NO_RULE_THRESHOLD)


def list_rules(*, uow: crmkit.UnitOfWork) -> list[DiscountRule]:
    """Every discount rule, by role and tier."""
    with uow:
        return list(
            uow.session.scalars(sa.select(DiscountRule).order_by(DiscountRule.role, DiscountRule.tier))
        )


def load_rule(session: Session, rule_id: str) -> DiscountRule:
    rule = session.get(DiscountRule, rule_id)
    if rule is None:
        raise DiscountRuleNotFound(f"There is no discount rule {rule_id}.")
    return rule


def get_rule(*, uow: crmkit.UnitOfWork, rule_id: str) -> DiscountRule:
    """Read one discount rule."""
    with uow:
        return load_rule(uow.session, rule_id)


def create_rule(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> DiscountRule:
    """Set the discount limit of a role for a tier (or every tier); one rule per role and tier."""
    now = utcnow()
    with uow:
        taken = sa.select(DiscountRule.id).where(
            DiscountRule.role == data["role"], DiscountRule.tier == data["tier"]
        )
        if uow.session.scalar(taken):
            raise DiscountRuleExists(f"A rule for {data['role']} and tier {data['tier']} exists; change it.")
        rule = DiscountRule(**data, created_at=now, updated_at=now)
        uow.session.add(rule)
        uow.commit()
    return rule


def update_rule(
    *, uow: crmkit.UnitOfWork, rule_id: str, data: Mapping[str, Any], expected_version: int
) -> DiscountRule:
    """Change a rule's limit (drafts priced later use it; priced drafts keep theirs until re-priced)."""
    with uow:
        rule = load_rule(uow.session, rule_id)
        crmkit.check_version(rule.version, expected_version)
        rule.max_discount_percent, rule.updated_at = data["max_discount_percent"], utcnow()
        uow.commit()
    return rule


def delete_rule(*, uow: crmkit.UnitOfWork, rule_id: str, expected_version: int) -> None:
    """Remove a rule."""
    with uow:
        rule = load_rule(uow.session, rule_id)
        crmkit.check_version(rule.version, expected_version)
        uow.session.delete(rule)
        uow.commit()
