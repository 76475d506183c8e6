"""Interaction: one entry on an account's timeline, unique per source and external reference."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from customer.db import ID_LENGTH, Base, new_id

# What people log through the API; other services' business events land as deals, orders, tickets, projects.
LOGGABLE_TYPES = ("call", "email", "meeting", "visit", "note")
TYPES = (*LOGGABLE_TYPES, "deal", "order", "ticket", "project")
CHANNELS = ("phone", "email", "video", "in_person", "chat", "other")
# Interactions logged through this service's API without a source of their own.
DEFAULT_SOURCE = "customer"


class Interaction(crmkit.VersionedMixin, Base):
    """Immutable once logged; other services' events land here too, told apart by `source`."""

    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index("ix_interactions_timeline", "account_id", "occurred_at", "id"),
        # Logging is idempotent per source and reference (NULL references never collide).
        sa.UniqueConstraint("source", "external_ref"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("accounts.id"))
    contact_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("contacts.id"))
    type: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[str | None] = mapped_column(sa.String(16))
    occurred_at: Mapped[datetime]
    author_id: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(50))
    external_ref: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(64))
