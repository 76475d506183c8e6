"""Events about satisfaction surveys: servicedesk.survey.answered."""

from __future__ import annotations

from typing import Any

from service_desk.payloads import ID, TEXT, TIMESTAMP, Schema, nullable, one_of, record, timestamp
from service_desk.surveys.models import Survey

SURVEY_ANSWERED = "servicedesk.survey.answered"

SurveyAnsweredV1: Schema = record(
    {
        "id": ID,
        "ticket_id": ID,
        "ticket_reference": TEXT,
        "account_id": nullable(ID),
        "agent_id": nullable(TEXT),
        "group_id": nullable(ID),
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "comment": nullable(TEXT),
        "low_rating": {"type": "boolean"},
        "action_taken": nullable(one_of(("reopened", "flagged"))),
        "sent_at": TIMESTAMP,
        "answered_at": TIMESTAMP,
    }
)
EXAMPLE_ANSWERED: dict[str, Any] = {
    "id": "9a8b7c6d5e4f30211203f4e5d6c7b8a9",
    "ticket_id": "3c9d0f7b6a5e4d3c2b1a09f8e7d6c5b4",
    "ticket_reference": "T-1042",
    "account_id": "6f1c2a9e8b7d4c3fa1e2d3c4b5a69788",
    "agent_id": "u-agent-7",
    "group_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "rating": 2,
    "comment": "Took three days and the export still fails.",
    "low_rating": True,
    "action_taken": "reopened",
    "sent_at": "2026-03-03T11:00:00.000000Z",
    "answered_at": "2026-03-03T15:42:00.000000Z",
}


def survey_state(survey: Survey, ticket_reference: str, low_rating: bool) -> dict[str, Any]:
    return {
        "id": survey.id,
        "ticket_id": survey.ticket_id,
        "ticket_reference": ticket_reference,
        "account_id": survey.account_id,
        "agent_id": survey.agent_id,
        "group_id": survey.group_id,
        "rating": survey.rating,
        "comment": survey.comment,
        "low_rating": low_rating,
        "action_taken": survey.action_taken,
        "sent_at": timestamp(survey.sent_at),
        "answered_at": timestamp(survey.answered_at),
    }
