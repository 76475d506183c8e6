"""Quotas per rep and period, and immutable forecast snapshots (a header and one row per owner and month)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from sales.db import Base, EntityId, UserId, new_id

SNAPSHOT_KINDS = ("weekly", "on_demand")


class Quota(crmkit.VersionedMixin, Base):
    __tablename__ = "quotas"
    __table_args__ = (
        sa.Index("ix_quotas_owner_period", "owner_id", "period_start", "period_end", unique=True),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    period_start: Mapped[date]
    period_end: Mapped[date]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())


class SnapshotLine(Base):
    __tablename__ = "forecast_snapshot_lines"

    snapshot_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("forecast_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[str] = mapped_column(UserId(), primary_key=True)
    close_month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    pipeline: Mapped[Decimal]
    best_case: Mapped[Decimal]
    commit: Mapped[Decimal]
    closed_won: Mapped[Decimal]
    weighted: Mapped[Decimal]
    deals: Mapped[int]


class ForecastSnapshot(Base):
    """The forecast as it stood at `taken_at`, for close dates in [period_start, period_end]. Never changed."""

    __tablename__ = "forecast_snapshots"
    __table_args__ = (
        sa.Index("ix_forecast_snapshots_taken", "taken_at", "id"),
        # One weekly snapshot per week: the job may run twice, the second finds the first.
        sa.Index("ix_forecast_snapshots_weekly_key", "weekly_key", unique=True),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(12))
    weekly_key: Mapped[date | None]
    week_start: Mapped[date]
    taken_at: Mapped[datetime]
    taken_by: Mapped[str | None] = mapped_column(UserId())
    period_start: Mapped[date]
    period_end: Mapped[date]
    base_currency: Mapped[str] = mapped_column(sa.String(3))
    pipeline: Mapped[Decimal]
    best_case: Mapped[Decimal]
    commit: Mapped[Decimal]
    closed_won: Mapped[Decimal]
    weighted: Mapped[Decimal]
    deals: Mapped[int]
    lines: Mapped[list[SnapshotLine]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=(SnapshotLine.owner_id, SnapshotLine.close_month),
    )


class SnapshotImmutable(RuntimeError):
    """A forecast snapshot was about to be changed or deleted: they are written once."""


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise SnapshotImmutable(f"forecast snapshot rows are immutable ({type(target).__name__})")


for _model in (ForecastSnapshot, SnapshotLine):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
