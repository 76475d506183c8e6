"""The service desk's event catalog: every type validates its example and carries account_id."""

from __future__ import annotations

from service_desk.events_catalog import REGISTRY

MINE = {
    "servicedesk.ticket.created",
    "servicedesk.ticket.assigned",
    "servicedesk.ticket.status_changed",
    "servicedesk.ticket.resolved",
    "servicedesk.ticket.reopened",
    "servicedesk.survey.answered",
    "servicedesk.complaint.raised",
}


def test_the_catalog_defines_the_ticket_events_with_valid_examples() -> None:
    defined = {event_type.routing_key: event_type for event_type in REGISTRY}
    assert set(defined) >= MINE
    for routing_key in MINE:
        event_type = defined[routing_key]
        assert event_type.problems(event_type.example) == []
        assert "account_id" in event_type.schema["required"], routing_key
        assert "account_id" in event_type.example
