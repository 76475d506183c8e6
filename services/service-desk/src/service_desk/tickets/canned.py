"""Canned responses: reusable reply texts with placeholders, optionally kept for one group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from service_desk import clock
from service_desk.tickets.errors import CannedResponseNotFound, CannedResponseTitleTaken, TicketInvalid
from service_desk.tickets.models import CannedResponse, Ticket, TicketGroup

SORT_COLUMNS = {"title": CannedResponse.title, "created_at": CannedResponse.created_at}


def render_canned(session: Session, canned_response_id: str, ticket: Ticket) -> str:
    """The response's body with {{ticket.reference}}, {{ticket.subject}} and {{requester.name}} filled in."""
    canned = session.get(CannedResponse, canned_response_id)
    if canned is None:
        raise TicketInvalid(
            "No canned response has this id.",
            errors=[{"field": "canned_response_id", "message": "unknown canned response", "in": "json"}],
        )
    values = {
        "{{ticket.reference}}": ticket.reference,
        "{{ticket.subject}}": ticket.subject,
        "{{requester.name}}": ticket.requester_name or "there",
    }
    body = canned.body
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


def list_canned(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    with uow:
        stmt = sa.select(CannedResponse)
        if query.get("group_id"):
            stmt = stmt.where(
                sa.or_(CannedResponse.group_id == query["group_id"], CannedResponse.group_id.is_(None))
            )
        sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "title", CannedResponse.id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_canned(*, uow: crmkit.UnitOfWork, canned_id: str) -> CannedResponse:
    with uow:
        return _load(uow.session, canned_id)


def create_canned(
    *, uow: crmkit.UnitOfWork, data: Mapping[str, Any], actor: crmkit.Principal
) -> CannedResponse:
    with uow:
        session = uow.session
        _check(session, data, None)
        now = clock.now()
        canned = CannedResponse(**data, created_by=actor.subject, created_at=now, updated_at=now)
        session.add(canned)
        session.flush()
        uow.commit()
    return canned


def update_canned(
    *, uow: crmkit.UnitOfWork, canned_id: str, data: Mapping[str, Any], expected_version: int
) -> CannedResponse:
    with uow:
        session = uow.session
        canned = _load(session, canned_id)
        crmkit.check_version(canned.version, expected_version)
        _check(session, data, canned.id)
        for name, value in data.items():
            setattr(canned, name, value)
        canned.updated_at = clock.now()
        session.flush()
        uow.commit()
    return canned


def delete_canned(*, uow: crmkit.UnitOfWork, canned_id: str, expected_version: int) -> None:
    with uow:
        canned = _load(uow.session, canned_id)
        crmkit.check_version(canned.version, expected_version)
        uow.session.delete(canned)
        uow.commit()


def _load(session: Session, canned_id: str) -> CannedResponse:
    canned = session.get(CannedResponse, canned_id)
    if canned is None:
        raise CannedResponseNotFound(f"No canned response {canned_id}.")
    return canned


def _check(session: Session, data: Mapping[str, Any], own_id: str | None) -> None:
    if data.get("group_id") and session.get(TicketGroup, data["group_id"]) is None:
        raise TicketInvalid(
            "No ticket group has this id.",
            errors=[{"field": "group_id", "message": "unknown group", "in": "json"}],
        )
    if "title" in data:
        taken = session.scalars(
            sa.select(CannedResponse.id).where(
                CannedResponse.title == data["title"], CannedResponse.id != own_id
            )
        ).first()
        if taken is not None:
            raise CannedResponseTitleTaken(f"A canned response is already titled {data['title']!r}.")
