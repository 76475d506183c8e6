"""Satisfaction surveys: one per resolution, answered once through a secret token link."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base, new_id


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        sa.Index("ix_surveys_answered", "answered_at", "id"),
        sa.Index("ix_surveys_ticket", "ticket_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex; the token is never kept
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    account_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    agent_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))
    group_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    requester_email: Mapped[str | None] = mapped_column(sa.String(254))
    sent_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    action_taken: Mapped[str | None] = mapped_column(sa.String(16))  # "reopened" | "flagged" on a low rating
