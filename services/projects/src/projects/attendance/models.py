"""One stay of a person on a site of a project: checked in, later checked out."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from projects.db import ID_LENGTH, Base, new_id


class AttendanceRecord(crmkit.VersionedMixin, Base):
    __tablename__ = "attendance_records"
    __table_args__ = (
        sa.Index("ix_attendance_project_day", "project_id", "work_date", "id"),
        sa.Index("ix_attendance_user_open", "project_id", "user_id", "check_out_at"),
        sa.Index("ix_attendance_project_check_in", "project_id", "check_in_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    site: Mapped[str] = mapped_column(sa.String(200))
    work_date: Mapped[date] = mapped_column(sa.Date)
    check_in_at: Mapped[datetime]
    check_out_at: Mapped[datetime | None]
    worked_minutes: Mapped[int | None]
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]

    def check_out(self, at: datetime) -> None:
        self.check_out_at = at
        self.worked_minutes = int((at - self.check_in_at).total_seconds() // 60)
