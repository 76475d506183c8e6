"""Pipelines with ordered stages, loss reasons, opportunities and their stage history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from sales.db import Base, EntityId, UserId, new_id

OUTCOMES = ("open", "won", "lost")
STATUSES = ("open", "won", "lost")
FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed_won", "omitted")


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (sa.Index("ix_stages_pipeline_position", "pipeline_id", "position"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    pipeline_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("pipelines.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int]
    probability: Mapped[int]  # default win probability, 0-100
    outcome: Mapped[str] = mapped_column(sa.String(8), default="open")


class Pipeline(crmkit.VersionedMixin, Base):
    __tablename__ = "pipelines"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    stages: Mapped[list[Stage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=Stage.position
    )

    def stage(self, stage_id: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.id == stage_id), None)

    def first_open_stage(self) -> Stage:
        return next(stage for stage in self.stages if stage.outcome == "open")

    def stage_with_outcome(self, outcome: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.outcome == outcome), None)


class LossReason(Base):
    __tablename__ = "loss_reasons"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Opportunity(crmkit.VersionedMixin, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        sa.Index("ix_opportunities_created", "created_at", "id"),
        sa.Index("ix_opportunities_owner_status", "owner_id", "status"),
        sa.Index("ix_opportunities_team_status", "owner_team", "status"),
        sa.Index("ix_opportunities_close", "status", "expected_close_date"),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    account_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    contact_id: Mapped[str | None] = mapped_column(EntityId())
    account_pending: Mapped[bool] = mapped_column(default=False)
    lead_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    campaign_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    pipeline_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("pipelines.id"))
    stage_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("stages.id"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    probability: Mapped[int]
    forecast_category: Mapped[str] = mapped_column(sa.String(16), default="pipeline")
    expected_close_date: Mapped[date | None]
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    loss_reason_id: Mapped[str | None] = mapped_column(EntityId(), sa.ForeignKey("loss_reasons.id"))
    loss_note: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    stage_entered_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())

    @property
    def weighted_amount(self) -> Decimal:
        """Amount times probability, to the cent rounding half up (lost deals weigh nothing)."""
        if self.status == "lost":
            return Decimal("0.00")
        return (self.amount * self.probability / Decimal(100)).quantize(Decimal("0.01"), ROUND_HALF_UP)


class StageChange(Base):
    """One move of an opportunity between stages, with how long it stayed in the stage it left."""

    __tablename__ = "stage_changes"
    __table_args__ = (sa.Index("ix_stage_changes_opportunity", "opportunity_id", "changed_at"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    opportunity_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("opportunities.id", ondelete="CASCADE")
    )
    from_stage_id: Mapped[str | None] = mapped_column(EntityId())
    to_stage_id: Mapped[str] = mapped_column(EntityId())
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(UserId())
    seconds_in_previous_stage: Mapped[int | None]
