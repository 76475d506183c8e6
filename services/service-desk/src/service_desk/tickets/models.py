"""Tickets and what hangs off them: comments (public replies, internal notes), links, time entries;
groups (queues) with their agents, and canned responses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base, new_id

STATUSES = ("new", "open", "pending", "resolved", "closed")
OPEN_STATUSES = ("new", "open", "pending")  # the backlog
PRIORITIES = ("low", "normal", "high", "urgent")
TYPES = ("question", "incident", "problem", "complaint", "feedback")
CHANNELS = ("web", "api", "email", "phone")
COMMENT_KINDS = ("public", "internal")
AUTHOR_KINDS = ("agent", "requester", "system")
LINK_KINDS = ("related", "duplicate", "caused_by", "parent", "child")
ASSIGNMENT_MODES = ("manual", "round_robin", "least_busy")
# Allowed moves of the state machine; "reopen" is resolved/closed -> open (see tickets.states).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "pending", "resolved"),
    "open": ("pending", "resolved"),
    "pending": ("open", "resolved"),
    "resolved": ("closed", "open"),
    "closed": ("open",),
}


class TicketCounter(Base):
    """Hands out ticket numbers: one row per sequence, incremented under its row lock (no duplicates)."""

    __tablename__ = "ticket_counters"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer)


class Ticket(crmkit.VersionedMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index("ix_tickets_created", "created_at", "id"),
        sa.Index("ix_tickets_status_created", "status", "created_at", "id"),
        sa.Index("ix_tickets_account_created", "account_id", "created_at", "id"),
        sa.Index("ix_tickets_group_status", "group_id", "status"),
        sa.Index("ix_tickets_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    number: Mapped[int] = mapped_column(sa.Integer, unique=True)  # shown as T-<number>
    subject: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")
    type: Mapped[str] = mapped_column(sa.String(16), default="question")
    channel: Mapped[str] = mapped_column(sa.String(16))
    account_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    contact_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH))
    requester_email: Mapped[str | None] = mapped_column(sa.String(254))
    requester_name: Mapped[str | None] = mapped_column(sa.String(200))
    requester_known: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    group_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("ticket_groups.id"))
    assignee_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    flagged: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # e.g. a low satisfaction rating
    flag_reason: Mapped[str | None] = mapped_column(sa.String(200))
    merged_into_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    reopen_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    time_spent_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)
    comment_count: Mapped[int] = mapped_column(sa.Integer, default=0)  # numbers the conversation
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    @property
    def reference(self) -> str:
        """The ticket token people and mail subjects use: T-<number>."""
        return f"T-{self.number}"

    def next_comment_seq(self) -> int:
        """Number the next comment, so comments written at the same instant keep their order."""
        self.comment_count = (self.comment_count or 0) + 1
        return self.comment_count


class TicketComment(Base):
    """A public reply (the requester sees it) or an internal note (agents only)."""

    __tablename__ = "ticket_comments"
    __table_args__ = (sa.Index("ix_ticket_comments_ticket", "ticket_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    author_kind: Mapped[str] = mapped_column(sa.String(16))
    author_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))
    author_email: Mapped[str | None] = mapped_column(sa.String(254))
    body: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.String(16))
    seq: Mapped[int] = mapped_column(sa.Integer, default=0)  # order within the ticket (Ticket.comment_count)
    created_at: Mapped[datetime]


class TicketLink(Base):
    __tablename__ = "ticket_links"

    ticket_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"), primary_key=True
    )
    other_ticket_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]


class TimeEntry(Base):
    __tablename__ = "ticket_time_entries"
    __table_args__ = (sa.Index("ix_ticket_time_entries_ticket", "ticket_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"))
    agent_id: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    minutes: Mapped[int] = mapped_column(sa.Integer)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]


class TicketGroup(crmkit.VersionedMixin, Base):
    """A queue of tickets worked by a set of agents; `assignment` says how new tickets get an agent."""

    __tablename__ = "ticket_groups"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    assignment: Mapped[str] = mapped_column(sa.String(16), default="manual")
    last_assigned_id: Mapped[str | None] = mapped_column(sa.String(USER_ID_LENGTH))  # round-robin pointer
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    member_rows: Mapped[list[GroupMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="GroupMember.agent_id"
    )

    @property
    def members(self) -> list[str]:
        """The member agents' user ids, in assignment order."""
        return sorted(row.agent_id for row in self.member_rows)


class GroupMember(Base):
    __tablename__ = "ticket_group_members"

    group_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("ticket_groups.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH), primary_key=True)


class CannedResponse(crmkit.VersionedMixin, Base):
    __tablename__ = "canned_responses"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    body: Mapped[str] = mapped_column(sa.Text)
    group_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("ticket_groups.id"))
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
