"""LeadConversion: how one sales lead became (or joined) an account and a contact, kept once per lead."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from customer.db import ID_LENGTH, Base

MATCHES = ("chosen", "duplicate", "created")


class LeadConversion(Base):
    """One row per converted lead: the primary key is what makes a second account for one lead impossible."""

    __tablename__ = "lead_conversions"

    lead_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    opportunity_id: Mapped[str | None] = mapped_column(sa.String(64))
    account_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("accounts.id"))
    contact_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("contacts.id"))
    account_created: Mapped[bool]
    contact_created: Mapped[bool]
    account_match: Mapped[str] = mapped_column(sa.String(16))  # one of MATCHES
    completed_at: Mapped[datetime]
