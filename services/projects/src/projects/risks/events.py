"""Events of the risk register: routing key, payload JSON Schema (v1), example and the payload builder."""

from __future__ import annotations

from typing import Any

from projects.payloads import DATE, ID, TEXT, TIMESTAMP, VERSION, day, nullable, one_of, record, timestamp
from projects.risks.models import RISK_CATEGORIES, RISK_RESPONSES, RISK_STATUSES, Risk

RISK_RAISED = "projects.risk.raised"
SCALE = {"type": "integer", "minimum": 1, "maximum": 5}

RiskRaisedV1 = record(
    {
        "id": ID,
        "project_id": ID,
        "account_id": nullable(ID),
        "title": TEXT,
        "description": nullable(TEXT),
        "category": one_of(RISK_CATEGORIES),
        "probability": SCALE,
        "impact": SCALE,
        "score": {"type": "integer", "minimum": 1, "maximum": 25},
        "level": one_of(("low", "medium", "high")),
        "owner_id": TEXT,
        "response": one_of(RISK_RESPONSES),
        "response_plan": nullable(TEXT),
        "status": one_of(RISK_STATUSES),
        "review_date": DATE,
        "raised_by": TEXT,
        "created_at": TIMESTAMP,
        "version": VERSION,
    }
)
EXAMPLE_RAISED: dict[str, Any] = {
    "id": "4d3c2b1a0f9e48d7c6b5a4f3e2d1c0b9",
    "project_id": "5b7d9f1e3c5a47e9b2d4f6a8c0e1d2f3",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "title": "Steel delivery may slip",
    "description": "The supplier announced capacity problems for March.",
    "category": "schedule",
    "probability": 4,
    "impact": 4,
    "score": 16,
    "level": "high",
    "owner_id": "u-pm-1",
    "response": "mitigate",
    "response_plan": "Order from the second supplier as a fallback by 2026-02-20.",
    "status": "open",
    "review_date": "2026-02-15",
    "raised_by": "u-4711",
    "created_at": "2026-02-02T10:00:00Z",
    "version": 1,
}


def risk_state(risk: Risk, account_id: str | None) -> dict[str, Any]:
    """The raised risk as the event carries it."""
    return {
        "id": risk.id,
        "project_id": risk.project_id,
        "account_id": account_id,
        "title": risk.title,
        "description": risk.description,
        "category": risk.category,
        "probability": risk.probability,
        "impact": risk.impact,
        "score": risk.score,
        "level": risk.level,
        "owner_id": risk.owner_id,
        "response": risk.response,
        "response_plan": risk.response_plan,
        "status": risk.status,
        "review_date": day(risk.review_date),
        "raised_by": risk.raised_by,
        "created_at": timestamp(risk.created_at),
        "version": risk.version,
    }
