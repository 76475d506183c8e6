"""Problems of the schedule feature (codes are listed in docs/errors.md and never reused)."""

from __future__ import annotations

import crmkit


class TaskNotFound(crmkit.NotFound):
    code = "projects.task.not_found"


class TaskInvalid(crmkit.ValidationFailed):
    """A task change breaks a plan rule (the problem's `errors` name the field)."""

    code = "projects.task.invalid"


class TaskHasChildren(crmkit.Conflict):
    title = "Task Has Subtasks"
    code = "projects.task.has_children"


class DependencyNotFound(crmkit.NotFound):
    code = "projects.dependency.not_found"


class DependencyCycle(crmkit.ValidationFailed):
    """The dependency would close a cycle; `cycle` lists the tasks (id and name) around it."""

    title = "Dependency Cycle"
    code = "projects.dependency.cycle"


class DependencyInvalid(crmkit.ValidationFailed):
    code = "projects.dependency.invalid"


class DependencyDuplicate(crmkit.Conflict):
    title = "Dependency Exists"
    code = "projects.dependency.duplicate"


class BaselineNotFound(crmkit.NotFound):
    code = "projects.baseline.not_found"


class CalendarNotFound(crmkit.NotFound):
    code = "projects.work_calendar.not_found"


class CalendarDuplicate(crmkit.Conflict):
    title = "Calendar Name Taken"
    code = "projects.work_calendar.duplicate"


class CalendarInUse(crmkit.Conflict):
    title = "Calendar In Use"
    code = "projects.work_calendar.in_use"
