"""Knowledge base: categories, articles with their revisions (versions), links to tickets.

An article's `title`/`body` are its working copy (the latest revision). Publishing copies a revision to
`published_title`/`published_body`, which is what readers and full-text search see; editing a published
article creates a new revision without changing what is published until it is published again.
The search index (FTS5 on SQLite, a tsvector column with a GIN index on PostgreSQL) is built by the
migration from the published columns; see kb.search.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from service_desk.db import ID_LENGTH, USER_ID_LENGTH, Base, new_id

ARTICLE_STATUSES = ("draft", "published", "archived")


class KbCategory(crmkit.VersionedMixin, Base):
    __tablename__ = "kb_categories"

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KbArticle(crmkit.VersionedMixin, Base):
    __tablename__ = "kb_articles"
    __table_args__ = (
        sa.Index("ix_kb_articles_status_updated", "status", "updated_at", "id"),
        sa.Index("ix_kb_articles_category_updated", "category_id", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    category_id: Mapped[str | None] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("kb_categories.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    published_revision: Mapped[int | None] = mapped_column(sa.Integer)
    published_title: Mapped[str | None] = mapped_column(sa.String(300))
    published_body: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def has_unpublished_changes(self) -> bool:
        return self.status == "published" and self.published_revision != self.revision


class KbArticleRevision(Base):
    """One saved state of an article's title and body (revision 1, 2, ...)."""

    __tablename__ = "kb_article_revisions"

    article_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    created_at: Mapped[datetime]


class KbArticleTicket(Base):
    """An article linked to a ticket (it answered it, or an agent used it)."""

    __tablename__ = "kb_article_tickets"
    __table_args__ = (sa.Index("ix_kb_article_tickets_ticket", "ticket_id", "article_id"),)

    article_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[str] = mapped_column(
        sa.String(ID_LENGTH), sa.ForeignKey("tickets.id"), primary_key=True
    )
    linked_by: Mapped[str] = mapped_column(sa.String(USER_ID_LENGTH))
    linked_at: Mapped[datetime]
