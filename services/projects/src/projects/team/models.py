"""Team members: who works on a project, in which project role."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from projects.db import ID_LENGTH, Base, new_id

PROJECT_ROLES = (
    "project_manager",
    "business_expert",
    "technical_lead",
    "team_member",
    "customer_representative",
)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "user_id"),
        sa.Index("ix_team_members_user", "user_id", "project_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
