"""SLA policy and escalation rule use cases, and the ticket's SLA view. One commit per use case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.calendars.models import Calendar
from service_desk.sla import engine
from service_desk.sla.errors import (
    EscalationRuleInvalid,
    EscalationRuleNameTaken,
    EscalationRuleNotFound,
    SlaPolicyInvalid,
    SlaPolicyNameTaken,
    SlaPolicyNotFound,
)
from service_desk.sla.models import EscalationRule, SlaPolicy
from service_desk.tickets.models import TicketGroup
from service_desk.tickets.service import load_ticket

Ordered = type[SlaPolicy] | type[EscalationRule]


# --- policies -----------------------------------------------------------------------------------------


def list_policies(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through policies in the order they are checked (first match wins)."""
    stmt = sa.select(SlaPolicy)
    if query.get("active") is not None:
        stmt = stmt.where(SlaPolicy.active.is_(query["active"]))
    sort = crmkit.parse_sort(None, {"position": SlaPolicy.position}, "position", SlaPolicy.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_policy(*, uow: crmkit.UnitOfWork, policy_id: str) -> SlaPolicy:
    with uow:
        return _load(uow.session, SlaPolicy, policy_id)


def create_policy(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> SlaPolicy:
    """Add a policy at `position` (default: checked last); the policies after it move down."""
    now = clock.now()
    fields = dict(data)
    position = fields.pop("position", None)
    with uow:
        session = uow.session
        _check_policy(session, fields, None)
        policy = SlaPolicy(created_at=now, updated_at=now, position=0, **{"active": True, **_flatten(fields)})
        _place(session, SlaPolicy, policy, position)
        session.add(policy)
        uow.commit()
    return policy


def update_policy(
    *, uow: crmkit.UnitOfWork, policy_id: str, data: Mapping[str, Any], expected_version: int
) -> SlaPolicy:
    """Change a policy; tickets keep the policy they have until they are reclassified."""
    fields = dict(data)
    position = fields.pop("position", None)
    with uow:
        session = uow.session
        policy = _load(session, SlaPolicy, policy_id)
        crmkit.check_version(policy.version, expected_version)
        _check_policy(session, fields, policy.id)
        for field, value in _flatten(fields).items():
            setattr(policy, field, value)
        policy.updated_at = clock.now()
        if position is not None:
            _place(session, SlaPolicy, policy, position)
        uow.commit()
    return policy


def delete_policy(*, uow: crmkit.UnitOfWork, policy_id: str, expected_version: int) -> None:
    """Delete a policy (clocks it started keep running on their targets)."""
    with uow:
        policy = _load(uow.session, SlaPolicy, policy_id)
        crmkit.check_version(policy.version, expected_version)
        uow.session.delete(policy)
        uow.flush()
        _place(uow.session, SlaPolicy, None, None)
        uow.commit()


def _flatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in fields.items() if key != "conditions"}
    flat.update(fields.get("conditions") or {})
    return flat


def _check_policy(session: Session, fields: Mapping[str, Any], own_id: str | None) -> None:
    if "name" in fields:
        _refuse_taken_name(session, SlaPolicy, fields["name"], own_id, SlaPolicyNameTaken)
    calendar_id = fields.get("calendar_id")
    if calendar_id and session.get(Calendar, calendar_id) is None:
        field_error = {"field": "calendar_id", "message": "no such business calendar", "in": "json"}
        raise SlaPolicyInvalid(f"There is no business calendar {calendar_id}.", errors=[field_error])


# --- escalation rules -------------------------------------------------------------------------------------


def list_rules(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through escalation rules in the order they apply."""
    stmt = sa.select(EscalationRule)
    if query.get("trigger"):
        stmt = stmt.where(EscalationRule.trigger == query["trigger"])
    sort = crmkit.parse_sort(None, {"position": EscalationRule.position}, "position", EscalationRule.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_rule(*, uow: crmkit.UnitOfWork, rule_id: str) -> EscalationRule:
    with uow:
        return _load(uow.session, EscalationRule, rule_id)


def create_rule(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> EscalationRule:
    """Add an escalation rule at `position` (default: last)."""
    now = clock.now()
    fields = dict(data)
    position = fields.pop("position", None)
    with uow:
        session = uow.session
        _check_rule(session, fields, None)
        rule = EscalationRule(created_at=now, updated_at=now, position=0, **{"active": True, **fields})
        _place(session, EscalationRule, rule, position)
        session.add(rule)
        uow.commit()
    return rule


def update_rule(
    *, uow: crmkit.UnitOfWork, rule_id: str, data: Mapping[str, Any], expected_version: int
) -> EscalationRule:
    """Change an escalation rule."""
    fields = dict(data)
    position = fields.pop("position", None)
    with uow:
        session = uow.session
        rule = _load(session, EscalationRule, rule_id)
        crmkit.check_version(rule.version, expected_version)
        _check_rule(session, fields, rule.id)
        for field, value in fields.items():
            setattr(rule, field, value)
        rule.updated_at = clock.now()
        if position is not None:
            _place(session, EscalationRule, rule, position)
        uow.commit()
    return rule


def delete_rule(*, uow: crmkit.UnitOfWork, rule_id: str, expected_version: int) -> None:
    with uow:
        rule = _load(uow.session, EscalationRule, rule_id)
        crmkit.check_version(rule.version, expected_version)
        uow.session.delete(rule)
        uow.flush()
        _place(uow.session, EscalationRule, None, None)
        uow.commit()


def _check_rule(session: Session, fields: Mapping[str, Any], own_id: str | None) -> None:
    if "name" in fields:
        _refuse_taken_name(session, EscalationRule, fields["name"], own_id, EscalationRuleNameTaken)
    group_id = fields.get("assign_group_id")
    if group_id and session.get(TicketGroup, group_id) is None:
        field_error = {"field": "assign_group_id", "message": "no such ticket group", "in": "json"}
        raise EscalationRuleInvalid(f"There is no ticket group {group_id}.", errors=[field_error])


# --- the ticket's SLA ---------------------------------------------------------------------------------------


def ticket_sla(*, uow: crmkit.UnitOfWork, ticket_id: str) -> dict[str, Any]:
    """The ticket's policy and clocks with segments, due times recomputed as of now."""
    with uow:
        ticket = load_ticket(uow.session, ticket_id)
        return engine.describe(uow.session, ticket, clock.now())


# --- shared ---------------------------------------------------------------------------------------------------


def _load(session: Session, model: Any, entity_id: str) -> Any:
    entity = session.get(model, entity_id)
    if entity is None:
        problem = SlaPolicyNotFound if model is SlaPolicy else EscalationRuleNotFound
        raise problem(f"There is no {model.__tablename__[:-1].replace('_', ' ')} {entity_id}.")
    return entity


def _refuse_taken_name(session: Session, model: Any, name: str, own_id: str | None, problem: type) -> None:
    other = session.scalars(sa.select(model.id).where(model.name == name)).first()
    if other is not None and other != own_id:
        raise problem(f"{name!r} is taken.", errors=[{"field": "name", "message": "is taken", "in": "json"}])


def _place(session: Session, model: Any, entity: Any, position: int | None) -> None:
    """Renumber 1..n in order, with `entity` at `position` (None: keep it where it is, or last if new)."""
    others = [
        item
        for item in session.scalars(sa.select(model).order_by(model.position, model.created_at, model.id))
        if item is not entity
    ]
    if entity is not None:
        index = (
            len(others) if position is None and entity.position == 0 else (position or entity.position) - 1
        )
        others.insert(min(max(index, 0), len(others)), entity)
    for number, item in enumerate(others, start=1):
        if item.position != number:
            item.position = number
