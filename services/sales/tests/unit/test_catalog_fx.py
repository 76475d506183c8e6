"""Dated exchange rates and the roll-up into the base currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from sales.catalog.fx import MissingRate, Rate, RateTable

RATES = [
    Rate("USD", D("0.90"), date(2026, 1, 1)),
    Rate("USD", D("0.95"), date(2026, 3, 1)),
    Rate("GBP", D("1.17"), date(2026, 1, 1)),
]


def test_uses_the_rate_valid_on_the_day() -> None:
    table = RateTable("EUR", RATES)
    assert table.rate_on("USD", date(2026, 2, 28)) == D("0.90")
    assert table.rate_on("USD", date(2026, 3, 1)) == D("0.95")
    assert table.rate_on("USD", date(2027, 1, 1)) == D("0.95")


def test_converts_and_rounds_to_cents() -> None:
    table = RateTable("EUR", RATES)
    assert table.to_base(D("100.01"), "USD", date(2026, 3, 5)) == D("95.01")  # 95.0095 -> 95.01
    assert table.to_base(D("10.005"), "EUR", date(2026, 3, 5)) == D("10.01")


def test_base_currency_needs_no_rate() -> None:
    assert RateTable("EUR").rate_on("EUR", date(2020, 1, 1)) == D(1)


def test_refuses_a_day_before_the_first_rate_or_an_unknown_currency() -> None:
    table = RateTable("EUR", RATES)
    with pytest.raises(MissingRate):
        table.rate_on("USD", date(2025, 12, 31))
    with pytest.raises(MissingRate):
        table.to_base(D(1), "CHF", date(2026, 5, 1))
