"""HTTP resources of campaigns: /api/v1/campaigns, members from segments, responses, ROI."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

import crmkit
from crmkit import current_uow
from sales.campaigns import service
from sales.campaigns.schemas import (
    CampaignCreateSchema,
    CampaignQuerySchema,
    CampaignSchema,
    CampaignWriteSchema,
    MembersAddedSchema,
    MemberSchema,
    ResponseCreateSchema,
    ResponseSchema,
    RoiSchema,
    SegmentSchema,
)
from sales.http import created, etag

blp = crmkit.Blueprint(
    "campaigns",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Campaigns: budget and cost, members from customer segments, responses as leads, ROI.",
)
# Plan campaigns, pick members and record responses.
CAMPAIGNERS = ("marketing", "sales_manager", "management")


@blp.route("")
class Campaigns(MethodView):
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(CampaignSchema))
    def get(self, query: dict[str, Any]) -> Any:
        """List campaigns, newest first (filter: status)."""
        return service.list_campaigns(uow=current_uow(), query=query)

    @crmkit.require_roles(*CAMPAIGNERS)
    @crmkit.idempotent
    @blp.arguments(CampaignCreateSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Plan a campaign with its budget (base currency)."""
        campaign = service.create_campaign(uow=current_uow(), data=data, actor=crmkit.current_principal())
        return campaign, created(url_for("campaigns.CampaignById", campaign_id=campaign.id), campaign.version)


@blp.route("/<campaign_id>")
class CampaignById(MethodView):
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id: str) -> Any:
        """Read a campaign."""
        campaign = service.get_campaign(uow=current_uow(), campaign_id=campaign_id)
        return campaign, etag(campaign.version)

    @crmkit.require_roles(*CAMPAIGNERS)
    @blp.arguments(CampaignWriteSchema)
    @blp.response(200, CampaignSchema)
    def patch(self, data: dict[str, Any], campaign_id: str) -> Any:
        """Change a campaign: status, budget, actual cost, dates (send If-Match)."""
        campaign = service.update_campaign(
            uow=current_uow(), campaign_id=campaign_id, data=data, expected_version=crmkit.expected_version()
        )
        return campaign, etag(campaign.version)


@blp.route("/<campaign_id>/members")
class CampaignMembers(MethodView):
    @blp.arguments(crmkit.PageQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(MemberSchema))
    def get(self, query: dict[str, Any], campaign_id: str) -> Any:
        """List the campaign's member accounts."""
        return service.list_members(uow=current_uow(), campaign_id=campaign_id, query=query)

    @crmkit.require_roles(*CAMPAIGNERS)
    @blp.arguments(SegmentSchema)
    @blp.response(200, MembersAddedSchema)
    def post(self, data: dict[str, Any], campaign_id: str) -> Any:
        """Add the accounts of a segment (tags, tier, industry, account ids) that are not members yet."""
        return service.add_members(
            uow=current_uow(), campaign_id=campaign_id, segment=data, actor=crmkit.current_principal()
        )


@blp.route("/<campaign_id>/responses")
class CampaignResponses(MethodView):
    @blp.arguments(crmkit.PageQuerySchema, location="query")
    @blp.response(200, crmkit.page_schema(ResponseSchema))
    def get(self, query: dict[str, Any], campaign_id: str) -> Any:
        """List the campaign's responses, newest first."""
        return service.list_responses(uow=current_uow(), campaign_id=campaign_id, query=query)

    @crmkit.require_roles(*CAMPAIGNERS, "sales_rep")
    @crmkit.idempotent
    @blp.arguments(ResponseCreateSchema)
    @blp.response(201, ResponseSchema)
    def post(self, data: dict[str, Any], campaign_id: str) -> Any:
        """Record a response; it becomes a lead with this campaign_id, assigned by the rules."""
        return service.record_response(
            uow=current_uow(), campaign_id=campaign_id, data=data, actor=crmkit.current_principal()
        )


@blp.route("/<campaign_id>/roi")
class CampaignRoi(MethodView):
    @blp.response(200, RoiSchema)
    def get(self, campaign_id: str) -> Any:
        """ROI: (won revenue attributed to the campaign - actual cost) / actual cost, in the base currency."""
        return service.campaign_roi(uow=current_uow(), campaign_id=campaign_id)
