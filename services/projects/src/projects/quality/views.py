"""HTTP resources of quality: quality plans, their reviews, and non-conformances of a project."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from projects.http import created, etag
from projects.quality import service
from projects.quality.schemas import (
    NonConformanceQuerySchema,
    NonConformanceSchema,
    NonConformanceUpdateSchema,
    QualityPlanSchema,
    QualityPlanUpdateSchema,
    QualityReviewSchema,
    ReviewListSchema,
)

blp = crmkit.Blueprint(
    "quality",
    __name__,
    url_prefix="/api/v1/projects/<project_id>",
    description="Quality plans per deliverable, reviews and inspections, non-conformances.",
)


@blp.route("/quality-plans")
class QualityPlans(MethodView):
    @blp.arguments(crmkit.PageQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(QualityPlanSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's quality plans."""
        return service.list_plans(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(QualityPlanSchema)
    @blp.response(201, QualityPlanSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Write the quality plan of a deliverable: standards and checklist (project managers, tech leads)."""
        plan = service.create_plan(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        return plan, created(
            url_for("quality.QualityPlanById", project_id=project_id, plan_id=plan.id), plan.version
        )


@blp.route("/quality-plans/<plan_id>")
class QualityPlanById(MethodView):
    @blp.response(200, QualityPlanSchema)
    def get(self, project_id: str, plan_id: str) -> Any:
        """Read a quality plan."""
        plan = service.get_plan(uow=current_uow(), project_id=project_id, plan_id=plan_id)
        return plan, etag(plan.version)

    @blp.arguments(QualityPlanUpdateSchema)
    @blp.response(200, QualityPlanSchema)
    def patch(self, data: dict[str, Any], project_id: str, plan_id: str) -> Any:
        """Change a quality plan (send If-Match with its ETag)."""
        plan = service.update_plan(
            uow=current_uow(),
            project_id=project_id,
            plan_id=plan_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return plan, etag(plan.version)


@blp.route("/quality-plans/<plan_id>/reviews")
class QualityReviews(MethodView):
    @blp.response(200, ReviewListSchema)
    def get(self, project_id: str, plan_id: str) -> Any:
        """List the reviews and inspections of a deliverable, oldest first."""
        return {"items": service.list_reviews(uow=current_uow(), project_id=project_id, plan_id=plan_id)}

    @crmkit.idempotent
    @blp.arguments(QualityReviewSchema)
    @blp.response(201, QualityReviewSchema)
    def post(self, data: dict[str, Any], project_id: str, plan_id: str) -> Any:
        """Record a review or inspection with each checklist item's outcome and the result."""
        return service.record_review(
            uow=current_uow(),
            project_id=project_id,
            plan_id=plan_id,
            data=data,
            actor=crmkit.current_principal(),
        )


@blp.route("/non-conformances")
class NonConformances(MethodView):
    @blp.arguments(NonConformanceQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(NonConformanceSchema))
    def get(self, query: dict[str, Any], project_id: str) -> Any:
        """List a project's non-conformances, by status, severity or owner."""
        return service.list_non_conformances(uow=current_uow(), project_id=project_id, query=query)

    @crmkit.idempotent
    @blp.arguments(NonConformanceSchema)
    @blp.response(201, NonConformanceSchema)
    def post(self, data: dict[str, Any], project_id: str) -> Any:
        """Record a non-conformance (defect) with its owner, optionally found by a review."""
        nc = service.raise_non_conformance(
            uow=current_uow(), project_id=project_id, data=data, actor=crmkit.current_principal()
        )
        return nc, created(
            url_for("quality.NonConformanceById", project_id=project_id, nc_id=nc.id), nc.version
        )


@blp.route("/non-conformances/<nc_id>")
class NonConformanceById(MethodView):
    @blp.response(200, NonConformanceSchema)
    def get(self, project_id: str, nc_id: str) -> Any:
        """Read a non-conformance."""
        nc = service.get_non_conformance(uow=current_uow(), project_id=project_id, nc_id=nc_id)
        return nc, etag(nc.version)

    @blp.arguments(NonConformanceUpdateSchema)
    @blp.response(200, NonConformanceSchema)
    def patch(self, data: dict[str, Any], project_id: str, nc_id: str) -> Any:
        """Work a non-conformance: status, corrective action, owner, due date (send If-Match)."""
        nc = service.update_non_conformance(
            uow=current_uow(),
            project_id=project_id,
            nc_id=nc_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return nc, etag(nc.version)
