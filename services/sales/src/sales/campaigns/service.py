"""Campaign use cases: plan and cost, members from customer segments, responses as leads, ROI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales.accounts.models import AccountView
from sales.campaigns.errors import CampaignClosed, CampaignInvalid, CampaignNotFound
from sales.campaigns.models import Campaign, CampaignMember, CampaignResponse
from sales.catalog.fields import base_currency
from sales.forecast.maths import roi
from sales.forecast.service import load_deals
from sales.leads.models import Lead
from sales.leads.service import capture_lead
from sales.opportunities.models import Opportunity
from sales.quotes.pricing import HUNDRED, ZERO, round_money

CLOSED = ("completed", "cancelled")
MAX_SEGMENT = 10_000
LEAD_FIELDS = (
    "company",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "website",
    "industry",
    "region",
    "country",
    "notes",
    "consent",
)


def load_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"There is no campaign {campaign_id}.")
    return campaign


def get_campaign(*, uow: crmkit.UnitOfWork, campaign_id: str) -> Campaign:
    """Read a campaign."""
    with uow:
        return load_campaign(uow.session, campaign_id)


def list_campaigns(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through campaigns, newest first (filter: status)."""
    stmt = sa.select(Campaign)
    if query.get("status"):
        stmt = stmt.where(Campaign.status == query["status"])
    sort = crmkit.parse_sort(
        query.get("sort"), {"created_at": Campaign.created_at}, "-created_at", Campaign.id
    )
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _check_dates(start: Any, end: Any) -> None:
    if start and end and end < start:
        error = {"field": "end_date", "message": "must not be before start_date", "in": "json"}
        raise CampaignInvalid("The campaign ends before it starts.", errors=[error])


def create_campaign(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Campaign:
    """Plan a campaign with its budget (base currency); the caller owns it."""
    _check_dates(data.get("start_date"), data.get("end_date"))
    now = utcnow()
    with uow:
        campaign = Campaign(
            **{"status": "planned", **data},
            currency=base_currency(),
            owner_id=actor.subject,
            created_at=now,
            updated_at=now,
            created_by=actor.subject,
        )
        uow.session.add(campaign)
        uow.commit()
    return campaign


def update_campaign(
    *, uow: crmkit.UnitOfWork, campaign_id: str, data: Mapping[str, Any], expected_version: int
) -> Campaign:
    """Change a campaign: status, budget, actual cost, dates, description."""
    with uow:
        campaign = load_campaign(uow.session, campaign_id)
        crmkit.check_version(campaign.version, expected_version)
        _check_dates(data.get("start_date", campaign.start_date), data.get("end_date", campaign.end_date))
        for field, value in data.items():
            setattr(campaign, field, value)
        campaign.updated_at = utcnow()
        uow.commit()
    return campaign


def _segment(session: Session, segment: Mapping[str, Any]) -> list[str]:
    """Ids of live accounts of the read model matching every criterion of the segment."""
    stmt = sa.select(AccountView).where(AccountView.deleted.is_(False), AccountView.merged_into_id.is_(None))
    if segment.get("tier"):
        stmt = stmt.where(AccountView.tier == segment["tier"])
    if segment.get("industry"):
        stmt = stmt.where(sa.func.lower(AccountView.industry) == segment["industry"].lower())
    if segment.get("account_ids"):
        stmt = stmt.where(AccountView.id.in_(segment["account_ids"]))
    wanted = set(segment.get("tags") or ())
    accounts = session.scalars(stmt.order_by(AccountView.id).limit(MAX_SEGMENT))
    return [account.id for account in accounts if wanted <= set(account.tags or ())]


def add_members(
    *, uow: crmkit.UnitOfWork, campaign_id: str, segment: Mapping[str, Any], actor: crmkit.Principal
) -> dict[str, int]:
    """Add the accounts of a customer segment (tags, tier, industry, ids) that are not members yet."""
    now = utcnow()
    with uow:
        session = uow.session
        campaign = _open_campaign(session, campaign_id)
        existing = set(
            session.scalars(
                sa.select(CampaignMember.account_id).where(CampaignMember.campaign_id == campaign.id)
            )
        )
        new_ids = [account_id for account_id in _segment(session, segment) if account_id not in existing]
        session.add_all(
            CampaignMember(
                campaign_id=campaign.id,
                account_id=account_id,
                segment=dict(segment),
                added_at=now,
                added_by=actor.subject,
            )
            for account_id in new_ids
        )
        uow.commit()
    return {"added": len(new_ids), "members": len(existing) + len(new_ids)}


def list_members(*, uow: crmkit.UnitOfWork, campaign_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a campaign's member accounts."""
    stmt = sa.select(CampaignMember).where(CampaignMember.campaign_id == campaign_id)
    sort = crmkit.parse_sort(None, {"account_id": CampaignMember.account_id}, "account_id", CampaignMember.id)
    with uow:
        load_campaign(uow.session, campaign_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def record_response(
    *, uow: crmkit.UnitOfWork, campaign_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> CampaignResponse:
    """Record a response: it becomes a lead (source `campaign`, this campaign_id), assigned by the rules."""
    now = utcnow()
    with uow:
        session = uow.session
        campaign = _open_campaign(session, campaign_id)
        lead_data = {field: data[field] for field in LEAD_FIELDS if field in data}
        lead = capture_lead(
            session, {**lead_data, "campaign_id": campaign.id}, source="campaign", actor_id=actor.subject
        )
        response = CampaignResponse(
            campaign_id=campaign.id,
            lead_id=lead.id,
            account_id=data.get("account_id"),
            channel=data.get("channel"),
            responded_at=now,
            recorded_by=actor.subject,
        )
        session.add(response)
        uow.commit()
    return response


def list_responses(*, uow: crmkit.UnitOfWork, campaign_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a campaign's responses, newest first."""
    stmt = sa.select(CampaignResponse).where(CampaignResponse.campaign_id == campaign_id)
    sort = crmkit.parse_sort(
        None, {"responded_at": CampaignResponse.responded_at}, "-responded_at", CampaignResponse.id
    )
    with uow:
        load_campaign(uow.session, campaign_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def campaign_roi(*, uow: crmkit.UnitOfWork, campaign_id: str) -> dict[str, Any]:
    """ROI = (won revenue attributed through opportunity.campaign_id - actual cost) / actual cost."""
    with uow:
        session = uow.session
        campaign = load_campaign(session, campaign_id)
        won = sa.select(Opportunity).where(
            Opportunity.campaign_id == campaign.id, Opportunity.status == "won"
        )
        deals = load_deals(session, won)
        counts = _counts(session, campaign.id)
    revenue = sum((deal.amount for deal in deals), ZERO)
    ratio = roi(revenue, campaign.actual_cost)
    return {
        "campaign_id": campaign.id,
        "currency": campaign.currency,
        "budget": campaign.budget,
        "actual_cost": campaign.actual_cost,
        "won_revenue": revenue,
        "won_deals": len(deals),
        **counts,
        "roi": ratio,
        "roi_percent": None if ratio is None else round_money(ratio * HUNDRED),
    }


def _counts(session: Session, campaign_id: str) -> dict[str, int]:
    def count(stmt: sa.Select[Any]) -> int:
        return int(session.scalar(stmt) or 0)

    return {
        "members": count(sa.select(sa.func.count()).where(CampaignMember.campaign_id == campaign_id)),
        "responses": count(sa.select(sa.func.count()).where(CampaignResponse.campaign_id == campaign_id)),
        "leads": count(sa.select(sa.func.count()).where(Lead.campaign_id == campaign_id)),
        "converted_leads": count(
            sa.select(sa.func.count()).where(Lead.campaign_id == campaign_id, Lead.status == "converted")
        ),
    }


def _open_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = load_campaign(session, campaign_id)
    if campaign.status in CLOSED:
        raise CampaignClosed(f"The campaign is {campaign.status}.")
    return campaign
