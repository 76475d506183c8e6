"""Request and response schemas of documents (uploads are multipart/form-data)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

import crmkit
from projects.documents.models import DOCUMENT_CATEGORIES
from projects.fields import Timestamp


class DocumentFormSchema(crmkit.Schema):
    title = ma.fields.String(
        validate=ma.validate.Length(1, 200), metadata={"description": "Default: file name"}
    )
    category = ma.fields.String(validate=ma.validate.OneOf(DOCUMENT_CATEGORIES))
    comment = ma.fields.String(validate=ma.validate.Length(1, 2000))


class VersionFormSchema(crmkit.Schema):
    comment = ma.fields.String(validate=ma.validate.Length(1, 2000))


class DocumentFileSchema(crmkit.Schema):
    file = Upload(required=True, metadata={"description": "The file (size and type limits apply)"})


class DocumentVersionSchema(crmkit.Schema):
    number = ma.fields.Integer()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size_bytes = ma.fields.Integer()
    sha256 = ma.fields.String()
    comment = ma.fields.String(allow_none=True)
    uploaded_by = ma.fields.String()
    uploaded_at = Timestamp()


class DocumentSchema(crmkit.Schema):
    id = ma.fields.String()
    project_id = ma.fields.String()
    title = ma.fields.String()
    category = ma.fields.String()
    latest_number = ma.fields.Integer()
    versions = ma.fields.List(ma.fields.Nested(DocumentVersionSchema))
    created_by = ma.fields.String()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class DocumentQuerySchema(crmkit.PageQuerySchema):
    category = ma.fields.String(validate=ma.validate.OneOf(DOCUMENT_CATEGORIES))
