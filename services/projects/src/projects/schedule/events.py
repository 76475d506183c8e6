"""Events about the schedule: milestones reached and tasks rescheduled (routing keys, schemas, examples)."""

from __future__ import annotations

from typing import Any

from projects.payloads import CHANGES, DATE, ID, TEXT, TIMESTAMP, VERSION, day, nullable, record, timestamp
from projects.projects.models import Project
from projects.schedule.models import Task
from projects.schedule.planner import PlanTask

TaskLike = Task | PlanTask

MILESTONE_REACHED = "projects.milestone.reached"
TASK_RESCHEDULED = "projects.task.rescheduled"

TaskRefV1 = {
    "id": ID,
    "project_id": ID,
    "account_id": nullable(ID),
    "name": TEXT,
    "parent_id": nullable(ID),
    "planned_start": DATE,
    "planned_finish": DATE,
    "duration_days": {"type": "integer", "minimum": 0},
    "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100},
    "version": VERSION,
}
MilestoneReachedV1 = record({**TaskRefV1, "completed_at": TIMESTAMP})
TaskRescheduledV1 = record(
    {
        **TaskRefV1,
        "cause_task_id": nullable(ID),
        "changes": CHANGES,
    }
)

EXAMPLE_TASK: dict[str, Any] = {
    "id": "5c4b3a2918f74e6d9c8b7a6f5e4d3c2b",
    "project_id": "3d6f0a4b9c8e4f2a8b1c2d3e4f5a6b7c",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "name": "Go-live",
    "parent_id": None,
    "planned_start": "2026-06-30",
    "planned_finish": "2026-06-30",
    "duration_days": 0,
    "progress_percent": 100,
    "version": 4,
}
EXAMPLE_MILESTONE_REACHED = {**EXAMPLE_TASK, "completed_at": "2026-06-30T15:20:00.000000Z"}
EXAMPLE_TASK_RESCHEDULED = {
    **EXAMPLE_TASK,
    "name": "User acceptance test",
    "planned_start": "2026-06-17",
    "planned_finish": "2026-06-23",
    "duration_days": 5,
    "progress_percent": 0,
    "cause_task_id": "0e1d2c3b4a5948e7b6c5d4e3f2a1b0c9",
    "changes": {
        "planned_start": {"before": "2026-06-10", "after": "2026-06-17"},
        "planned_finish": {"before": "2026-06-16", "after": "2026-06-23"},
    },
}


def task_ref(task: TaskLike, project: Project) -> dict[str, Any]:
    """The task as schedule events carry it (with its project's account)."""
    return {
        "id": task.id,
        "project_id": project.id,
        "account_id": project.account_id,
        "name": task.name,
        "parent_id": task.parent_id,
        "planned_start": day(task.planned_start),
        "planned_finish": day(task.planned_finish),
        "duration_days": task.duration_days,
        "progress_percent": task.progress_percent,
        "version": task.version,
    }


def milestone_reached(task: Task, project: Project) -> dict[str, Any]:
    return {**task_ref(task, project), "completed_at": timestamp(task.completed_at)}
