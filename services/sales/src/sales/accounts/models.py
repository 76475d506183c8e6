"""The local read model of customer accounts and contacts, kept from the customer service's events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sales.db import Base, EntityId, UserId

TIERS = ("key", "standard", "low")
DEFAULT_TIER = "standard"


class AccountView(Base):
    """What sales knows of an account: enough to assign, segment, approve discounts and show names."""

    __tablename__ = "account_views"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[str] = mapped_column(sa.String(16), default=DEFAULT_TIER)
    owner_id: Mapped[str | None] = mapped_column(UserId())
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    domain: Mapped[str | None] = mapped_column(sa.String(253), index=True)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    lifecycle_stage: Mapped[str | None] = mapped_column(sa.String(16))
    merged_into_id: Mapped[str | None] = mapped_column(EntityId())
    deleted: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    # The sequence of the last customer event applied: older (redelivered, reordered) ones are dropped.
    sequence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime]

    @property
    def is_live(self) -> bool:
        return not self.deleted and self.merged_into_id is None


class ContactView(Base):
    """A contact person of an account, as far as lead duplicate checks and conversions need one."""

    __tablename__ = "contact_views"

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True)
    account_id: Mapped[str] = mapped_column(EntityId(), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    emails: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    deleted: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime]


class ContactEmailView(Base):
    """One e-mail (lower-cased) of one live contact: the index lead duplicate checks look up."""

    __tablename__ = "contact_email_views"

    contact_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("contact_views.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True, index=True)


def account_payload_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The read model's fields from a customer.account.* payload."""
    address = data.get("address") or {}
    return {
        "name": data["name"],
        "tier": data.get("tier") or DEFAULT_TIER,
        "owner_id": data.get("owner_id"),
        "industry": data.get("industry"),
        "region": address.get("region"),
        "country": address.get("country"),
        "domain": data.get("domain"),
        "tags": list(data.get("tags") or []),
        "lifecycle_stage": data.get("lifecycle_stage"),
        "merged_into_id": data.get("merged_into_id"),
        "deleted": data.get("deleted_at") is not None,
        "version": int(data.get("version") or 1),
    }
