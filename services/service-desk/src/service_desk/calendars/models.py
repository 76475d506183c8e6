"""A business-hours calendar as stored: weekly opening hours, a time zone and holidays."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from service_desk.calendars.hours import BusinessCalendar
from service_desk.db import ID_LENGTH, Base, new_id


class Calendar(crmkit.VersionedMixin, Base):
    """Weekly hours {"mon": [{"start": "08:00", "end": "17:00"}], ...}; holidays [{"date", "name"}]."""

    __tablename__ = "business_calendars"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    holidays: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def hours(self) -> BusinessCalendar:
        """The calendar's arithmetic (business seconds, adding business time)."""
        days = [date.fromisoformat(item["date"]) for item in self.holidays]
        return BusinessCalendar.from_definition(self.timezone, self.weekly_hours, days)
