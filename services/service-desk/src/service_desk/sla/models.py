"""SLA policies, the clocks they start on tickets (kept as segments), and escalation rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base, new_id

CLOCK_KINDS = ("first_response", "next_response", "resolution")
CLOCK_STATUSES = ("running", "paused", "stopped", "met")
SEGMENT_STATES = ("running", "paused", "stopped")
TRIGGERS = ("warning", "breach")
CONDITION_FIELDS = ("tiers", "priorities", "types", "channels")
TARGET_FIELDS = {kind: f"{kind}_seconds" for kind in CLOCK_KINDS}


class SlaPolicy(crmkit.VersionedMixin, Base):
    """Targets for tickets matching every non-empty condition list; the lowest position matching wins."""

    __tablename__ = "sla_policies"
    __table_args__ = (sa.Index("ix_sla_policies_position", "position", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(sa.Integer)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    tiers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    priorities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    first_response_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    next_response_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    resolution_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    calendar_id: Mapped[str | None] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("business_calendars.id")
    )
    warning_share: Mapped[float] = mapped_column(sa.Float, default=0.8)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def matches(self, facts: Mapping[str, str]) -> bool:
        """Whether every condition holds for the ticket's facts (tier, priority, type, channel)."""
        conditions = {"tiers": "tier", "priorities": "priority", "types": "type", "channels": "channel"}
        return all(
            not getattr(self, field) or facts[fact] in getattr(self, field)
            for field, fact in conditions.items()
        )

    def target(self, kind: str) -> int | None:
        value: int | None = getattr(self, TARGET_FIELDS[kind])
        return value

    @property
    def conditions(self) -> dict[str, list[str]]:
        return {field: list(getattr(self, field)) for field in CONDITION_FIELDS}

    @property
    def targets(self) -> dict[str, int | None]:
        return {kind: self.target(kind) for kind in CLOCK_KINDS}


class SlaTicket(Base):
    """Which policy a ticket is under, chosen from which facts (so the choice can be explained)."""

    __tablename__ = "sla_tickets"

    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    policy_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    policy_name: Mapped[str | None] = mapped_column(sa.String(100))
    facts: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    chosen_at: Mapped[datetime]


class SlaSegment(Base):
    """One stretch of a clock's life: running (counts), paused or stopped, and why."""

    __tablename__ = "sla_clock_segments"
    __table_args__ = (sa.Index("ix_sla_clock_segments_clock", "clock_id", "started_at", "id"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    clock_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("sla_clocks.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class SlaClock(Base):
    """One target on one ticket. Due times are derived from the segments; the *_at columns cache them."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        sa.Index("ix_sla_clocks_ticket", "ticket_id", "kind", "sequence"),
        sa.Index("ix_sla_clocks_status_check", "status", "next_check_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH))
    kind: Mapped[str] = mapped_column(sa.String(20))
    sequence: Mapped[int] = mapped_column(
        sa.Integer, default=1
    )  # next_response: 1, 2, ... per requester reply
    policy_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH))
    calendar_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    target_seconds: Mapped[int] = mapped_column(sa.Integer)
    warning_share: Mapped[float] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    segments: Mapped[list[SlaSegment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=(SlaSegment.started_at, SlaSegment.id)
    )

    @property
    def open_segment(self) -> SlaSegment | None:
        return self.segments[-1] if self.segments and self.segments[-1].ended_at is None else None

    @property
    def warning_seconds(self) -> int:
        return max(1, int(self.target_seconds * self.warning_share))


class EscalationRule(crmkit.VersionedMixin, Base):
    """What to do when a clock of a matching ticket warns or breaches; every matching rule applies."""

    __tablename__ = "escalation_rules"
    __table_args__ = (sa.Index("ix_escalation_rules_trigger", "trigger", "position", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    clocks: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    tiers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    priorities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    assign_group_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    assign_agent_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))
    raise_priority: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    notify_account_manager: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def applies(self, *, trigger: str, clock: str, tier: str, priority: str) -> bool:
        """Whether this rule reacts to `trigger` on this clock of a ticket with this tier and priority."""
        return (
            self.active
            and self.trigger == trigger
            and (not self.clocks or clock in self.clocks)
            and (not self.tiers or tier in self.tiers)
            and (not self.priorities or priority in self.priorities)
        )
