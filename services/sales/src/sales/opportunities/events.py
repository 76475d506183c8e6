"""Events about opportunities: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from sales.opportunities.models import FORECAST_CATEGORIES, STATUSES, Opportunity
from sales.payloads import (
    CURRENCY,
    DATE,
    ID,
    MONEY,
    TEXT,
    TIMESTAMP,
    VERSION,
    day,
    money,
    nullable,
    one_of,
    record,
    timestamp,
    with_changes,
)

OPPORTUNITY_CREATED = "sales.opportunity.created"
OPPORTUNITY_STAGE_CHANGED = "sales.opportunity.stage_changed"
OPPORTUNITY_WON = "sales.opportunity.won"
OPPORTUNITY_LOST = "sales.opportunity.lost"

PERCENT = {"type": "integer", "minimum": 0, "maximum": 100}
OpportunityStateV1 = record(
    {
        "id": ID,
        "name": TEXT,
        "account_id": nullable(ID),
        "contact_id": nullable(ID),
        "account_pending": {"type": "boolean"},
        "lead_id": nullable(ID),
        "campaign_id": nullable(ID),
        "pipeline_id": ID,
        "stage_id": ID,
        "stage_name": TEXT,
        "amount": MONEY,
        "currency": CURRENCY,
        "probability": PERCENT,
        "weighted_amount": MONEY,
        "forecast_category": one_of(FORECAST_CATEGORIES),
        "expected_close_date": nullable(DATE),
        "owner_id": ID,
        "owner_team": nullable(TEXT),
        "status": one_of(STATUSES),
        "loss_reason_id": nullable(ID),
        "loss_reason": nullable(TEXT),
        "closed_at": nullable(TIMESTAMP),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "version": VERSION,
    }
)
OpportunityCreatedV1 = OpportunityStateV1
OpportunityStageChangedV1 = record(
    {
        **with_changes(OpportunityStateV1)["properties"],
        "from_stage_id": ID,
        "seconds_in_previous_stage": {"type": "integer", "minimum": 0},
    }
)
OpportunityWonV1 = with_changes(OpportunityStateV1)
OpportunityLostV1 = with_changes(OpportunityStateV1)

EXAMPLE_STATE: dict[str, Any] = {
    "id": "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d",
    "name": "Nordwind: fleet telematics",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "contact_id": "c81d4fae7dec11d0a76500a0c91e6bf6",
    "account_pending": False,
    "lead_id": "5d0c1e2f3a4b4c5d8e9f0a1b2c3d4e5f",
    "campaign_id": None,
    "pipeline_id": "1f2e3d4c5b6a49788796a5b4c3d2e1f0",
    "stage_id": "2a3b4c5d6e7f40819203a4b5c6d7e8f9",
    "stage_name": "Proposal",
    "amount": "48000.00",
    "currency": "EUR",
    "probability": 60,
    "weighted_amount": "28800.00",
    "forecast_category": "best_case",
    "expected_close_date": "2026-06-30",
    "owner_id": "u-rep-7",
    "owner_team": "emea-north",
    "status": "open",
    "loss_reason_id": None,
    "loss_reason": None,
    "closed_at": None,
    "created_at": "2026-05-07T14:30:00.000000Z",
    "updated_at": "2026-05-20T09:00:00.000000Z",
    "version": 3,
}
EXAMPLE_CREATED = {
    **EXAMPLE_STATE,
    "stage_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
    "stage_name": "Qualification",
    "probability": 10,
    "weighted_amount": "4800.00",
    "forecast_category": "pipeline",
    "version": 1,
    "updated_at": EXAMPLE_STATE["created_at"],
}
EXAMPLE_STAGE_CHANGED = {
    **EXAMPLE_STATE,
    "changes": {
        "stage_id": {
            "before": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "after": "2a3b4c5d6e7f40819203a4b5c6d7e8f9",
        },
        "probability": {"before": 10, "after": 60},
    },
    "from_stage_id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
    "seconds_in_previous_stage": 1104000,
}
EXAMPLE_WON = {
    **EXAMPLE_STATE,
    "stage_id": "3b4c5d6e7f8a41929304b5c6d7e8f9a0",
    "stage_name": "Won",
    "status": "won",
    "probability": 100,
    "weighted_amount": "48000.00",
    "forecast_category": "closed_won",
    "closed_at": "2026-06-18T11:00:00.000000Z",
    "version": 5,
    "changes": {"status": {"before": "open", "after": "won"}, "probability": {"before": 60, "after": 100}},
}
EXAMPLE_LOST = {
    **EXAMPLE_STATE,
    "stage_id": "4c5d6e7f8a9b42a39405c6d7e8f9a0b1",
    "stage_name": "Lost",
    "status": "lost",
    "probability": 0,
    "weighted_amount": "0.00",
    "forecast_category": "omitted",
    "loss_reason_id": "7e8f9a0b1c2d43e4a5b6c7d8e9f0a1b2",
    "loss_reason": "Price",
    "closed_at": "2026-06-18T11:00:00.000000Z",
    "version": 5,
    "changes": {"status": {"before": "open", "after": "lost"}, "probability": {"before": 60, "after": 0}},
}


def opportunity_state(
    opportunity: Opportunity, *, stage_name: str, loss_reason: str | None = None
) -> dict[str, Any]:
    """The opportunity as events carry it (its state after the change)."""
    return {
        "id": opportunity.id,
        "name": opportunity.name,
        "account_id": opportunity.account_id,
        "contact_id": opportunity.contact_id,
        "account_pending": opportunity.account_pending,
        "lead_id": opportunity.lead_id,
        "campaign_id": opportunity.campaign_id,
        "pipeline_id": opportunity.pipeline_id,
        "stage_id": opportunity.stage_id,
        "stage_name": stage_name,
        "amount": money(opportunity.amount),
        "currency": opportunity.currency,
        "probability": opportunity.probability,
        "weighted_amount": money(opportunity.weighted_amount),
        "forecast_category": opportunity.forecast_category,
        "expected_close_date": day(opportunity.expected_close_date),
        "owner_id": opportunity.owner_id,
        "owner_team": opportunity.owner_team,
        "status": opportunity.status,
        "loss_reason_id": opportunity.loss_reason_id,
        "loss_reason": loss_reason,
        "closed_at": timestamp(opportunity.closed_at),
        "created_at": timestamp(opportunity.created_at),
        "updated_at": timestamp(opportunity.updated_at),
        "version": opportunity.version,
    }
