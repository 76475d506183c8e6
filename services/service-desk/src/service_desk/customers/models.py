"""The read model of the customer service's accounts and contacts, fed by its events.

Only what the desk needs: who the customer is (name, tier, account manager) and which e-mail addresses
belong to which contact, to match a ticket's requester. `sequence` is the last applied event's sequence
(the entity's version in the customer service), so a stale or repeated event is dropped.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base

DEFAULT_TIER = "standard"


class CustomerAccount(Base):
    __tablename__ = "customer_accounts"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[str] = mapped_column(sa.String(16), default=DEFAULT_TIER)
    owner_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))
    domain: Mapped[str | None] = mapped_column(sa.String(253), index=True)
    merged_into_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[datetime]


class CustomerContact(Base):
    __tablename__ = "customer_contacts"
    __table_args__ = (sa.Index("ix_customer_contacts_account", "account_id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True)
    account_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    name: Mapped[str] = mapped_column(sa.String(200))
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[datetime]


class CustomerContactEmail(Base):
    __tablename__ = "customer_contact_emails"
    __table_args__ = (sa.Index("ix_customer_contact_emails_email", "email"),)

    contact_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("customer_contacts.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True)  # lower case
