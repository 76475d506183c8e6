"""Forecast use cases: the weighted pipeline by close month, owner and team, in the base currency.

A deal's close day is its expected close date while open and the day it was won once won; lost deals never
count. Amounts roll up into the base currency with the rate valid on the close day.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from sales import access
from sales.catalog.fields import base_currency
from sales.catalog.fx import RateTable
from sales.catalog.service import rate_table, to_base
from sales.forecast.maths import Deal, close_month, summarise, total
from sales.forecast.period import check_period, utc_bounds
from sales.opportunities.models import Opportunity
from sales.roles import OPPORTUNITY_READERS

DIMENSIONS: dict[str, Callable[[Deal], Any]] = {
    "month": lambda deal: close_month(deal.close_date),
    "owner": lambda deal: deal.owner_id,
    "team": lambda deal: deal.owner_team,
}
ROW_FIELDS = {"month": "close_month", "owner": "owner_id", "team": "owner_team"}


def counted_opportunities(start: date, end: date) -> sa.Select[Any]:
    """Open deals expected to close in the period and deals won in it (lost ones never count)."""
    low, high = utc_bounds(start, end)
    return sa.select(Opportunity).where(
        sa.or_(
            sa.and_(Opportunity.status == "open", Opportunity.expected_close_date.between(start, end)),
            sa.and_(Opportunity.status == "won", Opportunity.closed_at >= low, Opportunity.closed_at < high),
        )
    )


def close_day(opportunity: Opportunity) -> date | None:
    if opportunity.status == "won" and opportunity.closed_at is not None:
        return opportunity.closed_at.date()
    return opportunity.expected_close_date


def deals_of(session: Session, opportunities: Iterable[Opportunity], table: RateTable) -> list[Deal]:
    """The opportunities as forecast deals, amounts in the base currency."""
    deals = []
    for opportunity in opportunities:
        day = close_day(opportunity)
        if day is None:
            continue
        deals.append(
            Deal(
                owner_id=opportunity.owner_id,
                owner_team=opportunity.owner_team,
                amount=to_base(table, opportunity.amount, opportunity.currency, day),
                probability=opportunity.probability,
                category=opportunity.forecast_category,
                status=opportunity.status,
                close_date=day,
            )
        )
    return deals


def load_deals(session: Session, stmt: sa.Select[Any]) -> list[Deal]:
    opportunities: list[Opportunity] = list(session.scalars(stmt))
    table = rate_table(session, {opportunity.currency for opportunity in opportunities})
    return deals_of(session, opportunities, table)


def get_forecast(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> dict[str, Any]:
    """Sum the deals the caller may see by the requested dimensions (month, owner, team)."""
    start, end = query["from"], query["to"]
    check_period(start, end)
    stmt = access.visible(
        counted_opportunities(start, end),
        actor,
        Opportunity.owner_id,
        Opportunity.owner_team,
        OPPORTUNITY_READERS,
    )
    if query.get("owner"):
        stmt = stmt.where(Opportunity.owner_id == query["owner"])
    if query.get("team"):
        stmt = stmt.where(Opportunity.owner_team == query["team"])
    with uow:
        deals = load_deals(uow.session, stmt)
    dimensions = query["group_by"]
    buckets = summarise(deals, lambda deal: tuple(DIMENSIONS[name](deal) for name in dimensions))
    return {
        "from": start,
        "to": end,
        "base_currency": base_currency(),
        "group_by": dimensions,
        "totals": total(deals).as_dict(),
        "rows": [_row(dimensions, key, bucket) for key, bucket in sorted(buckets.items(), key=_sort_key)],
    }


def _row(dimensions: list[str], key: Hashable, bucket: Any) -> dict[str, Any]:
    values = dict(zip(dimensions, key, strict=True)) if isinstance(key, tuple) else {}
    return {**{ROW_FIELDS[name]: values.get(name) for name in ROW_FIELDS}, **bucket.as_dict()}


def _sort_key(item: tuple[Hashable, Any]) -> tuple[str, ...]:
    key = item[0]
    return tuple("" if part is None else str(part) for part in key) if isinstance(key, tuple) else ()
