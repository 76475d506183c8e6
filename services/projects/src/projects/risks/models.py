"""A project risk: scored by probability x impact (each 1-5), owned, with a response and a review date."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from projects.db import ID_LENGTH, Base, new_id

RISK_STATUSES = ("open", "mitigating", "occurred", "closed")
RISK_RESPONSES = ("avoid", "mitigate", "transfer", "accept", "escalate")
RISK_CATEGORIES = (
    "schedule",
    "cost",
    "scope",
    "quality",
    "resource",
    "technical",
    "external",
    "safety",
    "other",
)


def level_of(score: int) -> str:
    """1-4 low, 5-12 medium, 15-25 high (the 5 x 5 matrix)."""
    return "low" if score <= 4 else "medium" if score <= 12 else "high"


class Risk(crmkit.VersionedMixin, Base):
    __tablename__ = "risks"
    __table_args__ = (
        sa.Index("ix_risks_project_score", "project_id", "score", "id"),
        sa.Index("ix_risks_project_review", "project_id", "review_date", "id"),
        sa.Index("ix_risks_project_created", "project_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(16))
    probability: Mapped[int]
    impact: Mapped[int]
    score: Mapped[int]
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    response: Mapped[str] = mapped_column(sa.String(16))
    response_plan: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    review_date: Mapped[date] = mapped_column(sa.Date)
    raised_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def level(self) -> str:
        return level_of(self.score)

    def rescore(self) -> None:
        self.score = self.probability * self.impact
