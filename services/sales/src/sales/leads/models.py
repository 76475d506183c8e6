"""Leads, their assignment history, the rules that assign them, and the web forms that capture them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from sales.db import Base, EntityId, UserId, new_id

STATUSES = ("new", "working", "qualified", "disqualified", "converted")
OPEN_STATUSES = ("new", "working", "qualified")
SOURCES = ("api", "web", "campaign", "referral", "event", "partner", "phone", "import", "other")
DISQUALIFY_REASONS = (
    "no_budget",
    "no_need",
    "no_authority",
    "bad_timing",
    "competitor",
    "spam",
    "duplicate",
    "unreachable",
    "other",
)
STRATEGIES = ("round_robin", "least_busy")
# Which status may follow which (converted is final; disqualified leads may be reopened to working).
TRANSITIONS = {
    "new": ("working", "qualified", "disqualified"),
    "working": ("qualified", "disqualified"),
    "qualified": ("working", "disqualified", "converted"),
    "disqualified": ("working",),
    "converted": (),
}
NullableJson = sa.JSON(none_as_null=True)


class Lead(crmkit.VersionedMixin, Base):
    __tablename__ = "leads"
    __table_args__ = (
        sa.Index("ix_leads_created", "created_at", "id"),
        sa.Index("ix_leads_owner_status", "owner_id", "status"),
        sa.Index("ix_leads_team_created", "owner_team", "created_at", "id"),
        sa.Index("ix_leads_status_created", "status", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    owner_id: Mapped[str | None] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(16))
    campaign_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    web_form_id: Mapped[str | None] = mapped_column(EntityId())
    company: Mapped[str | None] = mapped_column(sa.String(200))
    first_name: Mapped[str | None] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str | None] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    email_key: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    tier: Mapped[str] = mapped_column(sa.String(16), default="standard")
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # {"granted": bool, "purpose": str, "text": str | None, "method": str, "recorded_at": str} or null
    consent: Mapped[dict[str, Any] | None] = mapped_column(NullableJson)
    # Open leads and known contacts this lead looked like when captured: [{"kind", "id", "account_id"}]
    duplicates: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    disqualify_reason: Mapped[str | None] = mapped_column(sa.String(32))
    disqualify_note: Mapped[str | None] = mapped_column(sa.String(500))
    assignment_rule_id: Mapped[str | None] = mapped_column(EntityId())
    opportunity_id: Mapped[str | None] = mapped_column(EntityId())
    account_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    contact_id: Mapped[str | None] = mapped_column(EntityId())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    qualified_at: Mapped[datetime | None]
    converted_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(UserId())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class LeadAssignment(Base):
    """One (re)assignment of a lead: who had it, who got it, why (rule, manual, capture with no rule)."""

    __tablename__ = "lead_assignments"
    __table_args__ = (sa.Index("ix_lead_assignments_lead", "lead_id", "assigned_at"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    lead_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("leads.id", ondelete="CASCADE"))
    from_owner_id: Mapped[str | None] = mapped_column(UserId())
    to_owner_id: Mapped[str | None] = mapped_column(UserId())
    to_team: Mapped[str | None] = mapped_column(sa.String(64))
    rule_id: Mapped[str | None] = mapped_column(EntityId())
    reason: Mapped[str] = mapped_column(sa.String(16))  # "rule" | "manual" | "unmatched"
    note: Mapped[str | None] = mapped_column(sa.String(500))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str | None] = mapped_column(UserId())


class AssignmentRule(crmkit.VersionedMixin, Base):
    """Leads matching every non-empty condition go to one of `rep_ids` (round robin or least busy).

    Rules are tried by ascending `position`; the first rule with an available rep wins.
    """

    __tablename__ = "assignment_rules"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)
    sources: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    tiers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    strategy: Mapped[str] = mapped_column(sa.String(16), default="round_robin")
    rep_ids: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AssignmentCursor(Base):
    """Where a rule's round robin stands: the rep who got its previous lead.

    Kept apart from the rule, so that assigning a lead does not change the rule's version (a manager's
    If-Match stays valid) and concurrent captures lock only this row while they take their turn.
    """

    __tablename__ = "assignment_cursors"

    rule_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("assignment_rules.id", ondelete="CASCADE"), primary_key=True
    )
    last_rep_id: Mapped[str | None] = mapped_column(UserId())


class WebForm(crmkit.VersionedMixin, Base):
    """A public lead form on a website; it posts to /api/v1/web-leads with its key in X-Api-Key."""

    __tablename__ = "web_forms"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex of the key
    key_prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in lists so people can tell keys apart
    campaign_id: Mapped[str | None] = mapped_column(EntityId())
    consent_text: Mapped[str | None] = mapped_column(sa.String(1000))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())
    last_used_at: Mapped[datetime | None]
