"""Quality use cases: plans per deliverable, reviews against their checklists, non-conformances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import crmkit
from crmkit.types import utcnow
from projects.costs.guards import child_of, load_for, load_project, page_of
from projects.costs.service import check_task
from projects.quality.errors import (
    NonConformanceInvalid,
    NonConformanceNotFound,
    QualityPlanInvalid,
    QualityPlanNotFound,
    QualityReviewInvalid,
)
from projects.quality.models import NonConformance, QualityPlan, QualityReview
from projects.team.service import CONTRIBUTE, PLAN, project_role
from projects.team.service import require_project_role as require_role

REVIEWERS = (*CONTRIBUTE, "customer_representative")


def list_plans(*, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]) -> crmkit.Page:
    """Page through a project's quality plans (newest first)."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(uow.session, QualityPlan, project_id, query)


def get_plan(*, uow: crmkit.UnitOfWork, project_id: str, plan_id: str) -> QualityPlan:
    """Read a quality plan."""
    with uow:
        return child_of(uow.session, QualityPlan, project_id, plan_id, QualityPlanNotFound)


def create_plan(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> QualityPlan:
    """Write the quality plan of a deliverable (project managers and technical leads)."""
    now = utcnow()
    with uow:
        project = load_for(uow.session, project_id, actor, PLAN)
        check_task(uow.session, project.id, data.get("task_id"), QualityPlanInvalid)
        plan = QualityPlan(project_id=project.id, created_at=now, updated_at=now, **data)
        uow.session.add(plan)
        uow.commit()
    return plan


def update_plan(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    plan_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> QualityPlan:
    """Change a quality plan's standards, checklist, criteria or owner."""
    with uow:
        load_for(uow.session, project_id, actor, PLAN)
        plan = child_of(uow.session, QualityPlan, project_id, plan_id, QualityPlanNotFound)
        crmkit.check_version(plan.version, expected_version)
        for name, value in data.items():
            setattr(plan, name, value)
        plan.updated_at = utcnow()
        uow.commit()
    return plan


def list_reviews(*, uow: crmkit.UnitOfWork, project_id: str, plan_id: str) -> list[QualityReview]:
    """The reviews and inspections of one plan, oldest first."""
    with uow:
        child_of(uow.session, QualityPlan, project_id, plan_id, QualityPlanNotFound)
        stmt = sa.select(QualityReview).where(QualityReview.plan_id == plan_id)
        return list(uow.session.scalars(stmt.order_by(QualityReview.held_on, QualityReview.id)))


def record_review(
    *, uow: crmkit.UnitOfWork, project_id: str, plan_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> QualityReview:
    """Record a review or inspection: every checklist item answered, a result that agrees with them."""
    with uow:
        load_for(uow.session, project_id, actor, REVIEWERS)
        plan = child_of(uow.session, QualityPlan, project_id, plan_id, QualityPlanNotFound)
        _check_results(plan, data["checklist_results"], data["result"])
        review = QualityReview(
            project_id=project_id, plan_id=plan.id, reviewer_id=actor.subject, created_at=utcnow(), **data
        )
        uow.session.add(review)
        uow.commit()
    return review


def _check_results(plan: QualityPlan, results: list[Mapping[str, Any]], result: str) -> None:
    answered = [item["item"] for item in results]
    unknown = [item for item in answered if item not in plan.checklist]
    missing = [item for item in plan.checklist if item not in answered]
    if unknown or missing or len(set(answered)) != len(answered):
        raise _review_invalid(
            "checklist_results",
            f"answer each checklist item once (missing: {missing}, not on the checklist: {unknown})",
        )
    if result != "failed" and not all(item["passed"] for item in results):
        raise _review_invalid("result", "a review with a failed checklist item cannot pass")


def _review_invalid(field: str, message: str) -> QualityReviewInvalid:
    return QualityReviewInvalid(
        "The review does not match its plan's checklist.",
        errors=[{"field": field, "message": message, "in": "json"}],
    )


def list_non_conformances(
    *, uow: crmkit.UnitOfWork, project_id: str, query: Mapping[str, Any]
) -> crmkit.Page:
    """Page through a project's non-conformances (newest first), by status, severity or owner."""
    with uow:
        load_project(uow.session, project_id)
        return page_of(
            uow.session, NonConformance, project_id, query, filters=("status", "severity", "owner_id")
        )


def get_non_conformance(*, uow: crmkit.UnitOfWork, project_id: str, nc_id: str) -> NonConformance:
    """Read a non-conformance."""
    with uow:
        return child_of(uow.session, NonConformance, project_id, nc_id, NonConformanceNotFound)


def raise_non_conformance(
    *, uow: crmkit.UnitOfWork, project_id: str, data: Mapping[str, Any], actor: crmkit.Principal
) -> NonConformance:
    """Record a non-conformance (defect) with its owner, optionally from a review."""
    now = utcnow()
    with uow:
        session = uow.session
        project = load_for(session, project_id, actor, REVIEWERS)
        for field, model in (("review_id", QualityReview), ("plan_id", QualityPlan)):
            _check_reference(session, project.id, field, model, data.get(field))
        nc = NonConformance(
            project_id=project.id,
            status="open",
            raised_by=actor.subject,
            created_at=now,
            updated_at=now,
            **data,
        )
        session.add(nc)
        uow.commit()
    return nc


def _check_reference(session: Any, project_id: str, field: str, model: Any, entity_id: str | None) -> None:
    if entity_id is None:
        return
    entity = session.get(model, entity_id)
    if entity is None or entity.project_id != project_id:
        raise NonConformanceInvalid(
            f"Project {project_id} has no {field.removesuffix('_id')} {entity_id}.",
            errors=[{"field": field, "message": "not of this project", "in": "json"}],
        )


def update_non_conformance(
    *,
    uow: crmkit.UnitOfWork,
    project_id: str,
    nc_id: str,
    data: Mapping[str, Any],
    expected_version: int,
    actor: crmkit.Principal,
) -> NonConformance:
    """Work a non-conformance: its owner or the planners move its status and record the corrective action."""
    with uow:
        session = uow.session
        project = load_project(session, project_id)
        nc = child_of(session, NonConformance, project_id, nc_id, NonConformanceNotFound)
        if not (nc.owner_id == actor.subject and project_role(session, project.id, actor.subject)):
            require_role(session, project, actor, PLAN)
        crmkit.check_version(nc.version, expected_version)
        changes = dict(data)
        now = utcnow()
        nc.move_to(changes.pop("status", nc.status), now)
        for name, value in changes.items():
            setattr(nc, name, value)
        nc.updated_at = now
        uow.commit()
    return nc
