"""Knowledge base use cases: categories, articles and their revisions, publishing, search, ticket links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.kb import search as fulltext
from service_desk.kb.errors import (
    ArticleInvalid,
    ArticleNotFound,
    CategoryInUse,
    CategoryNameTaken,
    CategoryNotFound,
    LinkInvalid,
    RevisionNotFound,
)
from service_desk.kb.models import KbArticle, KbArticleRevision, KbArticleTicket, KbCategory
from service_desk.tickets.models import Ticket
from service_desk.tickets.service import load_ticket

# --- categories ---------------------------------------------------------------------------------------


def list_categories(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    sort = crmkit.parse_sort(None, {"name": KbCategory.name}, "name", KbCategory.id)
    with uow:
        return crmkit.paginate(
            uow.session, sa.select(KbCategory), sort=sort, cursor=query["cursor"], limit=query["limit"]
        )


def get_category(*, uow: crmkit.UnitOfWork, category_id: str) -> KbCategory:
    with uow:
        return _category(uow.session, category_id)


def create_category(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> KbCategory:
    """Add a category."""
    now = clock.now()
    with uow:
        _refuse_taken_name(uow.session, data["name"], None)
        category = KbCategory(created_at=now, updated_at=now, **data)
        uow.session.add(category)
        uow.commit()
    return category


def update_category(
    *, uow: crmkit.UnitOfWork, category_id: str, data: Mapping[str, Any], expected_version: int
) -> KbCategory:
    """Rename or describe a category."""
    with uow:
        category = _category(uow.session, category_id)
        crmkit.check_version(category.version, expected_version)
        if "name" in data:
            _refuse_taken_name(uow.session, data["name"], category.id)
        for field, value in data.items():
            setattr(category, field, value)
        category.updated_at = clock.now()
        uow.commit()
    return category


def delete_category(*, uow: crmkit.UnitOfWork, category_id: str, expected_version: int) -> None:
    """Delete an empty category."""
    with uow:
        category = _category(uow.session, category_id)
        crmkit.check_version(category.version, expected_version)
        used = uow.session.scalar(sa.select(sa.func.count()).where(KbArticle.category_id == category_id))
        if used:
            raise CategoryInUse(f"{used} article(s) are filed under this category.", articles=used)
        uow.session.delete(category)
        uow.commit()


# --- articles ---------------------------------------------------------------------------------------------


def list_articles(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any], published_only: bool) -> crmkit.Page:
    """Page through articles, newest change first, by state and category."""
    stmt = sa.select(KbArticle)
    status = "published" if published_only else query.get("status")
    if status:
        stmt = stmt.where(KbArticle.status == status)
    if query.get("category_id"):
        stmt = stmt.where(KbArticle.category_id == query["category_id"])
    sort = crmkit.parse_sort(None, {"updated_at": KbArticle.updated_at}, "-updated_at", KbArticle.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_article(*, uow: crmkit.UnitOfWork, article_id: str, published_only: bool) -> KbArticle:
    with uow:
        return _article(uow.session, article_id, published_only=published_only)


def create_article(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> KbArticle:
    """Write a draft article (revision 1)."""
    now = clock.now()
    with uow:
        _check_category(uow.session, data.get("category_id"))
        article = KbArticle(
            status="draft", revision=1, created_by=actor.subject, created_at=now, updated_at=now, **data
        )
        uow.session.add(article)
        uow.flush()
        _add_revision(uow.session, article, actor)
        uow.commit()
    return article


def update_article(
    *,
    uow: crmkit.UnitOfWork,
    article_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> KbArticle:
    """Edit an article; a new title or body becomes the next revision."""
    with uow:
        article = _article(uow.session, article_id)
        crmkit.check_version(article.version, expected_version)
        if "category_id" in data:
            _check_category(uow.session, data["category_id"])
        new_text = any(
            field in data and data[field] != getattr(article, field) for field in ("title", "body")
        )
        for field, value in data.items():
            setattr(article, field, value)
        article.updated_at = clock.now()
        if new_text:
            article.revision += 1
            uow.flush()
            _add_revision(uow.session, article, actor)
        uow.commit()
    return article


def publish_article(
    *, uow: crmkit.UnitOfWork, article_id: str, revision: int | None, expected_version: int | None
) -> KbArticle:
    """Publish a revision (default: the latest): readers and search see it from now on."""
    with uow:
        article = _article(uow.session, article_id)
        if expected_version is not None:
            crmkit.check_version(article.version, expected_version)
        number = revision or article.revision
        chosen = uow.session.get(KbArticleRevision, (article.id, number))
        if chosen is None:
            field_error = {"field": "revision", "message": "the article has no such revision", "in": "json"}
            raise ArticleInvalid(f"Article {article.id} has no revision {number}.", errors=[field_error])
        now = clock.now()
        article.status, article.published_revision = "published", number
        article.published_title, article.published_body = chosen.title, chosen.body
        article.published_at = article.updated_at = now
        uow.commit()
    return article


def archive_article(*, uow: crmkit.UnitOfWork, article_id: str, expected_version: int | None) -> KbArticle:
    """Take an article out of circulation (no longer listed for readers nor found by search)."""
    with uow:
        article = _article(uow.session, article_id)
        if expected_version is not None:
            crmkit.check_version(article.version, expected_version)
        article.status = "archived"
        article.updated_at = clock.now()
        uow.commit()
    return article


def delete_article(*, uow: crmkit.UnitOfWork, article_id: str, expected_version: int) -> None:
    with uow:
        article = _article(uow.session, article_id)
        crmkit.check_version(article.version, expected_version)
        uow.session.execute(sa.delete(KbArticleTicket).where(KbArticleTicket.article_id == article.id))
        uow.session.execute(sa.delete(KbArticleRevision).where(KbArticleRevision.article_id == article.id))
        uow.session.delete(article)
        uow.commit()


def list_revisions(*, uow: crmkit.UnitOfWork, article_id: str) -> list[KbArticleRevision]:
    with uow:
        _article(uow.session, article_id)
        stmt = (
            sa.select(KbArticleRevision)
            .where(KbArticleRevision.article_id == article_id)
            .order_by(KbArticleRevision.number.desc())
        )
        return list(uow.session.scalars(stmt))


def get_revision(*, uow: crmkit.UnitOfWork, article_id: str, number: int) -> KbArticleRevision:
    with uow:
        _article(uow.session, article_id)
        revision = uow.session.get(KbArticleRevision, (article_id, number))
        if revision is None:
            raise RevisionNotFound(f"Article {article_id} has no revision {number}.")
        return revision


# --- search, links, suggestions ----------------------------------------------------------------------------


def search_articles(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Published articles matching the words and phrases, best first, with a highlighted snippet."""
    with uow:
        hits = fulltext.search(
            uow.session,
            fulltext.Query.parse(query["q"]),
            limit=query["limit"],
            category_id=query.get("category_id"),
        )
        return _with_articles(uow.session, hits)


def suggest_for_ticket(*, uow: crmkit.UnitOfWork, ticket_id: str, limit: int) -> list[dict[str, Any]]:
    """Published articles about what the ticket's subject and description say, best first."""
    with uow:
        ticket = load_ticket(uow.session, ticket_id)
        wanted = fulltext.Query.any_of([ticket.subject, ticket.description or ""])
        return _with_articles(uow.session, fulltext.search(uow.session, wanted, limit=limit))


def link_ticket(
    *, uow: crmkit.UnitOfWork, article_id: str, ticket_id: str, actor: crmkit.Principal
) -> KbArticleTicket:
    """Link an article to a ticket (linking twice keeps the first link)."""
    with uow:
        _article(uow.session, article_id)
        if uow.session.get(Ticket, ticket_id) is None:
            field_error = {"field": "ticket_id", "message": "no such ticket", "in": "json"}
            raise LinkInvalid(f"There is no ticket {ticket_id}.", errors=[field_error])
        link = uow.session.get(KbArticleTicket, (article_id, ticket_id))
        if link is None:
            link = KbArticleTicket(
                article_id=article_id, ticket_id=ticket_id, linked_by=actor.subject, linked_at=clock.now()
            )
            uow.session.add(link)
            uow.commit()
    return link


def unlink_ticket(*, uow: crmkit.UnitOfWork, article_id: str, ticket_id: str) -> None:
    with uow:
        _article(uow.session, article_id)
        uow.session.execute(
            sa.delete(KbArticleTicket).where(
                KbArticleTicket.article_id == article_id, KbArticleTicket.ticket_id == ticket_id
            )
        )
        uow.commit()


def article_links(*, uow: crmkit.UnitOfWork, article_id: str) -> list[KbArticleTicket]:
    with uow:
        _article(uow.session, article_id)
        stmt = (
            sa.select(KbArticleTicket)
            .where(KbArticleTicket.article_id == article_id)
            .order_by(KbArticleTicket.linked_at, KbArticleTicket.ticket_id)
        )
        return list(uow.session.scalars(stmt))


def ticket_articles(*, uow: crmkit.UnitOfWork, ticket_id: str) -> list[KbArticle]:
    """The articles linked to a ticket, in the order they were linked."""
    with uow:
        load_ticket(uow.session, ticket_id)
        stmt = (
            sa.select(KbArticle)
            .join(KbArticleTicket, KbArticleTicket.article_id == KbArticle.id)
            .where(KbArticleTicket.ticket_id == ticket_id)
            .order_by(KbArticleTicket.linked_at, KbArticle.id)
        )
        return list(uow.session.scalars(stmt))


# --- helpers ---------------------------------------------------------------------------------------------------


def _with_articles(session: Session, hits: list[fulltext.Hit]) -> list[dict[str, Any]]:
    articles = {
        article.id: article
        for article in session.scalars(
            sa.select(KbArticle).where(KbArticle.id.in_([hit.article_id for hit in hits]))
        )
    }
    return [
        {"article": articles[hit.article_id], "rank": hit.rank, "snippet": hit.snippet}
        for hit in hits
        if hit.article_id in articles
    ]


def _add_revision(session: Session, article: KbArticle, actor: crmkit.Principal) -> None:
    session.add(
        KbArticleRevision(
            article_id=article.id,
            number=article.revision,
            title=article.title,
            body=article.body,
            created_by=actor.subject,
            created_at=article.updated_at,
        )
    )


def _category(session: Session, category_id: str) -> KbCategory:
    category = session.get(KbCategory, category_id)
    if category is None:
        raise CategoryNotFound(f"There is no knowledge base category {category_id}.")
    return category


def _check_category(session: Session, category_id: str | None) -> None:
    if category_id and session.get(KbCategory, category_id) is None:
        field_error = {"field": "category_id", "message": "no such category", "in": "json"}
        raise ArticleInvalid(f"There is no knowledge base category {category_id}.", errors=[field_error])


def _article(session: Session, article_id: str, *, published_only: bool = False) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None or (published_only and article.status != "published"):
        raise ArticleNotFound(f"There is no knowledge base article {article_id}.")
    return article


def _refuse_taken_name(session: Session, name: str, own_id: str | None) -> None:
    other = session.scalars(sa.select(KbCategory.id).where(KbCategory.name == name)).first()
    if other is not None and other != own_id:
        raise CategoryNameTaken(
            f"A category named {name!r} exists.",
            errors=[{"field": "name", "message": "is taken", "in": "json"}],
        )
