"""Change requests: what a change does to scope, schedule and cost, and who decided it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from crmkit.errors import Conflict
from projects.db import ID_LENGTH, Base, new_id

CHANGE_STATUSES = ("submitted", "approved", "rejected")
APPROVAL_LEVELS = ("project_manager", "management")


class ChangeRequest(crmkit.VersionedMixin, Base):
    """A requested change. `scope_items`, `task_changes` and `budget_lines` describe its impact (JSON)."""

    __tablename__ = "change_requests"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "number"),
        sa.Index("ix_change_requests_project", "project_id", "requested_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    scope_items: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    task_changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    cost_delta: Mapped[Decimal]
    price_delta: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    approval_level: Mapped[str] = mapped_column(sa.String(16))
    requested_by: Mapped[str] = mapped_column(sa.String(64))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)
    baseline_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))

    @property
    def code(self) -> str:
        return f"CR-{self.number}"

    def decide(self, status: str, *, actor_id: str, now: datetime, comment: str | None) -> None:
        """Approve or reject a submitted change request (once)."""
        if self.status != "submitted":
            raise Conflict(
                f"Change request {self.code} is already {self.status}.",
                code="projects.change_request.already_decided",
            )
        self.status, self.decided_by, self.decided_at = status, actor_id, now
        self.decision_comment = comment
