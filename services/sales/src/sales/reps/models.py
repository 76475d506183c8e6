"""The rep roster: who sells, in which team, how many open leads they can take, when they are away."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from sales.db import Base, EntityId, UserId, new_id

DEFAULT_CAPACITY = 50


class RepAbsence(Base):
    """A rep is away from `starts_on` to `ends_on` (both inclusive): no leads are assigned to them then."""

    __tablename__ = "rep_absences"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    rep_id: Mapped[str] = mapped_column(UserId(), sa.ForeignKey("reps.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(sa.String(200))

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Rep(crmkit.VersionedMixin, Base):
    """A sales rep, keyed by their user id (the token's `sub`)."""

    __tablename__ = "reps"

    id: Mapped[str] = mapped_column(UserId(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    team: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    capacity: Mapped[int] = mapped_column(default=DEFAULT_CAPACITY)  # most open leads at once
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    absences: Mapped[list[RepAbsence]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=RepAbsence.starts_on
    )

    def is_absent(self, day: date) -> bool:
        return any(absence.covers(day) for absence in self.absences)

    def is_available(self, day: date) -> bool:
        return self.active and not self.is_absent(day)
