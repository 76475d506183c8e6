"""HTTP resources: /api/v1/activities (complete, cancel) and /api/v1/visit-plans."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.activities import service
from sales.activities.schemas import (
    ActivityCreateSchema,
    ActivityQuerySchema,
    ActivitySchema,
    ActivityUpdateSchema,
    CompleteSchema,
    VisitPlanCreateSchema,
    VisitPlanQuerySchema,
    VisitPlanSchema,
)
from sales.http import created, etag
from sales.roles import SELLERS

blp = crmkit.Blueprint(
    "activities",
    __name__,
    url_prefix="/api/v1/activities",
    description="Calls, meetings, tasks and visits per rep, against an account or opportunity.",
)
plans_blp = crmkit.Blueprint(
    "visit_plans",
    __name__,
    url_prefix="/api/v1/visit-plans",
    description="A rep's planned customer visits for a day.",
)


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ActivityQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ActivitySchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the activities you may see, by due time."""
        return service.list_activities(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Plan an activity (the account is taken from the opportunity when not given)."""
        activity = service.create_activity(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return activity, created(
            url_for("activities.ActivityById", activity_id=activity.id), activity.version
        )


@blp.route("/<activity_id>")
class ActivityById(MethodView):
    @blp.response(200, ActivitySchema)
    def get(self, activity_id: str) -> Any:
        """Read an activity."""
        activity = service.get_activity(
            uow=current_uow(), activity_id=activity_id, actor=crmkit.current_principal()
        )
        return activity, etag(activity.version)

    @crmkit.require_roles(*SELLERS)
    @blp.arguments(ActivityUpdateSchema)
    @blp.response(200, ActivitySchema)
    def patch(self, data: dict[str, Any], activity_id: str) -> Any:
        """Change a planned activity (If-Match)."""
        activity = service.update_activity(
            uow=current_uow(),
            activity_id=activity_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return activity, etag(activity.version)


@blp.route("/<activity_id>/complete")
class ActivityComplete(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(CompleteSchema)
    @blp.response(200, ActivitySchema)
    def post(self, data: dict[str, Any], activity_id: str) -> Any:
        """Complete with an outcome (logged on the account's timeline)."""
        activity = service.complete_activity(
            uow=current_uow(), activity_id=activity_id, data=data, actor=crmkit.current_principal()
        )
        return activity, etag(activity.version)


@blp.route("/<activity_id>/cancel")
class ActivityCancel(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(200, ActivitySchema)
    def post(self, activity_id: str) -> Any:
        """Cancel a planned activity."""
        activity = service.cancel_activity(
            uow=current_uow(), activity_id=activity_id, actor=crmkit.current_principal()
        )
        return activity, etag(activity.version)


@plans_blp.route("")
class VisitPlans(MethodView):
    @plans_blp.arguments(VisitPlanQuerySchema, location="query")
    @plans_blp.response(200, crmkit.page_schema(VisitPlanSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List visit plans you may see, by day."""
        return service.list_visit_plans(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @plans_blp.arguments(VisitPlanCreateSchema)
    @plans_blp.response(201, VisitPlanSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Plan a day of visits (each stop becomes a visit activity)."""
        plan = service.create_visit_plan(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return plan, created(url_for("visit_plans.VisitPlanById", plan_id=plan.id), plan.version)


@plans_blp.route("/<plan_id>")
class VisitPlanById(MethodView):
    @plans_blp.response(200, VisitPlanSchema)
    def get(self, plan_id: str) -> Any:
        """Read a visit plan with its visits."""
        plan = service.get_visit_plan(uow=current_uow(), plan_id=plan_id, actor=crmkit.current_principal())
        return plan, etag(plan.version)
