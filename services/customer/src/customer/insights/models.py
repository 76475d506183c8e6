"""AccountLink: what other services told us about an account's deals, orders, tickets and projects.

One row per (kind, reference), kept current from their events, so the customer 360 view can count open
tickets or sum the value of confirmed orders without asking those services.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from customer.db import ID_LENGTH, Base

KINDS = ("opportunity", "order", "ticket", "project")


class AccountLink(Base):
    __tablename__ = "account_links"
    __table_args__ = (sa.Index("ix_account_links_account", "account_id", "kind", "status"),)

    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    ref_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(sa.String(32))
    category: Mapped[str | None] = mapped_column(sa.String(32))  # a ticket's type, e.g. complaint
    title: Mapped[str | None] = mapped_column(sa.String(200))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    sequence: Mapped[int]  # the source entity's version in the last event applied
    updated_at: Mapped[datetime]

    @staticmethod
    def move(session: Session, *, source_id: str, target_id: str) -> None:
        """Re-point a merged account's links at the survivor."""
        stmt = sa.update(AccountLink).where(AccountLink.account_id == source_id).values(account_id=target_id)
        session.execute(stmt.execution_options(synchronize_session=False))
