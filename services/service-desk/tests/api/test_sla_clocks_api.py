"""SLA clocks through the API: business hours, pending pauses, replies meet, the sweep warns and breaches
once per clock, escalation rules react. Time is driven by the `clock` fixture and sweep(now): no sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

Headers = dict[str, str]
Factory = Callable[..., dict[str, Any]]
HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def clock_of(view: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(clock for clock in view["clocks"] if clock["kind"] == kind)


def test_due_times_follow_business_hours_over_the_weekend(
    clock: Any,
    create_calendar: Factory,
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
) -> None:
    calendar = create_calendar()
    create_policy(calendar_id=calendar["id"], first_response_seconds=4 * HOUR, resolution_seconds=16 * HOUR)
    clock.set(at(6, 15))  # Friday 15:00
    view = ticket_sla(open_ticket()["id"])
    assert clock_of(view, "first_response")["due_at"] == "2026-03-09T11:00:00.000000Z"  # Monday 11:00
    assert clock_of(view, "first_response")["warn_at"] == "2026-03-09T10:12:00.000000Z"  # 80 %
    assert clock_of(view, "resolution")["due_at"] == "2026-03-10T15:00:00.000000Z"


def test_pending_pauses_the_clock_and_the_segments_explain_the_due_time(
    clock: Any,
    create_policy: Factory,
    open_ticket: Factory,
    set_status: Callable[..., Any],
    ticket_sla: Callable[..., Any],
) -> None:
    create_policy(resolution_seconds=8 * HOUR)
    ticket = open_ticket()
    clock.set(at(2, 10))
    set_status(ticket["id"], "pending")
    clock.set(at(2, 13))
    paused = clock_of(ticket_sla(ticket["id"]), "resolution")
    assert paused["status"] == "paused"
    assert paused["elapsed_business_seconds"] == HOUR
    assert paused["due_at"] is None
    assert paused["remaining_business_seconds"] == 7 * HOUR
    set_status(ticket["id"], "open")
    clock.set(at(2, 14))
    resumed = clock_of(ticket_sla(ticket["id"]), "resolution")
    assert resumed["status"] == "running"
    assert resumed["elapsed_business_seconds"] == 2 * HOUR
    assert resumed["due_at"] == "2026-03-02T20:00:00.000000Z"  # 17:00 + the 3 paused hours
    assert [(s["state"], s["reason"], s["business_seconds"]) for s in resumed["segments"]] == [
        ("running", "ticket created", HOUR),
        ("paused", "ticket pending: waiting for the customer", 0),
        ("running", "ticket open again", HOUR),
    ]
    assert resumed["segments"][1]["started_at"] == "2026-03-02T10:00:00.000000Z"
    assert resumed["segments"][1]["ended_at"] == "2026-03-02T13:00:00.000000Z"


def test_sweep_warns_then_breaches_once_per_clock(
    clock: Any,
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    customer: Callable[..., None],
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
) -> None:
    customer(owner_id="am-7")
    create_policy(first_response_seconds=HOUR, resolution_seconds=None, warning_share=0.5)
    ticket = open_ticket()
    assert sweep(at(2, 9, 29)) == 0
    assert sweep(at(2, 9, 30)) == 1
    assert sweep(at(2, 9, 45)) == 0
    [warning] = outbox("servicedesk.ticket.sla_warning")
    assert warning.subject == ticket["id"]
    assert warning.data["account_id"] == "acc-1"
    assert warning.data["account_manager_id"] == "am-7"
    assert warning.data["clock"] == "first_response"
    assert warning.data["due_at"] == "2026-03-02T10:00:00.000000Z"
    assert warning.data["target_seconds"] == HOUR
    assert warning.data["elapsed_business_seconds"] == 30 * 60
    assert sweep(at(2, 10)) == 1
    assert sweep(at(2, 11)) == 0
    assert sweep(at(3, 11)) == 0
    [breach] = outbox("servicedesk.ticket.sla_breached")
    assert breach.data["elapsed_business_seconds"] == HOUR
    assert breach.data["policy_id"] == warning.data["policy_id"]
    clock.set(at(2, 12))
    view = clock_of(ticket_sla(ticket["id"]), "first_response")
    assert view["breached"] is True
    assert view["warned_at"] == "2026-03-02T09:30:00.000000Z"
    assert view["breached_at"] == "2026-03-02T10:00:00.000000Z"


def test_a_late_sweep_sends_warning_and_breach_together(
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    create_policy: Factory,
    open_ticket: Factory,
) -> None:
    create_policy(first_response_seconds=HOUR, resolution_seconds=None)
    open_ticket()
    assert sweep(at(4, 9)) == 2
    assert [event.type for event in outbox()][-2:] == [
        "crm.servicedesk.ticket.sla_warning",
        "crm.servicedesk.ticket.sla_breached",
    ]


def test_no_warning_while_pending_on_business_hours(
    clock: Any,
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    create_calendar: Factory,
    create_policy: Factory,
    open_ticket: Factory,
    set_status: Callable[..., Any],
) -> None:
    calendar = create_calendar()
    create_policy(calendar_id=calendar["id"], first_response_seconds=None, resolution_seconds=2 * HOUR)
    ticket = open_ticket()
    clock.set(at(2, 10))
    set_status(ticket["id"], "pending")
    assert sweep(at(3, 12)) == 0  # paused: nothing runs
    clock.set(at(3, 16, 30))
    set_status(ticket["id"], "open")
    # 60 min before the pause + 30 min until 17:00 = 90 min; the warning (80 % = 96 min) comes next morning.
    assert sweep(at(3, 23)) == 0
    assert sweep(at(4, 9, 5)) == 0
    assert sweep(at(4, 9, 6)) == 1
    assert sweep(at(4, 9, 29)) == 0
    assert sweep(at(4, 9, 30)) == 1
    [breach] = outbox("servicedesk.ticket.sla_breached")
    assert breach.data["due_at"] == "2026-03-04T09:30:00.000000Z"
    assert breach.data["elapsed_business_seconds"] == 2 * HOUR


def test_agent_reply_meets_the_first_response_clock(
    clock: Any,
    client: FlaskClient,
    agent: Headers,
    sweep: Callable[[datetime], int],
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
) -> None:
    create_policy(first_response_seconds=HOUR, resolution_seconds=8 * HOUR)
    ticket = open_ticket()
    clock.set(at(2, 9, 20))
    reply = client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "On it."}, headers=agent)
    assert reply.status_code == 201, reply.json
    first = clock_of(ticket_sla(ticket["id"]), "first_response")
    assert first["status"] == "met"
    assert first["met_at"] == "2026-03-02T09:20:00.000000Z"
    assert first["elapsed_business_seconds"] == 20 * 60
    assert first["breached"] is False
    assert sweep(at(2, 12)) == 0  # the resolution clock (8 h) is not at its warning yet


def test_resolving_stops_and_reopening_restarts_the_resolution_clock(
    clock: Any,
    create_policy: Factory,
    open_ticket: Factory,
    set_status: Callable[..., Any],
    ticket_sla: Callable[..., Any],
) -> None:
    create_policy(first_response_seconds=HOUR, resolution_seconds=8 * HOUR)
    ticket = open_ticket()
    clock.set(at(2, 11))
    set_status(ticket["id"], "resolved")
    clock.set(at(2, 15))
    resolved = ticket_sla(ticket["id"])
    assert clock_of(resolved, "resolution")["status"] == "met"
    assert clock_of(resolved, "first_response")["status"] == "stopped"
    set_status(ticket["id"], "open")
    clock.set(at(2, 16))
    reopened = clock_of(ticket_sla(ticket["id"]), "resolution")
    assert reopened["status"] == "running"
    assert reopened["elapsed_business_seconds"] == 3 * HOUR
    assert reopened["segments"][-1]["reason"] == "ticket reopened"


def test_reclassifying_rechooses_the_policy_and_keeps_elapsed_time(
    clock: Any,
    manager: Headers,
    create_policy: Factory,
    open_ticket: Factory,
    patch_json: Callable[..., Any],
    ticket_sla: Callable[..., Any],
) -> None:
    urgent = create_policy("Urgent", conditions={"priorities": ["urgent"]}, resolution_seconds=2 * HOUR)
    create_policy("Normal", resolution_seconds=8 * HOUR)
    ticket = open_ticket()
    clock.set(at(2, 10))
    changed = patch_json(
        f"/api/v1/tickets/{ticket['id']}", {"priority": "urgent"}, manager, ticket["version"]
    )
    assert changed.status_code == 200, changed.json
    view = ticket_sla(ticket["id"])
    assert view["policy"]["id"] == urgent["id"]
    resolution = clock_of(view, "resolution")
    assert resolution["target_seconds"] == 2 * HOUR
    assert resolution["due_at"] == "2026-03-02T11:00:00.000000Z"
    assert resolution["segments"][-1]["reason"] == "policy changed to Urgent"


def test_requester_reply_starts_a_next_response_clock_that_the_agent_reply_meets(
    clock: Any,
    client: FlaskClient,
    agent: Headers,
    database: Any,
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
) -> None:
    from service_desk.sla import hooks
    from service_desk.tickets.models import Ticket

    create_policy(first_response_seconds=HOUR, next_response_seconds=2 * HOUR, resolution_seconds=None)
    ticket = open_ticket()
    clock.set(at(2, 9, 30))
    client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "Looking."}, headers=agent)
    with database.uow() as uow:
        hooks.on_public_reply(uow.session, uow.session.get(Ticket, ticket["id"]), "requester", at(2, 10))
        uow.commit()
    waiting = [c for c in ticket_sla(ticket["id"])["clocks"] if c["kind"] == "next_response"]
    assert [(c["status"], c["due_at"]) for c in waiting] == [("running", "2026-03-02T12:00:00.000000Z")]
    clock.set(at(2, 11))
    client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "Fixed?"}, headers=agent)
    answered = clock_of(ticket_sla(ticket["id"]), "next_response")
    assert (answered["status"], answered["elapsed_business_seconds"]) == ("met", HOUR)


def test_a_late_reply_before_any_sweep_still_records_the_breach_once(
    clock: Any,
    client: FlaskClient,
    agent: Headers,
    sweep: Callable[[datetime], int],
    outbox: Callable[..., list[Any]],
    create_policy: Factory,
    open_ticket: Factory,
    ticket_sla: Callable[..., Any],
) -> None:
    create_policy(first_response_seconds=HOUR, resolution_seconds=None)
    ticket = open_ticket()
    clock.set(at(2, 12))
    client.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "Sorry for the wait."}, headers=agent
    )
    [breach] = outbox("servicedesk.ticket.sla_breached")
    assert breach.data["clock_running"] is False
    assert breach.data["elapsed_business_seconds"] == 3 * HOUR
    assert sweep(at(2, 13)) == 0
    first = clock_of(ticket_sla(ticket["id"]), "first_response")
    assert (first["status"], first["breached"]) == ("met", True)
