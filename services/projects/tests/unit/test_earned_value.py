"""Earned value maths against examples worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projects.costs.evm import (
    ActualCost,
    PlannedTask,
    earned_value,
    money,
    planned_value_of,
    ratio,
    working_days,
)


def test_matches_the_hand_worked_example() -> None:
    """Three tasks, status date Thursday 2026-03-12, Monday-Friday calendar.

    Baseline (budget spread evenly over each task's working days):
      A  Mon 03-02 .. Fri 03-06   5 working days  budget 1,000.00  100 % complete
      B  Mon 03-09 .. Fri 03-20  10 working days  budget 2,000.00   40 % complete
      C  Mon 03-16 .. Fri 03-27  10 working days  budget 3,000.00   10 % complete
      BAC = 1,000 + 2,000 + 3,000 = 6,000.00

    PV as of 03-12 (end of day):
      A finished before 03-12                 -> 1,000.00
      B worked 03-09, 10, 11, 12 = 4 of 10    -> 2,000 x 4/10 = 800.00
      C starts 03-16                          -> 0.00
      PV = 1,800.00
    EV = 1,000 x 100 % + 2,000 x 40 % + 3,000 x 10 % = 1,000 + 800 + 300 = 2,100.00
    AC (approved actuals dated up to 03-12):
      timesheet 03-05  20 h x 60.00 = 1,200.00
      timesheet 03-11  10 h x 60.00 =   600.00
      expense   03-10                  600.00
      timesheet 03-13 (after the date, excluded) 8 h x 60.00 = 480.00
      AC = 2,400.00
    CPI = EV / AC = 2,100 / 2,400 = 0.875
    SPI = EV / PV = 2,100 / 1,800 = 1.16666... -> 1.1667
    CV  = EV - AC = -300.00          SV = EV - PV = 300.00
    EAC = BAC / CPI = 6,000 / 0.875 = 6,857.142857... -> 6,857.14
    ETC = EAC - AC = 4,457.14        VAC = BAC - EAC = -857.14
    EAC (AC + BAC - EV) = 2,400 + 3,900 = 6,300.00
    EAC (AC + (BAC - EV) / (CPI x SPI)) = 2,400 + 3,900 / (0.875 x 7/6) = 2,400 + 3,820.408163... = 6,220.41
    TCPI = (BAC - EV) / (BAC - AC) = 3,900 / 3,600 = 1.08333... -> 1.0833
    """
    tasks = [
        PlannedTask("A", date(2026, 3, 2), date(2026, 3, 6), Decimal("1000"), Decimal(100)),
        PlannedTask("B", date(2026, 3, 9), date(2026, 3, 20), Decimal("2000"), Decimal(40)),
        PlannedTask("C", date(2026, 3, 16), date(2026, 3, 27), Decimal("3000"), Decimal(10)),
    ]
    actuals = [
        ActualCost(date(2026, 3, 5), Decimal(20) * Decimal("60.00")),
        ActualCost(date(2026, 3, 11), Decimal(10) * Decimal("60.00")),
        ActualCost(date(2026, 3, 10), Decimal("600.00")),
        ActualCost(date(2026, 3, 13), Decimal(8) * Decimal("60.00")),
    ]

    figures = earned_value(tasks, actuals, date(2026, 3, 12))

    assert money(figures.bac) == "6000.00"
    assert money(figures.pv) == "1800.00"
    assert money(figures.ev) == "2100.00"
    assert money(figures.ac) == "2400.00"
    assert ratio(figures.cpi) == "0.8750"
    assert ratio(figures.spi) == "1.1667"
    assert money(figures.cv) == "-300.00"
    assert money(figures.sv) == "300.00"
    assert money(figures.eac) == "6857.14"
    assert money(figures.etc) == "4457.14"
    assert money(figures.vac) == "-857.14"
    assert money(figures.alternatives["ac_plus_remaining_budget"]) == "6300.00"
    assert money(figures.alternatives["ac_plus_remaining_by_cpi_spi"]) == "6220.41"
    assert ratio(figures.tcpi) == "1.0833"


def test_planned_value_skips_holidays_in_the_calendar() -> None:
    """B (03-09 .. 03-20) with a holiday on Wed 03-11 has 9 working days; by 03-12 three are done:
    2,000 x 3/9 = 666.67."""
    holiday = date(2026, 3, 11)
    task = PlannedTask("B", date(2026, 3, 9), date(2026, 3, 20), Decimal("2000"))

    def calendar(day: date) -> bool:
        return day.weekday() < 5 and day != holiday

    assert working_days(task.start, task.finish, calendar) == 9
    assert money(planned_value_of(task, date(2026, 3, 12), calendar)) == "666.67"


def test_planned_value_is_zero_before_start_and_full_after_finish() -> None:
    task = PlannedTask("A", date(2026, 3, 2), date(2026, 3, 6), Decimal("500"))

    assert planned_value_of(task, date(2026, 3, 1)) == 0
    assert planned_value_of(task, date(2026, 3, 6)) == Decimal("500")
    assert planned_value_of(task, date(2026, 4, 1)) == Decimal("500")


def test_weekend_status_date_counts_only_the_weekdays_before_it() -> None:
    """Task 03-02 .. 03-13 (10 wd), status Sunday 03-08: 5 of 10 working days -> half the budget."""
    task = PlannedTask("A", date(2026, 3, 2), date(2026, 3, 13), Decimal("1000"))

    assert money(planned_value_of(task, date(2026, 3, 8))) == "500.00"


def test_indices_are_undefined_without_actuals_or_plan_and_eac_falls_back_to_bac() -> None:
    tasks = [PlannedTask("A", date(2026, 3, 2), date(2026, 3, 6), Decimal("1000"))]

    figures = earned_value(tasks, [], date(2026, 2, 1))

    assert figures.cpi is None and figures.spi is None
    assert figures.eac == Decimal("1000")
    assert figures.vac == 0
    assert "ac_plus_remaining_by_cpi_spi" not in figures.alternatives


def test_progress_outside_zero_to_hundred_is_clamped() -> None:
    tasks = [PlannedTask("A", date(2026, 3, 2), date(2026, 3, 6), Decimal("1000"), Decimal(150))]

    assert earned_value(tasks, [], date(2026, 3, 6)).ev == Decimal("1000")
