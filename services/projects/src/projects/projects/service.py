"""Project use cases: each opens the unit of work, applies the rules, records events, commits once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.changes import diff
from crmkit.events.catalog import EventType
from crmkit.events.outbox import record
from crmkit.types import utcnow
from projects import events_catalog as catalog
from projects.accounts.service import account_names, resolve_account
from projects.projects.errors import ProjectClosed, ProjectNotFound, ProjectTransitionInvalid
from projects.projects.events import project_state, scope_item_state
from projects.projects.models import TRANSITIONS, Project, ScopeItem, StatusUpdate
from projects.team import service as team

SORT_COLUMNS = {"created_at": Project.created_at, "name": Project.name}
CENTS = Decimal("0.01")


def load_project(session: Session, project_id: str) -> Project:
    """Load a project or raise the 404 problem."""
    project = session.get(Project, project_id)
    if project is None:
        raise ProjectNotFound(f"There is no project {project_id}.")
    return project


def load_open_project(session: Session, project_id: str) -> Project:
    """Load a project that may still change (not closed)."""
    project = load_project(session, project_id)
    if project.is_closed:
        raise ProjectClosed(f"Project {project_id} is closed; reopen is not possible, nothing was changed.")
    return project


def get_project(*, uow: crmkit.UnitOfWork, project_id: str) -> Project:
    """Read a project with its account's name."""
    with uow:
        project = load_project(uow.session, project_id)
        _attach_account_names(uow.session, [project])
        return project


def list_projects(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through projects matching the filters."""
    stmt = sa.select(Project)
    for param, column in (
        ("account", Project.account_id),
        ("status", Project.status),
        ("health", Project.health),
        ("order", Project.order_id),
    ):
        if query.get(param):
            stmt = stmt.where(column == query[param])
    sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "-created_at", Project.id)
    with uow:
        page = crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])
        _attach_account_names(uow.session, page.items)
        return page


def list_scope(*, uow: crmkit.UnitOfWork, project_id: str) -> list[ScopeItem]:
    """List a project's scope items in order."""
    with uow:
        load_project(uow.session, project_id)
        return scope_items_of(uow.session, project_id)


def scope_items_of(session: Session, project_id: str) -> list[ScopeItem]:
    stmt = sa.select(ScopeItem).where(ScopeItem.project_id == project_id).order_by(ScopeItem.position)
    return list(session.scalars(stmt))


def new_project(session: Session, *, fields: Mapping[str, Any], actor_id: str, now: datetime) -> Project:
    """Add a project (planned, on track) to the session, its account resolved through merges."""
    values = dict(fields)
    if values.get("account_id"):
        values["account_id"] = resolve_account(session, values["account_id"])
    project = Project(
        status="planned", health="on_track", created_at=now, updated_at=now, created_by=actor_id, **values
    )
    session.add(project)
    session.flush()
    return project


def add_scope_items(
    session: Session, project: Project, items: Iterable[Mapping[str, Any]]
) -> list[ScopeItem]:
    """Add scope items (amount = quantity x unit price unless given) and raise the project's budget."""
    added = []
    for position, item in enumerate(items, start=len(scope_items_of(session, project.id))):
        values = dict(item)
        values.setdefault("amount", (values["quantity"] * values["unit_price"]).quantize(CENTS))
        scope_item = ScopeItem(project_id=project.id, position=position, **values)
        session.add(scope_item)
        added.append(scope_item)
    project.budget_amount = (project.budget_amount or Decimal("0")) + sum(
        (item.amount for item in added), Decimal("0")
    )
    return added


def record_created(session: Session, project: Project, scope_items: list[ScopeItem]) -> None:
    session.flush()
    _record(session, catalog.PROJECT_CREATED, project, scope_items=[scope_item_state(i) for i in scope_items])


def create_project(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal) -> Project:
    """Start a project by hand or from a template; the caller joins its team as project manager."""
    from projects.schedule.calendars import check_calendar_exists
    from projects.templates import service as templates  # templates build on projects

    fields = dict(data)
    items = fields.pop("scope_items", [])
    template_id = fields.pop("template_id", None)
    now = utcnow()
    with uow:
        session = uow.session
        check_calendar_exists(session, fields.get("calendar_id"))
        project = new_project(session, fields={**fields, "source": "manual"}, actor_id=actor.subject, now=now)
        team.add_member(
            session,
            project_id=project.id,
            data={"user_id": actor.subject, "role": "project_manager"},
            actor_id=actor.subject,
        )
        project.manager_id = actor.subject
        if template_id:
            templates.apply_template(session, project, template_id, actor_id=actor.subject)
        scope = add_scope_items(session, project, items)
        record_created(session, project, scope)
        uow.commit()
        _attach_account_names(session, [project])
    return project


def update_project(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Project:
    """Change a project's fields or lifecycle status (a new start date reschedules the plan)."""
    from projects.schedule import service as schedule  # the schedule builds on projects
    from projects.schedule.calendars import check_calendar_exists

    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.MANAGE)
        crmkit.check_version(project.version, expected_version)
        check_calendar_exists(session, data.get("calendar_id"))
        before = project_state(project)
        changes = dict(data)
        status = changes.pop("status", project.status)
        if changes.get("account_id"):
            changes["account_id"] = resolve_account(session, changes["account_id"])
        for field, value in changes.items():
            setattr(project, field, value)
        _transition(project, status)
        if "start_date" in changes or "calendar_id" in changes:
            schedule.reschedule(session, project, [])
        _save_changes(uow, project, before, comment=None)
        uow.commit()
        _attach_account_names(session, [project])
    return project


def add_status_update(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> StatusUpdate:
    """Report the project's health with a comment; it joins the status history."""
    with uow:
        session = uow.session
        project = load_open_project(session, project_id)
        team.require_project_role(session, project, actor, team.MANAGE)
        before = project_state(project)
        update = StatusUpdate(
            project_id=project.id,
            health=data["health"],
            previous_health=project.health,
            status=project.status,
            comment=data["comment"],
            author_id=actor.subject,
            created_at=utcnow(),
        )
        session.add(update)
        project.health = data["health"]
        _save_changes(uow, project, before, comment=data["comment"])
        uow.commit()
    return update


def list_status_updates(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's status history (newest first by default)."""
    stmt = sa.select(StatusUpdate).where(StatusUpdate.project_id == project_id)
    sort = crmkit.parse_sort(
        query["sort"], {"created_at": StatusUpdate.created_at}, "-created_at", StatusUpdate.id
    )
    with uow:
        load_project(uow.session, project_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def _transition(project: Project, status: str) -> None:
    if status == project.status:
        return
    allowed = TRANSITIONS[project.status]
    if status not in allowed:
        raise ProjectTransitionInvalid(
            f"A {project.status} project cannot become {status}.",
            allowed=list(allowed),
            errors=[{"field": "status", "message": f"allowed: {', '.join(allowed) or 'none'}", "in": "json"}],
        )
    project.status = status
    project.completed_at = utcnow() if status == "completed" else project.completed_at
    if status == "active":
        project.completed_at = None


def _save_changes(
    uow: crmkit.UnitOfWork, project: Project, before: dict[str, Any], comment: str | None
) -> None:
    """Stamp and flush a changed project; record status_changed (and completed) when those changed."""
    if not diff(before, project_state(project)):
        return
    project.updated_at = utcnow()
    uow.flush()
    after = project_state(project)
    changes = diff(before, after)
    if "status" in changes or "health" in changes:
        _record(uow.session, catalog.PROJECT_STATUS_CHANGED, project, changes=changes, comment=comment)
    if changes.get("status", {}).get("after") == "completed":
        _record(uow.session, catalog.PROJECT_COMPLETED, project)


def _record(session: Session, event_type: EventType, project: Project, **extra: Any) -> None:
    record(
        session,
        event_type,
        subject=project.id,
        data={**project_state(project), **extra},
        sequence=project.version,
    )


def _attach_account_names(session: Session, projects_: Iterable[Project]) -> None:
    """Set `account_name` on each project (from the account read model) for the response."""
    items = list(projects_)
    names = account_names(session, {p.account_id for p in items if p.account_id})
    for project in items:
        project.account_name = names.get(project.account_id or "")  # type: ignore[attr-defined]
