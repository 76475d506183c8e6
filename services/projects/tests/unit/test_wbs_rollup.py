"""WBS roll-up and outline numbers on plain plan rows: summaries take their children's span and totals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from projects.schedule.calendar import WorkingCalendar
from projects.schedule.planner import LoadedPlan, PlanTask, apply_schedule, roll_up, wbs_numbers

CREATED = datetime(2026, 3, 1)
CALENDAR = WorkingCalendar((1, 2, 3, 4, 5), (), date(2026, 3, 2))


def task(
    task_id: str, parent: str | None = None, days: int = 1, effort: str = "0", progress: int = 0
) -> PlanTask:
    return PlanTask(
        id=task_id, parent_id=parent, position=int(task_id[-1]), created_at=CREATED, name=task_id,
        is_milestone=days == 0, is_summary=False, start_constraint=None, planned_start=date(2026, 3, 2),
        planned_finish=date(2026, 3, 2), duration_days=days, effort_hours=Decimal(effort),
        progress_percent=progress, budget_amount=Decimal("100"), assignee_id=None, version=1,
    )  # fmt: skip


def test_nested_summaries_roll_up_dates_effort_and_weighted_progress() -> None:
    rows = [task("p1"), task("s1", "p1"), task("a1", "s1", 2, "10", 100), task("a2", "s1", 3, "30", 0),
            task("b3", "p1", 1, "0", 50)]  # fmt: skip
    plan = LoadedPlan({row.id: row for row in rows}, [])
    plan.tasks["a2"].start_constraint = date(2026, 3, 4)
    plan.tasks["s1"].is_summary = plan.tasks["p1"].is_summary = True
    apply_schedule(plan, CALENDAR)
    summary, top = plan.tasks["s1"], plan.tasks["p1"]
    assert (summary.planned_start, summary.planned_finish, summary.duration_days) == (
        date(2026, 3, 2), date(2026, 3, 6), 5
    )  # fmt: skip
    assert (summary.effort_hours, summary.progress_percent, summary.budget_amount) == (
        Decimal("40"),
        25,
        None,
    )
    assert (top.effort_hours, top.progress_percent) == (Decimal("40"), 25)


def test_progress_without_effort_is_weighted_by_duration() -> None:
    rows = [task("p1"), task("a1", "p1", 1, progress=100), task("a2", "p1", 3, progress=0)]
    plan = LoadedPlan({row.id: row for row in rows}, [])
    roll_up(plan, CALENDAR)
    assert plan.tasks["p1"].is_summary and plan.tasks["p1"].progress_percent == 25


def test_outline_numbers_follow_the_wbs_order() -> None:
    rows = [task("p1"), task("p2"), task("c1", "p1"), task("c2", "p1"), task("g1", "c2")]
    plan = LoadedPlan({row.id: row for row in rows}, [])
    assert wbs_numbers(plan) == {"p1": "1", "c1": "1.1", "c2": "1.2", "g1": "1.2.1", "p2": "2"}
