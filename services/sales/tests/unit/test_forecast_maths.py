"""Forecast arithmetic: categories, weighting, attainment, accuracy and ROI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sales.forecast.maths import Deal, accuracy, attainment, close_month, roi, summarise, total


def deal(
    amount: str,
    *,
    probability: int = 50,
    category: str = "pipeline",
    status: str = "open",
    owner: str = "rep-1",
    month: int = 3,
) -> Deal:
    return Deal(owner, "north", D(amount), probability, category, status, date(2026, month, 15))


def test_sums_each_category_and_weights_open_deals_by_probability() -> None:
    bucket = total(
        [
            deal("1000", probability=10),
            deal("2000", probability=60, category="best_case"),
            deal("3000", probability=90, category="commit"),
            deal("4000", probability=100, category="commit", status="won"),
        ]
    )
    assert bucket.pipeline == D("1000.00")
    assert bucket.best_case == D("2000.00")
    assert bucket.commit == D("3000.00")
    assert bucket.closed_won == D("4000.00")
    assert bucket.weighted == D("100.00") + D("1200.00") + D("2700.00") + D("4000.00")
    assert bucket.deals == 4


def test_lost_and_omitted_deals_never_count() -> None:
    bucket = total([deal("999", status="lost", category="commit"), deal("5", category="omitted")])
    assert bucket.as_dict() == {
        "pipeline": D("0.00"),
        "best_case": D("0.00"),
        "commit": D("0.00"),
        "closed_won": D("0.00"),
        "weighted": D("0.00"),
        "deals": 0,
    }


def test_groups_by_close_month_and_owner() -> None:
    deals = [
        deal("100", month=3),
        deal("200", month=4),
        deal("300", month=3, owner="rep-2"),
        deal("1", status="lost", month=5),
    ]
    by_month = summarise(deals, lambda item: close_month(item.close_date))
    assert set(by_month) == {"2026-03", "2026-04"}
    assert by_month["2026-03"].pipeline == D("400.00")
    by_owner = summarise(deals, lambda item: item.owner_id)
    assert by_owner["rep-2"].weighted == D("150.00")


def test_weighting_rounds_per_deal() -> None:
    assert total([deal("0.05", probability=50), deal("0.05", probability=50)]).weighted == D("0.06")


def test_attainment_is_won_over_quota() -> None:
    assert attainment(D("7500"), D("10000")) == D("75.00")
    assert attainment(D("1"), D("0")) is None


def test_accuracy_compares_forecast_with_actual() -> None:
    assert accuracy(D("900"), D("1000")) == D("90.00")
    assert accuracy(D("1100"), D("1000")) == D("90.00")
    assert accuracy(D("5000"), D("1000")) == D("0")
    assert accuracy(D("10"), D("0")) is None


def test_roi_is_won_revenue_minus_cost_over_cost() -> None:
    assert roi(D("15000"), D("5000")) == D("2.0000")
    assert roi(D("1000"), D("3000")) == D("-0.6667")
    assert roi(D("1000"), D("0")) is None


def test_quarter_week_and_period_checks() -> None:
    import pytest

    from sales.forecast.errors import PeriodInvalid
    from sales.forecast.period import check_period, quarter_of, week_start

    assert quarter_of(date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)  # a Monday
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    with pytest.raises(PeriodInvalid):
        check_period(date(2026, 2, 1), date(2026, 1, 1))
