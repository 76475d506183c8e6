"""HTTP resources: /api/v1/opportunities (stages, win, lose, history), /api/v1/pipelines, /api/v1/loss-reasons."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.http import created, etag
from sales.opportunities import pipelines, service
from sales.opportunities.schemas import (
    LoseSchema,
    LossReasonCreateSchema,
    LossReasonListSchema,
    LossReasonQuerySchema,
    LossReasonSchema,
    LossReasonUpdateSchema,
    OpportunityCreateSchema,
    OpportunityQuerySchema,
    OpportunitySchema,
    OpportunityUpdateSchema,
    PipelineCreateSchema,
    PipelineListSchema,
    PipelineSchema,
    PipelineUpdateSchema,
    StageHistorySchema,
    StageMoveSchema,
)
from sales.roles import MANAGERS, SELLERS

blp = crmkit.Blueprint(
    "opportunities",
    __name__,
    url_prefix="/api/v1/opportunities",
    description="Opportunities: money, close date, owner, stages with history, won/lost with a reason.",
)
pipelines_blp = crmkit.Blueprint(
    "pipelines", __name__, url_prefix="/api/v1/pipelines", description="Pipelines with ordered stages."
)
loss_reasons_blp = crmkit.Blueprint(
    "loss_reasons", __name__, url_prefix="/api/v1/loss-reasons", description="Why opportunities are lost."
)


@blp.route("")
class Opportunities(MethodView):
    @blp.arguments(OpportunityQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(OpportunitySchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List the opportunities you may see (own, your team's, or all), with filters."""
        return service.list_opportunities(uow=current_uow(), query=query, actor=crmkit.current_principal())

    @crmkit.require_roles(*SELLERS)
    @crmkit.idempotent
    @blp.arguments(OpportunityCreateSchema)
    @blp.response(201, OpportunitySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Open an opportunity (you own it unless a manager names another rep)."""
        opportunity = service.create_opportunity(
            uow=current_uow(), data=data, actor=crmkit.current_principal()
        )
        location = url_for("opportunities.OpportunityById", opportunity_id=opportunity.id)
        return opportunity, created(location, opportunity.version)


@blp.route("/<opportunity_id>")
class OpportunityById(MethodView):
    @blp.response(200, OpportunitySchema)
    def get(self, opportunity_id: str) -> Any:
        """Read an opportunity."""
        opportunity = service.get_opportunity(
            uow=current_uow(), opportunity_id=opportunity_id, actor=crmkit.current_principal()
        )
        return opportunity, etag(opportunity.version)

    @crmkit.require_roles(*SELLERS)
    @blp.arguments(OpportunityUpdateSchema)
    @blp.response(200, OpportunitySchema)
    def patch(self, data: dict[str, Any], opportunity_id: str) -> Any:
        """Change an open opportunity (If-Match)."""
        opportunity = service.update_opportunity(
            uow=current_uow(),
            opportunity_id=opportunity_id,
            data=data,
            expected_version=crmkit.expected_version(),
            actor=crmkit.current_principal(),
        )
        return opportunity, etag(opportunity.version)


@blp.route("/<opportunity_id>/stage")
class OpportunityStage(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(StageMoveSchema)
    @blp.response(200, OpportunitySchema)
    def post(self, data: dict[str, Any], opportunity_id: str) -> Any:
        """Move to another stage; the won stage wins, the lost stage loses (loss_reason_id needed)."""
        opportunity = service.move_to_stage(
            uow=current_uow(), opportunity_id=opportunity_id, data=data, actor=crmkit.current_principal()
        )
        return opportunity, etag(opportunity.version)


@blp.route("/<opportunity_id>/win")
class OpportunityWin(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.response(200, OpportunitySchema)
    def post(self, opportunity_id: str) -> Any:
        """Mark the opportunity won."""
        opportunity = service.win_opportunity(
            uow=current_uow(), opportunity_id=opportunity_id, actor=crmkit.current_principal()
        )
        return opportunity, etag(opportunity.version)


@blp.route("/<opportunity_id>/lose")
class OpportunityLose(MethodView):
    @crmkit.require_roles(*SELLERS)
    @blp.arguments(LoseSchema)
    @blp.response(200, OpportunitySchema)
    def post(self, data: dict[str, Any], opportunity_id: str) -> Any:
        """Mark the opportunity lost with a reason from /api/v1/loss-reasons."""
        opportunity = service.lose_opportunity(
            uow=current_uow(), opportunity_id=opportunity_id, data=data, actor=crmkit.current_principal()
        )
        return opportunity, etag(opportunity.version)


@blp.route("/<opportunity_id>/stage-history")
class OpportunityStageHistory(MethodView):
    @blp.response(200, StageHistorySchema)
    def get(self, opportunity_id: str) -> Any:
        """Every stage the opportunity was in, oldest first, with the time spent in each."""
        items = service.stage_history(
            uow=current_uow(), opportunity_id=opportunity_id, actor=crmkit.current_principal()
        )
        return {"items": items}


@pipelines_blp.route("")
class Pipelines(MethodView):
    @pipelines_blp.response(200, PipelineListSchema)
    def get(self) -> Any:
        """List pipelines with their stages in order."""
        return {"items": pipelines.list_pipelines(uow=current_uow())}

    @crmkit.require_roles(*MANAGERS)
    @pipelines_blp.arguments(PipelineCreateSchema)
    @pipelines_blp.response(201, PipelineSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a pipeline: open stages in order, then one won and one lost stage."""
        pipeline = pipelines.create_pipeline(uow=current_uow(), data=data)
        return pipeline, created(url_for("pipelines.PipelineById", pipeline_id=pipeline.id), pipeline.version)


@pipelines_blp.route("/<pipeline_id>")
class PipelineById(MethodView):
    @pipelines_blp.response(200, PipelineSchema)
    def get(self, pipeline_id: str) -> Any:
        """Read a pipeline."""
        pipeline = pipelines.get_pipeline(uow=current_uow(), pipeline_id=pipeline_id)
        return pipeline, etag(pipeline.version)

    @crmkit.require_roles(*MANAGERS)
    @pipelines_blp.arguments(PipelineUpdateSchema)
    @pipelines_blp.response(200, PipelineSchema)
    def patch(self, data: dict[str, Any], pipeline_id: str) -> Any:
        """Rename, make default or replace the stages (If-Match)."""
        pipeline = pipelines.update_pipeline(
            uow=current_uow(), pipeline_id=pipeline_id, data=data, expected_version=crmkit.expected_version()
        )
        return pipeline, etag(pipeline.version)


@loss_reasons_blp.route("")
class LossReasons(MethodView):
    @loss_reasons_blp.arguments(LossReasonQuerySchema, location="query")
    @loss_reasons_blp.response(200, LossReasonListSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List loss reasons (active ones unless include_inactive)."""
        return {
            "items": pipelines.list_loss_reasons(
                uow=current_uow(), include_inactive=query["include_inactive"]
            )
        }

    @crmkit.require_roles(*MANAGERS)
    @loss_reasons_blp.arguments(LossReasonCreateSchema)
    @loss_reasons_blp.response(201, LossReasonSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a loss reason."""
        return pipelines.create_loss_reason(uow=current_uow(), data=data)


@loss_reasons_blp.route("/<reason_id>")
class LossReasonById(MethodView):
    @crmkit.require_roles(*MANAGERS)
    @loss_reasons_blp.arguments(LossReasonUpdateSchema)
    @loss_reasons_blp.response(200, LossReasonSchema)
    def patch(self, data: dict[str, Any], reason_id: str) -> Any:
        """Rename or retire a loss reason (retired ones stay on closed opportunities)."""
        return pipelines.update_loss_reason(uow=current_uow(), reason_id=reason_id, data=data)
