"""Knowledge base schemas: categories, articles, revisions, search results, ticket links."""

from __future__ import annotations

import marshmallow as ma

import crmkit
from service_desk.fields import Timestamp
from service_desk.kb.models import ARTICLE_STATUSES

ID = ma.validate.Length(1, 64)
TITLE = ma.validate.Length(1, 300)
BODY = ma.validate.Length(1, 200_000)
MAX_TAGS = 20


class CategoryWriteSchema(crmkit.Schema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(0, 500))


class CategoryCreateSchema(CategoryWriteSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))


class CategorySchema(crmkit.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class ArticleWriteSchema(crmkit.Schema):
    title = ma.fields.String(validate=TITLE)
    body = ma.fields.String(validate=BODY)
    category_id = ma.fields.String(allow_none=True, validate=ID)
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(1, 50)), validate=ma.validate.Length(0, MAX_TAGS)
    )


class ArticleCreateSchema(ArticleWriteSchema):
    title = ma.fields.String(required=True, validate=TITLE)
    body = ma.fields.String(required=True, validate=BODY)


class ArticleUpdateSchema(ArticleWriteSchema):
    """Fields to change; a new title or body is a new revision (what is published stays until republished)."""


class PublishSchema(crmkit.Schema):
    revision = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "the revision to publish (default: latest)"},
    )


class ArticleSchema(crmkit.Schema):
    id = ma.fields.String()
    category_id = ma.fields.String(allow_none=True)
    title = ma.fields.String(metadata={"description": "working copy (latest revision)"})
    body = ma.fields.String()
    tags = ma.fields.List(ma.fields.String())
    status = ma.fields.String(metadata={"description": "draft, published or archived"})
    revision = ma.fields.Integer(metadata={"description": "latest revision number"})
    published_revision = ma.fields.Integer(allow_none=True)
    published_title = ma.fields.String(allow_none=True)
    published_body = ma.fields.String(allow_none=True)
    published_at = Timestamp(allow_none=True)
    has_unpublished_changes = ma.fields.Boolean()
    created_by = ma.fields.String()
    created_at = Timestamp()
    updated_at = Timestamp()
    version = ma.fields.Integer()


class ArticleQuerySchema(crmkit.PageQuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(ARTICLE_STATUSES))
    category_id = ma.fields.String(validate=ID)


class RevisionSchema(crmkit.Schema):
    number = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    created_by = ma.fields.String()
    created_at = Timestamp()


class RevisionListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(RevisionSchema))


class SearchQuerySchema(crmkit.Schema):
    q = ma.fields.String(
        required=True,
        validate=ma.validate.Length(1, 500),
        metadata={"description": 'words (all required), "quoted phrases", -excluded'},
    )
    category_id = ma.fields.String(validate=ID)
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 50))


class HitSchema(crmkit.Schema):
    article = ma.fields.Nested(ArticleSchema)
    rank = ma.fields.Float(metadata={"description": "higher is better; comparable within one answer only"})
    snippet = ma.fields.String(metadata={"description": "matching text with <mark> around the hits"})


class HitListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(HitSchema))


class ArticleLinkCreateSchema(crmkit.Schema):
    ticket_id = ma.fields.String(required=True, validate=ID)


class ArticleLinkSchema(crmkit.Schema):
    article_id = ma.fields.String()
    ticket_id = ma.fields.String()
    linked_by = ma.fields.String()
    linked_at = Timestamp()


class ArticleLinkListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(ArticleLinkSchema))


class LinkedArticleListSchema(crmkit.Schema):
    items = ma.fields.List(ma.fields.Nested(ArticleSchema))


class SuggestionQuerySchema(crmkit.Schema):
    limit = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 20))
