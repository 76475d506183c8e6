"""Performance per rep or team for a period: won amount, win rate, lead conversion, cycle time, activities.

- won / lost: opportunities closed in the period (won amounts in the base currency, at the close day's rate);
  win rate = won / (won + lost).
- leads: leads created in the period and owned by the rep; conversion rate = those converted (by now) / all.
- average cycle: days from an opportunity's creation to its win, over the period's won deals.
- activities: completed in the period, per kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from sales import access
from sales.activities.models import Activity
from sales.catalog.fields import base_currency
from sales.catalog.service import rate_table
from sales.forecast.maths import percent
from sales.forecast.period import check_period, utc_bounds
from sales.forecast.service import deals_of
from sales.leads.models import Lead
from sales.opportunities.models import Opportunity
from sales.quotes.pricing import ZERO
from sales.roles import ACTIVITY_READERS, LEAD_READERS, OPPORTUNITY_READERS

ACTIVITY_KINDS = ("call", "meeting", "task", "visit")
SECONDS_PER_DAY = Decimal(86400)


@dataclasses.dataclass
class Row:
    owner_id: str | None
    owner_team: str | None
    won_amount: Decimal = ZERO
    won_deals: int = 0
    lost_deals: int = 0
    cycle_seconds: Decimal = ZERO
    leads: int = 0
    converted_leads: int = 0
    activities: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(ACTIVITY_KINDS, 0))

    def as_dict(self) -> dict[str, Any]:
        average = self.cycle_seconds / SECONDS_PER_DAY / self.won_deals if self.won_deals else None
        return {
            "owner_id": self.owner_id,
            "owner_team": self.owner_team,
            "won_amount": self.won_amount,
            "won_deals": self.won_deals,
            "lost_deals": self.lost_deals,
            "win_rate_percent": percent(Decimal(self.won_deals), Decimal(self.won_deals + self.lost_deals)),
            "leads": self.leads,
            "converted_leads": self.converted_leads,
            "lead_conversion_percent": percent(Decimal(self.converted_leads), Decimal(self.leads)),
            "average_cycle_days": None if average is None else average.quantize(Decimal("0.1")),
            "activities": {**self.activities, "total": sum(self.activities.values())},
        }


class Table:
    """Rows keyed by owner (and team) or by team alone."""

    def __init__(self, by_team: bool) -> None:
        self.by_team = by_team
        self.rows: dict[Any, Row] = {}

    def row(self, owner_id: str | None, owner_team: str | None) -> Row:
        key = owner_team if self.by_team else (owner_id, owner_team)
        if key not in self.rows:
            self.rows[key] = Row(None if self.by_team else owner_id, owner_team)
        return self.rows[key]


def get_performance(
    *, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal
) -> dict[str, Any]:
    """Performance of the reps (or teams) whose records the caller may see, for the period."""
    start, end = query["from"], query["to"]
    check_period(start, end)
    low, high = utc_bounds(start, end)
    table = Table(by_team=query["group_by"] == "team")
    with uow:
        session = uow.session
        _deals(session, table, actor, low, high, query)
        _leads(session, table, actor, low, high, query)
        _activities(session, table, actor, low, high, query)
    rows = sorted(table.rows.values(), key=lambda row: (row.owner_team or "", row.owner_id or ""))
    return {
        "from": start,
        "to": end,
        "group_by": query["group_by"],
        "base_currency": base_currency(),
        "rows": [row.as_dict() for row in rows],
    }


def _narrow(
    stmt: Any, actor: crmkit.Principal, model: Any, readers: tuple[str, ...], query: Mapping[str, Any]
) -> Any:
    stmt = access.visible(stmt, actor, model.owner_id, model.owner_team, readers)
    if query.get("owner"):
        stmt = stmt.where(model.owner_id == query["owner"])
    if query.get("team"):
        stmt = stmt.where(model.owner_team == query["team"])
    return stmt


def _deals(
    session: Session, table: Table, actor: crmkit.Principal, low: Any, high: Any, query: Mapping[str, Any]
) -> None:
    closed = sa.and_(Opportunity.closed_at >= low, Opportunity.closed_at < high)
    won_stmt = sa.select(Opportunity).where(Opportunity.status == "won", closed)
    won = list(session.scalars(_narrow(won_stmt, actor, Opportunity, OPPORTUNITY_READERS, query)))
    amounts = deals_of(session, won, rate_table(session, {opportunity.currency for opportunity in won}))
    for opportunity, deal in zip(won, amounts, strict=True):
        row = table.row(opportunity.owner_id, opportunity.owner_team)
        row.won_amount += deal.amount
        row.won_deals += 1
        row.cycle_seconds += Decimal((opportunity.closed_at - opportunity.created_at).total_seconds())
    lost = sa.select(Opportunity.owner_id, Opportunity.owner_team, sa.func.count()).where(
        Opportunity.status == "lost", closed
    )
    lost = _narrow(lost, actor, Opportunity, OPPORTUNITY_READERS, query).group_by(
        Opportunity.owner_id, Opportunity.owner_team
    )
    for owner_id, owner_team, count in session.execute(lost):
        table.row(owner_id, owner_team).lost_deals += count


def _leads(
    session: Session, table: Table, actor: crmkit.Principal, low: Any, high: Any, query: Mapping[str, Any]
) -> None:
    converted = sa.func.sum(sa.case((Lead.status == "converted", 1), else_=0))
    stmt = sa.select(Lead.owner_id, Lead.owner_team, sa.func.count(), converted).where(
        Lead.owner_id.is_not(None), Lead.created_at >= low, Lead.created_at < high
    )
    stmt = _narrow(stmt, actor, Lead, LEAD_READERS, query).group_by(Lead.owner_id, Lead.owner_team)
    for owner_id, owner_team, count, converted_count in session.execute(stmt):
        row = table.row(owner_id, owner_team)
        row.leads += count
        row.converted_leads += int(converted_count or 0)


def _activities(
    session: Session, table: Table, actor: crmkit.Principal, low: Any, high: Any, query: Mapping[str, Any]
) -> None:
    stmt = sa.select(Activity.owner_id, Activity.owner_team, Activity.kind, sa.func.count()).where(
        Activity.status == "completed", Activity.completed_at >= low, Activity.completed_at < high
    )
    stmt = _narrow(stmt, actor, Activity, ACTIVITY_READERS, query)
    for owner_id, owner_team, kind, count in session.execute(
        stmt.group_by(Activity.owner_id, Activity.owner_team, Activity.kind)
    ):
        activities = table.row(owner_id, owner_team).activities
        activities[kind] = activities.get(kind, 0) + count
