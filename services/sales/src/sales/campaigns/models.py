"""Campaigns, their members (accounts picked from customer segments) and responses (which became leads)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import crmkit
from sales.db import Base, EntityId, UserId, new_id

STATUSES = ("planned", "active", "completed", "cancelled")
CHANNELS = ("email", "event", "webinar", "advertising", "social", "direct_mail", "other")


class Campaign(crmkit.VersionedMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (sa.Index("ix_campaigns_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(12), default="planned")
    currency: Mapped[str] = mapped_column(sa.String(3))
    budget: Mapped[Decimal]
    actual_cost: Mapped[Decimal]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    owner_id: Mapped[str] = mapped_column(UserId())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())


class CampaignMember(Base):
    """An account targeted by a campaign, with the segment that picked it."""

    __tablename__ = "campaign_members"
    __table_args__ = (sa.Index("ix_campaign_members_campaign", "campaign_id", "account_id"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(EntityId(), index=True)
    segment: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(UserId())


class CampaignResponse(Base):
    """Someone answered the campaign; the response became a lead (`lead_id`)."""

    __tablename__ = "campaign_responses"
    __table_args__ = (sa.Index("ix_campaign_responses_campaign", "campaign_id", "responded_at"),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[str] = mapped_column(EntityId())
    account_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    channel: Mapped[str | None] = mapped_column(sa.String(16))
    responded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(UserId())
