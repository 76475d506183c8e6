"""HTTP resources of quotes: /api/v1/quotes, versions, approval, send/accept/reject/expire, the document;
and /api/v1/discount-rules."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.http import created, etag
from sales.quotes import approval, lifecycle, service
from sales.quotes.document import render_quote, render_quote_pdf
from sales.quotes.schemas import (
    DiscountRuleCreateSchema,
    DiscountRuleSchema,
    DiscountRuleUpdateSchema,
    DocumentQuerySchema,
    QuoteCreateSchema,
    QuoteNoteSchema,
    QuoteQuerySchema,
    QuoteSchema,
    QuoteWriteSchema,
)
from sales.roles import MANAGERS, SELLERS

blp = crmkit.Blueprint(
    "quotes",
    __name__,
    url_prefix="/api/v1/quotes",
    description="Quotes priced from the price list, with versions, discount approval and a document.",
)
rules = crmkit.Blueprint(
    "discount_rules",
    __name__,
    url_prefix="/api/v1/discount-rules",
    description="Discount limits per role and customer tier; above them a quote needs approval.",
)
RULE_ADMINS = ("management",)


@blp.route("")
class Quotes(MethodView):
    @blp.arguments(QuoteQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(QuoteSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the quote versions you may see (filters: opportunity_id, account_id, number, status, owner)."""
        return service.list_quotes(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @blp.arguments(QuoteCreateSchema)
    @blp.response(201, QuoteSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Draft a quote for an open opportunity; prices come from the currency's price list."""
        quote = service.create_quote(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return quote, created(url_for("quotes.QuoteById", quote_id=quote.id), quote.version)


@blp.route("/<quote_id>")
class QuoteById(MethodView):
    @blp.response(200, QuoteSchema)
    def get(self, quote_id: str) -> Any:
        """Read one quote version with its lines and totals."""
        quote = service.get_quote(uow=current_uow(), quote_id=quote_id, actor=crmkit.current_principal())
        return quote, etag(quote.version)

    @crmkit.require_roles(*SELLERS)
    @blp.arguments(QuoteWriteSchema)
    @blp.response(200, QuoteSchema)
    def patch(self, data: dict[str, Any], quote_id: str) -> Any:
        """Change a draft (send If-Match); lines are replaced and re-priced."""
        quote = service.update_quote(
            uow=current_uow(),
            quote_id=quote_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return quote, etag(quote.version)


@blp.route("/<quote_id>/revisions")
class QuoteRevisions(MethodView):
    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @blp.response(201, QuoteSchema)
    def post(self, quote_id: str) -> Any:
        """Start the next version of a quote (a draft); this version becomes read-only (superseded)."""
        quote = service.revise_quote(uow=current_uow(), quote_id=quote_id, actor=crmkit.current_principal())
        return quote, created(url_for("quotes.QuoteById", quote_id=quote.id), quote.version)


def _action(name: str, use_case: Any, roles: tuple[str, ...], with_note: bool, doc: str) -> None:
    """Register POST /<quote_id>/<name> running `use_case` (one view class per action)."""

    def post(self: Any, *args: Any, **kwargs: Any) -> Any:
        data = args[0] if with_note else {}
        extra = {"note": data.get("note")} if with_note else {}
        quote = use_case(
            uow=current_uow(), quote_id=kwargs["quote_id"], actor=crmkit.current_principal(), **extra
        )
        return quote, etag(quote.version)

    post.__doc__ = doc
    view = crmkit.require_roles(*roles)(post)
    if with_note:
        view = blp.arguments(QuoteNoteSchema)(view)
    view = blp.response(200, QuoteSchema)(view)
    blp.route(f"/<quote_id>/{name}")(type(f"Quote_{name.replace('-', '_')}", (MethodView,), {"post": view}))


_action(
    "approval-request",
    lifecycle.request_approval,
    SELLERS,
    True,
    "Ask a sales manager to approve the discount.",
)
_action("approve", lifecycle.approve_quote, MANAGERS, True, "Approve the discount of a quote waiting for it.")
_action(
    "decline", lifecycle.decline_approval, MANAGERS, True, "Decline the discount: the quote returns to draft."
)
_action(
    "send", lifecycle.send_quote, SELLERS, False, "Send the quote to the customer (approval first if needed)."
)
_action(
    "accept",
    lifecycle.accept_quote,
    SELLERS,
    True,
    "Record acceptance: the opportunity is won, an order confirmed.",
)
_action("reject", lifecycle.reject_quote, SELLERS, True, "Record that the customer rejected the quote.")
_action("expire", lifecycle.expire_quote, SELLERS, False, "Mark a sent quote as expired.")


@blp.route("/<quote_id>/document")
class QuoteDocument(MethodView):
    @blp.arguments(DocumentQuerySchema, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "The quote as HTML (default) or PDF (`format=pdf`)",
                "content": {"text/html": {}, "application/pdf": {}},
            }
        }
    )
    def get(self, query: dict[str, Any], quote_id: str) -> Any:
        """Render the quote as an HTML (or PDF) document."""
        quote, account_name = service.document_of(
            uow=current_uow(), quote_id=quote_id, actor=crmkit.current_principal()
        )
        if query["format"] == "pdf":
            headers = {"Content-Disposition": f'inline; filename="{quote.number}-rev{quote.revision}.pdf"'}
            return Response(
                render_quote_pdf(quote, account_name), mimetype="application/pdf", headers=headers
            )
        return Response(render_quote(quote, account_name), mimetype="text/html")


@rules.route("")
class DiscountRules(MethodView):
    @rules.response(200, DiscountRuleSchema(many=True))
    def get(self) -> Any:
        """List the discount rules by role and tier."""
        return approval.list_rules(uow=current_uow())

    @crmkit.require_roles(*RULE_ADMINS)
    @rules.arguments(DiscountRuleCreateSchema)
    @rules.response(201, DiscountRuleSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Set how much discount a role may give a tier (`any`: every tier) without approval."""
        rule = approval.create_rule(uow=current_uow(), data=data)
        return rule, created(url_for("discount_rules.DiscountRuleById", rule_id=rule.id), rule.version)


@rules.route("/<rule_id>")
class DiscountRuleById(MethodView):
    @rules.response(200, DiscountRuleSchema)
    def get(self, rule_id: str) -> Any:
        """Read a discount rule."""
        rule = approval.get_rule(uow=current_uow(), rule_id=rule_id)
        return rule, etag(rule.version)

    @crmkit.require_roles(*RULE_ADMINS)
    @rules.arguments(DiscountRuleUpdateSchema)
    @rules.response(200, DiscountRuleSchema)
    def patch(self, data: dict[str, Any], rule_id: str) -> Any:
        """Change a rule's limit (send If-Match)."""
        rule = approval.update_rule(
            uow=current_uow(), rule_id=rule_id, data=data, expected_version=crmkit.expected_version()
        )
        return rule, etag(rule.version)

    @crmkit.require_roles(*RULE_ADMINS)
    @rules.response(204)
    def delete(self, rule_id: str) -> None:
        """Remove a rule (send If-Match)."""
        approval.delete_rule(uow=current_uow(), rule_id=rule_id, expected_version=crmkit.expected_version())
