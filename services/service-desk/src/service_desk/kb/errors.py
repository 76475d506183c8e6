"""Problems of the knowledge base (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class CategoryNotFound(crmkit.NotFound):
    code = "servicedesk.kb_category.not_found"


class CategoryNameTaken(crmkit.Conflict):
    title = "Name Taken"
    code = "servicedesk.kb_category.name_taken"


class CategoryInUse(crmkit.Conflict):
    """Articles are filed under the category; move or delete them first."""

    title = "Category In Use"
    code = "servicedesk.kb_category.in_use"


class ArticleNotFound(crmkit.NotFound):
    code = "servicedesk.kb_article.not_found"


class ArticleInvalid(crmkit.ValidationFailed):
    """A reference the article makes does not hold (unknown category or revision); `errors` names it."""

    code = "servicedesk.kb_article.invalid"


class RevisionNotFound(crmkit.NotFound):
    code = "servicedesk.kb_article.revision_not_found"


class LinkInvalid(crmkit.ValidationFailed):
    """The link names an unknown ticket (`errors` names `ticket_id`)."""

    code = "servicedesk.kb_link.invalid"
