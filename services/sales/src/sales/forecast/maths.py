"""Forecast arithmetic: category sums, weighted pipeline, attainment, accuracy, ROI (no I/O).

Rules:
- A deal counts in exactly one category: won deals in `closed_won` (whatever category they had),
  open deals in their own category (`pipeline`, `best_case` or `commit`). Lost deals and deals whose
  category is `omitted` never count.
- `weighted` = open amounts times their probability (percent) plus won amounts at 100 %, rounded to
  cents per deal (ROUND_HALF_UP).
- Amounts are already in the base currency when they reach these functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sales.quotes.pricing import HUNDRED, ZERO, round_money

CATEGORIES = ("pipeline", "best_case", "commit", "closed_won")
OPEN_CATEGORIES = ("pipeline", "best_case", "commit")


@dataclasses.dataclass(frozen=True)
class Deal:
    """One opportunity as the forecast sees it (amount in the base currency)."""

    owner_id: str
    owner_team: str | None
    amount: Decimal
    probability: int
    category: str
    status: str
    close_date: date


def counted_category(deal: Deal) -> str | None:
    """The category a deal counts in, or None when it does not count (lost, omitted)."""
    if deal.status == "won":
        return "closed_won"
    if deal.status != "open" or deal.category not in OPEN_CATEGORIES:
        return None
    return deal.category


def weighted_amount(deal: Deal) -> Decimal:
    """What the deal adds to the weighted pipeline."""
    if deal.status == "won":
        return round_money(deal.amount)
    return round_money(deal.amount * Decimal(deal.probability) / HUNDRED)


@dataclasses.dataclass
class Bucket:
    """Sums of one forecast row."""

    pipeline: Decimal = ZERO
    best_case: Decimal = ZERO
    commit: Decimal = ZERO
    closed_won: Decimal = ZERO
    weighted: Decimal = ZERO
    deals: int = 0

    def add(self, deal: Deal) -> None:
        category = counted_category(deal)
        if category is None:
            return
        setattr(self, category, getattr(self, category) + round_money(deal.amount))
        self.weighted += weighted_amount(deal)
        self.deals += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "best_case": self.best_case,
            "commit": self.commit,
            "closed_won": self.closed_won,
            "weighted": self.weighted,
            "deals": self.deals,
        }


def close_month(day: date) -> str:
    """The close month key of a day: "2026-03"."""
    return f"{day.year:04d}-{day.month:02d}"


def summarise(deals: Iterable[Deal], key: Callable[[Deal], Hashable]) -> dict[Hashable, Bucket]:
    """Sum counting deals per key (only keys with a counting deal appear)."""
    buckets: dict[Hashable, Bucket] = {}
    for deal in deals:
        if counted_category(deal) is None:
            continue
        buckets.setdefault(key(deal), Bucket()).add(deal)
    return buckets


def total(deals: Iterable[Deal]) -> Bucket:
    bucket = Bucket()
    for deal in deals:
        bucket.add(deal)
    return bucket


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to two decimals (None when `whole` is zero)."""
    if whole == 0:
        return None
    return round_money(part * HUNDRED / whole)


def attainment(won: Decimal, quota: Decimal) -> Decimal | None:
    """Won amount as a percentage of the quota."""
    return percent(won, quota)


def accuracy(forecast: Decimal, actual: Decimal) -> Decimal | None:
    """Forecast accuracy in percent: 100 - |actual - forecast| / actual * 100, never below 0.

    None when nothing was actually won (accuracy is undefined against zero).
    """
    if actual == 0:
        return None
    error = percent(abs(actual - forecast), actual) or ZERO
    return max(ZERO, HUNDRED - error)


def roi(won_revenue: Decimal, actual_cost: Decimal) -> Decimal | None:
    """(won revenue - actual cost) / actual cost, as a ratio to four decimals (None without cost)."""
    if actual_cost == 0:
        return None
    return ((won_revenue - actual_cost) / actual_cost).quantize(Decimal("0.0001"))
