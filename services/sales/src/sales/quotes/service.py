"""Quote use cases: price from the price list, revise into versions, approve discounts, send and decide.

Each use case opens the unit of work, applies the rules, records its events in the outbox and commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales import access
from sales.accounts.models import AccountView
from sales.catalog.models import PriceList, Product
from sales.catalog.service import price_list_for
from sales.opportunities.models import Opportunity
from sales.quotes.approval import approval_threshold
from sales.quotes.errors import (
    QuoteInvalid,
    QuoteNotEditable,
    QuoteNotFound,
    QuoteOpportunityInvalid,
    QuoteTransitionInvalid,
)
from sales.quotes.models import REVISABLE, Quote, QuoteLine, next_number
from sales.quotes.pricing import MAX_MONEY
from sales.roles import OPPORTUNITY_READERS

DEFAULT_VALIDITY = timedelta(days=30)
SORTS = {"created_at": Quote.created_at, "number": Quote.number, "valid_until": Quote.valid_until}


# --- reading ---------------------------------------------------------------------------------------------


def load_quote(session: Session, quote_id: str) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise QuoteNotFound(f"There is no quote {quote_id}.")
    return quote


def load_visible(session: Session, quote_id: str, actor: crmkit.Principal) -> Quote:
    """Load a quote the caller may read (readers per roles.py; a 403 names whose it is not)."""
    quote = load_quote(session, quote_id)
    access.require_view(actor, quote.owner_id, quote.owner_team, OPPORTUNITY_READERS)
    return quote


def load_editable(session: Session, quote_id: str, actor: crmkit.Principal) -> Quote:
    quote = load_quote(session, quote_id)
    access.require_edit(actor, quote.owner_id, quote.owner_team)
    return quote


def get_quote(*, uow: crmkit.UnitOfWork, quote_id: str, actor: crmkit.Principal) -> Quote:
    """Read one quote version."""
    with uow:
        return load_visible(uow.session, quote_id, actor)


def list_quotes(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal) -> crmkit.Page:
    """Page through the quote versions the caller may see, filtered by opportunity, account, number..."""
    stmt = access.visible(sa.select(Quote), actor, Quote.owner_id, Quote.owner_team, OPPORTUNITY_READERS)
    filters = {
        "opportunity_id": Quote.opportunity_id,
        "account_id": Quote.account_id,
        "number": Quote.number,
        "status": Quote.status,
        "owner": Quote.owner_id,
    }
    for name, column in filters.items():
        if query.get(name):
            stmt = stmt.where(column == query[name])
    if query.get("current"):
        stmt = stmt.where(Quote.status != "superseded")
    sort = crmkit.parse_sort(query.get("sort"), SORTS, "-created_at", Quote.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


# --- drafting --------------------------------------------------------------------------------------------


def create_quote(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Quote:
    """Draft revision 1 of a new quote for an open opportunity, priced from the currency's price list."""
    now = utcnow()
    with uow:
        session = uow.session
        opportunity = _quotable_opportunity(session, data["opportunity_id"], actor)
        currency = data.get("currency") or opportunity.currency
        price_list = _price_list(session, currency)
        quote = Quote(
            number=next_number(session, "quote", "Q"),
            revision=1,
            title=data.get("title") or opportunity.name,
            opportunity_id=opportunity.id,
            account_id=opportunity.account_id,
            owner_id=opportunity.owner_id,
            owner_team=opportunity.owner_team,
            currency=currency,
            price_list_id=price_list.id,
            overall_discount_percent=data.get("overall_discount_percent", 0),
            valid_until=data.get("valid_until") or (now + DEFAULT_VALIDITY).date(),
            notes=data.get("notes"),
            created_at=now,
            updated_at=now,
            created_by=actor.subject,
        )
        quote.lines = _priced_lines(session, price_list, data["lines"])
        _price(session, quote, actor)
        session.add(quote)
        uow.commit()
    return quote


def update_quote(
    *,
    uow: crmkit.UnitOfWork,
    quote_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Quote:
    """Change a draft (lines are replaced and re-priced from the price list); other versions are read-only."""
    with uow:
        session = uow.session
        quote = load_editable(session, quote_id, actor)
        crmkit.check_version(quote.version, expected_version)
        if quote.status != "draft":
            raise QuoteNotEditable(f"Quote {quote.number} rev {quote.revision} is {quote.status}; revise it.")
        for field in ("title", "valid_until", "overall_discount_percent", "notes"):
            if field in data:
                setattr(quote, field, data[field])
        if "lines" in data:
            quote.lines = _priced_lines(
                session, session.get_one(PriceList, quote.price_list_id), data["lines"]
            )
        _price(session, quote, actor)
        quote.updated_at = utcnow()
        uow.commit()
    return quote


def revise_quote(*, uow: crmkit.UnitOfWork, quote_id: str, actor: crmkit.Principal) -> Quote:
    """Start the next version of a quote as a draft (lines re-priced); the old version becomes read-only."""
    now = utcnow()
    with uow:
        session = uow.session
        old = load_editable(session, quote_id, actor)
        if old.status not in REVISABLE:
            raise QuoteTransitionInvalid(f"A {old.status} quote cannot be revised.", status=old.status)
        price_list = session.get_one(PriceList, old.price_list_id)
        new = Quote(
            number=old.number,
            revision=old.revision + 1,
            previous_id=old.id,
            **{field: getattr(old, field) for field in _COPIED},
            valid_until=max(old.valid_until, (now + DEFAULT_VALIDITY).date()),
            created_at=now,
            updated_at=now,
            created_by=actor.subject,
        )
        new.lines = _priced_lines(session, price_list, [_line_input(line) for line in old.lines])
        _price(session, new, actor)
        old.status, old.updated_at = "superseded", now
        session.add(new)
        uow.commit()
    return new


_COPIED = (
    "title",
    "opportunity_id",
    "account_id",
    "owner_id",
    "owner_team",
    "currency",
    "price_list_id",
    "overall_discount_percent",
    "notes",
)


def _line_input(line: QuoteLine) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "quantity": line.quantity,
        "discount_percent": line.discount_percent,
        "tax_rate": line.tax_rate,
        "description": line.description,
    }


def _quotable_opportunity(session: Session, opportunity_id: str, actor: crmkit.Principal) -> Opportunity:
    opportunity = session.get(Opportunity, opportunity_id)
    problem = None
    if opportunity is None or not access.can_view(actor, opportunity.owner_id, opportunity.owner_team):
        problem = "no such opportunity"
    elif not access.can_edit(actor, opportunity.owner_id, opportunity.owner_team):
        problem = "you may not quote on this opportunity"
    elif opportunity.status != "open":
        problem = f"the opportunity is {opportunity.status}"
    if problem is not None or opportunity is None:
        error = {"field": "opportunity_id", "message": problem, "in": "json"}
        raise QuoteOpportunityInvalid("The quote's opportunity cannot be quoted on.", errors=[error])
    return opportunity


def _price_list(session: Session, currency: str) -> PriceList:
    price_list = price_list_for(session, currency)
    if price_list is None:
        error = {"field": "currency", "message": f"there is no {currency} price list", "in": "json"}
        raise QuoteInvalid("Quotes take their prices from the currency's price list.", errors=[error])
    return price_list


def _priced_lines(session: Session, price_list: PriceList, items: list[Mapping[str, Any]]) -> list[QuoteLine]:
    """Build lines with the price list's unit prices; a problem names every line that cannot be priced."""
    ids = {item["product_id"] for item in items}
    products = {p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids)))}
    lines, errors = [], []
    for index, item in enumerate(items):
        product = products.get(item["product_id"])
        unit_price = price_list.price_of(item["product_id"]) if product else None
        if product is None or not product.active or unit_price is None:
            reason = (
                "no such product"
                if product is None
                else "inactive product"
                if not product.active
                else (f"no price in the {price_list.currency} price list")
            )
            errors.append({"field": f"lines.{index}.product_id", "message": reason, "in": "json"})
            continue
        lines.append(_line(index + 1, product, unit_price, item))
    if errors:
        raise QuoteInvalid("Some lines cannot be priced.", errors=errors)
    return lines


def _line(line_no: int, product: Product, unit_price: Any, item: Mapping[str, Any]) -> QuoteLine:
    return QuoteLine(
        line_no=line_no,
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        kind=product.kind,
        unit=product.unit,
        description=item.get("description"),
        quantity=item["quantity"],
        unit_price=unit_price,
        discount_percent=item.get("discount_percent", 0),
        tax_rate=item["tax_rate"] if item.get("tax_rate") is not None else product.tax_rate,
    )


def _price(session: Session, quote: Quote, actor: crmkit.Principal) -> None:
    """Recompute the totals and the approval threshold of whoever priced the draft (for the tier of the
    opportunity's account, which may have been linked since the draft was started)."""
    totals = quote.reprice()
    if max(totals.subtotal, totals.total) > MAX_MONEY:
        error = {"field": "lines", "message": "the quote's amounts are too large to store", "in": "json"}
        raise QuoteInvalid("The quote's amounts are too large.", errors=[error])
    opportunity = session.get(Opportunity, quote.opportunity_id)
    if opportunity is not None and opportunity.account_id:
        quote.account_id = opportunity.account_id
    account = session.get(AccountView, quote.account_id) if quote.account_id else None
    quote.approval_threshold = approval_threshold(session, actor, account.tier if account else None)


def document_of(
    *, uow: crmkit.UnitOfWork, quote_id: str, actor: crmkit.Principal
) -> tuple[Quote, str | None]:
    """The quote and its account's name, for the rendered document."""
    with uow:
        quote = load_visible(uow.session, quote_id, actor)
        account = uow.session.get(AccountView, quote.account_id) if quote.account_id else None
        return quote, account.name if account else None
