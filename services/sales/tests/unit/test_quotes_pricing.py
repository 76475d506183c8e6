"""Quote arithmetic: exact Decimal totals and the rounding rule."""

from __future__ import annotations

from decimal import Decimal as D

from sales.quotes.pricing import LineInput, combined_discount, price_line, price_quote, round_money


def test_rounds_half_up_to_cents() -> None:
    assert round_money(D("0.005")) == D("0.01")
    assert round_money(D("2.675")) == D("2.68")  # a float would give 2.67
    assert round_money(D("-0.005")) == D("-0.01")


def test_combines_line_and_overall_discount_exactly() -> None:
    assert combined_discount(D(10), D(5)) == D("14.5")
    assert combined_discount(D(0), D(0)) == D(0)


def test_prices_a_line_with_discount_and_tax() -> None:
    line = price_line(LineInput(D("3"), D("33.33"), D("10"), D("19")))
    assert line.gross == D("99.99")
    assert line.net == D("89.99")  # 89.991 rounds down
    assert line.discount == D("10.00")
    assert line.tax == D("17.10")  # 17.0981 rounds up
    assert line.total == D("107.09")


def test_applies_overall_discount_after_line_discount() -> None:
    line = price_line(LineInput(D("1"), D("200.00"), D("10"), D("0")), D("5"))
    assert line.net == D("171.00")
    assert line.effective_discount_percent == D("14.5")


def test_quote_totals_are_the_sums_of_rounded_lines() -> None:
    totals = price_quote(
        [
            LineInput(D("0.333"), D("10.00"), tax_rate=D("19")),
            LineInput(D("0.333"), D("10.00"), tax_rate=D("19")),
        ]
    )
    assert [line.net for line in totals.lines] == [D("3.33"), D("3.33")]
    assert totals.net_total == D("6.66")
    assert totals.tax_total == D("1.26")  # 0.63 + 0.63, not round(6.66 * 0.19) = 1.27
    assert totals.total == totals.net_total + totals.tax_total
    assert totals.subtotal - totals.discount_total == totals.net_total


def test_fractional_quantities_and_many_lines_stay_exact() -> None:
    lines = [LineInput(D("0.1"), D("0.10")) for _ in range(10)]
    assert price_quote(lines).net_total == D("0.10")


def test_highest_line_discount_drives_approval() -> None:
    totals = price_quote(
        [LineInput(D(1), D(100), D(5)), LineInput(D(1), D(100), D(25))], overall_discount_percent=D(0)
    )
    assert totals.max_discount_percent == D(25)


def test_empty_quote_totals_zero() -> None:
    totals = price_quote([])
    assert (totals.subtotal, totals.total, totals.max_discount_percent) == (D("0.00"), D("0.00"), D(0))
