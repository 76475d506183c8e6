"""Earned value maths: pure functions, no I/O (method in services/projects/docs/earned-value.md).

PV is time-phased from the baseline: each task's baseline budget is spread evenly over the task's
baseline working days, and PV as of a date is what falls on working days up to and including it.
EV = each task's budget x its percent complete. AC = approved actual cost dated up to the date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

IsWorkingDay = Callable[[date], bool]
HUNDRED = Decimal(100)
MONEY = Decimal("0.01")
RATIO = Decimal("0.0001")


def weekdays(day: date) -> bool:
    """The default calendar: Monday to Friday are working days."""
    return day.weekday() < 5


@dataclass(frozen=True)
class PlannedTask:
    """One task as the baseline planned it, with the progress reported on it."""

    task_id: str
    start: date
    finish: date
    budget: Decimal
    percent_complete: Decimal = Decimal(0)


@dataclass(frozen=True)
class ActualCost:
    """One approved actual (a timesheet's cost, an expense) on the day it was incurred."""

    day: date
    amount: Decimal


@dataclass(frozen=True)
class EarnedValue:
    """The EVM figures as of one date (money unrounded; see rounded())."""

    as_of: date
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    cpi: Decimal | None
    spi: Decimal | None
    eac: Decimal
    alternatives: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cv(self) -> Decimal:
        return self.ev - self.ac

    @property
    def sv(self) -> Decimal:
        return self.ev - self.pv

    @property
    def etc(self) -> Decimal:
        return self.eac - self.ac

    @property
    def vac(self) -> Decimal:
        return self.bac - self.eac

    @property
    def tcpi(self) -> Decimal | None:
        remaining_funds = self.bac - self.ac
        return None if remaining_funds <= 0 else (self.bac - self.ev) / remaining_funds


def working_days(start: date, finish: date, is_working_day: IsWorkingDay = weekdays) -> int:
    """Count working days from start to finish, both included (0 when finish is before start)."""
    count, day = 0, start
    while day <= finish:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def planned_value_of(task: PlannedTask, as_of: date, is_working_day: IsWorkingDay = weekdays) -> Decimal:
    """The part of a task's budget planned to be spent by the end of `as_of` (linear per working day)."""
    if as_of < task.start:
        return Decimal(0)
    if as_of >= task.finish:
        return task.budget
    total = working_days(task.start, task.finish, is_working_day)
    if total == 0:  # a task planned only on non-working days (or a milestone): all of it at its finish
        return Decimal(0)
    elapsed = working_days(task.start, as_of, is_working_day)
    return task.budget * Decimal(elapsed) / Decimal(total)


def earned_value_of(task: PlannedTask) -> Decimal:
    """A task's budget times its percent complete (clamped to 0-100)."""
    percent = min(max(task.percent_complete, Decimal(0)), HUNDRED)
    return task.budget * percent / HUNDRED


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def earned_value(
    tasks: Iterable[PlannedTask],
    actuals: Iterable[ActualCost],
    as_of: date,
    is_working_day: IsWorkingDay = weekdays,
) -> EarnedValue:
    """Compute BAC, PV, EV, AC, CPI, SPI and EAC (= BAC / CPI) with the alternative EACs as of a date."""
    planned = list(tasks)
    bac = sum((task.budget for task in planned), Decimal(0))
    pv = sum((planned_value_of(task, as_of, is_working_day) for task in planned), Decimal(0))
    ev = sum((earned_value_of(task) for task in planned), Decimal(0))
    ac = sum((cost.amount for cost in actuals if cost.day <= as_of), Decimal(0))
    cpi, spi = _ratio(ev, ac), _ratio(ev, pv)
    eac = bac / cpi if cpi else bac  # no actuals (or nothing earned) yet: no evidence against the budget
    return EarnedValue(as_of, bac, pv, ev, ac, cpi, spi, eac, _alternatives(bac, ev, ac, cpi, spi))


def _alternatives(
    bac: Decimal, ev: Decimal, ac: Decimal, cpi: Decimal | None, spi: Decimal | None
) -> dict[str, Decimal]:
    """Other common EAC formulas, reported beside the main one."""
    alternatives = {"ac_plus_remaining_budget": ac + (bac - ev)}
    if cpi and spi:
        alternatives["ac_plus_remaining_by_cpi_spi"] = ac + (bac - ev) / (cpi * spi)
    return alternatives


def money(value: Decimal) -> str:
    """A money amount as a decimal string with two places (half up)."""
    return str(value.quantize(MONEY, rounding=ROUND_HALF_UP))


def ratio(value: Decimal | None) -> str | None:
    """An index (CPI, SPI, TCPI) as a decimal string with four places, or None when undefined."""
    return None if value is None else str(value.quantize(RATIO, rounding=ROUND_HALF_UP))
