"""Quote arithmetic: exact Decimal totals with one documented rounding rule (no I/O).

Rounding rule (also in the service README):
- Money is kept to cents (0.01) and rounded ROUND_HALF_UP, per line, at three points only:
  `gross = round(quantity * unit_price)`,
  `net = round(quantity * unit_price * (1 - line_discount/100) * (1 - overall_discount/100))`,
  `tax = round(net * tax_rate/100)`. Everything else is exact: `discount = gross - net`,
  `total = net + tax`.
- Quote totals are the sums of the rounded line values, so the lines always add up to the totals:
  `subtotal = sum(gross)`, `discount_total = sum(discount)`, `net_total = sum(net)`,
  `tax_total = sum(tax)`, `total = net_total + tax_total`.
- A line's effective discount combines both discounts exactly: `l + o - l*o/100` (10 % and 5 % give 14.5 %).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
# The largest amount a money column (NUMERIC(18, 2)) holds.
MAX_MONEY = Decimal("9999999999999999.99")


def round_money(amount: Decimal) -> Decimal:
    """Round an amount to cents, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def combined_discount(line_percent: Decimal, overall_percent: Decimal) -> Decimal:
    """The effective percentage of a line discount followed by the overall discount (exact)."""
    return line_percent + overall_percent - line_percent * overall_percent / HUNDRED


@dataclasses.dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclasses.dataclass(frozen=True)
class LineTotals:
    gross: Decimal
    effective_discount_percent: Decimal
    net: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


@dataclasses.dataclass(frozen=True)
class QuoteTotals:
    lines: list[LineTotals]
    subtotal: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal

    @property
    def max_discount_percent(self) -> Decimal:
        """The highest effective discount of any line (what discount approval looks at)."""
        return max((line.effective_discount_percent for line in self.lines), default=Decimal(0))


def price_line(line: LineInput, overall_discount_percent: Decimal = Decimal(0)) -> LineTotals:
    """Price one line under the rounding rule."""
    exact_gross = line.quantity * line.unit_price
    keep_line = (HUNDRED - line.discount_percent) / HUNDRED
    keep_overall = (HUNDRED - overall_discount_percent) / HUNDRED
    gross = round_money(exact_gross)
    net = round_money(exact_gross * keep_line * keep_overall)
    tax = round_money(net * line.tax_rate / HUNDRED)
    return LineTotals(
        gross=gross,
        effective_discount_percent=combined_discount(line.discount_percent, overall_discount_percent),
        net=net,
        discount=gross - net,
        tax=tax,
        total=net + tax,
    )


def price_quote(lines: Iterable[LineInput], overall_discount_percent: Decimal = Decimal(0)) -> QuoteTotals:
    """Price every line and add up the rounded values."""
    priced = [price_line(line, overall_discount_percent) for line in lines]
    net_total = sum((line.net for line in priced), ZERO)
    tax_total = sum((line.tax for line in priced), ZERO)
    return QuoteTotals(
        lines=priced,
        subtotal=sum((line.gross for line in priced), ZERO),
        discount_total=sum((line.discount for line in priced), ZERO),
        net_total=net_total,
        tax_total=tax_total,
        total=net_total + tax_total,
    )
