"""HTTP resources of the plan: a project's tasks, dependencies, critical path, Gantt data and baselines;
one task at /api/v1/tasks/<id>."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.http import created, etag
from projects.schedule import reports, service, tasks
from projects.schedule.schemas import (
    BaselineCreateSchema,
    BaselineDetailSchema,
    BaselineListSchema,
    BaselineSchema,
    CriticalPathSchema,
    DependencyCreateSchema,
    DependencyListSchema,
    DependencySchema,
    DependencyUpdateSchema,
    GanttSchema,
    TaskCreateSchema,
    TaskQuerySchema,
    TaskSchema,
    TaskUpdateSchema,
    VarianceSchema,
)

blp = crmkit.Blueprint(
    "schedule",
    __name__,
    url_prefix="/api/v1/projects",
    description="A project's WBS, dependencies, CPM, baselines.",
)
task_blp = crmkit.Blueprint(
    "tasks", __name__, url_prefix="/api/v1/tasks", description="One task of a project."
)


@blp.route("/<project_id>/tasks")
class ProjectTasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(TaskSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """Page through the project's tasks (filter by parent or milestones)."""
        return tasks.list_tasks(uow=current_uow(), project_id=project_id, query=query)

    @blp.arguments(TaskCreateSchema)
    @blp.response(201, TaskSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Add a task, subtask (parent_id) or milestone (project managers and technical leads)."""
        task = tasks.create_task(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        return task, created(url_for("tasks.TaskById", task_id=task.id), task.version)


@blp.route("/<project_id>/dependencies")
class ProjectDependencies(MethodView):
    @blp.response(200, DependencyListSchema)
    def get(self, project_id: str) -> Any:
        """List the project's dependencies."""
        return {"items": service.list_dependencies(uow=current_uow(), project_id=project_id)}

    @blp.arguments(DependencyCreateSchema)
    @blp.response(201, DependencySchema)
    @blp.alt_response(422, description="Would close a cycle (`projects.dependency.cycle`, `cycle` names it)")
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Link two tasks (FS, SS, FF, SF with lag in working days); dependants are rescheduled."""
        return service.add_dependency(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<project_id>/dependencies/<dependency_id>")
class ProjectDependency(MethodView):
    @blp.arguments(DependencyUpdateSchema)
    @blp.response(200, DependencySchema)
    def patch(self, data: dict[str, Any], project_id: str, dependency_id: str) -> Any:
        """Change a dependency's type or lag; dependants are rescheduled."""
        return service.update_dependency(
            uow=current_uow(),
            project_id=project_id,
            dependency_id=dependency_id,
            data=data,
            actor=crmkit.current_principal(),
        )

    @blp.response(204)
    def delete(self, project_id: str, dependency_id: str) -> None:
        """Remove a dependency; dependants are rescheduled."""
        service.remove_dependency(
            uow=current_uow(),
            project_id=project_id,
            dependency_id=dependency_id,
            actor=crmkit.current_principal(),
        )


@blp.route("/<project_id>/critical-path")
class ProjectCriticalPath(MethodView):
    @blp.response(200, CriticalPathSchema)
    def get(self, project_id: str) -> Any:
        """Compute the critical path: early/late start and finish and total float of every task."""
        return reports.critical_path(uow=current_uow(), project_id=project_id)


@blp.route("/<project_id>/gantt")
class ProjectGantt(MethodView):
    @blp.response(200, GanttSchema)
    def get(self, project_id: str) -> Any:
        """Read the data of a Gantt chart: WBS rows, bars, critical flags, baseline bars, arrows."""
        return reports.gantt(uow=current_uow(), project_id=project_id)


@blp.route("/<project_id>/baselines")
class ProjectBaselines(MethodView):
    @blp.response(200, BaselineListSchema)
    def get(self, project_id: str) -> Any:
        """List the project's baselines."""
        return {"items": service.list_baselines(uow=current_uow(), project_id=project_id)}

    @blp.arguments(BaselineCreateSchema)
    @blp.response(201, BaselineSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Save the current plan as a baseline (project managers)."""
        return service.create_baseline(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<project_id>/baselines/<baseline_id>")
class ProjectBaseline(MethodView):
    @blp.response(200, BaselineDetailSchema)
    def get(self, project_id: str, baseline_id: str) -> Any:
        """Read a baseline with its saved tasks."""
        return reports.get_baseline(uow=current_uow(), project_id=project_id, baseline_id=baseline_id)


@blp.route("/<project_id>/baselines/<baseline_id>/variance")
class ProjectBaselineVariance(MethodView):
    @blp.response(200, VarianceSchema)
    def get(self, project_id: str, baseline_id: str) -> Any:
        """Compare the current plan with a baseline (dates, duration, effort, budget)."""
        return reports.variance(uow=current_uow(), project_id=project_id, baseline_id=baseline_id)


@task_blp.route("/<task_id>")
class TaskById(MethodView):
    @task_blp.response(200, TaskSchema)
    def get(self, task_id: str) -> Any:
        """Read a task."""
        task = tasks.get_task(uow=current_uow(), task_id=task_id)
        return task, etag(task.version)

    @task_blp.arguments(TaskUpdateSchema)
    @task_blp.response(200, TaskSchema)
    def patch(self, data: dict[str, Any], task_id: str) -> Any:
        """Move, resize or progress a task (send If-Match); dependants are rescheduled."""
        task = tasks.update_task(
            uow=current_uow(),
            task_id=task_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return task, etag(task.version)

    @task_blp.response(204)
    def delete(self, task_id: str) -> None:
        """Remove a task without subtasks (send If-Match); dependants are rescheduled."""
        tasks.delete_task(
            uow=current_uow(),
            task_id=task_id,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
