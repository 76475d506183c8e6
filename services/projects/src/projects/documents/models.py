"""Documents and their versions (the bytes live in the document store, keyed by `storage_key`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from projects.db import ID_LENGTH, Base, new_id

DOCUMENT_CATEGORIES = ("tender", "contract", "drawing", "approval", "site_log", "photo", "report", "other")


class Document(crmkit.VersionedMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (sa.Index("ix_documents_project", "project_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("projects.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(16))
    latest_number: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    versions: Mapped[list[DocumentVersion]] = relationship(
        order_by="DocumentVersion.number", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def latest(self) -> DocumentVersion:
        return self.versions[-1]


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(sa.String(ID_LENGTH), sa.ForeignKey("documents.id"))
    number: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(127))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    comment: Mapped[str | None] = mapped_column(sa.String(2000))
    uploaded_by: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime]
