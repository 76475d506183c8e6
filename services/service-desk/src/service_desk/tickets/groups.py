"""Ticket groups (queues): name, member agents and the assignment rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.tickets.errors import GroupNameTaken, GroupNotFound
from service_desk.tickets.models import GroupMember, TicketGroup

SORT_COLUMNS = {"name": TicketGroup.name, "created_at": TicketGroup.created_at}


def list_groups(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    with uow:
        sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "name", TicketGroup.id)
        page = crmkit.paginate(
            uow.session, sa.select(TicketGroup), sort=sort, cursor=query["cursor"], limit=query["limit"]
        )
        return page


def get_group(*, uow: crmkit.UnitOfWork, group_id: str) -> TicketGroup:
    with uow:
        return load_group(uow.session, group_id)


def create_group(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> TicketGroup:
    fields = dict(data)
    members = fields.pop("members", [])
    with uow:
        session = uow.session
        _refuse_taken_name(session, fields["name"], None)
        now = clock.now()
        group = TicketGroup(**fields, created_at=now, updated_at=now)
        session.add(group)
        session.flush()
        _set_members(group, members)
        session.flush()
        uow.commit()
    return group


def update_group(
    *, uow: crmkit.UnitOfWork, group_id: str, data: Mapping[str, Any], expected_version: int
) -> TicketGroup:
    fields = dict(data)
    members = fields.pop("members", None)
    with uow:
        session = uow.session
        group = load_group(session, group_id)
        crmkit.check_version(group.version, expected_version)
        if "name" in fields:
            _refuse_taken_name(session, fields["name"], group.id)
        for name, value in fields.items():
            setattr(group, name, value)
        group.updated_at = clock.now()
        session.flush()
        if members is not None:
            _set_members(group, members)
        session.flush()
        uow.commit()
    return group


def load_group(session: Session, group_id: str) -> TicketGroup:
    group = session.get(TicketGroup, group_id)
    if group is None:
        raise GroupNotFound(f"No ticket group {group_id}.")
    return group


def _set_members(group: TicketGroup, members: list[str]) -> None:
    kept = {row.agent_id: row for row in group.member_rows}
    group.member_rows = [kept.get(agent) or GroupMember(agent_id=agent) for agent in dict.fromkeys(members)]


def _refuse_taken_name(session: Session, name: str, own_id: str | None) -> None:
    taken = session.scalars(
        sa.select(TicketGroup.id).where(TicketGroup.name == name, TicketGroup.id != own_id)
    )
    if taken.first() is not None:
        raise GroupNameTaken(f"A ticket group is already named {name!r}.")
