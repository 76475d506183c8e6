"""The plan in memory: load a project's tasks and links, schedule leaves by CPM, roll summaries up.

No commits here: the use cases in projects.schedule.service call these inside their unit of work.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from projects.payloads import day
from projects.projects.models import Project
from projects.schedule import cpm
from projects.schedule.calendar import WorkingCalendar
from projects.schedule.models import DEFAULT_WORK_DAYS, Dependency, Task, WorkCalendar

SCHEDULED_FIELDS = ("planned_start", "planned_finish", "duration_days")


# The columns the planner reads and may write: plain rows, so thousands of tasks load and save in one
# statement each instead of one ORM object (and one UPDATE) per task.
ROW_COLUMNS = (
    "id", "parent_id", "position", "created_at", "name", "is_milestone", "is_summary", "start_constraint",
    "planned_start", "planned_finish", "duration_days", "effort_hours", "progress_percent", "budget_amount",
    "assignee_id", "version",
)  # fmt: skip
WRITTEN = (
    "is_summary", "planned_start", "planned_finish", "duration_days", "effort_hours", "progress_percent",
    "budget_amount",
)  # fmt: skip


@dataclasses.dataclass(slots=True)
class PlanTask:
    """One task as the planner sees it (a row of `tasks`)."""

    id: str
    parent_id: str | None
    position: int
    created_at: Any
    name: str
    is_milestone: bool
    is_summary: bool
    start_constraint: date | None
    planned_start: date
    planned_finish: date
    duration_days: int
    effort_hours: Decimal
    progress_percent: int
    budget_amount: Decimal | None
    assignee_id: str | None
    version: int

    def written(self) -> tuple[Any, ...]:
        return tuple(getattr(self, field) for field in WRITTEN)


@dataclasses.dataclass(frozen=True, slots=True)
class PlanLink:
    id: str
    predecessor_id: str
    successor_id: str
    type: str
    lag_days: int


@dataclasses.dataclass
class LoadedPlan:
    """A project's tasks (by id) and dependencies, as loaded for one use case."""

    tasks: dict[str, PlanTask]
    links: list[PlanLink]
    loaded: dict[str, tuple[Any, ...]] = dataclasses.field(default_factory=dict)

    def children(self) -> dict[str | None, list[PlanTask]]:
        """Parent id (None: top level) -> its tasks in WBS order."""
        by_parent: dict[str | None, list[PlanTask]] = defaultdict(list)
        for task in self.tasks.values():
            by_parent[task.parent_id].append(task)
        for siblings in by_parent.values():
            siblings.sort(key=lambda task: (task.position, task.created_at, task.id))
        return by_parent

    def cpm_links(self) -> list[cpm.Link]:
        return [cpm.Link(d.predecessor_id, d.successor_id, d.type, d.lag_days) for d in self.links]

    def leaves(self) -> list[PlanTask]:
        return [task for task in self.tasks.values() if not task.is_summary]

    def changed(self) -> list[PlanTask]:
        """Tasks whose written fields differ from what was loaded."""
        return [task for task in self.tasks.values() if task.written() != self.loaded.get(task.id)]


def load_plan(session: Session, project_id: str) -> LoadedPlan:
    """Read the project's tasks and dependencies as plain rows (pending ORM changes are flushed first)."""
    session.flush()
    table = Task.__table__
    rows = session.execute(
        sa.select(*(table.c[name] for name in ROW_COLUMNS)).where(table.c.project_id == project_id)
    )
    tasks = {row.id: PlanTask(*row) for row in rows}
    link_table = Dependency.__table__
    columns = [link_table.c[name] for name in ("id", "predecessor_id", "successor_id", "type", "lag_days")]
    links = [
        PlanLink(*row)
        for row in session.execute(sa.select(*columns).where(link_table.c.project_id == project_id))
    ]
    return LoadedPlan(tasks, links, {task.id: task.written() for task in tasks.values()})


def save_plan(session: Session, plan: LoadedPlan) -> list[PlanTask]:
    """Write the changed tasks in one statement (version + 1 each) and keep loaded ORM objects in step."""
    changed = plan.changed()
    if not changed:
        return []
    table = cast(sa.Table, Task.__table__)
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("task_id"), table.c.version == sa.bindparam("old_version"))
        .values(
            version=sa.bindparam("new_version"), **{field: sa.bindparam(f"new_{field}") for field in WRITTEN}
        )
    )
    params = []
    for task in changed:
        params.append(
            {"task_id": task.id, "old_version": task.version, "new_version": task.version + 1,
             **{f"new_{field}": getattr(task, field) for field in WRITTEN}}
        )  # fmt: skip
        task.version += 1
    result: Any = session.execute(statement, params, execution_options={"synchronize_session": False})
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
        raise StaleDataError("a task of the plan changed concurrently")
    _sync_identity_map(session, changed)
    plan.loaded.update({task.id: task.written() for task in changed})
    return changed


def _sync_identity_map(session: Session, changed: list[PlanTask]) -> None:
    for task in changed:
        loaded = session.identity_map.get(identity_key(Task, task.id))
        if loaded is not None:
            for field in (*WRITTEN, "version"):
                set_committed_value(loaded, field, getattr(task, field))


def calendar_for(session: Session, project: Project) -> WorkingCalendar:
    """The project's working calendar (Monday to Friday without holidays unless it names one)."""
    stored = session.get(WorkCalendar, project.calendar_id) if project.calendar_id else None
    if stored is None:
        return WorkingCalendar(DEFAULT_WORK_DAYS, (), project.start_date)
    holidays = [date.fromisoformat(holiday["date"]) for holiday in stored.holidays]
    return WorkingCalendar(stored.work_days, holidays, project.start_date)


def critical_path(plan: LoadedPlan, calendar: WorkingCalendar) -> cpm.Plan:
    """Early/late dates and float of every leaf task, start constraints honoured."""
    leaves = plan.leaves()
    durations = {task.id: task.duration_days for task in leaves}
    not_before = {
        task.id: calendar.number_of(task.start_constraint)
        for task in leaves
        if task.start_constraint is not None
    }
    return cpm.schedule(durations, plan.cpm_links(), not_before)


def apply_schedule(plan: LoadedPlan, calendar: WorkingCalendar) -> dict[str, dict[str, Any]]:
    """Move every leaf to its early dates, roll summaries up; return task id -> dates before, for moved ones."""
    timings = critical_path(plan, calendar).timings
    moved: dict[str, dict[str, Any]] = {}
    for task in plan.leaves():
        timing = timings[task.id]
        start = calendar.date_of(timing.early_start)
        finish = calendar.finish_date(timing.early_start, task.duration_days)
        if (task.planned_start, task.planned_finish) != (start, finish):
            moved[task.id] = scheduled_state(task)
            task.planned_start, task.planned_finish = start, finish
    roll_up(plan, calendar)
    return moved


def scheduled_state(task: PlanTask) -> dict[str, Any]:
    return {"planned_start": day(task.planned_start), "planned_finish": day(task.planned_finish)}


def roll_up(plan: LoadedPlan, calendar: WorkingCalendar) -> None:
    """Summaries take their children's span, summed effort and effort-weighted progress (bottom-up)."""
    by_parent = plan.children()
    for task in _bottom_up(by_parent):
        children = by_parent.get(task.id, [])
        task.is_summary = bool(children)
        if not children:
            continue
        task.planned_start = min(child.planned_start for child in children)
        task.planned_finish = max(child.planned_finish for child in children)
        task.duration_days = calendar.working_days_between(task.planned_start, task.planned_finish)
        task.effort_hours = sum((Decimal(child.effort_hours) for child in children), Decimal("0"))
        task.progress_percent = _weighted_progress(children)
        task.budget_amount = None


def _bottom_up(by_parent: dict[str | None, list[PlanTask]]) -> list[PlanTask]:
    """Tasks with every child before its parent (iterative, so deep WBS trees need no recursion)."""
    order: list[PlanTask] = []
    stack = list(by_parent.get(None, []))
    while stack:
        task = stack.pop()
        order.append(task)
        stack.extend(by_parent.get(task.id, []))
    return list(reversed(order))


def _weighted_progress(children: Iterable[PlanTask]) -> int:
    items = list(children)
    effort = sum((Decimal(child.effort_hours) for child in items), Decimal("0"))
    if effort > 0:
        done = sum((Decimal(child.effort_hours) * child.progress_percent for child in items), Decimal("0"))
        return int(done / effort)
    weights = [max(child.duration_days, 1) for child in items]
    return sum(w * child.progress_percent for w, child in zip(weights, items, strict=True)) // sum(weights)


def wbs_numbers(plan: LoadedPlan) -> dict[str, str]:
    """Task id -> its outline number (1, 1.2, 1.2.3) in WBS order."""
    by_parent = plan.children()
    numbers: dict[str, str] = {}
    stack: list[tuple[str, PlanTask]] = [
        (str(n), task) for n, task in reversed(list(enumerate(by_parent.get(None, []), start=1)))
    ]
    while stack:
        number, task = stack.pop()
        numbers[task.id] = number
        children = by_parent.get(task.id, [])
        stack.extend((f"{number}.{n}", child) for n, child in reversed(list(enumerate(children, start=1))))
    return numbers


def project_finish(plan: LoadedPlan) -> date | None:
    return max((task.planned_finish for task in plan.tasks.values()), default=None)
