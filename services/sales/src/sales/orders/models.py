"""Orders made from accepted quotes, and their lines (copied from the accepted quote version)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from sales.catalog.models import PERCENT, RATE
from sales.db import Base, EntityId, UserId, new_id
from sales.quotes.models import EFFECTIVE_PERCENT, QUANTITY

STATUSES = ("confirmed", "fulfilled", "cancelled")


class OrderLine(Base):
    __tablename__ = "order_lines"

    order_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    product_id: Mapped[str] = mapped_column(EntityId())
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str] = mapped_column(sa.String(16))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal]
    discount_percent: Mapped[Decimal] = mapped_column(EFFECTIVE_PERCENT)
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT)
    net_amount: Mapped[Decimal]
    tax_amount: Mapped[Decimal]
    total: Mapped[Decimal]


class Order(crmkit.VersionedMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.Index("ix_orders_number", "number", unique=True),
        sa.Index("ix_orders_quote", "quote_id", unique=True),
        sa.Index("ix_orders_created", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(sa.String(20))
    quote_id: Mapped[str] = mapped_column(EntityId())
    opportunity_id: Mapped[str] = mapped_column(EntityId(), index=True)
    account_id: Mapped[str] = mapped_column(EntityId(), index=True)
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    base_currency: Mapped[str] = mapped_column(sa.String(3))
    exchange_rate: Mapped[Decimal] = mapped_column(RATE)
    total_in_base: Mapped[Decimal]
    status: Mapped[str] = mapped_column(sa.String(12), default="confirmed")
    confirmed_at: Mapped[datetime]
    fulfilled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())
    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=OrderLine.line_no
    )
