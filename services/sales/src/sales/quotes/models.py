"""Quotes (one row per version), their lines, discount rules, and number sequences."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

import crmkit
from sales.catalog.models import PERCENT
from sales.db import Base, EntityId, UserId, new_id
from sales.quotes.pricing import LineInput, QuoteTotals, price_quote

STATUSES = ("draft", "pending_approval", "approved", "sent", "accepted", "rejected", "expired", "superseded")
# A quote in one of these may still be revised into a new version.
REVISABLE = ("draft", "pending_approval", "approved", "sent", "rejected", "expired")
TIER_ANY = "any"
QUANTITY = sa.Numeric(18, 4)
EFFECTIVE_PERCENT = sa.Numeric(9, 4)


class DiscountRule(crmkit.VersionedMixin, Base):
    """The highest discount a role may give a customer tier (`any` = every tier) without approval."""

    __tablename__ = "discount_rules"
    __table_args__ = (sa.Index("ix_discount_rules_role_tier", "role", "tier", unique=True),)

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    role: Mapped[str] = mapped_column(sa.String(32))
    tier: Mapped[str] = mapped_column(sa.String(16), default=TIER_ANY)
    max_discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QuoteLine(Base):
    __tablename__ = "quote_lines"

    quote_id: Mapped[str] = mapped_column(
        EntityId(), sa.ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    product_id: Mapped[str] = mapped_column(EntityId())
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str] = mapped_column(sa.String(16))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal]
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT)
    effective_discount_percent: Mapped[Decimal] = mapped_column(EFFECTIVE_PERCENT)
    gross_amount: Mapped[Decimal]
    discount_amount: Mapped[Decimal]
    net_amount: Mapped[Decimal]
    tax_amount: Mapped[Decimal]
    total: Mapped[Decimal]

    def pricing_input(self) -> LineInput:
        return LineInput(self.quantity, self.unit_price, self.discount_percent, self.tax_rate)


class Quote(crmkit.VersionedMixin, Base):
    """One version (revision) of a quote; versions of one quote share its number."""

    __tablename__ = "quotes"
    __table_args__ = (
        sa.Index("ix_quotes_number_revision", "number", "revision", unique=True),
        sa.Index("ix_quotes_created", "created_at", "id"),
        sa.Index("ix_quotes_owner", "owner_id", "created_at"),
        sa.Index("ix_quotes_status_valid", "status", "valid_until"),
    )

    id: Mapped[str] = mapped_column(EntityId(), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(sa.String(20))
    revision: Mapped[int]
    previous_id: Mapped[str | None] = mapped_column(EntityId())
    title: Mapped[str] = mapped_column(sa.String(200))
    opportunity_id: Mapped[str] = mapped_column(EntityId(), index=True)
    account_id: Mapped[str | None] = mapped_column(EntityId(), index=True)
    owner_id: Mapped[str] = mapped_column(UserId())
    owner_team: Mapped[str | None] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    price_list_id: Mapped[str] = mapped_column(EntityId())
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    overall_discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    subtotal: Mapped[Decimal]
    discount_total: Mapped[Decimal]
    net_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    max_discount_percent: Mapped[Decimal] = mapped_column(EFFECTIVE_PERCENT)
    approval_threshold: Mapped[Decimal | None] = mapped_column(PERCENT)
    approval_requested_at: Mapped[datetime | None]
    approval_requested_by: Mapped[str | None] = mapped_column(UserId())
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(UserId())
    approval_note: Mapped[str | None] = mapped_column(sa.String(500))
    valid_until: Mapped[date]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))
    order_id: Mapped[str | None] = mapped_column(EntityId())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(UserId())
    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=QuoteLine.line_no
    )

    def reprice(self) -> QuoteTotals:
        """Recompute every line and the totals from quantities, prices, discounts and tax rates."""
        totals = price_quote([line.pricing_input() for line in self.lines], self.overall_discount_percent)
        for line, priced in zip(self.lines, totals.lines, strict=True):
            line.gross_amount, line.discount_amount = priced.gross, priced.discount
            line.net_amount, line.tax_amount, line.total = priced.net, priced.tax, priced.total
            line.effective_discount_percent = priced.effective_discount_percent
        self.subtotal, self.discount_total = totals.subtotal, totals.discount_total
        self.net_total, self.tax_total, self.total = totals.net_total, totals.tax_total, totals.total
        self.max_discount_percent = totals.max_discount_percent
        return totals

    @property
    def needs_approval(self) -> bool:
        """Whether the discount is above what the preparer may give (approval_threshold set on request)."""
        return self.approval_threshold is not None and self.max_discount_percent > self.approval_threshold


class NumberSequence(Base):
    """A counter per document kind ("quote", "order"), so numbers are short, readable and unique."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


def next_number(session: Session, name: str, prefix: str) -> str:
    """Take the next number of a sequence inside the caller's transaction ("Q-000042")."""
    row = session.get(NumberSequence, name, with_for_update=True)
    if row is None:
        row = NumberSequence(name=name, value=0)
        session.add(row)
    row.value += 1
    session.flush()
    return f"{prefix}-{row.value:06d}"
