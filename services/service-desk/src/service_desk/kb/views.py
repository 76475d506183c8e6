"""HTTP resources of the knowledge base: /api/v1/kb/..., and a ticket's linked and suggested articles.

Agents (and managers) see drafts and archived articles; everyone else sees published articles only.
Agents write drafts; managers publish, archive and delete.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from service_desk.http import created, etag, optional_version
from service_desk.kb import service
from service_desk.kb.schemas import (
    ArticleCreateSchema,
    ArticleLinkCreateSchema,
    ArticleLinkListSchema,
    ArticleLinkSchema,
    ArticleQuerySchema,
    ArticleSchema,
    ArticleUpdateSchema,
    CategoryCreateSchema,
    CategorySchema,
    CategoryWriteSchema,
    HitListSchema,
    LinkedArticleListSchema,
    PublishSchema,
    RevisionListSchema,
    RevisionSchema,
    SearchQuerySchema,
    SuggestionQuerySchema,
)
from service_desk.roles import AGENTS, MANAGERS

blp = crmkit.Blueprint(
    "kb", __name__, url_prefix="/api/v1/kb", description="Knowledge base: categories, articles, search."
)
ticket_articles_blp = crmkit.Blueprint(
    "ticket_articles",
    __name__,
    url_prefix="/api/v1/tickets",
    description="Knowledge articles linked to a ticket, and articles suggested for it.",
)


def _readers_see_published_only() -> bool:
    return not crmkit.current_principal().has_any_role((*AGENTS, "admin"))


@blp.route("/categories")
class Categories(MethodView):
    @blp.arguments(crmkit.PageQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(CategorySchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List knowledge base categories by name."""
        return service.list_categories(uow=current_uow(), query=query)

    @crmkit.require_roles(*MANAGERS)
    @crmkit.idempotent
    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a category."""
        category = service.create_category(uow=current_uow(), data=data)
        return category, created(url_for("kb.CategoryById", category_id=category.id), category.version)


@blp.route("/categories/<category_id>")
class CategoryById(MethodView):
    @blp.response(200, CategorySchema)
    def get(self, category_id: str) -> Any:
        """Read a category."""
        category = service.get_category(uow=current_uow(), category_id=category_id)
        return category, etag(category.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(CategoryWriteSchema)
    @blp.response(200, CategorySchema)
    def patch(self, data: dict[str, Any], category_id: str) -> Any:
        """Rename or describe a category (send If-Match with its ETag)."""
        category = service.update_category(
            uow=current_uow(), category_id=category_id, data=data, expected_version=crmkit.expected_version()
        )
        return category, etag(category.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, category_id: str) -> None:
        """Delete an empty category (send If-Match with its ETag)."""
        service.delete_category(
            uow=current_uow(), category_id=category_id, expected_version=crmkit.expected_version()
        )


@blp.route("/articles")
class Articles(MethodView):
    @blp.arguments(ArticleQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ArticleSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List articles, latest change first, by state and category."""
        return service.list_articles(
            uow=current_uow(), query=query, published_only=_readers_see_published_only()
        )

    @crmkit.require_roles(*AGENTS)
    @crmkit.idempotent
    @blp.arguments(ArticleCreateSchema)
    @blp.response(201, ArticleSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Write a draft article."""
        article = service.create_article(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return article, created(url_for("kb.ArticleById", article_id=article.id), article.version)


@blp.route("/articles/<article_id>")
class ArticleById(MethodView):
    @blp.response(200, ArticleSchema)
    def get(self, article_id: str) -> Any:
        """Read an article (drafts: agents only)."""
        article = service.get_article(
            uow=current_uow(), article_id=article_id, published_only=_readers_see_published_only()
        )
        return article, etag(article.version)

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(ArticleUpdateSchema)
    @blp.response(200, ArticleSchema)
    def patch(self, data: dict[str, Any], article_id: str) -> Any:
        """Edit an article: a new title or body is a new revision (send If-Match with its ETag)."""
        article = service.update_article(
            uow=current_uow(),
            article_id=article_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return article, etag(article.version)

    @crmkit.require_roles(*MANAGERS)
    @blp.response(204)
    def delete(self, article_id: str) -> None:
        """Delete an article with its revisions and ticket links (send If-Match with its ETag)."""
        service.delete_article(
            uow=current_uow(), article_id=article_id, expected_version=crmkit.expected_version()
        )


@blp.route("/articles/<article_id>/publish")
class ArticlePublish(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.arguments(PublishSchema)
    @blp.response(200, ArticleSchema)
    def post(self, data: dict[str, Any], article_id: str) -> Any:
        """Publish the latest (or a given) revision; If-Match is optional."""
        article = service.publish_article(
            uow=current_uow(),
            article_id=article_id,
            revision=data.get("revision"),
            expected_version=optional_version(),
        )
        return article, etag(article.version)


@blp.route("/articles/<article_id>/archive")
class ArticleArchive(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @blp.response(200, ArticleSchema)
    def post(self, article_id: str) -> Any:
        """Archive an article: readers and search no longer see it; If-Match is optional."""
        article = service.archive_article(
            uow=current_uow(), article_id=article_id, expected_version=optional_version()
        )
        return article, etag(article.version)


@blp.route("/articles/<article_id>/versions")
class ArticleVersions(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.response(200, RevisionListSchema)
    def get(self, article_id: str) -> Any:
        """List an article's revisions, newest first."""
        return {"items": service.list_revisions(uow=current_uow(), article_id=article_id)}


@blp.route("/articles/<article_id>/versions/<int:number>")
class ArticleVersion(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.response(200, RevisionSchema)
    def get(self, article_id: str, number: int) -> Any:
        """Read one revision of an article."""
        return service.get_revision(uow=current_uow(), article_id=article_id, number=number)


@blp.route("/articles/<article_id>/tickets")
class ArticleTickets(MethodView):
    @blp.response(200, ArticleLinkListSchema)
    def get(self, article_id: str) -> Any:
        """List the tickets this article is linked to."""
        return {"items": service.article_links(uow=current_uow(), article_id=article_id)}

    @crmkit.require_roles(*AGENTS)
    @blp.arguments(ArticleLinkCreateSchema)
    @blp.response(201, ArticleLinkSchema)
    def post(self, data: dict[str, Any], article_id: str) -> Any:
        """Link the article to a ticket."""
        return service.link_ticket(
            uow=current_uow(),
            article_id=article_id,
            ticket_id=data["ticket_id"],
            actor=crmkit.current_principal(),
        )


@blp.route("/articles/<article_id>/tickets/<ticket_id>")
class ArticleTicket(MethodView):
    @crmkit.require_roles(*AGENTS)
    @blp.response(204)
    def delete(self, article_id: str, ticket_id: str) -> None:
        """Unlink the article from a ticket."""
        service.unlink_ticket(uow=current_uow(), article_id=article_id, ticket_id=ticket_id)


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, HitListSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Search published articles: words (all), "phrases", -exclusions; best match first."""
        return {"items": service.search_articles(uow=current_uow(), query=query)}


@ticket_articles_blp.route("/<ticket_id>/articles")
class TicketArticles(MethodView):
    @ticket_articles_blp.response(200, LinkedArticleListSchema)
    def get(self, ticket_id: str) -> Any:
        """List the knowledge articles linked to the ticket."""
        return {"items": service.ticket_articles(uow=current_uow(), ticket_id=ticket_id)}


@ticket_articles_blp.route("/<ticket_id>/suggested-articles")
class TicketSuggestions(MethodView):
    @ticket_articles_blp.arguments(SuggestionQuerySchema, location="query")
    @ticket_articles_blp.response(200, HitListSchema)
    def get(self, query: dict[str, Any], ticket_id: str) -> Any:
        """Suggest published articles for the ticket, from its subject and description."""
        return {
            "items": service.suggest_for_ticket(uow=current_uow(), ticket_id=ticket_id, limit=query["limit"])
        }
