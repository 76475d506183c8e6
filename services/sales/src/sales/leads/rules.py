"""Assignment rule use cases (sales managers keep the rules; leads/assignment.py applies them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import crmkit
from crmkit.types import utcnow
from sales.leads.errors import AssignmentRuleInvalid, AssignmentRuleNotFound
from sales.leads.models import AssignmentCursor, AssignmentRule
from sales.reps.models import Rep


def _load(uow: crmkit.UnitOfWork, rule_id: str) -> AssignmentRule:
    rule = uow.session.get(AssignmentRule, rule_id)
    if rule is None:
        raise AssignmentRuleNotFound(f"There is no assignment rule {rule_id}.")
    return rule


def _check_reps(uow: crmkit.UnitOfWork, rep_ids: list[str]) -> None:
    known = set(uow.session.scalars(sa.select(Rep.id).where(Rep.id.in_(rep_ids))))
    missing = [rep_id for rep_id in rep_ids if rep_id not in known]
    if missing:
        raise AssignmentRuleInvalid(
            "Rules assign to reps on the roster only.",
            errors=[
                {"field": "rep_ids", "message": f"not on the roster: {', '.join(missing)}", "in": "json"}
            ],
        )


def list_rules(*, uow: crmkit.UnitOfWork) -> list[AssignmentRule]:
    stmt = sa.select(AssignmentRule).order_by(
        AssignmentRule.position, AssignmentRule.created_at, AssignmentRule.id
    )
    with uow:
        return list(uow.session.scalars(stmt))


def get_rule(*, uow: crmkit.UnitOfWork, rule_id: str) -> AssignmentRule:
    with uow:
        return _load(uow, rule_id)


def create_rule(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> AssignmentRule:
    now = utcnow()
    with uow:
        _check_reps(uow, data["rep_ids"])
        conditions: dict[str, Any] = {"sources": [], "regions": [], "industries": [], "tiers": []}
        rule = AssignmentRule(**{**conditions, **data}, created_at=now, updated_at=now)
        uow.session.add(rule)
        uow.flush()
        uow.session.add(AssignmentCursor(rule_id=rule.id))
        uow.commit()
    return rule


def update_rule(
    *, uow: crmkit.UnitOfWork, rule_id: str, data: Mapping[str, Any], expected_version: int
) -> AssignmentRule:
    with uow:
        rule = _load(uow, rule_id)
        crmkit.check_version(rule.version, expected_version)
        if "rep_ids" in data:
            _check_reps(uow, data["rep_ids"])
        for field, value in data.items():
            setattr(rule, field, value)
        rule.updated_at = utcnow()
        uow.flush()
        uow.commit()
    return rule


def delete_rule(*, uow: crmkit.UnitOfWork, rule_id: str, expected_version: int) -> None:
    with uow:
        rule = _load(uow, rule_id)
        crmkit.check_version(rule.version, expected_version)
        uow.session.delete(rule)
        uow.commit()
