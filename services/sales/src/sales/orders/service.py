"""Order use cases: confirm one from an accepted quote, fulfil, cancel; list and read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.outbox import record
from crmkit.types import utcnow
from sales import access
from sales import events_catalog as catalog
from sales.catalog.service import rate_on, rate_table
from sales.opportunities.models import Opportunity
from sales.orders.errors import OrderNotFound, OrderTransitionInvalid
from sales.orders.events import order_state
from sales.orders.models import Order, OrderLine
from sales.payloads import timestamp
from sales.quotes.errors import QuoteAccountPending, QuoteInvalid
from sales.quotes.models import Quote, next_number
from sales.quotes.pricing import MAX_MONEY, round_money
from sales.roles import OPPORTUNITY_READERS

SORTS = {"created_at": Order.created_at, "number": Order.number}


def confirm_order_for(uow: crmkit.UnitOfWork, quote: Quote, actor: crmkit.Principal, now: datetime) -> Order:
    """Confirm the order of an accepted quote inside the caller's unit of work and win its opportunity.

    The order copies the quote's lines and totals and rolls the total up into the base currency with the
    rate valid today. The opportunity's amount becomes the accepted net total.
    """
    session = uow.session
    opportunity = session.get_one(Opportunity, quote.opportunity_id)
    if opportunity.account_id is None:
        raise QuoteAccountPending("The customer service has not linked the account yet; try again shortly.")
    quote.account_id = opportunity.account_id
    table = rate_table(session, {quote.currency})
    rate = rate_on(table, quote.currency, now.date())
    if round_money(quote.total * rate) > MAX_MONEY:
        error = {
            "field": "lines",
            "message": "the total in the base currency is too large to store",
            "in": "json",
        }
        raise QuoteInvalid("The order's total in the base currency is too large.", errors=[error])
    order = Order(
        number=next_number(session, "order", "SO"),
        quote_id=quote.id,
        opportunity_id=opportunity.id,
        account_id=opportunity.account_id,
        owner_id=quote.owner_id,
        owner_team=quote.owner_team,
        currency=quote.currency,
        subtotal=quote.subtotal,
        discount_total=quote.discount_total,
        tax_total=quote.tax_total,
        total=quote.total,
        base_currency=table.base_currency,
        exchange_rate=rate,
        total_in_base=round_money(quote.total * rate),
        status="confirmed",
        confirmed_at=now,
        created_at=now,
        updated_at=now,
        created_by=actor.subject,
        lines=[_order_line(line) for line in quote.lines],
    )
    session.add(order)
    _win(session, opportunity, quote, actor)
    uow.flush()
    record(
        session, catalog.ORDER_CONFIRMED, subject=order.id, data=order_state(order), sequence=order.version
    )
    return order


def _order_line(line: Any) -> OrderLine:
    return OrderLine(
        line_no=line.line_no,
        product_id=line.product_id,
        sku=line.sku,
        name=line.name,
        kind=line.kind,
        unit=line.unit,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.effective_discount_percent,
        tax_rate=line.tax_rate,
        net_amount=line.net_amount,
        tax_amount=line.tax_amount,
        total=line.total,
    )


def _win(session: Session, opportunity: Opportunity, quote: Quote, actor: crmkit.Principal) -> None:
    """Win the opportunity at the accepted quote's net amount (already won: leave it as it is)."""
    if opportunity.status != "open":
        return
    from sales.opportunities.service import mark_won  # S1's use case helper

    opportunity.amount, opportunity.currency = quote.net_total, quote.currency
    mark_won(session, opportunity, actor)


def load_order(session: Session, order_id: str) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(f"There is no order {order_id}.")
    return order


def get_order(*, uow: crmkit.UnitOfWork, order_id: str, actor: crmkit.Principal) -> Order:
    """Read one order."""
    with uow:
        order = load_order(uow.session, order_id)
        access.require_view(actor, order.owner_id, order.owner_team, ORDER_READERS)
        return order


ORDER_READERS = (*OPPORTUNITY_READERS, "delivery_member", "service_agent")


def list_orders(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal) -> crmkit.Page:
    """Page through the orders the caller may see (filters: status, account, opportunity, owner)."""
    stmt = access.visible(sa.select(Order), actor, Order.owner_id, Order.owner_team, ORDER_READERS)
    filters = {
        "status": Order.status,
        "account_id": Order.account_id,
        "opportunity_id": Order.opportunity_id,
        "owner": Order.owner_id,
    }
    for name, column in filters.items():
        if query.get(name):
            stmt = stmt.where(column == query[name])
    sort = crmkit.parse_sort(query.get("sort"), SORTS, "-created_at", Order.id)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def fulfil_order(*, uow: crmkit.UnitOfWork, order_id: str, actor: crmkit.Principal) -> Order:
    """Mark a confirmed order fulfilled (delivered)."""
    with uow:
        order = _editable_confirmed(uow.session, order_id, actor)
        now = utcnow()
        order.status, order.fulfilled_at, order.updated_at = "fulfilled", now, now
        uow.commit()
    return order


def cancel_order(
    *, uow: crmkit.UnitOfWork, order_id: str, reason: str | None, actor: crmkit.Principal
) -> Order:
    """Cancel a confirmed order (the projects and customer services hear sales.order.cancelled)."""
    with uow:
        order = _editable_confirmed(uow.session, order_id, actor)
        before, now = order_state(order), utcnow()
        order.status, order.cancelled_at, order.cancel_reason, order.updated_at = (
            "cancelled",
            now,
            reason,
            now,
        )
        uow.flush()
        after = order_state(order)
        data = {
            **after,
            "changes": diff(before, after),
            "cancelled_at": timestamp(now),
            "cancel_reason": reason,
        }
        record(uow.session, catalog.ORDER_CANCELLED, subject=order.id, data=data, sequence=order.version)
        uow.commit()
    return order


def _editable_confirmed(session: Session, order_id: str, actor: crmkit.Principal) -> Order:
    order = load_order(session, order_id)
    access.require_edit(actor, order.owner_id, order.owner_team)
    if order.status != "confirmed":
        raise OrderTransitionInvalid(f"Order {order.number} is {order.status}.", status=order.status)
    return order
