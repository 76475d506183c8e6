"""Team use cases and the project-scoped permission check every feature uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from projects.roles import OVERSEERS, PLANNERS
from projects.team.errors import (
    LastProjectManager,
    ProjectRoleRequired,
    TeamMemberDuplicate,
    TeamMemberNotFound,
)
from projects.team.models import TeamMember

# What each project role may do (management and admin may do everything on every project).
MANAGE = ("project_manager",)
PLAN = ("project_manager", "technical_lead")
CONTRIBUTE = ("project_manager", "technical_lead", "team_member", "business_expert")


class HasId(Protocol):
    id: str


def project_role(session: Session, project_id: str, user_id: str) -> str | None:
    """The user's role on the project, or None when they are not on its team."""
    stmt = sa.select(TeamMember.role).where(
        TeamMember.project_id == project_id, TeamMember.user_id == user_id
    )
    return session.scalar(stmt)


def require_project_role(
    session: Session, project: HasId, principal: crmkit.Principal, roles: Iterable[str]
) -> None:
    """Refuse (403) unless the caller holds one of `roles` on this project (management and admin pass)."""
    if principal.roles & set(OVERSEERS):
        return
    wanted = tuple(roles)
    if project_role(session, project.id, principal.subject) in wanted:
        return
    raise ProjectRoleRequired(
        f"This needs one of the project roles {', '.join(wanted)} on project {project.id}.",
        roles=list(wanted),
    )


def require_staffing_right(session: Session, project: HasId, principal: crmkit.Principal) -> None:
    """Staff a project: its project managers, or any platform project manager (delivery staffs projects)."""
    if principal.has_any_role(PLANNERS):
        return
    require_project_role(session, project, principal, MANAGE)


def list_members(session: Session, project_id: str) -> list[TeamMember]:
    stmt = sa.select(TeamMember).where(TeamMember.project_id == project_id)
    return list(session.scalars(stmt.order_by(TeamMember.created_at, TeamMember.id)))


def add_member(session: Session, *, project_id: str, data: Mapping[str, Any], actor_id: str) -> TeamMember:
    """Put a user on the team (the caller flushes and commits); a second entry for the user is a conflict."""
    if project_role(session, project_id, data["user_id"]) is not None:
        raise TeamMemberDuplicate(f"User {data['user_id']} is already on the team of project {project_id}.")
    member = TeamMember(project_id=project_id, created_at=utcnow(), created_by=actor_id, **data)
    session.add(member)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise TeamMemberDuplicate(f"User {data['user_id']} is already on the team.") from None
    return member


def get_member(session: Session, project_id: str, member_id: str) -> TeamMember:
    member = session.get(TeamMember, member_id)
    if member is None or member.project_id != project_id:
        raise TeamMemberNotFound(f"Project {project_id} has no team member {member_id}.")
    return member


def change_role(session: Session, member: TeamMember, role: str) -> None:
    if member.role == "project_manager" and role != "project_manager":
        _keep_a_manager(session, member)
    member.role = role


def remove_member(session: Session, member: TeamMember) -> None:
    if member.role == "project_manager":
        _keep_a_manager(session, member)
    session.delete(member)


def _keep_a_manager(session: Session, leaving: TeamMember) -> None:
    stmt = sa.select(sa.func.count()).where(
        TeamMember.project_id == leaving.project_id,
        TeamMember.role == "project_manager",
        TeamMember.id != leaving.id,
    )
    if not session.scalar(stmt):
        raise LastProjectManager("A project keeps at least one project manager; appoint another one first.")


# Use cases (one commit each) ------------------------------------------------------------------------------


def list_team(*, uow: crmkit.UnitOfWork, project_id: str) -> list[TeamMember]:
    """List a project's team."""
    from projects.projects.service import load_project  # projects build on the team

    with uow:
        load_project(uow.session, project_id)
        return list_members(uow.session, project_id)


def add_team_member(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> TeamMember:
    """Put a user on a project's team in a project role."""
    from projects.projects.service import load_open_project

    with uow:
        project = load_open_project(uow.session, project_id)
        require_staffing_right(uow.session, project, actor)
        member = add_member(uow.session, project_id=project.id, data=data, actor_id=actor.subject)
        _sync_manager(uow.session, project)
        uow.commit()
    return member


def change_team_member(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    member_id: str,
    data: Mapping[str, Any],
    actor: crmkit.Principal,
) -> TeamMember:
    """Give a team member another project role (a project keeps one project manager at least)."""
    from projects.projects.service import load_open_project

    with uow:
        project = load_open_project(uow.session, project_id)
        require_staffing_right(uow.session, project, actor)
        member = get_member(uow.session, project.id, member_id)
        change_role(uow.session, member, data["role"])
        if "display_name" in data:
            member.display_name = data["display_name"]
        uow.flush()
        _sync_manager(uow.session, project)
        uow.commit()
    return member


def remove_team_member(
    *, uow: crmkit.UnitOfWork, project_id: str, member_id: str, actor: crmkit.Principal
) -> None:
    """Take a user off a project's team."""
    from projects.projects.service import load_open_project

    with uow:
        project = load_open_project(uow.session, project_id)
        require_staffing_right(uow.session, project, actor)
        remove_member(uow.session, get_member(uow.session, project.id, member_id))
        uow.flush()
        _sync_manager(uow.session, project)
        uow.commit()


def _sync_manager(session: Session, project: Any) -> None:
    """The project's manager_id names its first project manager (None when it has none)."""
    stmt = (
        sa.select(TeamMember.user_id)
        .where(TeamMember.project_id == project.id, TeamMember.role == "project_manager")
        .order_by(TeamMember.created_at, TeamMember.id)
        .limit(1)
    )
    manager_id = session.scalar(stmt)
    if project.manager_id != manager_id:
        project.manager_id = manager_id
        project.updated_at = utcnow()
