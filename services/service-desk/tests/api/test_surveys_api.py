"""Satisfaction surveys: the link on resolve, the public single-use answer, low ratings, results."""

from __future__ import annotations

import re
from typing import Any

import pytest

LINK = re.compile(r"/api/v1/survey-responses/(\S+)")


@pytest.fixture
def resolved(client, agent, open_ticket, set_status, customer):
    """Open a ticket for acc-1, assign agent-1, resolve it; return (ticket, survey token)."""

    def make(**fields: Any) -> tuple[dict[str, Any], str]:
        customer()
        ticket = open_ticket(assignee_id="agent-1", **fields)
        ticket = set_status(ticket["id"], "resolved")
        comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
        tokens = [match.group(1) for c in comments if (match := LINK.search(c["body"]))]
        return ticket, tokens[-1]

    return make


def test_resolving_sends_a_link_the_requester_answers_once_without_login(client, resolved, outbox) -> None:
    ticket, token = resolved()
    page = client.get(f"/api/v1/survey-responses/{token}")
    assert page.status_code == 200, page.json
    assert (page.json["ticket_reference"], page.json["state"]) == (ticket["reference"], "open")
    answer = client.post(f"/api/v1/survey-responses/{token}", json={"rating": 5, "comment": "Quick and kind"})
    assert answer.status_code == 201, answer.json
    again = client.post(f"/api/v1/survey-responses/{token}", json={"rating": 1})
    assert again.status_code == 409
    assert again.json["code"] == "servicedesk.survey.already_answered"
    assert client.get(f"/api/v1/survey-responses/{token}").json["state"] == "answered"
    [event] = outbox("servicedesk.survey.answered")
    assert (event.data["rating"], event.data["account_id"], event.data["agent_id"]) == (5, "acc-1", "agent-1")
    assert event.data["action_taken"] is None


def test_a_low_rating_reopens_the_ticket(client, agent, resolved, outbox) -> None:
    ticket, token = resolved()
    client.post(f"/api/v1/survey-responses/{token}", json={"rating": 2, "comment": "Still broken"})
    ticket = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (ticket["status"], ticket["flagged"], ticket["reopen_count"]) == ("open", True, 1)
    [event] = outbox("servicedesk.ticket.reopened")
    assert event.data["reason"] == "Low satisfaction rating (2/5)."
    assert outbox("servicedesk.survey.answered")[0].data["action_taken"] == "reopened"


def test_a_low_rating_only_flags_when_configured(client, agent, resolved, monkeypatch, outbox) -> None:
    monkeypatch.setenv("SURVEY_LOW_RATING_ACTION", "flag")
    monkeypatch.setenv("SURVEY_LOW_RATING", "3")
    ticket, token = resolved()
    client.post(f"/api/v1/survey-responses/{token}", json={"rating": 3})
    ticket = client.get(f"/api/v1/tickets/{ticket['id']}", headers=agent).json
    assert (ticket["status"], ticket["flagged"]) == ("resolved", True)
    assert ticket["flag_reason"] == "Low satisfaction rating (3/5)."
    assert outbox("servicedesk.ticket.reopened") == []


def test_bad_answers_and_unknown_tokens(client, resolved) -> None:
    _, token = resolved()
    for body in ({"rating": 0}, {"rating": 6}, {}, {"rating": "five"}, {"rating": 3, "extra": 1}):
        response = client.post(f"/api/v1/survey-responses/{token}", json=body)
        assert response.status_code == 422, body
    assert client.get("/api/v1/survey-responses/not-a-token").status_code == 404
    response = client.post("/api/v1/survey-responses/not-a-token", json={"rating": 4})
    assert response.json["code"] == "servicedesk.survey.not_found"


def test_a_new_resolution_replaces_the_old_link(client, agent, resolved, set_status, clock) -> None:
    ticket, first = resolved()
    clock.advance(hours=1)
    set_status(ticket["id"], "open")
    set_status(ticket["id"], "resolved")
    comments = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=agent).json["items"]
    tokens = [match.group(1) for c in comments if (match := LINK.search(c["body"]))]
    assert len(tokens) == 2 and tokens[0] == first
    assert client.post(f"/api/v1/survey-responses/{first}", json={"rating": 4}).status_code == 410
    assert client.post(f"/api/v1/survey-responses/{tokens[1]}", json={"rating": 4}).status_code == 201


def test_an_expired_link_is_410(client, resolved, clock) -> None:
    _, token = resolved()
    clock.advance(days=31)
    response = client.post(f"/api/v1/survey-responses/{token}", json={"rating": 4})
    assert response.status_code == 410
    assert response.json["code"] == "servicedesk.survey.expired"


def test_results_per_agent_group_account_and_period(client, manager, agent, resolved, clock) -> None:
    _, token = resolved()
    client.post(f"/api/v1/survey-responses/{token}", json={"rating": 5})
    clock.advance(days=8)
    _, token = resolved()
    client.post(f"/api/v1/survey-responses/{token}", json={"rating": 2})
    query = "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z"
    overall = client.get(f"/api/v1/surveys/results?{query}", headers=manager).json
    assert overall["overall"]["responses"] == 2
    assert (overall["overall"]["average_rating"], overall["overall"]["csat_percent"]) == (3.5, 50.0)
    assert overall["overall"]["low_ratings"] == 1
    by_agent = client.get(f"/api/v1/surveys/results?{query}&group_by=agent", headers=manager).json["groups"]
    assert [(g["key"], g["responses"]) for g in by_agent] == [("agent-1", 2)]
    by_account = client.get(f"/api/v1/surveys/results?{query}&group_by=account", headers=manager).json[
        "groups"
    ]
    assert [(g["key"], g["responses"]) for g in by_account] == [("acc-1", 2)]
    by_week = client.get(f"/api/v1/surveys/results?{query}&group_by=week", headers=manager).json["groups"]
    assert [(g["key"], g["average_rating"]) for g in by_week] == [("2026-W10", 5.0), ("2026-W11", 2.0)]
    for bad in (
        "from=2026-03-01T00:00:00Z",
        f"{query}&group_by=planet",
        "from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z",
    ):
        assert client.get(f"/api/v1/surveys/results?{bad}", headers=manager).status_code == 422, bad
    assert client.get(f"/api/v1/surveys/results?{query}").status_code == 401
    assert client.get(f"/api/v1/surveys/results?{query}", headers=agent).status_code == 200
