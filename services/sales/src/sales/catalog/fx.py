"""Currency roll-up with dated exchange rates (no I/O).

A rate says how many units of the base currency one unit of `currency` is worth from `valid_from` on,
until the next rate of that currency starts. An amount on a day converts with the rate valid that day
and is rounded to cents (ROUND_HALF_UP). Amounts in the base currency convert at 1.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sales.quotes.pricing import round_money


class MissingRate(LookupError):
    """No exchange rate of a currency is valid on the day asked for."""

    def __init__(self, currency: str, on: date) -> None:
        super().__init__(f"No exchange rate for {currency} valid on {on.isoformat()}.")
        self.currency = currency
        self.on = on


@dataclasses.dataclass(frozen=True)
class Rate:
    currency: str
    rate: Decimal
    valid_from: date


class RateTable:
    """The rates of every currency into one base currency, looked up by day."""

    def __init__(self, base_currency: str, rates: Iterable[Rate] = ()) -> None:
        self.base_currency = base_currency
        by_currency: dict[str, list[Rate]] = defaultdict(list)
        for rate in rates:
            by_currency[rate.currency].append(rate)
        self._days = {
            code: sorted(items, key=lambda item: item.valid_from) for code, items in by_currency.items()
        }
        self._starts = {code: [item.valid_from for item in items] for code, items in self._days.items()}

    def rate_on(self, currency: str, on: date) -> Decimal:
        """The rate of `currency` valid on `on` (1 for the base currency)."""
        if currency == self.base_currency:
            return Decimal(1)
        position = bisect.bisect_right(self._starts.get(currency, []), on)
        if position == 0:
            raise MissingRate(currency, on)
        return self._days[currency][position - 1].rate

    def to_base(self, amount: Decimal, currency: str, on: date) -> Decimal:
        """`amount` in the base currency, rounded to cents."""
        if currency == self.base_currency:
            return round_money(amount)
        return round_money(amount * self.rate_on(currency, on))
