"""The plan: WBS tasks (summaries, work, milestones), dependencies, baselines and working calendars."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from projects.db import ID_LENGTH, Base, Hours, Money, new_id

DEPENDENCY_TYPES = ("FS", "SS", "FF", "SF")
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday = 1
DEFAULT_WORK_DAYS = (1, 2, 3, 4, 5)


class Task(crmkit.VersionedMixin, Base):
    """A task of a project's WBS. A task with children is a summary: its dates, effort and progress roll up.

    `start_constraint` is the date the planner asked for ("start no earlier than"); `planned_start` and
    `planned_finish` are the scheduled dates, which dependencies may push later (rescheduling).
    """

    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index("ix_tasks_project_position", "project_id", "parent_id", "position"),
        sa.Index("ix_tasks_parent", "parent_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    parent_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tasks.id"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    is_milestone: Mapped[bool] = mapped_column(default=False)
    is_summary: Mapped[bool] = mapped_column(default=False)
    start_constraint: Mapped[date | None] = mapped_column(sa.Date)
    planned_start: Mapped[date] = mapped_column(sa.Date)
    planned_finish: Mapped[date] = mapped_column(sa.Date)
    duration_days: Mapped[int] = mapped_column(default=1)
    effort_hours: Mapped[Decimal] = mapped_column(Hours, default=Decimal("0"))
    progress_percent: Mapped[int] = mapped_column(default=0)
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    assignee_id: Mapped[str | None] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Dependency(Base):
    """`successor` depends on `predecessor`: FS, SS, FF or SF, with a lag in working days (may be negative)."""

    __tablename__ = "dependencies"
    __table_args__ = (
        sa.UniqueConstraint("predecessor_id", "successor_id"),
        sa.Index("ix_dependencies_project", "project_id"),
        sa.Index("ix_dependencies_successor", "successor_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    predecessor_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tasks.id"))
    successor_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tasks.id"))
    type: Mapped[str] = mapped_column(sa.String(2), default="FS")
    lag_days: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class Baseline(Base):
    """A saved version of the plan: every task's dates, effort and budget, and the budget by category."""

    __tablename__ = "baselines"
    __table_args__ = (sa.UniqueConstraint("project_id", "number"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    start_date: Mapped[date] = mapped_column(sa.Date)
    finish_date: Mapped[date | None] = mapped_column(sa.Date)
    budget_amount: Mapped[Decimal]
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
    tasks: Mapped[list[BaselineTask]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="BaselineTask.position"
    )


class BaselineTask(Base):
    __tablename__ = "baseline_tasks"

    baseline_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("baselines.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    parent_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    name: Mapped[str] = mapped_column(sa.String(200))
    is_milestone: Mapped[bool]
    planned_start: Mapped[date] = mapped_column(sa.Date)
    planned_finish: Mapped[date] = mapped_column(sa.Date)
    duration_days: Mapped[int]
    effort_hours: Mapped[Decimal] = mapped_column(Hours)
    progress_percent: Mapped[int]
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)


class WorkCalendar(crmkit.VersionedMixin, Base):
    """Working days of the week and holidays; a project plans in working days of its calendar."""

    __tablename__ = "work_calendars"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    work_days: Mapped[list[int]] = mapped_column(sa.JSON)
    holidays: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
