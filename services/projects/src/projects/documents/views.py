"""HTTP resources of documents: upload (multipart), versions and downloads under /api/v1/projects/{id}."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import closing
from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.costs.config import control_settings
from projects.documents import service
from projects.documents.errors import DocumentTooLarge
from projects.documents.intake import take_upload
from projects.documents.schemas import (
    DocumentFileSchema,
    DocumentFormSchema,
    DocumentQuerySchema,
    DocumentSchema,
    VersionFormSchema,
)
from projects.documents.storage import DocumentStore, store_for
from projects.http import created, etag

MULTIPART = "multipart/form-data"
TEXT_PART = {"type": "string"}
FILE_PART = {"type": "string", "format": "binary", "description": "The file (size and type limits apply)"}


def multipart_body(**fields: dict[str, str]) -> dict[str, object]:
    """The OpenAPI request body of an upload: the file part and the text parts (documented in one schema)."""
    properties = {"file": FILE_PART, **fields}
    schema = {"type": "object", "properties": properties, "required": ["file"]}
    return {"requestBody": {"required": True, "content": {MULTIPART: {"schema": schema}}}}


FORM_OVERHEAD = 64 * 1024  # room for the multipart headers and the small form fields

blp = crmkit.Blueprint(
    "documents",
    __name__,
    url_prefix="/api/v1/projects/<project_id>/documents",
    description="Project documents (tender papers, drawings, approvals, site logs, photos) with versions.",
)


def size_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a body beyond the document size limit before it is read (413), and let one up to it in."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        limit = control_settings().document_max_bytes
        if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
            raise DocumentTooLarge(f"The upload is larger than the limit of {limit} bytes.", max_bytes=limit)
        request.max_content_length = limit + FORM_OVERHEAD
        return view(*args, **kwargs)

    return wrapper


def document_store() -> DocumentStore:
    """This app's document store (built once, from the settings)."""
    services = crmkit.runtime(current_app).services
    if "projects.documents" not in services:
        services["projects.documents"] = store_for(control_settings())
    store: DocumentStore = services["projects.documents"]
    return store


@blp.route("")
class Documents(MethodView):
    @blp.arguments(DocumentQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(DocumentSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's documents, by category."""
        return service.list_documents(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.accepts_body(MULTIPART)
    @size_limited
    @blp.doc(**multipart_body(title=TEXT_PART, category=TEXT_PART, comment=TEXT_PART))
    @blp.arguments(DocumentFormSchema, location="form")
    @blp.arguments(DocumentFileSchema, location="files")
    @blp.response(201, DocumentSchema)
    @blp.alt_response(
        413, description="Larger than PROJECTS_DOCUMENT_MAX_BYTES (`projects.document.too_large`)"
    )
    @blp.alt_response(415, description="Type not allowed (`projects.document.type_unsupported`)")
    def post(self, form: dict[str, Any], files: dict[str, Any], project_id: str) -> Any:
        """Upload a document (multipart: `file`, optional `title`, `category`, `comment`)."""
        with closing(take_upload(files["file"], control_settings())) as upload:
            document = service.upload_document(
                uow=current_uow(),
                store=document_store(),
                project_id=project_id,
                data=form,
                upload=upload,
                actor=crmkit.current_principal(),
            )
        location = url_for("documents.DocumentById", project_id=project_id, document_id=document.id)
        return document, created(location, document.version)


@blp.route("/<document_id>")
class DocumentById(MethodView):
    @blp.response(200, DocumentSchema)
    def get(self, project_id: str, document_id: str) -> Any:
        """Read a document and the list of its versions."""
        document = service.get_document(uow=current_uow(), project_id=project_id, document_id=document_id)
        return document, etag(document.version)


@blp.route("/<document_id>/versions")
class DocumentVersions(MethodView):
    @crmkit.accepts_body(MULTIPART)
    @size_limited
    @blp.doc(**multipart_body(comment=TEXT_PART))
    @blp.arguments(VersionFormSchema, location="form")
    @blp.arguments(DocumentFileSchema, location="files")
    @blp.response(201, DocumentSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any], project_id: str, document_id: str) -> Any:
        """Upload a new version of a document (multipart: `file`, optional `comment`)."""
        with closing(take_upload(files["file"], control_settings())) as upload:
            document = service.add_version(
                uow=current_uow(),
                store=document_store(),
                project_id=project_id,
                document_id=document_id,
                data=form,
                upload=upload,
                actor=crmkit.current_principal(),
            )
        return document, etag(document.version)


@blp.route("/<document_id>/content")
class DocumentContent(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, project_id: str, document_id: str) -> Response:
        """Download the latest version's bytes."""
        return _download(project_id, document_id, None)


@blp.route("/<document_id>/versions/<int:number>/content")
class DocumentVersionContent(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, project_id: str, document_id: str, number: int) -> Response:
        """Download one version's bytes."""
        return _download(project_id, document_id, number)


def _download(project_id: str, document_id: str, number: int | None) -> Response:
    version, chunks = service.read_version(
        uow=current_uow(),
        store=document_store(),
        project_id=project_id,
        document_id=document_id,
        number=number,
    )
    response = Response(chunks, mimetype=version.content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(version.size_bytes)
    response.headers["ETag"] = f'"{version.sha256}"'
    response.headers.set("Content-Disposition", "attachment", filename=version.filename)
    return response
