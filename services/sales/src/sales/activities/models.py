"""Activities (calls, meetings, tasks, visits) and visit plans (a rep's planned visits for a day)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from sales.db import Base, EntityId, UserId, new_id

KINDS = ("call", "meeting", "task", "visit")
STATUSES = ("planned", "completed", "cancelled")
OUTCOMES = ("successful", "follow_up", "no_answer", "rescheduled", "not_interested", "other")


class VisitPlan(crmkit.VersionedMixin, Base):
    __tablename__ = "visit_plans"
    __table_args__ = (sa.Index("ix_visit_plans_owner_day", "owner_id", "day"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    day: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Activity(crmkit.VersionedMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        sa.Index("ix_activities_owner_due", "owner_id", "due_at", "id"),
        sa.Index("ix_activities_team_due", "owner_team", "due_at", "id"),
        sa.Index("ix_activities_due", "due_at", "id"),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    account_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    opportunity_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    lead_id: Mapped[str | None] = mapped_column(EntityId())
    visit_plan_id: Mapped[str | None] = mapped_column(
        EntityId(), sa.ForeignKey("visit_plans.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(12), default="planned")
    due_at: Mapped[datetime]
    duration_minutes: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(sa.String(300))
    completed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    outcome_notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())
