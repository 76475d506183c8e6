"""Template use cases: define templates (or save a project as one) and start projects from them.

A template keeps tasks by `key` with `offset_days` (working days after the project start, or null for as
soon as possible), dependencies between keys, and team roles (user and project role).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.projects.models import Project
from projects.schedule import cpm, planner
from projects.schedule.models import Dependency
from projects.team import service as team
from projects.templates.errors import TemplateDuplicate, TemplateInvalid, TemplateNotFound
from projects.templates.models import ProjectTemplate

TASK_FIELDS = ("name", "duration_days", "effort_hours", "is_milestone", "budget_amount")


def load_template(session: Session, template_id: str) -> ProjectTemplate:
    template = session.get(ProjectTemplate, template_id)
    if template is None:
        raise TemplateNotFound(f"There is no project template {template_id}.")
    return template


def get_template(*, uow: crmkit.UnitOfWork, template_id: str) -> ProjectTemplate:
    """Read a template."""
    with uow:
        return load_template(uow.session, template_id)


def list_templates(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through templates by name."""
    sort = crmkit.parse_sort(query["sort"], {"name": ProjectTemplate.name}, "name", ProjectTemplate.id)
    stmt = sa.select(ProjectTemplate)
    with uow:
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def create_template(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> ProjectTemplate:
    """Define a template, or save an existing project's plan and team as one (`from_project_id`)."""
    from projects.projects.service import load_project

    fields = dict(data)
    source_id = fields.pop("from_project_id", None)
    now = utcnow()
    with uow:
        session = uow.session
        if source_id:
            fields = {**_plan_of(session, load_project(session, source_id)), **fields}
        check_plan(fields.get("tasks", []), fields.get("dependencies", []))
        template = ProjectTemplate(
            created_at=now, updated_at=now, created_by=actor.subject, **_defaults(fields)
        )
        session.add(template)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise TemplateDuplicate(
                f"A template named {fields['name']!r} exists.",
                errors=[{"field": "name", "message": "already taken", "in": "json"}],
            ) from None
        uow.commit()
    return template


def delete_template(*, uow: crmkit.UnitOfWork, template_id: str, expected_version: int) -> None:
    """Remove a template (projects made from it keep their plan)."""
    with uow:
        template = load_template(uow.session, template_id)
        crmkit.check_version(template.version, expected_version)
        uow.session.delete(template)
        uow.commit()


def apply_template(session: Session, project: Project, template_id: str, *, actor_id: str) -> None:
    """Copy the template's tasks, dependencies and roles into the (new) project (the caller reschedules)."""
    from projects.schedule.service import reschedule
    from projects.schedule.tasks import add_task

    template = load_template(session, template_id)
    calendar = planner.calendar_for(session, project)
    ids: dict[str, str] = {}
    for item in _parents_first(template.tasks):
        values = {field: item[field] for field in TASK_FIELDS if item.get(field) is not None}
        for field in ("effort_hours", "budget_amount"):
            if field in values:
                values[field] = Decimal(str(values[field]))
        if item.get("parent_key"):
            values["parent_id"] = ids[item["parent_key"]]
        if item.get("offset_days") is not None:
            values["planned_start"] = calendar.date_of(item["offset_days"])
        ids[item["key"]] = add_task(session, project, values).id
    for link in template.dependencies:
        session.add(_dependency(project.id, ids, link))
    for role in template.roles:
        if team.project_role(session, project.id, role["user_id"]) is None:
            team.add_member(session, project_id=project.id, data=dict(role), actor_id=actor_id)
    project.template_id, project.source = template.id, "template"
    session.flush()
    reschedule(session, project, [], announce=False)


def _dependency(project_id: str, ids: Mapping[str, str], link: Mapping[str, Any]) -> Dependency:
    return Dependency(
        project_id=project_id,
        predecessor_id=ids[link["predecessor_key"]],
        successor_id=ids[link["successor_key"]],
        type=link.get("type", "FS"),
        lag_days=link.get("lag_days", 0),
        created_at=utcnow(),
    )


def check_plan(tasks: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    """Refuse duplicate or unknown keys, links on summary tasks and cycles (problem naming the place)."""
    keys = [item["key"] for item in tasks]
    if len(set(keys)) != len(keys):
        raise _invalid("tasks", "task keys must be unique")
    parents = {item["parent_key"] for item in tasks if item.get("parent_key")}
    for index, item in enumerate(tasks):
        if item.get("parent_key") and item["parent_key"] not in keys:
            raise _invalid(f"tasks.{index}.parent_key", f"no task has key {item['parent_key']!r}")
    _parents_first(tasks)
    for index, link in enumerate(links):
        for end in ("predecessor_key", "successor_key"):
            if link[end] not in keys:
                raise _invalid(f"dependencies.{index}.{end}", f"no task has key {link[end]!r}")
            if link[end] in parents:
                raise _invalid(f"dependencies.{index}.{end}", "link subtasks, not a summary task")
    leaves = {item["key"]: 1 for item in tasks if item["key"] not in parents}
    try:
        cpm.schedule(
            leaves, [cpm.Link(x["predecessor_key"], x["successor_key"], x.get("type", "FS")) for x in links]
        )
    except cpm.CycleError as cycle:
        raise _invalid("dependencies", f"the dependencies form a cycle: {' -> '.join(cycle.cycle)}") from None


def _parents_first(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks ordered so every parent comes before its children (a parent loop is refused)."""
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()
    pending = list(tasks)
    while pending:
        ready = [item for item in pending if not item.get("parent_key") or item["parent_key"] in placed]
        if not ready:
            raise _invalid("tasks", "the parent_key links form a loop")
        ordered.extend(ready)
        placed.update(item["key"] for item in ready)
        pending = [item for item in pending if item["key"] not in placed]
    return ordered


def _plan_of(session: Session, project: Project) -> dict[str, Any]:
    """A template's tasks, dependencies and roles taken from a project (keys are WBS numbers)."""
    plan = planner.load_plan(session, project.id)
    calendar = planner.calendar_for(session, project)
    keys = planner.wbs_numbers(plan)
    tasks = []
    for task_id, key in keys.items():
        task = plan.tasks[task_id]
        offset = calendar.number_of(task.start_constraint) if task.start_constraint else None
        tasks.append(
            {
                "key": key,
                "name": task.name,
                "parent_key": keys[task.parent_id] if task.parent_id else None,
                "offset_days": offset,
                "duration_days": task.duration_days,
                "effort_hours": str(task.effort_hours),
                "is_milestone": task.is_milestone,
                "budget_amount": str(task.budget_amount) if task.budget_amount is not None else None,
            }
        )
    links = [
        {
            "predecessor_key": keys[d.predecessor_id],
            "successor_key": keys[d.successor_id],
            "type": d.type,
            "lag_days": d.lag_days,
        }
        for d in plan.links
    ]
    roles = [{"user_id": m.user_id, "role": m.role} for m in team.list_members(session, project.id)]
    return {"tasks": tasks, "dependencies": links, "roles": roles}


def _defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {"tasks": [], "dependencies": [], "roles": [], **fields}
    values["tasks"] = [_json_task(item) for item in values["tasks"]]
    return values


def _json_task(item: Mapping[str, Any]) -> dict[str, Any]:
    """Decimals as strings, so the task list stores as JSON."""
    return {
        key: (str(value) if key in ("effort_hours", "budget_amount") and value is not None else value)
        for key, value in item.items()
    }


def _invalid(field: str, message: str) -> TemplateInvalid:
    return TemplateInvalid(
        f"{field}: {message}.", errors=[{"field": field, "message": message, "in": "json"}]
    )
