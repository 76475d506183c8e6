"""Project: a delivery project for a customer account, its scope items and its status history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from projects.db import ID_LENGTH, Base, Hours, new_id

STATUSES = ("planned", "active", "on_hold", "completed", "closed")
HEALTHS = ("on_track", "at_risk", "off_track")
# Lifecycle: which status may follow which.
TRANSITIONS = {
    "planned": ("active", "on_hold", "closed"),
    "active": ("on_hold", "completed"),
    "on_hold": ("active", "closed"),
    "completed": ("active", "closed"),
    "closed": (),
}
SOURCES = ("manual", "template", "order")
BUDGET_CATEGORIES = ("labour", "material", "other")
LABOUR_UNITS = ("hour", "day")


class Project(crmkit.VersionedMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        sa.Index("ix_projects_created", "created_at", "id"),
        sa.Index("ix_projects_name", "name", "id"),
        sa.Index("ix_projects_account_created", "account_id", "created_at", "id"),
        sa.Index("ix_projects_status_created", "status", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    account_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    order_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    order_number: Mapped[str | None] = mapped_column(sa.String(64))
    opportunity_id: Mapped[str | None] = mapped_column(sa.String(64))
    template_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    source: Mapped[str] = mapped_column(sa.String(16), default="manual")
    status: Mapped[str] = mapped_column(sa.String(16), default="planned")
    health: Mapped[str] = mapped_column(sa.String(16), default="on_track")
    currency: Mapped[str] = mapped_column(sa.String(3))
    budget_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    start_date: Mapped[date] = mapped_column(sa.Date)
    finish_date: Mapped[date | None] = mapped_column(sa.Date)
    calendar_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    manager_id: Mapped[str | None] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class ScopeItem(Base):
    """One item of the sold (or agreed) scope, e.g. an order line, with its budget category and amount."""

    __tablename__ = "scope_items"
    __table_args__ = (sa.Index("ix_scope_items_project", "project_id", "position"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    sku: Mapped[str | None] = mapped_column(sa.String(64))
    product_id: Mapped[str | None] = mapped_column(sa.String(64))
    order_line_no: Mapped[int | None]
    kind: Mapped[str] = mapped_column(sa.String(16), default="other")
    category: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str | None] = mapped_column(sa.String(16))
    quantity: Mapped[Decimal] = mapped_column(Hours)
    unit_price: Mapped[Decimal]
    amount: Mapped[Decimal]
    task_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))


class StatusUpdate(Base):
    """One status report: the health set, with the author's comment (the project's status history)."""

    __tablename__ = "status_updates"
    __table_args__ = (sa.Index("ix_status_updates_project", "project_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    health: Mapped[str] = mapped_column(sa.String(16))
    previous_health: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    comment: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
