"""Document use cases: upload, new version, read; bytes are stored before the commit and removed if it fails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import crmkit
from crmkit.types import utcnow
from projects.costs.guards import child_of, load_for, load_project, page_of
from projects.db import new_id
from projects.documents.errors import DocumentNotFound, DocumentProjectClosed, DocumentVersionNotFound
from projects.documents.intake import Upload
from projects.documents.models import Document, DocumentVersion
from projects.documents.storage import DocumentStore
from projects.projects.models import Project
from projects.team.service import CONTRIBUTE

UPLOADERS = (*CONTRIBUTE, "customer_representative")


def list_documents(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's documents (newest first), by category."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(uow.session, Document, project_id, query, filters=("category",))


def get_document(*, uow: crmkit.UnitOfWork, project_id: str, document_id: str) -> Document:
    """Read a document with its versions."""
    with uow:
        return child_of(uow.session, Document, project_id, document_id, DocumentNotFound)


def upload_document(
    *,
    uow: crmkit.UnitOfWork,
    store: DocumentStore,
    project_id: str,
    data: Mapping[str, Any],
    upload: Upload,
    actor: crmkit.Principal,
) -> Document:
    """Create a document from its first version."""
    now = utcnow()
    with uow:
        project = _open_project(uow, project_id, actor)
        document = Document(
            id=new_id(),
            project_id=project.id,
            title=data.get("title") or upload.filename,
            category=data.get("category") or "other",
            latest_number=1,
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
        )
        document.versions.append(_version(document, 1, upload, data.get("comment"), actor.subject))
        uow.session.add(document)
        _store_and_commit(uow, store, document.versions[-1], upload)
    return document


def add_version(
    *,
    uow: crmkit.UnitOfWork,
    store: DocumentStore,
    project_id: str,
    document_id: str,
    data: Mapping[str, Any],
    upload: Upload,
    actor: crmkit.Principal,
) -> Document:
    """Upload a new version of a document (earlier versions stay readable)."""
    with uow:
        _open_project(uow, project_id, actor)
        document = child_of(uow.session, Document, project_id, document_id, DocumentNotFound)
        document.latest_number += 1
        document.updated_at = utcnow()
        document.versions.append(
            _version(document, document.latest_number, upload, data.get("comment"), actor.subject)
        )
        _store_and_commit(uow, store, document.versions[-1], upload)
    return document


def read_version(
    *, uow: crmkit.UnitOfWork, store: DocumentStore, project_id: str, document_id: str, number: int | None
) -> tuple[DocumentVersion, Iterator[bytes]]:
    """A version's metadata and its bytes (the latest version when no number is given)."""
    with uow:
        document = child_of(uow.session, Document, project_id, document_id, DocumentNotFound)
        wanted = number or document.latest_number
        version = next((item for item in document.versions if item.number == wanted), None)
        if version is None:
            raise DocumentVersionNotFound(f"Document {document_id} has no version {wanted}.")
    return version, store.read(version.storage_key)


def _open_project(uow: crmkit.UnitOfWork, project_id: str, actor: crmkit.Principal) -> Project:
    project = load_for(uow.session, project_id, actor, UPLOADERS)
    if project.status == "closed":
        raise DocumentProjectClosed(f"Project {project.id} is closed; its documents are read-only.")
    return project


def _version(
    document: Document, number: int, upload: Upload, comment: str | None, actor_id: str
) -> DocumentVersion:
    return DocumentVersion(
        number=number,
        filename=upload.filename,
        content_type=upload.content_type,
        size_bytes=upload.size_bytes,
        sha256=upload.sha256,
        storage_key=f"{document.project_id}/{document.id}/{number}-{uuid.uuid4().hex}",
        comment=comment,
        uploaded_by=actor_id,
        uploaded_at=utcnow(),
    )


def _store_and_commit(
    uow: crmkit.UnitOfWork, store: DocumentStore, version: DocumentVersion, upload: Upload
) -> None:
    """Flush the rows (constraints checked), store the bytes, commit; remove the bytes if the commit fails."""
    uow.flush()
    store.put(version.storage_key, upload.content, upload.content_type)
    try:
        uow.commit()
    except BaseException:
        store.delete(version.storage_key)
        raise
