"""The core sales events: every example validates against its schema, payload builders match the schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import jsonschema
import pytest

from sales import events_catalog as catalog
from sales.activities.events import ActivityStateV1, activity_state
from sales.activities.models import Activity
from sales.leads.events import LeadStateV1, lead_state
from sales.leads.models import Lead
from sales.opportunities.events import OpportunityStateV1, opportunity_state
from sales.opportunities.models import Opportunity

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
CORE = [
    catalog.LEAD_CREATED,
    catalog.LEAD_ASSIGNED,
    catalog.LEAD_QUALIFIED,
    catalog.LEAD_DISQUALIFIED,
    catalog.LEAD_CONVERTED,
    catalog.OPPORTUNITY_CREATED,
    catalog.OPPORTUNITY_STAGE_CHANGED,
    catalog.OPPORTUNITY_WON,
    catalog.OPPORTUNITY_LOST,
    catalog.ACTIVITY_COMPLETED,
]


@pytest.mark.parametrize("event_type", CORE, ids=lambda event_type: event_type.routing_key)
def test_examples_validate(event_type: object) -> None:
    jsonschema.validate(event_type.example, event_type.schema)  # type: ignore[attr-defined]


def test_account_related_events_carry_account_id() -> None:
    for event_type in CORE[5:]:
        assert "account_id" in event_type.schema["required"]


def test_lead_state_matches_the_schema() -> None:
    lead = Lead(
        id="l1",
        status="new",
        source="web",
        last_name="Krause",
        tier="standard",
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )
    jsonschema.validate(lead_state(lead), LeadStateV1)


def test_opportunity_state_matches_the_schema() -> None:
    opportunity = Opportunity(
        id="o1",
        name="Deal",
        account_pending=True,
        pipeline_id="p1",
        stage_id="s1",
        amount=Decimal("1000.5"),
        currency="EUR",
        probability=25,
        forecast_category="pipeline",
        expected_close_date=date(2026, 6, 30),
        owner_id="rep-1",
        status="open",
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )
    state = opportunity_state(opportunity, stage_name="Needs analysis")
    jsonschema.validate(state, OpportunityStateV1)
    assert (state["amount"], state["weighted_amount"]) == ("1000.50", "250.13")


def test_activity_state_matches_the_schema() -> None:
    activity = Activity(
        id="a1",
        kind="visit",
        subject="Demo",
        owner_id="rep-1",
        status="planned",
        due_at=NOW,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    )
    jsonschema.validate(activity_state(activity), ActivityStateV1)
