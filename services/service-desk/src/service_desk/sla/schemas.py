"""SLA policy, escalation rule and ticket SLA schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

import crmkit
from service_desk.fields import Timestamp
from service_desk.sla.models import CLOCK_KINDS, TRIGGERS
from service_desk.tickets.models import CHANNELS, PRIORITIES, TYPES

TIERS = ("key", "standard", "low")  # the customer service's account tiers ("key" = key customer)
ID = ma.validate.Length(1, 64)
NAME = ma.validate.Length(1, 100)
TARGET = ma.validate.Range(60, 10 * 365 * 86400, error="must be between 60 seconds and 10 years")


def _choices(values: tuple[str, ...]) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(values)), validate=ma.validate.Length(0, 10)
    )


def _unique(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    for field in fields:
        if field in data:
            data[field] = sorted(set(data[field]))
    return data


class ConditionsSchema(crmkit.Schema):
    """All must hold; an empty (or missing) list means any value."""

    tiers = _choices(TIERS)
    priorities = _choices(PRIORITIES)
    types = _choices(TYPES)
    channels = _choices(CHANNELS)

    @ma.post_load
    def _sorted(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return _unique(data, ("tiers", "priorities", "types", "channels"))


class PolicyWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(0, 500))
    position = ma.fields.Integer(
        validate=ma.validate.Range(1, 10_000), metadata={"description": "1 = checked first; others move down"}
    )
    active = ma.fields.Boolean()
    conditions = ma.fields.Nested(ConditionsSchema)
    first_response_seconds = ma.fields.Integer(allow_none=True, validate=TARGET)
    next_response_seconds = ma.fields.Integer(allow_none=True, validate=TARGET)
    resolution_seconds = ma.fields.Integer(allow_none=True, validate=TARGET)
    calendar_id = ma.fields.String(
        allow_none=True, validate=ID, metadata={"description": "Business calendar; none = around the clock"}
    )
    warning_share = ma.fields.Float(
        validate=ma.validate.Range(0.05, 0.99), metadata={"description": "warn at this share of a target"}
    )


class PolicyCreateSchema(PolicyWriteSchema):
    name = ma.fields.String(required=True, validate=NAME)
    conditions = ma.fields.Nested(ConditionsSchema, load_default=dict)
    warning_share = ma.fields.Float(load_default=0.8, validate=ma.validate.Range(0.05, 0.99))

    @ma.validates_schema
    def _some_target(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(f"{kind}_seconds") for kind in CLOCK_KINDS):
            raise ma.ValidationError("set at least one target", field_name="first_response_seconds")


class PolicyUpdateSchema(PolicyWriteSchema):
    """Fields to change; changes apply to tickets whose policy is chosen afterwards."""


class PolicySchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    position = ma.fields.Integer()
    active = ma.fields.Boolean()
    conditions = ma.fields.Dict()
    targets = ma.fields.Dict(metadata={"description": "business seconds per clock (null: no clock)"})
    first_response_seconds = ma.fields.Integer(allow_none=True)
    next_response_seconds = ma.fields.Integer(allow_none=True)
    resolution_seconds = ma.fields.Integer(allow_none=True)
    calendar_id = ma.fields.String(allow_none=True)
    warning_share = ma.fields.Float()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class PolicyQuerySchema(crmkit.PageQuerySchema):
    active = ma.fields.Boolean()


class RuleWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=NAME)
    position = ma.fields.Integer(validate=ma.validate.Range(1, 10_000))
    active = ma.fields.Boolean()
    trigger = ma.fields.String(validate=ma.validate.OneOf(TRIGGERS))
    clocks = _choices(CLOCK_KINDS)
    tiers = _choices(TIERS)
    priorities = _choices(PRIORITIES)
    assign_group_id = ma.fields.String(allow_none=True, validate=ID)
    assign_agent_id = ma.fields.String(allow_none=True, validate=ID)
    raise_priority = ma.fields.Boolean()
    notify_account_manager = ma.fields.Boolean()

    @ma.post_load
    def _sorted(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return _unique(data, ("clocks", "tiers", "priorities"))


class RuleCreateSchema(RuleWriteSchema):
    name = ma.fields.String(required=True, validate=NAME)
    trigger = ma.fields.String(required=True, validate=ma.validate.OneOf(TRIGGERS))

    @ma.validates_schema
    def _does_something(self, data: dict[str, Any], **_: Any) -> None:
        actions = ("assign_group_id", "assign_agent_id", "raise_priority", "notify_account_manager")
        if not any(data.get(action) for action in actions):
            raise ma.ValidationError(
                "give an action: assign_group_id, assign_agent_id, raise_priority or notify_account_manager",
                field_name="assign_group_id",
            )


class RuleUpdateSchema(RuleWriteSchema):
    """Fields to change."""


class RuleSchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    position = ma.fields.Integer()
    active = ma.fields.Boolean()
    trigger = ma.fields.String()
    clocks = ma.fields.List(ma.fields.String())
    tiers = ma.fields.List(ma.fields.String())
    priorities = ma.fields.List(ma.fields.String())
    assign_group_id = ma.fields.String(allow_none=True)
    assign_agent_id = ma.fields.String(allow_none=True)
    raise_priority = ma.fields.Boolean()
    notify_account_manager = ma.fields.Boolean()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class RuleQuerySchema(crmkit.PageQuerySchema):
    trigger = ma.fields.String(validate=ma.validate.OneOf(TRIGGERS))


class SegmentSchema(crmkit.Schema):
    state = ma.fields.String(metadata={"description": "running (counts), paused or stopped"})
    reason = ma.fields.String()
    started_at = Timestamp()
    ended_at = Timestamp(allow_none=True)
    business_seconds = ma.fields.Integer()


class ClockSchema(crmkit.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    sequence = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "running, paused, met or stopped"})
    policy_id = ma.fields.String()
    calendar_id = ma.fields.String(allow_none=True)
    target_seconds = ma.fields.Integer()
    warning_share = ma.fields.Float()
    elapsed_business_seconds = ma.fields.Integer()
    remaining_business_seconds = ma.fields.Integer()
    warn_at = Timestamp(allow_none=True)
    due_at = Timestamp(allow_none=True, metadata={"description": "null while paused or stopped short of it"})
    breached = ma.fields.Boolean()
    started_at = Timestamp()
    met_at = Timestamp(allow_none=True)
    warned_at = Timestamp(allow_none=True)
    breached_at = Timestamp(allow_none=True)
    segments = ma.fields.List(ma.fields.Nested(SegmentSchema))


class ChosenPolicySchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    chosen_at = Timestamp()
    chosen_by = ma.fields.Dict(metadata={"description": "the ticket's tier, priority, type and channel"})
    calendar_id = ma.fields.String(allow_none=True)
    targets = ma.fields.Dict()


class TicketSlaSchema(crmkit.Schema):
    ticket_id = ma.fields.String()
    as_of = Timestamp()
    policy = ma.fields.Nested(ChosenPolicySchema, allow_none=True)
    clocks = ma.fields.List(ma.fields.Nested(ClockSchema))
