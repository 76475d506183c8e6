"""Risk register use cases: raise (emits projects.risk.raised), list by score or review date, update."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import crmkit
from crmkit.events.outbox import record
from crmkit.types import utcnow
from projects import events_catalog as catalog
from projects.costs.guards import child_of, load_for, load_project
from projects.risks.errors import RiskNotFound
from projects.risks.events import risk_state
from projects.risks.models import Risk
from projects.team.service import CONTRIBUTE, PLAN, project_role
from projects.team.service import require_project_role as require_role

RAISERS = (*CONTRIBUTE, "customer_representative")
SORT_COLUMNS = {"score": Risk.score, "review_date": Risk.review_date, "created_at": Risk.created_at}


def list_risks(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's risks, highest score first unless sorted otherwise."""
    stmt = sa.select(Risk).where(Risk.project_id == project_id)
    for name in ("status", "owner_id"):
        if query.get(name):
            stmt = stmt.where(getattr(Risk, name) == query[name])
    if query.get("review_due_by"):
        stmt = stmt.where(Risk.review_date <= query["review_due_by"], Risk.status != "closed")
    sort = crmkit.parse_sort(query["sort"], SORT_COLUMNS, "-score", Risk.id)
    with uow:
        load_project(uow.session, project_id)
        return crmkit.paginate(uow.session, stmt, sort=sort, cursor=query["cursor"], limit=query["limit"])


def get_risk(*, uow: crmkit.UnitOfWork, project_id: str, risk_id: str) -> Risk:
    """Read one risk."""
    with uow:
        return child_of(uow.session, Risk, project_id, risk_id, RiskNotFound)


def raise_risk(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> Risk:
    """Put a risk on the register (score = probability x impact) and emit projects.risk.raised."""
    now = utcnow()
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, RAISERS)
        risk = Risk(
            project_id=project.id,
            status="open",
            raised_by=actor.subject,
            created_at=now,
            updated_at=now,
            **data,
        )
        risk.rescore()
        session.add(risk)
        session.flush()
        record(
            session,
            catalog.RISK_RAISED,
            subject=risk.id,
            data=risk_state(risk, project.account_id),
            sequence=risk.version,
        )
        uow.commit()
    return risk


def update_risk(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    risk_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> Risk:
    """Re-assess a risk (its owner, project managers and technical leads); the score follows."""
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        risk = child_of(session, Risk, project_id, risk_id, RiskNotFound)
        if not (risk.owner_id == actor.subject and project_role(session, project.id, actor.subject)):
            require_role(session, project, actor, PLAN)
        crmkit.check_version(risk.version, expected_version)
        for name, value in data.items():
            setattr(risk, name, value)
        risk.rescore()
        risk.updated_at = utcnow()
        uow.commit()
    return risk
