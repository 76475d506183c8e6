"""Inbound mail: the mailboxes that may post mail in, the Message-IDs that thread replies, attachments."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base, new_id


class Mailbox(crmkit.VersionedMixin, Base):
    """An address the provider forwards mail for; it authenticates with a secret (only its hash is kept)."""

    __tablename__ = "mailboxes"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    address: Mapped[str] = mapped_column(sa.String(254), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 hex of the secret
    group_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("ticket_groups.id"))
    default_priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    default_type: Mapped[str] = mapped_column(sa.String(16), default="question")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MailMessage(Base):
    """A Message-ID known to belong to a ticket (inbound mail), so replies thread onto that ticket."""

    __tablename__ = "mail_messages"
    __table_args__ = (sa.Index("ix_mail_messages_ticket", "ticket_id"),)

    message_id: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    comment_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    mailbox_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH))
    sender: Mapped[str] = mapped_column(sa.String(254))
    received_at: Mapped[datetime]


class Attachment(Base):
    __tablename__ = "ticket_attachments"
    __table_args__ = (sa.Index("ix_ticket_attachments_ticket", "ticket_id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    comment_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(300))  # path under CRM_DATA_DIR/attachments
    created_at: Mapped[datetime]
