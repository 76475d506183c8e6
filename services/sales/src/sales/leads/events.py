"""Events about leads: routing keys, payload JSON Schemas (v1), examples and the payload builder."""

from __future__ import annotations

from typing import Any

from sales.leads.models import DISQUALIFY_REASONS, SOURCES, STATUSES, Lead
from sales.payloads import ID, TEXT, TIMESTAMP, VERSION, nullable, one_of, record, timestamp, with_changes

LEAD_CREATED = "sales.lead.created"
LEAD_ASSIGNED = "sales.lead.assigned"
LEAD_QUALIFIED = "sales.lead.qualified"
LEAD_DISQUALIFIED = "sales.lead.disqualified"
LEAD_CONVERTED = "sales.lead.converted"

CONSENT = record(
    {
        "granted": {"type": "boolean"},
        "purpose": TEXT,
        "text": nullable(TEXT),
        "method": TEXT,
        "recorded_at": TIMESTAMP,
    }
)
LeadStateV1 = record(
    {
        "id": ID,
        "status": one_of(STATUSES),
        "owner_id": nullable(ID),
        "owner_team": nullable(TEXT),
        "source": one_of(SOURCES),
        "campaign_id": nullable(ID),
        "company": nullable(TEXT),
        "first_name": nullable(TEXT),
        "last_name": TEXT,
        "title": nullable(TEXT),
        "email": nullable(TEXT),
        "phone": nullable(TEXT),
        "website": nullable(TEXT),
        "industry": nullable(TEXT),
        "region": nullable(TEXT),
        "country": nullable(TEXT),
        "tier": TEXT,
        "consent": nullable(CONSENT),
        "disqualify_reason": nullable(one_of(DISQUALIFY_REASONS)),
        "opportunity_id": nullable(ID),
        "account_id": nullable(ID),
        "contact_id": nullable(ID),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "qualified_at": nullable(TIMESTAMP),
        "converted_at": nullable(TIMESTAMP),
        "version": VERSION,
    }
)
ASSIGNMENT = record(
    {
        "from_owner_id": nullable(ID),
        "to_owner_id": nullable(ID),
        "reason": one_of(("rule", "manual", "unmatched")),
        "rule_id": nullable(ID),
    }
)
LeadCreatedV1 = LeadStateV1
LeadAssignedV1 = record({**with_changes(LeadStateV1)["properties"], "assignment": ASSIGNMENT})
LeadQualifiedV1 = with_changes(LeadStateV1)
LeadDisqualifiedV1 = with_changes(LeadStateV1)
LeadConvertedV1 = with_changes(LeadStateV1)

EXAMPLE_STATE: dict[str, Any] = {
    "id": "5d0c1e2f3a4b4c5d8e9f0a1b2c3d4e5f",
    "status": "new",
    "owner_id": "u-rep-7",
    "owner_team": "emea-north",
    "source": "web",
    "campaign_id": None,
    "company": "Nordwind Logistik GmbH",
    "first_name": "Lena",
    "last_name": "Krause",
    "title": "COO",
    "email": "lena.krause@nordwind.example",
    "phone": "+49 40 555123",
    "website": "https://nordwind.example",
    "industry": "Logistics",
    "region": "Hamburg",
    "country": "DE",
    "tier": "standard",
    "consent": {
        "granted": True,
        "purpose": "sales_contact",
        "text": "I agree to be contacted about offers.",
        "method": "web_form",
        "recorded_at": "2026-05-04T08:12:00.000000Z",
    },
    "disqualify_reason": None,
    "opportunity_id": None,
    "account_id": None,
    "contact_id": None,
    "created_at": "2026-05-04T08:12:00.000000Z",
    "updated_at": "2026-05-04T08:12:00.000000Z",
    "qualified_at": None,
    "converted_at": None,
    "version": 1,
}
EXAMPLE_CREATED = EXAMPLE_STATE
EXAMPLE_ASSIGNED = {
    **EXAMPLE_STATE,
    "owner_id": "u-rep-9",
    "version": 2,
    "changes": {"owner_id": {"before": "u-rep-7", "after": "u-rep-9"}},
    "assignment": {"from_owner_id": "u-rep-7", "to_owner_id": "u-rep-9", "reason": "manual", "rule_id": None},
}
EXAMPLE_QUALIFIED = {
    **EXAMPLE_STATE,
    "status": "qualified",
    "qualified_at": "2026-05-06T10:00:00.000000Z",
    "version": 3,
    "changes": {"status": {"before": "working", "after": "qualified"}},
}
EXAMPLE_DISQUALIFIED = {
    **EXAMPLE_STATE,
    "status": "disqualified",
    "disqualify_reason": "no_budget",
    "version": 3,
    "changes": {
        "status": {"before": "working", "after": "disqualified"},
        "disqualify_reason": {"before": None, "after": "no_budget"},
    },
}
EXAMPLE_CONVERTED = {
    **EXAMPLE_QUALIFIED,
    "status": "converted",
    "opportunity_id": "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d",
    "converted_at": "2026-05-07T14:30:00.000000Z",
    "version": 4,
    "changes": {
        "status": {"before": "qualified", "after": "converted"},
        "opportunity_id": {"before": None, "after": "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d"},
    },
}


def lead_state(lead: Lead) -> dict[str, Any]:
    """The lead as events carry it (its state after the change)."""
    return {
        "id": lead.id,
        "status": lead.status,
        "owner_id": lead.owner_id,
        "owner_team": lead.owner_team,
        "source": lead.source,
        "campaign_id": lead.campaign_id,
        "company": lead.company,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "title": lead.title,
        "email": lead.email,
        "phone": lead.phone,
        "website": lead.website,
        "industry": lead.industry,
        "region": lead.region,
        "country": lead.country,
        "tier": lead.tier,
        "consent": dict(lead.consent) if lead.consent else None,
        "disqualify_reason": lead.disqualify_reason,
        "opportunity_id": lead.opportunity_id,
        "account_id": lead.account_id,
        "contact_id": lead.contact_id,
        "created_at": timestamp(lead.created_at),
        "updated_at": timestamp(lead.updated_at),
        "qualified_at": timestamp(lead.qualified_at),
        "converted_at": timestamp(lead.converted_at),
        "version": lead.version,
    }
