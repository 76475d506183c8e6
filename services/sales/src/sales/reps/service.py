"""Rep roster use cases, and the open-lead counts assignment needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import crmkit
from crmkit.types import utcnow
from sales.access import RecordForbidden
from sales.leads.models import OPEN_STATUSES, Lead
from sales.reps.errors import RepExists, RepNotFound
from sales.reps.models import Rep, RepAbsence
from sales.roles import MANAGERS


def open_lead_counts(session: Session, rep_ids: Iterable[str]) -> dict[str, int]:
    """Open leads owned now, per rep id (reps without any are 0)."""
    ids = list(rep_ids)
    counts = dict.fromkeys(ids, 0)
    stmt = (
        sa.select(Lead.owner_id, sa.func.count())
        .where(Lead.owner_id.in_(ids), Lead.status.in_(OPEN_STATUSES))
        .group_by(Lead.owner_id)
    )
    for owner_id, count in session.execute(stmt):
        counts[str(owner_id)] = count
    return counts


def _with_counts(session: Session, reps: list[Rep]) -> list[Rep]:
    counts = open_lead_counts(session, [rep.id for rep in reps])
    for rep in reps:
        rep.open_leads = counts[rep.id]  # type: ignore[attr-defined]
    return reps


def load_rep(session: Session, rep_id: str) -> Rep:
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise RepNotFound(f"There is no sales rep {rep_id}.")
    return rep


def list_reps(*, uow: crmkit.UnitOfWork, query: Mapping[str, Any]) -> crmkit.Page:
    stmt = sa.select(Rep)
    if "team" in query:
        stmt = stmt.where(Rep.team == query["team"])
    if "active" in query:
        stmt = stmt.where(Rep.active.is_(query["active"]))
    sort = crmkit.parse_sort(query.get("sort"), {"name": Rep.name}, "name", Rep.id)
    with uow:
        page = crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])
        _with_counts(uow.session, page.items)
        return page


def get_rep(*, uow: crmkit.UnitOfWork, rep_id: str) -> Rep:
    with uow:
        return _with_counts(uow.session, [load_rep(uow.session, rep_id)])[0]


def create_rep(*, uow: crmkit.UnitOfWork, data: Mapping[str, Any]) -> Rep:
    now = utcnow()
    with uow:
        if uow.session.get(Rep, data["id"]) is not None:
            raise RepExists(f"Sales rep {data['id']} is on the roster already.")
        rep = Rep(created_at=now, updated_at=now, absences=[], **data)
        uow.session.add(rep)
        uow.flush()
        uow.commit()
        return _with_counts(uow.session, [rep])[0]


def update_rep(*, uow: crmkit.UnitOfWork, rep_id: str, data: Mapping[str, Any], expected_version: int) -> Rep:
    with uow:
        rep = load_rep(uow.session, rep_id)
        crmkit.check_version(rep.version, expected_version)
        for field, value in data.items():
            setattr(rep, field, value)
        rep.updated_at = utcnow()
        uow.flush()
        uow.commit()
        return _with_counts(uow.session, [rep])[0]


def _may_manage_absences(actor: crmkit.Principal, rep_id: str) -> None:
    """Sales managers keep everybody's absences; a rep their own."""
    if actor.subject != rep_id and not actor.has_any_role(MANAGERS):
        raise RecordForbidden("Reps record their own absences only.")


def add_absence(
    *, uow: crmkit.UnitOfWork, rep_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> RepAbsence:
    _may_manage_absences(actor, rep_id)
    with uow:
        rep = load_rep(uow.session, rep_id)
        absence = RepAbsence(**data)
        rep.absences.append(absence)
        rep.updated_at = utcnow()
        uow.flush()
        uow.commit()
        return absence


def remove_absence(*, uow: crmkit.UnitOfWork, rep_id: str, absence_id: str, actor: crmkit.Principal) -> None:
    _may_manage_absences(actor, rep_id)
    with uow:
        rep = load_rep(uow.session, rep_id)
        absence = next((item for item in rep.absences if item.id == absence_id), None)
        if absence is None:
            raise RepNotFound(f"Sales rep {rep_id} has no absence {absence_id}.")
        rep.absences.remove(absence)
        rep.updated_at = utcnow()
        uow.commit()
