"""Pure rules: the state machine's moves, round-robin turns, survey summaries and report periods."""

from __future__ import annotations

from datetime import UTC, datetime

from service_desk.surveys.models import Survey
from service_desk.surveys.results import period_key, summarize
from service_desk.tickets.assignment import _next_in_turn
from service_desk.tickets.models import STATUSES, TRANSITIONS, TicketGroup


def test_every_state_can_be_left_and_only_resolved_or_closed_reopen() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(TRANSITIONS[status] for status in STATUSES)
    into_open_from_done = [status for status in ("resolved", "closed") if "open" in TRANSITIONS[status]]
    assert into_open_from_done == ["resolved", "closed"]
    assert "closed" not in TRANSITIONS["open"] and "closed" not in TRANSITIONS["pending"]


def test_round_robin_wraps_around() -> None:
    group = TicketGroup(name="g", assignment="round_robin", last_assigned_id=None)
    assert _next_in_turn(group, ["a", "b"]) == "a"
    group.last_assigned_id = "a"
    assert _next_in_turn(group, ["a", "b"]) == "b"
    group.last_assigned_id = "b"
    assert _next_in_turn(group, ["a", "b"]) == "a"
    group.last_assigned_id = "gone"  # a member who left: the next one after them in order
    assert _next_in_turn(group, ["a", "b", "z"]) == "z"


def test_summaries_and_periods() -> None:
    surveys = [
        Survey(rating=rating, action_taken="reopened" if rating <= 2 else None) for rating in (5, 4, 2, 1)
    ]
    summary = summarize(surveys)
    assert (summary["responses"], summary["average_rating"], summary["csat_percent"]) == (4, 3.0, 50.0)
    assert summary["distribution"] == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1}
    assert summary["low_ratings"] == 2
    assert summarize([])["average_rating"] is None
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)  # a Thursday in ISO week 1 of 2026
    assert (period_key(moment, "day"), period_key(moment, "week"), period_key(moment, "month")) == (
        "2026-01-01",
        "2026-W01",
        "2026-01",
    )
