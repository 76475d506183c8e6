"""Products, price lists (one per currency) and dated exchange rates into the base currency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import crmkit
from sales.db import Base, EntityId, UserId, new_id

KINDS = ("service", "product", "other")
UNITS = ("hour", "day", "month", "year", "each", "license", "unit")
PERCENT = sa.Numeric(5, 2)
RATE = sa.Numeric(18, 8)


class Product(crmkit.VersionedMixin, Base):
    __tablename__ = "products"
    __table_args__ = (sa.Index("ix_products_sku", "sku", unique=True),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str] = mapped_column(sa.String(16))
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PriceListEntry(Base):
    __tablename__ = "price_list_entries"

    price_list_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("price_lists.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(EntityId(), sa.ForeignKey("products.id"), primary_key=True)
    unit_price: Mapped[Decimal]


class PriceList(crmkit.VersionedMixin, Base):
    """The prices of products in one currency: every quote in that currency takes its prices from here."""

    __tablename__ = "price_lists"
    __table_args__ = (sa.Index("ix_price_lists_currency", "currency", unique=True),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(sa.String(3))
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    entries: Mapped[list[PriceListEntry]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PriceListEntry.product_id
    )

    def price_of(self, product_id: str) -> Decimal | None:
        return next((entry.unit_price for entry in self.entries if entry.product_id == product_id), None)

    def set_prices(self, prices: dict[str, Decimal]) -> None:
        """Set (or replace) the unit price of each product named."""
        current = {entry.product_id: entry for entry in self.entries}
        for product_id, unit_price in prices.items():
            if product_id in current:
                current[product_id].unit_price = unit_price
            else:
                self.entries.append(PriceListEntry(product_id=product_id, unit_price=unit_price))


class ExchangeRate(Base):
    """One unit of `currency` is worth `rate` units of the base currency from `valid_from` on."""

    __tablename__ = "exchange_rates"
    __table_args__ = (sa.Index("ix_exchange_rates_currency_day", "currency", "valid_from", unique=True),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(sa.String(3))
    base_currency: Mapped[str] = mapped_column(sa.String(3))
    rate: Mapped[Decimal] = mapped_column(RATE)
    valid_from: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())
