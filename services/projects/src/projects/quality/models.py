"""Quality plans per deliverable, reviews/inspections against their checklists, and non-conformances."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from crmkit.errors import Conflict
from projects.db import ID_LENGTH, Base, new_id

REVIEW_KINDS = ("review", "inspection", "audit", "test")
REVIEW_RESULTS = ("passed", "passed_with_remarks", "failed")
SEVERITIES = ("minor", "major", "critical")
NC_STATUSES = ("open", "in_progress", "resolved", "closed")
# Which status may follow which (a resolved non-conformance can be reopened before it is closed).
NC_TRANSITIONS = {
    "open": ("in_progress", "resolved", "closed"),
    "in_progress": ("resolved", "open"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}


class QualityPlan(crmkit.VersionedMixin, Base):
    """The quality plan of one deliverable: the standards it must meet and the checklist to verify it."""

    __tablename__ = "quality_plans"
    __table_args__ = (sa.Index("ix_quality_plans_project", "project_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    deliverable: Mapped[str] = mapped_column(sa.String(200))
    task_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    standards: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    checklist: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    acceptance_criteria: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QualityReview(Base):
    """A review or inspection of a deliverable: each checklist item passed or not, and the result."""

    __tablename__ = "quality_reviews"
    __table_args__ = (sa.Index("ix_quality_reviews_plan", "plan_id", "held_on", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    plan_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("quality_plans.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    held_on: Mapped[date] = mapped_column(sa.Date)
    reviewer_id: Mapped[str] = mapped_column(sa.String(64))
    result: Mapped[str] = mapped_column(sa.String(24))
    checklist_results: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class NonConformance(crmkit.VersionedMixin, Base):
    """A defect or deviation from the quality plan, with an owner who resolves it."""

    __tablename__ = "non_conformances"
    __table_args__ = (sa.Index("ix_non_conformances_project", "project_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    review_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("quality_reviews.id"))
    plan_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("quality_plans.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(16))
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    corrective_action: Mapped[str | None] = mapped_column(sa.Text)
    resolved_at: Mapped[datetime | None]
    raised_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def move_to(self, status: str, now: datetime) -> None:
        """Change the status along NC_TRANSITIONS (409 otherwise)."""
        if status == self.status:
            return
        allowed = NC_TRANSITIONS[self.status]
        if status not in allowed:
            raise Conflict(
                f"A {self.status} non-conformance cannot become {status}.",
                code="projects.non_conformance.transition_invalid",
                allowed=list(allowed),
            )
        self.status = status
        self.resolved_at = now if status in ("resolved", "closed") else None
