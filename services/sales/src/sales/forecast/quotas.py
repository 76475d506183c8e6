"""Quotas per rep and period, with attainment: won amount in the base currency against the quota."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales import access
from sales.catalog.fields import base_currency
from sales.forecast.errors import QuotaExists, QuotaNotFound
from sales.forecast.maths import attainment
from sales.forecast.models import Quota
from sales.forecast.period import check_period, utc_bounds
from sales.forecast.service import load_deals
from sales.opportunities.models import Opportunity
from sales.quotes.pricing import ZERO
from sales.reps.models import Rep
from sales.roles import OPPORTUNITY_READERS


def with_attainment(session: Session, quota: Quota) -> dict[str, Any]:
    """The quota plus what its rep won in the period (base currency) and the attainment percentage."""
    low, high = utc_bounds(quota.period_start, quota.period_end)
    won = sa.select(Opportunity).where(
        Opportunity.owner_id == quota.owner_id,
        Opportunity.status == "won",
        Opportunity.closed_at >= low,
        Opportunity.closed_at < high,
    )
    won_amount = sum((deal.amount for deal in load_deals(session, won)), ZERO)
    fields = {column: getattr(quota, column) for column in _FIELDS}
    return {**fields, "won_amount": won_amount, "attainment_percent": attainment(won_amount, quota.amount)}


_FIELDS = (
    "id",
    "owner_id",
    "owner_team",
    "period_start",
    "period_end",
    "amount",
    "currency",
    "created_at",
    "updated_at",
    "version",
)


def load_quota(session: Session, quota_id: str, actor: crmkit.Principal) -> Quota:
    quota = session.get(Quota, quota_id)
    if quota is None:
        raise QuotaNotFound(f"There is no quota {quota_id}.")
    access.require_view(actor, quota.owner_id, quota.owner_team, OPPORTUNITY_READERS)
    return quota


def get_quota(*, uow: crmkit.UnitOfWork, quota_id: str, actor: crmkit.Principal) -> dict[str, Any]:
    """Read a quota with its attainment."""
    with uow:
        return with_attainment(uow.session, load_quota(uow.session, quota_id, actor))


def list_quotas(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any], actor: crmkit.Principal) -> crmkit.Page:
    """Page through the quotas the caller may see, with attainment (filters: owner, team, periods touching
    a day range)."""
    stmt = access.visible(sa.select(Quota), actor, Quota.owner_id, Quota.owner_team, OPPORTUNITY_READERS)
    if query.get("owner"):
        stmt = stmt.where(Quota.owner_id == query["owner"])
    if query.get("team"):
        stmt = stmt.where(Quota.owner_team == query["team"])
    if query.get("from"):
        stmt = stmt.where(Quota.period_end >= query["from"])
    if query.get("to"):
        stmt = stmt.where(Quota.period_start <= query["to"])
    sort = crmkit.parse_sort(
        query.get("sort"), {"period_start": Quota.period_start}, "-period_start", Quota.id
    )
    with uow:
        page = crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])
        return crmkit.Page([with_attainment(uow.session, quota) for quota in page.items], page.next_cursor)


def create_quota(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> dict[str, Any]:
    """Set a rep's quota for a period (the rep's team manager or management), in the base currency."""
    check_period(
        data["period_start"],
        data["period_end"],
        start_field="period_start",
        end_field="period_end",
        location="json",
    )
    now = utcnow()
    with uow:
        rep = uow.session.get(Rep, data["owner_id"])
        data = {**data, "owner_team": rep.team if rep is not None else data.get("owner_team")}
        access.require_edit(actor, data["owner_id"], data["owner_team"])
        taken = sa.select(Quota.id).where(
            Quota.owner_id == data["owner_id"],
            Quota.period_start == data["period_start"],
            Quota.period_end == data["period_end"],
        )
        if uow.session.scalar(taken):
            raise QuotaExists("This rep has a quota for this period; change it.")
        quota = Quota(
            **data, currency=base_currency(), created_at=now, updated_at=now, created_by=actor.subject
        )
        uow.session.add(quota)
        uow.commit()
        return with_attainment(uow.session, quota)


def update_quota(
    *,
    uow: crmkit.UnitOfWork,
    quota_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> dict[str, Any]:
    """Change a quota's amount."""
    with uow:
        quota = load_quota(uow.session, quota_id, actor)
        access.require_edit(actor, quota.owner_id, quota.owner_team)
        crmkit.check_version(quota.version, expected_version)
        quota.amount, quota.updated_at = data["amount"], utcnow()
        uow.commit()
        return with_attainment(uow.session, quota)


def delete_quota(
    *, uow: crmkit.UnitOfWork, quota_id: str, expected_version: int, actor: crmkit.Principal
) -> None:
    """Remove a quota."""
    with uow:
        quota = load_quota(uow.session, quota_id, actor)
        access.require_edit(actor, quota.owner_id, quota.owner_team)
        crmkit.check_version(quota.version, expected_version)
        uow.session.delete(quota)
        uow.commit()
