"""Cost: budget lines, timesheets (with entries) and expenses of a project."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from crmkit.errors import Conflict
from projects.db import ID_LENGTH, Base, Hours, new_id

BUDGET_CATEGORIES = ("labour", "material", "other")
BUDGET_SOURCES = ("manual", "order", "change_request")
APPROVAL_STATUSES = ("submitted", "approved", "rejected")
EXPENSE_CATEGORIES = ("material", "travel", "subcontract", "equipment", "other")
CLOSED_PROJECT_STATUSES = ("completed", "closed")
Rate = sa.Numeric(14, 4)


class BudgetLine(crmkit.VersionedMixin, Base):
    """A planned cost: labour (role x hours x rate) or material/other (quantity x unit cost)."""

    __tablename__ = "budget_lines"
    __table_args__ = (sa.Index("ix_budget_lines_project", "project_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    category: Mapped[str] = mapped_column(sa.String(16))
    role: Mapped[str | None] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    quantity: Mapped[Decimal] = mapped_column(Hours)
    unit: Mapped[str] = mapped_column(sa.String(16))
    unit_rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    task_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    source: Mapped[str] = mapped_column(sa.String(16), default="manual")
    source_ref: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))

    def price(self) -> None:
        """Set the amount from quantity x unit rate (rounded to cents)."""
        self.amount = (self.quantity * self.unit_rate).quantize(Decimal("0.01"))


class Timesheet(crmkit.VersionedMixin, Base):
    """One person's hours on one project, submitted for the project manager's approval."""

    __tablename__ = "timesheets"
    __table_args__ = (
        sa.Index("ix_timesheets_project", "project_id", "submitted_at", "id"),
        sa.Index("ix_timesheets_user", "user_id", "submitted_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    total_hours: Mapped[Decimal] = mapped_column(Hours)
    cost_amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    note: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)
    entries: Mapped[list[TimesheetEntry]] = relationship(
        order_by="TimesheetEntry.work_date", cascade="all, delete-orphan", lazy="selectin"
    )

    def decide(self, status: str, *, actor_id: str, now: datetime, comment: str | None) -> None:
        """Approve or reject a submitted timesheet (once)."""
        if self.status != "submitted":
            raise Conflict(
                f"The timesheet is already {self.status}.", code="projects.timesheet.already_decided"
            )
        self.status, self.decided_by, self.decided_at = status, actor_id, now
        self.decision_comment = comment


class TimesheetEntry(Base):
    """Hours on one day, in one labour role (its rate is frozen when the timesheet is approved)."""

    __tablename__ = "timesheet_entries"
    __table_args__ = (sa.Index("ix_timesheet_entries_sheet", "timesheet_id", "work_date"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    timesheet_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("timesheets.id"))
    work_date: Mapped[date] = mapped_column(sa.Date)
    hours: Mapped[Decimal] = mapped_column(Hours)
    role: Mapped[str] = mapped_column(sa.String(100))
    task_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    cost: Mapped[Decimal | None]


class Expense(crmkit.VersionedMixin, Base):
    """A cost other than time (material bought, travel ...), approved by the project manager."""

    __tablename__ = "expenses"
    __table_args__ = (sa.Index("ix_expenses_project", "project_id", "spent_on", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    category: Mapped[str] = mapped_column(sa.String(16))
    description: Mapped[str] = mapped_column(sa.String(500))
    spent_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    budget_line_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    submitted_by: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    def decide(self, status: str, *, actor_id: str, now: datetime, comment: str | None) -> None:
        """Approve or reject a submitted expense (once)."""
        if self.status != "submitted":
            raise Conflict(f"The expense is already {self.status}.", code="projects.expense.already_decided")
        self.status, self.decided_by, self.decided_at = status, actor_id, now
        self.decision_comment = comment
