"""Teams: the `team` users belong to (carried in their tokens); services apply record rules per team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crmkit import Page, UnitOfWork, check_version, paginate, parse_sort
from gateway.audit import models as audit
from gateway.audit.service import record
from gateway.identity.errors import TeamInUse, TeamNameTaken, TeamNotFound
from gateway.identity.models import Team, User

TEAM_SORTS = {"name": Team.name, "created_at": Team.created_at}


def ensure(session: Session, name: str | None) -> str | None:
    """The team name to store on a user; a team named for the first time is created (and audited)."""
    if name is None:
        return None
    name = name.strip()
    if session.scalar(sa.select(Team.id).where(Team.name == name)) is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
        record(session, audit.TEAM_CREATED, target=("team", team.id), name=name, implicit=True)
    return name


def create(*, uow: UnitOfWork, data: Mapping[str, Any]) -> Team:
    name = data["name"].strip()
    if uow.session.scalar(sa.select(Team.id).where(Team.name == name)) is not None:
        raise TeamNameTaken(f"There is a team {name!r} already.")
    team = Team(name=name, description=data.get("description"))
    uow.session.add(team)
    uow.session.flush()
    record(uow.session, audit.TEAM_CREATED, target=("team", team.id), name=name)
    try:
        uow.commit()
    except IntegrityError:
        raise TeamNameTaken(f"There is a team {name!r} already.") from None
    return team


def get_or_raise(*, uow: UnitOfWork, team_id: str) -> Team:
    team = uow.session.get(Team, team_id)
    if team is None:
        raise TeamNotFound(f"There is no team {team_id!r}.")
    return team


def list_(*, uow: UnitOfWork, query: Mapping[str, Any]) -> Page:
    stmt = sa.select(Team)
    if query.get("name"):
        stmt = stmt.where(Team.name == query["name"])
    sort = parse_sort(query.get("sort"), TEAM_SORTS, "name", Team.id)
    return paginate(uow.session, stmt, sort=sort, cursor=query.get("cursor"), limit=query["limit"])


def members(session: Session, name: str) -> int:
    return int(session.scalar(sa.select(sa.func.count()).where(User.team == name)) or 0)


def update(*, uow: UnitOfWork, team_id: str, data: Mapping[str, Any], expected_version: int) -> Team:
    """Change a team's description (the name is fixed: services keep it on records and in tokens)."""
    team = get_or_raise(uow=uow, team_id=team_id)
    check_version(team.version, expected_version)
    before = team.description
    team.description = data.get("description")
    team.touch()
    record(uow.session, audit.TEAM_UPDATED, target=("team", team.id), name=team.name,
           changes={"description": {"before": before, "after": team.description}})  # fmt: skip
    uow.commit()
    return team


def delete(*, uow: UnitOfWork, team_id: str, expected_version: int) -> None:
    """Delete a team nobody belongs to any more."""
    team = get_or_raise(uow=uow, team_id=team_id)
    check_version(team.version, expected_version)
    count = members(uow.session, team.name)
    if count:
        raise TeamInUse(f"{count} user(s) still belong to team {team.name!r}; move them first.")
    record(uow.session, audit.TEAM_DELETED, target=("team", team.id), name=team.name)
    uow.session.delete(team)
    uow.commit()
